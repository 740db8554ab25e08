"""Council meetings (phiên họp Hội đồng): draft → open → voting → closed (or cancelled).

- **draft**: the secretariat sets the date, title, mode (electronic | paper), the agenda
  (nominations ready for the council: status ``in_council`` in a running instance, across
  instances and units; every candidate of an instance goes together) and the members
  invited (default: every active member).
- **open**: the quorum rule (setting ``council_quorum_pct``) and the council's size are
  fixed, recusals are computed (``recusal``), the invited members are notified
  (``invitations``), attendance is recorded.
- **voting**: only with the quorum present; the anonymous counters are created.
- **closed**: see ``closing``.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from engine import audit
from engine.errors import Conflict, InvalidData, NotFound
from engine.mail.compose import MailOptions
from engine.roles import Actor
from engine.store.models import HumanTask, ProcessInstance, utcnow
from workflows.catalogue import setting
from workflows.council import invitations
from workflows.council import members as m
from workflows.council.models import (
    CHOICES,
    MODES,
    CouncilCandidate,
    CouncilDelivery,
    CouncilInvitation,
    CouncilMeeting,
    CouncilMember,
    CouncilTally,
)
from workflows.council.recusal import compute_recusals
from workflows.council.rules import DEFAULT_QUORUM_PCT, has_quorum, vote_base_of
from workflows.models import AwardType, Nomination

ACTIVE = ("draft", "open", "voting")


def get_meeting_row(session: Session, meeting_id: int, *, lock: bool = False,
                    shared: bool = False) -> CouncilMeeting:
    """The meeting row; ``lock`` FOR UPDATE (close), ``shared`` FOR SHARE (a vote)."""
    query = select(CouncilMeeting).where(CouncilMeeting.id == meeting_id)
    if lock or shared:
        query = query.with_for_update(read=shared and not lock) \
            .execution_options(populate_existing=True)
    meeting = session.scalars(query).first()
    if meeting is None:
        raise NotFound("Không có phiên họp Hội đồng này.", code="council.meeting_not_found")
    return meeting


def require_status(meeting: CouncilMeeting, *allowed: str) -> None:
    labels = {"draft": "đang chuẩn bị", "open": "đang họp", "voting": "đang bỏ phiếu",
              "closed": "đã kết thúc", "cancelled": "đã hủy"}
    if meeting.status not in allowed:
        raise Conflict(f"Phiên họp {labels.get(meeting.status, meeting.status)}; không thể "
                       f"thực hiện thao tác này.", code="council.wrong_status",
                       details={"status": meeting.status, "allowed": list(allowed)})


def _busy_nominations(session: Session) -> set[int]:
    """Nominations on an active meeting, or on a closed one whose result is not delivered."""
    active = select(CouncilCandidate.nomination_id).join(
        CouncilMeeting, CouncilMeeting.id == CouncilCandidate.meeting_id
    ).where(CouncilMeeting.status.in_(ACTIVE))
    undelivered = select(CouncilCandidate.nomination_id).join(
        CouncilDelivery, (CouncilDelivery.meeting_id == CouncilCandidate.meeting_id)
        & (CouncilDelivery.instance_id == CouncilCandidate.instance_id)
    ).where(CouncilDelivery.status == "pending")
    return set(session.scalars(active).all()) | set(session.scalars(undelivered).all())


def pool_nominations(session: Session) -> list[Nomination]:
    """The agenda pool (chờ Hội đồng xét): in_council nominations of running instances."""
    busy = _busy_nominations(session)
    # An instance waiting for the meeting has no ready task (one on an older diagram
    # version, still at its paper-result task, is not waiting for a meeting).
    with_tasks = select(HumanTask.instance_id).where(HumanTask.state == "ready")
    rows = session.scalars(
        select(Nomination).join(ProcessInstance, ProcessInstance.id == Nomination.instance_id)
        .where(Nomination.status == "in_council", ProcessInstance.status == "running",
               Nomination.instance_id.not_in(with_tasks))
        .order_by(Nomination.award_code, Nomination.instance_id, Nomination.id)).all()
    return [n for n in rows if n.id not in busy]


def agenda_pool(session: Session, actor: Actor) -> list[dict[str, Any]]:
    """The nominations a new meeting may put on its agenda, with names (for the form)."""
    m.require_manager(session, actor)
    from workflows.council.views import nomination_rows
    return nomination_rows(session, pool_nominations(session))


def _lock_nominations(session: Session, nomination_ids: list[int] | None) -> None:
    """Lock the nominations a meeting takes, so that two meetings created at once cannot
    both take one: the second waits, then sees it busy (PostgreSQL; SQLite writes one at
    a time anyway)."""
    ids = nomination_ids if nomination_ids is not None else \
        [n.id for n in pool_nominations(session)]
    if ids:
        session.execute(select(Nomination.id).where(Nomination.id.in_(ids))
                        .order_by(Nomination.id).with_for_update()).all()


def _check_agenda(session: Session, nomination_ids: list[int] | None) -> list[Nomination]:
    _lock_nominations(session, nomination_ids)
    pool = pool_nominations(session)
    if nomination_ids is None:
        chosen = pool
    else:
        by_id = {n.id: n for n in pool}
        strangers = [i for i in nomination_ids if i not in by_id]
        if strangers:
            raise InvalidData("Có đề nghị không ở danh sách chờ Hội đồng xét: "
                              f"{', '.join(map(str, strangers))}.", code="council.invalid",
                              details={"nomination_ids": [f"#{i} không chờ Hội đồng xét."
                                                          for i in strangers]})
        chosen = [by_id[i] for i in dict.fromkeys(nomination_ids)]
        instances = {n.instance_id for n in chosen}
        left = [n for n in pool if n.instance_id in instances and n not in chosen]
        if left:
            message = ("Các đối tượng của cùng một hồ sơ được xét cùng phiên họp: còn thiếu "
                       + ", ".join(n.subject_code for n in left) + ".")
            raise InvalidData(message, code="council.partial_instance",
                              details={"nomination_ids": [message]})
    if not chosen:
        raise InvalidData("Chưa có đề nghị nào chờ Hội đồng xét.", code="council.empty_agenda",
                          details={"nomination_ids": ["Cần ít nhất một đối tượng."]})
    return chosen


def _check_invited(session: Session, member_ids: list[int] | None) -> list[int]:
    active = m.active_member_ids(session)
    if member_ids is None:
        chosen = active
    else:
        strangers = [i for i in member_ids if i not in active]
        if strangers:
            raise InvalidData("Chỉ mời được thành viên Hội đồng đang hoạt động.",
                              code="council.invalid",
                              details={"member_ids": [f"#{i} không phải thành viên."
                                                      for i in strangers]})
        chosen = list(dict.fromkeys(member_ids))
    if not chosen:
        raise InvalidData("Hội đồng chưa có thành viên để mời.", code="council.no_members",
                          details={"member_ids": ["Cần ít nhất một thành viên."]})
    return chosen


def _check_header(title: str, meeting_date: date | None, mode: str) -> None:
    errors: dict[str, list[str]] = {}
    if not title or not title.strip():
        errors["title"] = ["Cần tên phiên họp."]
    elif len(title) > 255:
        errors["title"] = ["Tên phiên họp dài quá 255 ký tự."]
    if not isinstance(meeting_date, date):
        errors["meeting_date"] = ["Cần ngày họp (dd/mm/yyyy)."]
    if mode not in MODES:
        errors["mode"] = ["Hình thức họp là «electronic» (bỏ phiếu điện tử) hoặc «paper» "
                          "(phiếu giấy)."]
    if errors:
        raise InvalidData(next(iter(errors.values()))[0], code="council.invalid",
                          details=errors)


def _fill(session: Session, meeting: CouncilMeeting, noms: list[Nomination],
          member_ids: list[int]) -> None:
    session.execute(delete(CouncilCandidate).where(CouncilCandidate.meeting_id == meeting.id))
    session.execute(delete(CouncilInvitation)
                    .where(CouncilInvitation.meeting_id == meeting.id))
    awards = {a.code: a for a in session.scalars(select(AwardType).where(
        AwardType.code.in_({n.award_code for n in noms}))).all()}
    for order, nom in enumerate(noms):
        award = awards.get(nom.award_code)
        session.add(CouncilCandidate(
            meeting_id=meeting.id, nomination_id=nom.id, instance_id=nom.instance_id,
            subject_code=nom.subject_code, award_code=nom.award_code,
            secret=bool(award and award.secret_ballot),
            threshold_pct=award.vote_threshold_pct if award else None,
            vote_base=vote_base_of(award.vote_base if award else None),
            sort_order=order))
    session.add_all(CouncilInvitation(meeting_id=meeting.id, member_id=i) for i in member_ids)
    session.flush()


def create_meeting(session: Session, actor: Actor, *, title: str, meeting_date: date,
                   mode: str = "electronic", nomination_ids: list[int] | None = None,
                   member_ids: list[int] | None = None, mail: MailOptions | None = None
                   ) -> dict[str, Any]:
    """Schedule a meeting (draft until it opens) with its agenda and invited members, who
    are sent the invitation (in the app and by e-mail; ``mail``: how links are written).

    ``nomination_ids`` None: the whole pool; ``member_ids`` None: every active member.

    Raises:
        Forbidden ``council.forbidden``; InvalidData ``council.invalid``,
        ``council.empty_agenda``, ``council.partial_instance``, ``council.no_members``.
    """
    m.require_manager(session, actor)
    _check_header(title, meeting_date, mode)
    noms = _check_agenda(session, nomination_ids)
    invited = _check_invited(session, member_ids)
    meeting = CouncilMeeting(title=title.strip(), meeting_date=meeting_date, mode=mode,
                             status="draft", created_by=actor.id, created_at=utcnow())
    session.add(meeting)
    session.flush()
    _fill(session, meeting, noms, invited)
    audit.append(session, actor, "council.meeting_created", {
        "meeting_id": meeting.id, "title": meeting.title, "date": meeting_date.isoformat(),
        "mode": mode, "nomination_ids": [n.id for n in noms], "member_ids": invited})
    invitations.tell_members(session, actor, meeting, mail=mail)
    return {"id": meeting.id, "status": meeting.status}


def update_meeting(session: Session, actor: Actor, meeting_id: int, *,
                   title: str | None = None, meeting_date: date | None = None,
                   mode: str | None = None, nomination_ids: list[int] | None = None,
                   member_ids: list[int] | None = None, mail: MailOptions | None = None
                   ) -> dict[str, Any]:
    """Change a draft meeting (only what is given). Members invited now are sent the
    invitation; a new date or title is told to those invited before who still are."""
    m.require_manager(session, actor)
    meeting = get_meeting_row(session, meeting_id, lock=True)
    require_status(meeting, "draft")
    title = meeting.title if title is None else title
    meeting_date = meeting.meeting_date if meeting_date is None else meeting_date
    mode = meeting.mode if mode is None else mode
    _check_header(title, meeting_date, mode)
    current = list(session.scalars(select(CouncilCandidate.nomination_id)
                                   .where(CouncilCandidate.meeting_id == meeting.id)).all())
    invited = list(session.scalars(select(CouncilInvitation.member_id)
                                   .where(CouncilInvitation.meeting_id == meeting.id)).all())
    told_before = set(invitations.invited_users(session, meeting.id))
    moved = (title.strip(), meeting_date) != (meeting.title, meeting.meeting_date)
    # The meeting's own agenda is "busy": free it while checking the new one.
    meeting.status = "cancelled"
    session.flush()
    noms = _check_agenda(session, current if nomination_ids is None else nomination_ids)
    chosen = _check_invited(session, invited if member_ids is None else member_ids)
    meeting.status = "draft"
    meeting.title, meeting.meeting_date, meeting.mode = title.strip(), meeting_date, mode
    _fill(session, meeting, noms, chosen)
    audit.append(session, actor, "council.meeting_updated", {
        "meeting_id": meeting.id, "nomination_ids": [n.id for n in noms],
        "member_ids": chosen})
    now_invited = invitations.invited_users(session, meeting.id)
    invitations.tell_members(session, actor, meeting,
                             [u for u in now_invited if u not in told_before], mail=mail)
    if moved:
        invitations.tell_members(session, actor, meeting,
                                 [u for u in now_invited if u in told_before],
                                 invitations.RESCHEDULED, mail)
    return {"id": meeting.id, "status": meeting.status}


def open_meeting(session: Session, actor: Actor, meeting_id: int) -> dict[str, Any]:
    """Open the meeting: fix the quorum rule and council size, compute the recusals."""
    m.require_manager(session, actor)
    meeting = get_meeting_row(session, meeting_id, lock=True)
    require_status(meeting, "draft")
    meeting.quorum_pct = Decimal(str(setting(session, "council_quorum_pct",
                                             DEFAULT_QUORUM_PCT)))
    meeting.members_total = len(m.active_member_ids(session))
    meeting.status, meeting.opened_at = "open", utcnow()
    recused = compute_recusals(session, meeting)
    audit.append(session, actor, "council.meeting_opened", {
        "meeting_id": meeting.id, "quorum_pct": float(meeting.quorum_pct),
        "members_total": meeting.members_total, "recusals": recused,
        "unlinked_member_ids": unlinked_members(session, meeting.id)})
    return {"id": meeting.id, "status": meeting.status}


def unlinked_members(session: Session, meeting_id: int) -> list[int]:
    """Invited members linked to no person of the registry: the automatic recusals (the
    candidate themself, the head of the candidate's unit) cannot be computed for them."""
    return list(session.scalars(
        select(CouncilInvitation.member_id)
        .join(CouncilMember, CouncilMember.id == CouncilInvitation.member_id)
        .where(CouncilInvitation.meeting_id == meeting_id,
               CouncilMember.person_code.is_(None))
        .order_by(CouncilInvitation.member_id)).all())


def record_attendance(session: Session, actor: Actor, meeting_id: int,
                      present: dict[int, bool]) -> dict[str, Any]:
    """Record who is present (điểm danh): ``{member_id: True|False}``.

    The secretariat records anyone's; a member may record only their own presence.
    Attendance can change while the meeting is open, not once voting started.
    """
    meeting = get_meeting_row(session, meeting_id, lock=True)
    me = m.member_of(session, actor)
    if not m.may_manage(session, actor) and (me is None or set(present) != {me.id}):
        m.require_manager(session, actor)
    require_status(meeting, "open")
    rows = {r.member_id: r for r in session.scalars(select(CouncilInvitation).where(
        CouncilInvitation.meeting_id == meeting.id)).all()}
    strangers = [i for i in present if i not in rows]
    if strangers:
        raise InvalidData("Có thành viên không được mời dự phiên họp.", code="council.invalid",
                          details={"present": [f"#{i} không được mời." for i in strangers]})
    for member_id, here in present.items():
        rows[member_id].present = bool(here)
    session.flush()
    audit.append(session, actor, "council.attendance", {
        "meeting_id": meeting.id, "present": {str(k): bool(v) for k, v in present.items()}})
    return attendance(session, meeting)


def attendance(session: Session, meeting: CouncilMeeting) -> dict[str, Any]:
    present = len(present_ids(session, meeting.id))
    total = meeting.members_total or 0
    quorum = meeting.quorum_pct if meeting.quorum_pct is not None else DEFAULT_QUORUM_PCT
    return {"members_total": total, "present": present, "quorum_pct": float(quorum),
            "has_quorum": has_quorum(present, total, quorum)}


def present_ids(session: Session, meeting_id: int) -> list[int]:
    return list(session.scalars(select(CouncilInvitation.member_id).where(
        CouncilInvitation.meeting_id == meeting_id,
        CouncilInvitation.present.is_(True))).all())


def start_voting(session: Session, actor: Actor, meeting_id: int) -> dict[str, Any]:
    """Start the vote (bắt đầu biểu quyết): only with the quorum present.

    Creates, for every candidate, its three anonymous counters at 0 at once, so their
    order says nothing about the votes.

    Raises:
        Conflict ``council.no_quorum`` (with the counts in ``details``).
    """
    m.require_manager(session, actor)
    meeting = get_meeting_row(session, meeting_id, lock=True)
    require_status(meeting, "open")
    seen = attendance(session, meeting)
    if not seen["has_quorum"]:
        raise Conflict(f"Hội đồng không đủ túc số: {seen['present']}/{seen['members_total']} "
                       f"thành viên có mặt, cần trên {seen['quorum_pct']:g}% số thành viên.",
                       code="council.no_quorum", details=seen)
    candidates = session.scalars(select(CouncilCandidate.id).where(
        CouncilCandidate.meeting_id == meeting.id)).all()
    session.add_all(CouncilTally(candidate_id=c, choice=choice, count=0)
                    for c in candidates for choice in CHOICES)
    meeting.status, meeting.voting_at = "voting", utcnow()
    session.flush()
    audit.append(session, actor, "council.voting_started", {"meeting_id": meeting.id, **seen})
    return {"id": meeting.id, "status": meeting.status, **seen}


def cancel_meeting(session: Session, actor: Actor, meeting_id: int, reason: str = "",
                   mail: MailOptions | None = None) -> dict[str, Any]:
    """Cancel a meeting not yet voting; its candidates go back to the pool; the invited
    members are told."""
    m.require_manager(session, actor)
    meeting = get_meeting_row(session, meeting_id, lock=True)
    require_status(meeting, "draft", "open")
    meeting.status = "cancelled"
    audit.append(session, actor, "council.meeting_cancelled",
                 {"meeting_id": meeting.id, "reason": reason})
    invitations.tell_members(session, actor, meeting, kind=invitations.CANCELLED, mail=mail)
    return {"id": meeting.id, "status": meeting.status}


def list_meetings(session: Session, actor: Actor) -> list[dict[str, Any]]:
    """Meetings, newest first, with their candidate counts."""
    m.require_viewer(session, actor)
    rows = session.scalars(select(CouncilMeeting)
                           .order_by(CouncilMeeting.meeting_date.desc(),
                                     CouncilMeeting.id.desc())).all()
    counts: dict[int, int] = {}
    for mid in session.scalars(select(CouncilCandidate.meeting_id)).all():
        counts[mid] = counts.get(mid, 0) + 1
    return [{"id": r.id, "title": r.title, "meeting_date": r.meeting_date.isoformat(),
             "mode": r.mode, "status": r.status, "candidates": counts.get(r.id, 0)}
            for r in rows]
