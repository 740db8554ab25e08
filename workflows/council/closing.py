"""Closing a meeting (kết thúc biểu quyết): the tally, the minutes, the results' delivery.

``close_meeting`` runs in one transaction: it counts every candidate against its title's
rule (``rules.judge``), stores the results, marks one delivery per procedure instance
``pending`` and hands the tally minutes to ``workflows.documents.store_tally_minutes``
when that module exists. ``deliver_pending`` then delivers each instance's results by
the engine's message ``council_result`` — one transaction per instance; a failure stays
``pending`` with its error and is retried by the scheduler (``retry_pending_deliveries``),
the meeting page or ``tdkt council deliver``; a delivery to an instance that ended
meanwhile (cancelled) becomes ``void``. A paper meeting's scanned minutes join each
dossier at the close (``dossier_files``).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine import audit
from engine.errors import Conflict, InvalidData
from engine.roles import SYSTEM, Actor
from engine.service import ProcessEngine
from engine.store.models import ProcessInstance, utcnow
from workflows.council import members as m
from workflows.council.dossier_files import attach_scan_to_dossiers
from workflows.council.meetings import get_meeting_row, present_ids, require_status
from workflows.council.models import (
    CHOICES,
    CouncilCandidate,
    CouncilDelivery,
    CouncilMeeting,
    CouncilRecusal,
    CouncilTally,
)
from workflows.council.rules import judge
from workflows.council.scrub import needs_scrub, scrub_tally_storage

MESSAGE = "council_result"


def _counts(session: Session, candidate_id: int) -> dict[str, int]:
    rows = dict(session.execute(select(CouncilTally.choice, CouncilTally.count)
                                .where(CouncilTally.candidate_id == candidate_id)).all())
    return {c: int(rows.get(c, 0)) for c in CHOICES}


def _tally_candidate(session: Session, meeting: CouncilMeeting, cand: CouncilCandidate,
                     present: set[int]) -> None:
    counts = _counts(session, cand.id)
    recused = set(session.scalars(select(CouncilRecusal.member_id)
                                  .where(CouncilRecusal.candidate_id == cand.id)).all())
    outcome = judge(counts["agree"], counts["disagree"], counts["abstain"],
                    vote_base=cand.vote_base, members_total=meeting.members_total or 0,
                    present=len(present), recused_total=len(recused),
                    recused_present=len(recused & present), threshold_pct=cand.threshold_pct)
    cand.agree, cand.disagree, cand.abstain = outcome.agree, outcome.disagree, outcome.abstain
    cand.recused, cand.denominator = outcome.recused, outcome.denominator
    cand.required, cand.passed = outcome.required, outcome.passed


def _check_paper(session: Session, meeting: CouncilMeeting, cands: list[CouncilCandidate],
                 present: set[int]) -> None:
    if not meeting.scan_sha256:
        raise Conflict("Phiên họp phiếu giấy cần bản chụp biên bản kiểm phiếu trước khi kết "
                       "thúc.", code="council.scan_missing")
    missing = [c.subject_code for c in cands if not sum(_counts(session, c.id).values())
               and present - set(session.scalars(select(CouncilRecusal.member_id).where(
                   CouncilRecusal.candidate_id == c.id)).all())]
    if missing:
        raise Conflict("Chưa nhập số phiếu của: " + ", ".join(missing) + ".",
                       code="council.counts_missing", details={"missing": missing})


def close_meeting(session: Session, actor: Actor, meeting_id: int) -> dict[str, Any]:
    """Close the vote: tally every candidate, store results, queue the deliveries.

    Raises:
        Forbidden ``council.forbidden``; Conflict ``council.wrong_status``,
        ``council.scan_missing`` / ``council.counts_missing`` (paper meetings).

    Returns:
        ``{"id", "status", "instances": [ids to deliver], "results": [candidate rows]}``.
    """
    m.require_manager(session, actor)
    meeting = get_meeting_row(session, meeting_id, lock=True)  # waits for votes in flight
    require_status(meeting, "voting")
    cands = list(session.scalars(select(CouncilCandidate)
                                 .where(CouncilCandidate.meeting_id == meeting.id)
                                 .order_by(CouncilCandidate.sort_order)).all())
    present = set(present_ids(session, meeting.id))
    if meeting.mode == "paper":
        _check_paper(session, meeting, cands, present)
    for cand in cands:
        _tally_candidate(session, meeting, cand, present)
    meeting.status, meeting.closed_at, meeting.closed_by = "closed", utcnow(), actor.id
    instances = list(dict.fromkeys(c.instance_id for c in cands))
    session.add_all(CouncilDelivery(meeting_id=meeting.id, instance_id=i, status="pending",
                                    attempts=0) for i in instances)
    session.flush()
    if meeting.mode == "paper":
        attach_scan_to_dossiers(session, actor, meeting, instances)
    from workflows.council.views import minutes_data, result_row
    results = [result_row(c) for c in cands]
    audit.append(session, actor, "council.meeting_closed",
                 {"meeting_id": meeting.id, "results": results})
    _store_minutes(session, minutes_data(session, meeting, cands), instances, actor)
    return {"id": meeting.id, "status": meeting.status, "instances": instances,
            "results": results}


def close_and_deliver(session: Session, engine: ProcessEngine, actor: Actor,
                      meeting_id: int) -> dict[str, Any]:
    """Close the vote (``close_meeting``, committed), wipe the secret ballot's earlier
    counter versions from the storage (``scrub``, outside any transaction), then deliver
    each instance's result (``deliver_pending``, one transaction per instance).

    Commits. Raises what ``close_meeting`` raises, with nothing written.

    Returns:
        ``close_meeting``'s answer with ``deliveries`` and ``scrub`` (None when the
        meeting had no electronic secret ballot).
    """
    try:
        closed = close_meeting(session, actor, meeting_id)
        session.commit()
    except BaseException:
        session.rollback()
        raise
    closed["scrub"] = scrub_tally_storage(session, actor, meeting_id) \
        if needs_scrub(session, meeting_id) else None
    closed["deliveries"] = deliver_pending(session, engine, actor, meeting_id)
    return closed


def _store_minutes(session: Session, data: dict[str, Any], instance_ids: list[int],
                   actor: Actor) -> None:
    """Render the tally minutes (``views.minutes_data``) onto every dossier of the meeting.

    A template that fails (an admin may replace it) refuses the close: nothing is written.
    """
    from workflows.documents import store_tally_minutes
    from workflows.documents.render import RenderError

    try:
        store_tally_minutes(session, data, instance_ids, actor)
    except RenderError as exc:
        raise InvalidData(f"Không lập được biên bản kiểm phiếu: {exc}. Vui lòng báo quản trị "
                          "hệ thống sửa mẫu văn bản.", code="document.render_failed",
                          details={"template": [str(exc)]}) from exc


def delivery_payload(session: Session, meeting_id: int, instance_id: int) -> dict[str, Any]:
    """What an instance receives: the meeting and the results of its own candidates."""
    from workflows.council.views import result_row
    meeting = get_meeting_row(session, meeting_id)
    cands = session.scalars(select(CouncilCandidate).where(
        CouncilCandidate.meeting_id == meeting_id, CouncilCandidate.instance_id == instance_id)
        .order_by(CouncilCandidate.sort_order)).all()
    return {"meeting_id": meeting.id, "meeting_title": meeting.title,
            "meeting_date": meeting.meeting_date.isoformat(), "mode": meeting.mode,
            "members_total": meeting.members_total or 0,
            "members_present": len(present_ids(session, meeting.id)),
            "quorum_pct": float(meeting.quorum_pct or 0),
            "candidates": [result_row(c) for c in cands]}


AUTO_ATTEMPTS = 10  # after this many failures, only a person retries (page, CLI)


def retry_pending_deliveries(session: Session, engine: ProcessEngine,
                             actor: Actor = SYSTEM, max_attempts: int = AUTO_ATTEMPTS
                             ) -> list[dict[str, Any]]:
    """For the scheduler (``tdkt scheduler``, e.g. every 15 minutes): deliver again every
    pending result of a closed meeting — one whose delivery failed, or one never tried
    because the process stopped between the close and the delivery — that has failed fewer
    than ``max_attempts`` times. Beyond that the error stays on the meeting page for a
    person to look at and «Gửi lại» (or ``tdkt council deliver``).

    Commits (one transaction per instance), as ``deliver_pending``.
    """
    return deliver_pending(session, engine, actor, max_attempts=max_attempts)


def deliver_pending(session: Session, engine: ProcessEngine, actor: Actor,
                    meeting_id: int | None = None, max_attempts: int | None = None
                    ) -> list[dict[str, Any]]:
    """Deliver the pending results (of one meeting, or all), one transaction per instance.

    Commits: each delivery commits with its instance's step; a failure is recorded (still
    ``pending``, ``attempts`` + 1, ``error``) in its own transaction and the others go on.
    ``max_attempts``: leave out the deliveries that already failed that many times.

    Returns:
        ``[{"meeting_id", "instance_id", "status", "error"}]``.
    """
    query = select(CouncilDelivery.meeting_id, CouncilDelivery.instance_id).where(
        CouncilDelivery.status == "pending")
    if meeting_id is not None:
        query = query.where(CouncilDelivery.meeting_id == meeting_id)
    if max_attempts is not None:
        query = query.where(CouncilDelivery.attempts < max_attempts)
    todo = session.execute(query.order_by(CouncilDelivery.meeting_id,
                                          CouncilDelivery.instance_id)).all()
    session.rollback()  # end the read; each delivery is its own transaction
    return [_deliver_one(session, engine, actor, mid, iid) for mid, iid in todo]


def _deliver_one(session: Session, engine: ProcessEngine, actor: Actor, meeting_id: int,
                 instance_id: int) -> dict[str, Any]:
    def mark() -> None:
        row = session.get(CouncilDelivery, (meeting_id, instance_id), with_for_update=True,
                          populate_existing=True)
        if row is None or row.status != "pending":  # delivered or voided meanwhile
            raise Conflict("Kết quả này đã được gửi hoặc không còn dùng.",
                           code="council.delivery_done")
        row.status, row.error, row.delivered_at = "delivered", None, utcnow()
        row.attempts += 1
        audit.append(session, actor, "council.result_delivered",
                     {"meeting_id": meeting_id}, instance_id)
        session.flush()

    try:
        payload = delivery_payload(session, meeting_id, instance_id)
        engine.deliver_message(session, instance_id, MESSAGE, payload, actor, within=mark)
        return {"meeting_id": meeting_id, "instance_id": instance_id, "status": "delivered",
                "error": None}
    except Exception as exc:  # recorded and retried later: the other instances go on
        session.rollback()
        error = getattr(exc, "message", None) or str(exc)
        row = session.get(CouncilDelivery, (meeting_id, instance_id))
        if row is not None and row.status != "pending":  # another retry delivered it
            return {"meeting_id": meeting_id, "instance_id": instance_id,
                    "status": row.status, "error": None}
        if row is not None:
            row.attempts += 1
            row.error = str(error)[:4000]
            inst = session.get(ProcessInstance, instance_id)
            if inst is not None and inst.status in ("cancelled", "completed"):
                row.status = "void"  # the instance ended meanwhile: nothing to retry
            audit.append(session, actor, "council.delivery_failed",
                         {"meeting_id": meeting_id, "error": row.error}, instance_id)
            session.commit()
        return {"meeting_id": meeting_id, "instance_id": instance_id,
                "status": row.status if row is not None else "pending", "error": str(error)}
