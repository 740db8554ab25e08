"""Read helpers for the council's web pages (trang Hội đồng TĐKT), and the two page commands
that chain services (close then deliver; retry a delivery).

Everything here builds on ``views``, ``meetings`` and ``closing``; the pages add names a
person reads (the procedure, the dossier's business key, the eligibility verdict, the
tally minutes documents) and never see how a secret ballot went before the close.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.errors import NotFound
from engine.roles import Actor
from engine.service import ProcessEngine
from engine.store.models import ProcessInstance, ProcessModelVersion, User
from workflows.catalogue import office_today
from workflows.council import closing, meetings, views
from workflows.council import members as m
from workflows.council.models import (
    CouncilCandidate,
    CouncilInvitation,
    CouncilMeeting,
    CouncilRecusal,
    CouncilVote,
)
from workflows.council.rules import FAR_AHEAD_DAYS, has_quorum, meeting_date_notice
from workflows.models import Attachment, Nomination, Person

MINUTES_ITEM = "bien_ban_kiem_phieu"
GROUPS = {"draft": "upcoming", "open": "active", "voting": "active", "closed": "closed",
          "cancelled": "closed"}


# -- the list ----------------------------------------------------------------------------
def overview(session: Session, actor: Actor) -> dict[str, Any]:
    """``/council``: meetings by group (upcoming, open or voting, closed), the actor's
    pending votes and whether they manage meetings.

    Raises:
        Forbidden ``council.forbidden``: not a member nor an office role.
    """
    rows = meetings.list_meetings(session, actor)
    groups: dict[str, list[dict[str, Any]]] = {"upcoming": [], "active": [], "closed": []}
    for row in rows:
        row["status_label"] = views.STATUS_LABEL[row["status"]]
        row["mode_label"] = views.MODE_LABEL[row["mode"]]
        groups[GROUPS[row["status"]]].append(row)
    groups["upcoming"].reverse()  # the nearest first
    return {"groups": groups, "pending": pending_votes(session, actor),
            "pool_count": len(meetings.pool_nominations(session)),
            "can_manage": m.may_manage(session, actor),
            "is_member": m.member_of(session, actor) is not None}


def date_notice(day: date) -> dict[str, Any] | None:
    """A new meeting's date that needs confirming (``rules.meeting_date_notice``, against
    the office's today): ``{"kind": "past"|"far", "days": n, "max_days": ...}``."""
    found = meeting_date_notice(day, office_today())
    if found is None:
        return None
    return {"kind": found[0], "days": found[1], "max_days": FAR_AHEAD_DAYS}


def pending_votes(session: Session, actor: Actor) -> list[dict[str, Any]]:
    """Candidates the actor may still vote on (chưa bỏ phiếu): electronic meetings voting,
    the actor invited and present, not recused, not voted yet."""
    me = m.member_of(session, actor)
    if me is None:
        return []
    query = (select(CouncilCandidate.id, CouncilCandidate.meeting_id, CouncilMeeting.title)
             .join(CouncilMeeting, CouncilMeeting.id == CouncilCandidate.meeting_id)
             .join(CouncilInvitation, (CouncilInvitation.meeting_id == CouncilMeeting.id)
                   & (CouncilInvitation.member_id == me.id))
             .where(CouncilMeeting.status == "voting", CouncilMeeting.mode == "electronic",
                    CouncilInvitation.present.is_(True)))
    rows = session.execute(query).all()
    done = set(session.scalars(select(CouncilVote.candidate_id)
                               .where(CouncilVote.member_id == me.id)).all())
    done |= set(session.scalars(select(CouncilRecusal.candidate_id)
                                .where(CouncilRecusal.member_id == me.id)).all())
    return [{"candidate_id": c, "meeting_id": mid, "meeting_title": title}
            for c, mid, title in rows if c not in done]


# -- the new meeting form ---------------------------------------------------------------
def _instances(session: Session, ids: set[int]) -> dict[int, dict[str, Any]]:
    """instance id → business key and procedure name."""
    if not ids:
        return {}
    rows = session.execute(
        select(ProcessInstance.id, ProcessInstance.business_key, ProcessModelVersion.name,
               ProcessInstance.process_key)
        .join(ProcessModelVersion, ProcessModelVersion.id == ProcessInstance.model_version_id)
        .where(ProcessInstance.id.in_(ids))).all()
    return {i: {"business_key": key or f"#{i}", "process": name or pkey}
            for i, key, name, pkey in rows}


def _verdict(raw: Any) -> dict[str, Any]:
    """The nomination's last eligibility verdict, short: eligible or not and why not."""
    if not isinstance(raw, dict) or "eligible" not in raw:
        return {"known": False, "eligible": None, "failed": []}
    failed = [r.get("detail") or r.get("rule") for r in raw.get("reasons") or []
              if isinstance(r, dict) and not r.get("ok")]
    return {"known": True, "eligible": bool(raw["eligible"]), "failed": failed}


def _enrich(session: Session, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Add the procedure, the business key and the eligibility verdict to rows that carry
    ``instance_id`` and ``nomination_id``."""
    insts = _instances(session, {r["instance_id"] for r in rows})
    query = select(Nomination.id, Nomination.eligibility).where(
        Nomination.id.in_({r["nomination_id"] for r in rows}))
    verdicts: dict[int, Any] = dict(session.execute(query).all()) if rows else {}
    for row in rows:
        inst = insts.get(row["instance_id"], {"business_key": f"#{row['instance_id']}",
                                              "process": ""})
        row.update(inst)
        row["eligibility"] = _verdict(verdicts.get(row["nomination_id"]))
    return rows


def new_meeting_form(session: Session, actor: Actor) -> dict[str, Any]:
    """The form's choices: the agenda pool (chờ Hội đồng xét) and the active members.

    Raises:
        Forbidden ``council.forbidden``: not a manager of meetings.
    """
    pool = meetings.agenda_pool(session, actor)
    return {"pool": _enrich(session, pool),
            "members": list(m.members_by_id(session, active_only=True).values())}


# -- one meeting -------------------------------------------------------------------------
def _minutes_documents(session: Session, instance_ids: list[int]) -> list[dict[str, Any]]:
    """The tally minutes generated at the close (one rendering, attached to every
    instance): the current PDF and DOCX once, from the first instance that has them."""
    if not instance_ids:
        return []
    rows = session.scalars(select(Attachment).where(
        Attachment.instance_id.in_(instance_ids), Attachment.item == MINUTES_ITEM,
        Attachment.superseded_at.is_(None)).order_by(Attachment.instance_id,
                                                       Attachment.id)).all()
    seen: dict[str, dict[str, Any]] = {}
    for row in rows:
        fmt = "pdf" if row.content_type == "application/pdf" else "docx"
        seen.setdefault(fmt, {"id": row.id, "filename": row.filename, "size": row.size,
                              "sha256": row.sha256, "format": fmt})
    return [seen[f] for f in ("pdf", "docx") if f in seen]


def _percent(part: int | None, whole: int | None) -> float:
    return round(100 * (part or 0) / whole, 1) if whole else 0.0


def _candidate_state(row: dict[str, Any], view: dict[str, Any],
                     present: set[int]) -> None:
    """Who may still vote (present, not recused), the actor's own state, the bars."""
    cid = row["candidate_id"]
    recusals = [r for r in view["recusals"] if r["candidate_id"] == cid]
    recused_ids = {r["member_id"] for r in recusals}
    row["recusals"] = recusals
    row["eligible_voters"] = len(present - recused_ids)
    mine = view["mine"]
    row["my_recusal"] = next((r for r in recusals if r["member_id"] == mine["member_id"]),
                             None)
    row["my_voted"] = cid in mine["voted"]
    row["i_may_vote"] = (view["status"] == "voting" and view["mode"] == "electronic"
                         and mine["member_id"] in present and not row["my_voted"]
                         and row["my_recusal"] is None)
    # The conflict-of-interest form: for an invited member not marked absent, before they
    # voted or recused on this candidate (the service refuses the others).
    row["i_may_declare"] = (view["status"] in ("open", "voting") and mine["invited"]
                            and not mine["absent"] and not row["my_voted"]
                            and row["my_recusal"] is None)
    base = row.get("denominator")
    row["bars"] = {k: _percent(row.get(k), base) for k in ("agree", "disagree", "abstain")}
    row["required_pct"] = _percent(row.get("required"), base)


def meeting_page(session: Session, actor: Actor, meeting_id: int) -> dict[str, Any]:
    """Everything ``/council/meetings/<id>`` shows, for this actor (``views.meeting_view``
    plus the dossiers' names, eligibility, vote progress, minutes documents, deliveries).

    Raises:
        Forbidden ``council.forbidden``; NotFound ``council.meeting_not_found``.
    """
    view = views.meeting_view(session, actor, meeting_id)
    present = {i["id"] for i in view["invited"] if i["present"]}
    mine = next((i for i in view["invited"] if i["id"] == view["mine"]["member_id"]), None)
    view["mine"]["invited"] = mine is not None
    view["mine"]["absent"] = mine is not None and mine["present"] is False
    _enrich(session, view["candidates"])
    for row in view["candidates"]:
        _candidate_state(row, view, present)
    instance_ids = list(dict.fromkeys(c["instance_id"] for c in view["candidates"]))
    insts = _instances(session, set(instance_ids))
    for d in view["deliveries"]:
        d.update(insts.get(d["instance_id"], {"business_key": f"#{d['instance_id']}",
                                              "process": ""}))
        d["state"] = d["status"] if d["status"] in ("delivered", "void") else \
            "error" if d["error"] else "pending"
    view["minutes"] = _minutes_documents(session, instance_ids) \
        if view["status"] == "closed" else []
    seen = view["attendance"]
    seen["required"] = next((n for n in range(seen["members_total"] + 1) if has_quorum(
        n, seen["members_total"], Decimal(str(seen["quorum_pct"])))), None)
    view["is_member"] = view["mine"]["member_id"] is not None
    view["i_am_present"] = view["mine"]["member_id"] in present
    view["letterhead_missing"] = _letterhead_missing(session) \
        if view["can_manage"] and view["status"] in meetings.ACTIVE else []
    return view


def _letterhead_missing(session: Session) -> list[str]:
    """The letterhead settings the tally minutes still need (the close is refused
    without them): told to managers before the meeting, not at its close."""
    from workflows.documents.gather import (
        REQUIRED_LETTERHEAD,
        letterhead_missing,
        office_letterhead,
    )
    return [f"{REQUIRED_LETTERHEAD[k]} ({k})"
            for k in letterhead_missing(office_letterhead(session))]


def close_and_deliver(session: Session, engine: ProcessEngine, actor: Actor,
                      meeting_id: int) -> dict[str, Any]:
    """The page's and the API's close (``closing.close_and_deliver``)."""
    return closing.close_and_deliver(session, engine, actor, meeting_id)


def retry_deliveries(session: Session, engine: ProcessEngine, actor: Actor,
                     meeting_id: int) -> list[dict[str, Any]]:
    """Deliver again the meeting's pending results (gửi lại kết quả); managers only.

    Commits (one transaction per instance).
    """
    m.require_manager(session, actor)
    meeting = meetings.get_meeting_row(session, meeting_id)
    meetings.require_status(meeting, "closed")
    return closing.deliver_pending(session, engine, actor, meeting_id)


def scan_file(session: Session, actor: Actor, meeting_id: int, files_dir: Path
              ) -> tuple[dict[str, Any], Path]:
    """The scanned minutes of a paper meeting, for download by those who see the meeting.

    Raises:
        Forbidden ``council.forbidden``; NotFound ``council.scan_not_found``.
    """
    m.require_viewer(session, actor)
    meeting = meetings.get_meeting_row(session, meeting_id)
    key = meeting.scan_storage_key
    path = Path(files_dir) / key if key else None
    if path is None or ".." in Path(key or "").parts or not path.is_file():
        raise NotFound("Phiên họp chưa có bản chụp biên bản.", code="council.scan_not_found")
    return {"filename": meeting.scan_filename, "content_type": meeting.scan_content_type,
            "sha256": meeting.scan_sha256}, path


def minutes_file(session: Session, actor: Actor, meeting_id: int, attachment_id: int,
                 files_dir: Path) -> tuple[dict[str, Any], Path]:
    """One of a closed meeting's tally minutes (PDF or DOCX), for those who see the meeting
    — its members included, whatever their roles (the dossier's own link is the office's).

    Raises:
        Forbidden ``council.forbidden``; NotFound ``council.minutes_not_found``.
    """
    m.require_viewer(session, actor)
    meeting = meetings.get_meeting_row(session, meeting_id)
    instance_ids = list(session.scalars(select(CouncilCandidate.instance_id).where(
        CouncilCandidate.meeting_id == meeting.id)).all())
    known = {d["id"] for d in _minutes_documents(session, instance_ids)} \
        if meeting.status == "closed" else set()
    row = session.get(Attachment, attachment_id) if attachment_id in known else None
    path = Path(files_dir) / row.storage_key if row is not None else None
    if row is None or path is None or ".." in Path(row.storage_key).parts \
            or not path.is_file():
        raise NotFound("Không có biên bản kiểm phiếu này.", code="council.minutes_not_found")
    return {"filename": row.filename, "content_type": row.content_type,
            "sha256": row.sha256}, path


# -- membership ----------------------------------------------------------------------------
def members_page(session: Session, actor: Actor) -> dict[str, Any]:
    """``/council/members``: every membership (active or not), and for those who may
    change it, the users and people to choose from.

    Raises:
        Forbidden ``council.forbidden``.
    """
    rows = m.list_members(session, actor, include_inactive=True)
    may_edit = bool(m.MEMBER_ADMIN_ROLES & actor.roles)
    users: list[tuple[str, str]] = []
    people: list[tuple[str, str]] = []
    if may_edit:
        users = [(u, f or u) for u, f in session.execute(
            select(User.username, User.full_name).where(User.active.is_(True))
            .order_by(User.username)).all()]
        people = [(c, f"{c} — {n}") for c, n in session.execute(
            select(Person.code, Person.full_name).where(Person.active.is_(True))
            .order_by(Person.code)).all()]
    return {"members": rows, "may_edit": may_edit, "users": users, "people": people,
            "positions": m.POSITION_LABEL}
