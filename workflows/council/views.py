"""Plain views of council data for pages, the API and the tally minutes."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.roles import Actor
from engine.store.models import Unit
from workflows.council import members as m
from workflows.council.models import (
    CouncilCandidate,
    CouncilDelivery,
    CouncilInvitation,
    CouncilMeeting,
    CouncilRecusal,
    CouncilVote,
)
from workflows.models import AwardType, Nomination, Person

STATUS_LABEL = {"draft": "Đang chuẩn bị", "open": "Đang họp", "voting": "Đang bỏ phiếu",
                "closed": "Đã kết thúc", "cancelled": "Đã hủy"}
MODE_LABEL = {"electronic": "Bỏ phiếu điện tử", "paper": "Phiếu giấy"}
REASON_LABEL = {"self": "Là đối tượng được xét", "head": "Là thủ trưởng đơn vị của đối tượng",
                "declared": "Tự khai có xung đột lợi ích"}


def _subjects(session: Session, codes: set[str]) -> dict[str, tuple[str, str]]:
    """code → (name, unit name) for people and units."""
    units = dict(session.execute(select(Unit.code, Unit.name)).all())
    out = {c: (n, units.get(u, u or "")) for c, n, u in session.execute(
        select(Person.code, Person.full_name, Person.unit_code)
        .where(Person.code.in_(codes))).all()}
    for code in codes - set(out):
        out[code] = (units.get(code, code), units.get(code, code))
    return out


def _award_names(session: Session, codes: set[str]) -> dict[str, str]:
    return dict(session.execute(select(AwardType.code, AwardType.name)
                                .where(AwardType.code.in_(codes))).all())


def nomination_rows(session: Session, noms: list[Nomination]) -> list[dict[str, Any]]:
    """The agenda pool as rows: nomination, instance, subject and title names."""
    names = _subjects(session, {n.subject_code for n in noms})
    awards = _award_names(session, {n.award_code for n in noms})
    return [{"nomination_id": n.id, "instance_id": n.instance_id, "year": n.year,
             "subject_code": n.subject_code, "subject_kind": n.subject_kind,
             "name": names[n.subject_code][0], "unit": names[n.subject_code][1],
             "award_code": n.award_code, "award_name": awards.get(n.award_code, n.award_code)}
            for n in noms]


def result_row(cand: CouncilCandidate) -> dict[str, Any]:
    """A candidate's rule and (once closed) result, without names."""
    return {"candidate_id": cand.id, "nomination_id": cand.nomination_id,
            "instance_id": cand.instance_id, "subject_code": cand.subject_code,
            "award_code": cand.award_code, "secret_ballot": cand.secret,
            "vote_base": cand.vote_base,
            "threshold_pct": None if cand.threshold_pct is None else float(cand.threshold_pct),
            "agree": cand.agree, "disagree": cand.disagree, "abstain": cand.abstain,
            "recused": cand.recused, "denominator": cand.denominator,
            "required": cand.required, "passed": cand.passed}


def _candidates(session: Session, meeting_id: int) -> list[CouncilCandidate]:
    return list(session.scalars(select(CouncilCandidate)
                                .where(CouncilCandidate.meeting_id == meeting_id)
                                .order_by(CouncilCandidate.sort_order)).all())


def candidate_rows(session: Session, cands: list[CouncilCandidate]) -> list[dict[str, Any]]:
    names = _subjects(session, {c.subject_code for c in cands})
    awards = _award_names(session, {c.award_code for c in cands})
    return [{**result_row(c), "name": names[c.subject_code][0],
             "unit": names[c.subject_code][1],
             "award_name": awards.get(c.award_code, c.award_code)} for c in cands]


def minutes_data(session: Session, meeting: CouncilMeeting, cands: list[CouncilCandidate]
                 ) -> dict[str, Any]:
    """The tally minutes' data (biên bản kiểm phiếu), shape agreed with workflows.documents."""
    invited = session.execute(select(CouncilInvitation.member_id, CouncilInvitation.present)
                              .where(CouncilInvitation.meeting_id == meeting.id)).all()
    people = m.members_by_id(session)
    present = [v["name"] for k, v in people.items()
               if any(i == k and p for i, p in invited)]
    holder = {v["position"]: v["name"] for v in people.values() if v["active"]}
    rows = candidate_rows(session, cands)
    order = {k: i for i, k in enumerate(people)}  # membership order
    recused: dict[int, list[dict[str, str]]] = {}
    for r in sorted(session.scalars(select(CouncilRecusal).where(
            CouncilRecusal.candidate_id.in_([c.id for c in cands]))).all(),
            key=lambda r: order.get(r.member_id, len(order))):
        recused.setdefault(r.candidate_id, []).append({
            "name": people.get(r.member_id, {}).get("name") or f"#{r.member_id}",
            "reason": REASON_LABEL[r.reason].lower() + (f": {r.note}" if r.note else "")})
    return {
        "meeting": {"id": meeting.id, "title": meeting.title,
                    "date": meeting.meeting_date.isoformat(), "mode": meeting.mode,
                    "chair": holder.get("chair"), "secretary": holder.get("secretary"),
                    "secret_ballot": any(c.secret for c in cands)},
        "members_total": meeting.members_total or 0,
        "members_present": present,
        "candidates": [{"name": r["name"], "unit": r["unit"], "award_code": r["award_code"],
                        "award_name": r["award_name"], "agree": r["agree"] or 0,
                        "disagree": r["disagree"] or 0, "abstain": r["abstain"] or 0,
                        "recused": r["recused"] or 0, "denominator": r["denominator"] or 0,
                        "threshold_pct": r["threshold_pct"], "passed": bool(r["passed"]),
                        "secret_ballot": r["secret_ballot"], "vote_base": r["vote_base"],
                        "recused_members": recused.get(r["candidate_id"], []),
                        "nomination_id": r["nomination_id"], "instance_id": r["instance_id"]}
                       for r in rows],
    }


def _mine(session: Session, actor: Actor, cand_ids: list[int]) -> dict[str, Any]:
    me = m.member_of(session, actor)
    if me is None or not cand_ids:
        return {"member_id": None, "voted": [], "recused": []}
    voted = session.scalars(select(CouncilVote.candidate_id).where(
        CouncilVote.member_id == me.id, CouncilVote.candidate_id.in_(cand_ids))).all()
    recused = session.scalars(select(CouncilRecusal.candidate_id).where(
        CouncilRecusal.member_id == me.id, CouncilRecusal.candidate_id.in_(cand_ids))).all()
    return {"member_id": me.id, "voted": sorted(voted), "recused": sorted(recused)}


def meeting_view(session: Session, actor: Actor, meeting_id: int) -> dict[str, Any]:
    """Everything a meeting page shows: header, attendance, candidates (with results once
    closed), recusals, who voted (never what, for a secret ballot), the actor's own state,
    deliveries and whether the actor may manage."""
    from workflows.council.meetings import attendance, get_meeting_row
    m.require_viewer(session, actor)
    meeting = get_meeting_row(session, meeting_id)
    cands = _candidates(session, meeting.id)
    ids = [c.id for c in cands]
    people = m.members_by_id(session)
    invited = session.execute(select(CouncilInvitation.member_id, CouncilInvitation.present)
                              .where(CouncilInvitation.meeting_id == meeting.id)).all()
    recusals = session.scalars(select(CouncilRecusal)
                               .where(CouncilRecusal.candidate_id.in_(ids))).all()
    voters = session.execute(select(CouncilVote.candidate_id, CouncilVote.member_id)
                             .where(CouncilVote.candidate_id.in_(ids))).all()
    closed = meeting.status == "closed"
    rows = candidate_rows(session, cands)
    for row in rows:
        if not closed:  # no running totals before the close
            for key in ("agree", "disagree", "abstain", "denominator", "required", "passed"):
                row[key] = None
        row["voted"] = sum(1 for c, _ in voters if c == row["candidate_id"])
    deliveries = session.scalars(select(CouncilDelivery)
                                 .where(CouncilDelivery.meeting_id == meeting.id)).all()
    return {
        "id": meeting.id, "title": meeting.title,
        "meeting_date": meeting.meeting_date.isoformat(), "mode": meeting.mode,
        "mode_label": MODE_LABEL[meeting.mode], "status": meeting.status,
        "status_label": STATUS_LABEL[meeting.status],
        "attendance": attendance(session, meeting),
        "invited": [{**v, "present": dict(invited)[k]} for k, v in people.items()
                    if k in dict(invited)],  # membership order
        # Invited members linked to no person: their automatic recusals cannot be computed.
        "unlinked": [{"id": k, "name": v["name"]} for k, v in people.items()
                     if k in dict(invited) and not v["person_code"]],
        "candidates": rows,
        "recusals": [{"candidate_id": r.candidate_id, "member_id": r.member_id,
                      "name": people.get(r.member_id, {}).get("name"), "reason": r.reason,
                      "reason_label": REASON_LABEL[r.reason], "note": r.note}
                     for r in recusals],
        "scan": None if not meeting.scan_sha256 else {
            "filename": meeting.scan_filename, "sha256": meeting.scan_sha256,
            "size": meeting.scan_size, "content_type": meeting.scan_content_type},
        "deliveries": [{"instance_id": d.instance_id, "status": d.status,
                        "attempts": d.attempts, "error": d.error} for d in deliveries],
        "mine": _mine(session, actor, ids),
        "can_manage": m.may_manage(session, actor),
    }
