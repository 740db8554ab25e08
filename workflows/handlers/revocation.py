"""Handlers of the revocation of an award (hủy bỏ quyết định khen thưởng, Luật Điều 93).

A revoked award stays in the registry, marked revoked with the revoking
decision, so the history keeps both the award and its revocation. Whoever decided
the award revokes it: the catalogue's level of the title (``AwardType.level``) tells
the diagram whether the Chief of Office decides or the case goes to the province.
The award's bonus is recorded as the amount to recover (thu hồi tiền thưởng).
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
from workflows.models import Award, AwardType, Nomination


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
    """The registry entry as the case shows it, with who decided it (``level``,
    ``decided_by`` from the catalogue) and its ``bonus_amount`` (đồng, None if unknown)."""
    try:
        subject_name = catalogue.subject(session, award.subject_code).name
    except NotFound:
        subject_name = award.subject_code
    title = session.get(AwardType, award.award_code)  # an inactive title still names old awards
    return {
        "award_id": award.id, "year": award.year, "kind": award.kind,
        "subject_code": award.subject_code, "subject_name": subject_name,
        "award_code": award.award_code, "award_name": title.name if title else award.award_code,
        "level": title.level if title else None,
        "decided_by": title.decided_by if title else None,
        "decision_no": award.decision_no, "decision_date": award.decision_date.isoformat(),
        "bonus_amount": award.bonus_amount, "revoked": award.revoked,
    }


def check_revocable(call: ServiceCall) -> dict[str, Any]:
    """The award exists and is not revoked yet; else InvalidData on ``award_id``.

    Returns:
        ``award_view``: the diagram routes on ``level`` ("office": the Chief of Office
        revokes; otherwise the case is proposed to the province).
    """
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
    """Mark the award revoked by the decision in the data (idempotent; never deletes).

    The decision is the office's (``issue_decision``) or the province's (its answer).
    The award's bonus is the amount to recover (``bonus_to_recover``, đồng; None when the
    registry does not know it); it is in the result and in the ``award.revoked`` audit event.

    Returns:
        ``{"award_id", "revoked", "revoked_decision_no", "revoked_date",
        "bonus_to_recover"}``.
    """
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
            "bonus_to_recover": award.bonus_amount,
        }, call.instance_id)
    return {"award_id": award.id, "revoked": True, "revoked_decision_no": number,
            "revoked_date": when.isoformat(), "bonus_to_recover": award.bonus_amount}


HANDLERS = {
    "check_revocable": (
        check_revocable,
        "Kiểm tra khen thưởng có trong sổ khen thưởng và chưa bị hủy bỏ."),
    "revoke_award": (
        revoke_award,
        "Ghi nhận hủy bỏ khen thưởng theo quyết định hủy bỏ (của Văn phòng hoặc của UBND "
        "tỉnh), giữ nguyên lịch sử, ghi số tiền thưởng phải thu hồi."),
}
