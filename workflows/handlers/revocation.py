"""Handlers of the revocation of an award (hủy bỏ quyết định khen thưởng, Luật Điều 93).

A revoked award stays in the registry, marked revoked with the revoking
decision, so the history keeps both the award and its revocation.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine import audit
from engine.errors import InvalidData, NotFound
from engine.extensions import ServiceCall
from workflows import catalogue
from workflows.models import Award, Nomination


def _award(session: Session, award_id: Any, *, lock: bool = False) -> Award:
    query = select(Award).where(Award.id == int(award_id))
    award = session.scalars(query.with_for_update() if lock else query).first()
    if award is None:
        raise InvalidData(f"Không có khen thưởng số hiệu {award_id} trong sổ khen thưởng.",
                          code="revocation.award_not_found",
                          details={"award_id": ["Không có trong sổ khen thưởng."]})
    return award


def _already_revoked(award: Award) -> InvalidData:
    when = award.revoked_date.strftime("%d/%m/%Y") if award.revoked_date else "?"
    return InvalidData(
        f"Khen thưởng này đã bị hủy bỏ theo Quyết định số {award.revoked_decision_no} "
        f"ngày {when}.", code="revocation.already_revoked",
        details={"award_id": ["Khen thưởng đã bị hủy bỏ."]})


def award_view(session: Session, award: Award) -> dict[str, Any]:
    """The registry entry as the case shows it."""
    try:
        subject_name = catalogue.subject(session, award.subject_code).name
    except NotFound:
        subject_name = award.subject_code
    return {
        "award_id": award.id, "year": award.year, "kind": award.kind,
        "subject_code": award.subject_code, "subject_name": subject_name,
        "award_code": award.award_code, "award_name": _award_name(session, award.award_code),
        "decision_no": award.decision_no, "decision_date": award.decision_date.isoformat(),
        "revoked": award.revoked,
    }


def _award_name(session: Session, code: str) -> str:
    try:
        return catalogue.award_type(session, code).name
    except NotFound:  # an inactive title still names old awards
        return code


def check_revocable(call: ServiceCall) -> dict[str, Any]:
    """The award exists and is not revoked yet; else InvalidData on ``award_id``."""
    award = _award(call.session, call.data.get("award_id"))
    if award.revoked:
        raise _already_revoked(award)
    return award_view(call.session, award)


def _decision_ref(call: ServiceCall) -> tuple[str, date]:
    """The revoking decision: service parameters first, else the instance's data."""
    number = call.params.get("decision_no") or call.data.get("decision_no")
    when = call.params.get("decision_date") or call.data.get("decision_date")
    if not number or not when:
        raise ValueError("Thiếu số và ngày quyết định hủy bỏ (chạy issue_decision trước).")
    return str(number), date.fromisoformat(str(when))


def revoke_award(call: ServiceCall) -> dict[str, Any]:
    """Mark the award revoked by the decision just issued (idempotent; never deletes)."""
    number, when = _decision_ref(call)
    award = _award(call.session, call.data.get("award_id"), lock=True)
    if award.revoked and award.revoked_decision_no != number:
        raise _already_revoked(award)
    if not award.revoked:
        award.revoked = True
        award.revoked_decision_no = number
        award.revoked_date = when
        award.revoked_reason = str(call.data.get("reason") or "")
        for nomination in call.session.scalars(
                select(Nomination).where(Nomination.award_id == award.id)).all():
            nomination.status = "revoked"
        audit.append(call.session, call.actor, "award.revoked", {
            "award_id": award.id, "subject_code": award.subject_code,
            "award_code": award.award_code, "decision_no": award.decision_no,
            "revoked_decision_no": number, "revoked_date": when.isoformat(),
        }, call.instance_id)
    return {"award_id": award.id, "revoked": True, "revoked_decision_no": number,
            "revoked_date": when.isoformat()}


HANDLERS = {
    "check_revocable": (
        check_revocable,
        "Kiểm tra khen thưởng có trong sổ khen thưởng và chưa bị hủy bỏ."),
    "revoke_award": (
        revoke_award,
        "Ghi nhận hủy bỏ khen thưởng theo quyết định vừa ban hành (giữ nguyên lịch sử)."),
}
