"""Votes (biểu quyết): electronic ballots, paper counts and the scanned minutes.

Electronic: a member present, invited and not recused votes once per candidate
(agree / disagree / abstain). The row in ``council_vote`` (primary key candidate +
member) makes a second vote — another tab, a double click — fail with
``council.already_voted`` and count once. For a secret-ballot title the row keeps no
choice; the choice only adds one to the candidate's anonymous counter, in a statement
that rewrites all three counters of the candidate, so which one grew cannot be read from
the rows. A cast vote cannot be changed.

Paper: the secretary enters per candidate the counts from the paper ballots and attaches
the scanned minutes (checked and stored like dossier files).
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from sqlalchemy import case, text, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from engine import audit
from engine.errors import Conflict, InvalidData
from engine.roles import Actor
from workflows.council import members as m
from workflows.council.meetings import get_meeting_row, present_ids, require_status
from workflows.council.models import CHOICES, CouncilCandidate, CouncilTally, CouncilVote
from workflows.council.recusal import get_candidate, recused_ids
from workflows.dossier import DEFAULT_MAX_BYTES, check_file, safe_filename, store_blob

ALREADY_VOTED = "Bạn đã bỏ phiếu cho đối tượng này; mỗi thành viên chỉ bỏ một phiếu."
CHOICE_LABEL = {"agree": "Đồng ý", "disagree": "Không đồng ý", "abstain": "Không biểu quyết"}


def _check_choice(choice: str) -> None:
    if choice not in CHOICES:
        raise InvalidData("Phiếu phải là: đồng ý (agree), không đồng ý (disagree) hoặc "
                          "không biểu quyết (abstain).", code="council.invalid",
                          details={"choice": ["Lựa chọn không hợp lệ."]})


def cast_vote(session: Session, actor: Actor, meeting_id: int, candidate_id: int,
              choice: str) -> dict[str, Any]:
    """Cast the actor's vote on one candidate of an electronic meeting that is voting.

    Raises:
        InvalidData ``council.not_member``, ``council.invalid`` (bad choice);
        Conflict ``council.wrong_status``, ``council.paper_meeting``,
        ``council.not_present``, ``council.recused``, ``council.already_voted``.

    Returns:
        ``{"candidate_id", "secret", "choice"}`` (``choice`` None for a secret ballot).
    """
    _check_choice(choice)
    member = m.member_of(session, actor)
    if member is None:
        raise InvalidData("Bạn không phải thành viên Hội đồng.", code="council.not_member")
    meeting = get_meeting_row(session, meeting_id, shared=True)  # a close waits for us
    require_status(meeting, "voting")
    if meeting.mode != "electronic":
        raise Conflict("Phiên họp bỏ phiếu giấy; Thư ký nhập kết quả kiểm phiếu.",
                       code="council.paper_meeting")
    cand = get_candidate(session, meeting_id, candidate_id, lock=True)  # vs. a recusal
    if member.id not in present_ids(session, meeting_id):
        raise Conflict("Chỉ thành viên có mặt tại phiên họp được bỏ phiếu.",
                       code="council.not_present")
    if member.id in recused_ids(session, candidate_id):
        raise Conflict("Bạn không tham gia biểu quyết đối với đối tượng này.",
                       code="council.recused")
    if session.get(CouncilVote, (candidate_id, member.id), populate_existing=True) is not None:
        raise Conflict(ALREADY_VOTED, code="council.already_voted")
    if cand.secret and session.get_bind().dialect.name == "sqlite":
        # Bytes the counters' rewrite frees are zeroed, not left in the page (see scrub).
        session.execute(text("PRAGMA secure_delete=ON"))
    session.add(CouncilVote(candidate_id=candidate_id, member_id=member.id,
                            choice=None if cand.secret else choice))
    try:
        session.flush()  # the unique key decides between two tabs voting at once
    except IntegrityError as exc:
        raise Conflict(ALREADY_VOTED, code="council.already_voted") from exc
    session.execute(
        update(CouncilTally).where(CouncilTally.candidate_id == candidate_id)
        .values(count=CouncilTally.count + case((CouncilTally.choice == choice, 1), else_=0))
        .execution_options(synchronize_session=False))
    event: dict[str, Any] = {"meeting_id": meeting_id, "candidate_id": candidate_id,
                             "subject_code": cand.subject_code, "member_id": member.id,
                             "secret": cand.secret}
    if not cand.secret:
        event["choice"] = choice
    audit.append(session, actor, "council.vote_cast", event)
    return {"candidate_id": candidate_id, "secret": cand.secret,
            "choice": None if cand.secret else choice}


def _count(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 \
        else None


def enter_paper_counts(session: Session, actor: Actor, meeting_id: int,
                       lines: list[dict[str, Any]]) -> dict[str, Any]:
    """Enter the paper ballots' counts (kết quả kiểm phiếu giấy), per candidate.

    ``lines``: ``[{"candidate_id", "agree", "disagree", "abstain"}]``; a line replaces the
    candidate's counts. A candidate's ballots cannot exceed the members present who are
    not recused for it.

    Raises:
        Conflict ``council.wrong_status``, ``council.electronic_meeting``;
        InvalidData ``council.invalid`` (details per line).
    """
    m.require_manager(session, actor)
    meeting = get_meeting_row(session, meeting_id, lock=True)
    require_status(meeting, "voting")
    if meeting.mode != "paper":
        raise Conflict("Phiên họp bỏ phiếu điện tử; không nhập số phiếu giấy.",
                       code="council.electronic_meeting")
    present = set(present_ids(session, meeting_id))
    errors: list[str] = []
    counts: dict[int, tuple[int, int, int]] = {}
    for i, line in enumerate(x if isinstance(x, dict) else {} for x in lines):
        cid = line.get("candidate_id")
        cand = session.get(CouncilCandidate, cid) if isinstance(cid, int) else None
        values = [_count(line.get(k)) for k in CHOICES]
        if cand is None or cand.meeting_id != meeting_id:
            errors.append(f"Dòng {i + 1}: không có đối tượng #{cid} trong phiên họp.")
        elif None in values:
            errors.append(f"Dòng {i + 1}: số phiếu phải là số nguyên không âm.")
        elif sum(values) > len(present - recused_ids(session, cand.id)):  # type: ignore[arg-type]
            errors.append(f"Dòng {i + 1}: tổng số phiếu vượt số thành viên có mặt được biểu "
                          f"quyết ({len(present - recused_ids(session, cand.id))}).")
        else:
            counts[cand.id] = (values[0], values[1], values[2])  # type: ignore[assignment]
    if errors or not counts:
        raise InvalidData(errors[0] if errors else "Cần số phiếu của ít nhất một đối tượng.",
                          code="council.invalid", details={"lines": errors or ["Trống."]})
    for cid, values in counts.items():
        for choice, value in zip(CHOICES, values, strict=True):
            session.execute(update(CouncilTally).where(
                CouncilTally.candidate_id == cid, CouncilTally.choice == choice)
                .values(count=value).execution_options(synchronize_session=False))
    audit.append(session, actor, "council.paper_counts", {
        "meeting_id": meeting_id,
        "counts": {str(c): dict(zip(CHOICES, v, strict=True)) for c, v in counts.items()}})
    return {"meeting_id": meeting_id, "entered": sorted(counts)}


SCAN_TYPES = frozenset({"application/pdf", "image/jpeg", "image/png"})


def attach_scan(session: Session, actor: Actor, meeting_id: int, filename: str, data: bytes,
                files_dir: Path, max_bytes: int = DEFAULT_MAX_BYTES,
                declared_type: str | None = None) -> dict[str, Any]:
    """Attach the scanned minutes of a paper meeting (bản chụp biên bản), PDF or image.

    Checked and stored like a dossier file (``workflows.dossier``): type sniffed from
    the content and matched with the Content-Type the client declared, size limit,
    sha256, content-addressed storage. A new scan replaces it.

    Raises:
        InvalidData ``file.*`` from the dossier checks; Conflict ``council.wrong_status``.
    """
    m.require_manager(session, actor)
    meeting = get_meeting_row(session, meeting_id, lock=True)
    require_status(meeting, "open", "voting")
    content_type, _ext = check_file(filename, data, max_bytes, declared_type)
    if content_type not in SCAN_TYPES:
        raise InvalidData("Bản chụp biên bản phải là tệp PDF, JPG hoặc PNG.",
                          code="file.bad_type",
                          details={"file": ["Bản chụp biên bản phải là tệp PDF, JPG hoặc PNG."]})
    sha = hashlib.sha256(data).hexdigest()
    key = store_blob(files_dir, sha, data)
    meeting.scan_filename = safe_filename(filename, "bien_ban")
    meeting.scan_content_type, meeting.scan_size = content_type, len(data)
    meeting.scan_sha256, meeting.scan_storage_key = sha, key
    session.flush()
    audit.append(session, actor, "council.scan_attached", {
        "meeting_id": meeting_id, "filename": meeting.scan_filename, "sha256": sha,
        "size": len(data)})
    return {"filename": meeting.scan_filename, "sha256": sha, "size": len(data),
            "content_type": content_type}
