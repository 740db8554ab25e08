"""Recusal (không tham gia biểu quyết) of council members for a candidate.

Automatic, when the meeting opens, for every active member linked to a person:
- ``self``: the member is the candidate;
- ``head``: the member heads (``Person.is_leader``) the candidate's unit — an individual
  candidate's unit, or the collective candidate itself.

Declared (``declared``): a member states a conflict of interest for another candidate,
while the meeting is open or voting and before voting on that candidate. The secretariat
may record it for a member. A recused member cannot vote on the candidate and leaves its
denominator (``rules.judge``).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine import audit
from engine.errors import Conflict, InvalidData, NotFound
from engine.roles import Actor
from workflows.council import members as m
from workflows.council.models import (
    CouncilCandidate,
    CouncilInvitation,
    CouncilMeeting,
    CouncilMember,
    CouncilRecusal,
    CouncilVote,
)
from workflows.models import Person


def _candidate_unit(session: Session, cand: CouncilCandidate) -> str | None:
    person = session.get(Person, cand.subject_code)
    return person.unit_code if person is not None else cand.subject_code  # collective


def compute_recusals(session: Session, meeting: CouncilMeeting) -> list[dict[str, Any]]:
    """Write the automatic recusals of the meeting's candidates; return them."""
    members = session.execute(
        select(CouncilMember.id, Person.code, Person.unit_code, Person.is_leader)
        .join(Person, Person.code == CouncilMember.person_code)
        .where(CouncilMember.active.is_(True))).all()
    existing = {(r.candidate_id, r.member_id) for r in session.scalars(
        select(CouncilRecusal).join(CouncilCandidate,
                                    CouncilCandidate.id == CouncilRecusal.candidate_id)
        .where(CouncilCandidate.meeting_id == meeting.id)).all()}
    out: list[dict[str, Any]] = []
    for cand in session.scalars(select(CouncilCandidate)
                                .where(CouncilCandidate.meeting_id == meeting.id)).all():
        unit = _candidate_unit(session, cand)
        for member_id, code, member_unit, leader in members:
            reason = "self" if code == cand.subject_code else \
                "head" if leader and member_unit == unit else None
            if reason and (cand.id, member_id) not in existing:
                session.add(CouncilRecusal(candidate_id=cand.id, member_id=member_id,
                                           reason=reason, note=""))
                out.append({"candidate_id": cand.id, "member_id": member_id,
                            "reason": reason})
    session.flush()
    return out


def recused_ids(session: Session, candidate_id: int) -> set[int]:
    return set(session.scalars(select(CouncilRecusal.member_id)
                               .where(CouncilRecusal.candidate_id == candidate_id)).all())


def get_candidate(session: Session, meeting_id: int, candidate_id: int, *,
                  lock: bool = False) -> CouncilCandidate:
    """The candidate of the meeting; ``lock`` FOR UPDATE.

    A vote and a declared recusal of one member on one candidate both lock the candidate
    row before they look at each other's rows, so on PostgreSQL the second waits for the
    first to commit and then sees it (``council.already_voted`` / ``council.recused``);
    a shared lock on the meeting alone would let both through.
    """
    query = select(CouncilCandidate).where(CouncilCandidate.id == candidate_id)
    if lock:
        query = query.with_for_update().execution_options(populate_existing=True)
    cand = session.scalars(query).first()
    if cand is None or cand.meeting_id != meeting_id:
        raise NotFound("Không có đối tượng này trong phiên họp.",
                       code="council.candidate_not_found")
    return cand


def declare_recusal(session: Session, actor: Actor, meeting_id: int, candidate_id: int,
                    member_id: int | None = None, note: str = "") -> dict[str, Any]:
    """A member declares a conflict of interest for a candidate (tự khai xung đột lợi ích).

    ``member_id`` None: the actor's own membership. Declaring for another member is for
    the meeting's managers.

    Raises:
        Forbidden ``council.forbidden``; NotFound; Conflict ``council.wrong_status``,
        ``council.already_voted`` (the member already voted on the candidate),
        ``council.absent`` (the member was marked absent: a recusal would only lower the
        count of those who may vote);
        InvalidData ``council.invalid`` (the member is not invited).
    """
    from workflows.council.meetings import get_meeting_row, require_status
    m.require_viewer(session, actor)
    me = m.member_of(session, actor)
    if member_id is None or (me is not None and member_id == me.id):
        if me is None:
            raise InvalidData("Bạn không phải thành viên Hội đồng.", code="council.not_member")
        member_id = me.id
    else:
        m.require_manager(session, actor)
    meeting = get_meeting_row(session, meeting_id, shared=True)
    require_status(meeting, "open", "voting")
    cand = get_candidate(session, meeting_id, candidate_id, lock=True)
    invitation = session.get(CouncilInvitation, (meeting_id, member_id))
    if invitation is None:
        raise InvalidData("Thành viên này không được mời dự phiên họp.",
                          code="council.invalid", details={"member_id": ["Không được mời."]})
    if invitation.present is False:  # an absent member does not vote, so recuses from nothing
        raise Conflict("Thành viên được ghi vắng mặt nên không biểu quyết trong phiên này; "
                       "không cần khai xung đột lợi ích.", code="council.absent")
    if session.get(CouncilVote, (candidate_id, member_id), populate_existing=True) is not None:
        raise Conflict("Thành viên đã bỏ phiếu cho đối tượng này; không thể khai không tham "
                       "gia biểu quyết nữa.", code="council.already_voted")
    existing = session.get(CouncilRecusal, (candidate_id, member_id), populate_existing=True)
    if existing is not None:  # already recused (automatically or declared): nothing to add
        return {"candidate_id": candidate_id, "member_id": member_id,
                "reason": existing.reason}
    session.add(CouncilRecusal(candidate_id=candidate_id, member_id=member_id,
                               reason="declared", note=(note or "")[:2000]))
    session.flush()
    audit.append(session, actor, "council.recusal_declared", {
        "meeting_id": meeting_id, "candidate_id": candidate_id,
        "subject_code": cand.subject_code, "member_id": member_id, "note": note or ""})
    return {"candidate_id": candidate_id, "member_id": member_id, "reason": "declared"}
