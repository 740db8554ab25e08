"""Service-task handler ``check_eligibility``: check every nomination of the instance.

Each ``Nomination`` row of the calling instance is evaluated for its subject, title, year
and kind; the verdict is stored in ``nomination.eligibility`` and ``nomination.status``
becomes ``eligible`` or ``ineligible``. An instance without nominations can still check:
the handler then reads ``subjects`` (codes), ``award_code``, ``year`` and optionally ``kind``
from the service task's parameters, else from the instance data.

The result (stored under the task's ``resultVariable``) is
``{"all_eligible", "eligible": [codes], "ineligible": [{"subject_code", "name", "failed":
[details]}], "count"}``, small enough for gateway conditions.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from engine.errors import InvalidData
from engine.extensions import ServiceCall
from engine.store.models import utcnow
from workflows.eligibility import Verdict, evaluate
from workflows.models import Nomination


def check_eligibility(call: ServiceCall) -> dict[str, Any]:
    """Evaluate the instance's nominations (or the listed subjects); return the summary."""
    nominations = list(call.session.scalars(
        select(Nomination).where(Nomination.instance_id == call.instance_id)
        .order_by(Nomination.id)))
    verdicts: list[Verdict] = []
    for nomination in nominations:
        verdict = evaluate(call.session, nomination.subject_code, nomination.award_code,
                           nomination.year, kind=nomination.kind)
        nomination.eligibility = verdict.to_dict()
        nomination.status = "eligible" if verdict.eligible else "ineligible"
        nomination.updated_at = utcnow()
        verdicts.append(verdict)
    if not nominations:
        source = {**call.data, **call.params}
        award_code, year, kind = _request(source)
        verdicts = [evaluate(call.session, code, award_code, year, kind=kind)
                    for code in _subject_codes(source.get("subjects"))]
    call.session.flush()
    return summary(verdicts)


def summary(verdicts: list[Verdict]) -> dict[str, Any]:
    """What a diagram needs to route on: who is eligible, who is not and why."""
    return {
        "all_eligible": all(v.eligible for v in verdicts),
        "eligible": [v.subject.code for v in verdicts if v.eligible],
        "ineligible": [{"subject_code": v.subject.code, "name": v.subject.name,
                        "failed": [r.detail for r in v.failed]}
                       for v in verdicts if not v.eligible],
        "count": len(verdicts),
    }


def _request(source: dict[str, Any]) -> tuple[str, int, str]:
    errors: dict[str, list[str]] = {}
    award_code = source.get("award_code")
    if not isinstance(award_code, str) or not award_code:
        errors["award_code"] = ["Cần mã danh hiệu, hình thức khen thưởng."]
    try:
        year = int(source.get("year"))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        errors["year"] = ["Cần năm xét khen thưởng (số nguyên)."]
        year = 0
    kind = source.get("kind") or "annual"
    if errors:
        raise InvalidData("Thiếu dữ liệu để kiểm tra điều kiện khen thưởng.", details=errors)
    return str(award_code), year, str(kind)


def _subject_codes(subjects: Any) -> list[str]:
    """``subjects`` as a list of codes, or of ``{"subject_code"|"code": ...}`` objects."""
    if isinstance(subjects, str):
        subjects = [subjects]
    codes = []
    for item in subjects or []:
        code = item.get("subject_code") or item.get("code") if isinstance(item, dict) else item
        if not isinstance(code, str) or not code:
            raise InvalidData("Danh sách đối tượng không hợp lệ.",
                              details={"subjects": [f"Mã không hợp lệ: {item!r}"]})
        codes.append(code)
    return codes


HANDLERS = {
    "check_eligibility": (
        check_eligibility,
        "Kiểm tra điều kiện khen thưởng của mọi đề nghị trong hồ sơ (hoặc của danh sách "
        "«subjects» với «award_code», «year»), ghi kết quả vào từng đề nghị.",
    ),
}
