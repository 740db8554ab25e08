"""Handlers for decisions and the award registry (sổ quyết định, sổ khen thưởng).

``issue_decision`` takes the next number of the office's decision register,
``update_registry`` writes the approved nominations into the registry (table
``award_record``) with that decision, ``compute_bonus`` prices the nominations.
They run inside the engine command's transaction: a number taken by a command
that fails is rolled back with it, so numbers are sequential and never reused.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from engine.errors import InvalidData
from engine.extensions import ServiceCall
from workflows.catalogue import bonus_amount, office_today, setting
from workflows.models import Award, AwardType, DecisionCounter, Nomination
from workflows.nominations import KEEPS_OVER_NOT_APPROVED, instance_nominations, subject_code_of

DEFAULT_SERIES = "QĐ-VP"
# Statuses that mean "approved by whoever decides" when no list is given.
APPROVED_STATUSES = ("eligible", "approved", "voted", "disclosed")
OUT_OF_BONUS = frozenset({"not_approved", "ineligible", "revoked"})


def next_decision_number(session: Session, year: int, series: str) -> int:
    """Take the next number of the register (year, series), locking its row."""
    query = (select(DecisionCounter)
             .where(DecisionCounter.year == year, DecisionCounter.series == series)
             .with_for_update().execution_options(populate_existing=True))
    counter = session.scalars(query).first()
    if counter is None:
        try:
            with session.begin_nested():  # another command may create it at the same time
                session.add(DecisionCounter(year=year, series=series, last_number=0))
        except IntegrityError:
            pass
        counter = session.scalars(query).one()
    counter.last_number += 1
    session.flush()
    return counter.last_number


def issue_decision(call: ServiceCall) -> dict[str, Any]:
    """Number a decision (số quyết định) from the office's register for this year.

    The series comes from the setting ``decision_number_suffix`` (default "QĐ-VP");
    the date is today in Asia/Ho_Chi_Minh and picks the register's year.

    Returns:
        ``{"decision_no": "07/QĐ-VP", "decision_date": "YYYY-MM-DD", "number": 7}``.
    """
    number, series, today = take_number(call, "decision_number_suffix", DEFAULT_SERIES)
    return {"decision_no": document_number(number, series), "decision_date": today.isoformat(),
            "number": number}


def document_number(number: int, series: str) -> str:
    """A register number as written on the document: numbers below 10 take a leading 0
    (Nghị định 30/2020/NĐ-CP, Phụ lục I), e.g. ``07/QĐ-VP``, ``12/QĐ-VP``."""
    return f"{number:02d}/{series}"


def take_number(call: ServiceCall, series_setting: str, default_series: str
                ) -> tuple[int, str, date]:
    """Today's next number of a register whose series (e.g. "QĐ-VP") is a setting."""
    today = office_today()
    series = str(setting(call.session, series_setting, default_series) or default_series)
    return next_decision_number(call.session, today.year, series), series, today


def _decision(data: dict[str, Any]) -> tuple[str, date]:
    """The decision number and date in the instance data (InvalidData if missing)."""
    errors: dict[str, list[str]] = {}
    number = str(data.get("decision_no") or "").strip()
    if not number:
        errors["decision_no"] = ["Cần số quyết định khen thưởng."]
    raw = data.get("decision_date")
    when: date | None = None
    try:
        when = raw if isinstance(raw, date) else date.fromisoformat(str(raw))
    except ValueError:
        errors["decision_date"] = ["Cần ngày quyết định (YYYY-MM-DD)."]
    if errors or when is None:
        raise InvalidData("Thiếu số hoặc ngày quyết định khen thưởng.", code="registry.invalid",
                          details=errors)
    return number, when


def _approved(call: ServiceCall, noms: list[Nomination]) -> list[Nomination]:
    """The nominations to record: parameter ``subjects``, else data ``approved_subjects``
    (when not empty), else those whose status means approved."""
    listed = call.params.get("subjects")
    if listed is None:
        listed = call.data.get("approved_subjects") or None
    if listed is None:
        return [n for n in noms if n.status in APPROVED_STATUSES or n.award_id is not None]
    codes = {subject_code_of(s) for s in listed}
    unknown = codes - {n.subject_code for n in noms}
    if unknown:
        raise InvalidData(f"Có đối tượng không thuộc hồ sơ này: {', '.join(sorted(unknown))}.",
                          code="registry.invalid",
                          details={"approved_subjects": [f"«{c}» không thuộc hồ sơ."
                                                         for c in sorted(unknown)]})
    return [n for n in noms if n.subject_code in codes]


def _record(session: Session, nom: Nomination, number: str, when: date,
            instance_id: int) -> Award:
    """The registry row of an approved nomination (the existing one on a re-run)."""
    if nom.award_id is not None:
        existing = session.get(Award, nom.award_id)
        if existing is not None:
            return existing
    award = session.scalars(select(Award).where(
        Award.year == nom.year, Award.subject_code == nom.subject_code,
        Award.award_code == nom.award_code, Award.kind == nom.kind,
        Award.decision_no == number)).first()
    if award is None:
        award_type = session.get(AwardType, nom.award_code)
        amount = bonus_amount(session, award_type) if award_type is not None else None
        award = Award(year=nom.year, subject_code=nom.subject_code, award_code=nom.award_code,
                      kind=nom.kind, decision_no=number, decision_date=when,
                      movement_id=nom.movement_id, instance_id=instance_id,
                      source="workflow", bonus_amount=amount)
        session.add(award)
        session.flush()
    return award


def update_registry(call: ServiceCall) -> dict[str, Any]:
    """Write the approved nominations into the award registry (sổ khen thưởng).

    Which nominations: the parameter ``subjects`` if given, else the data's
    ``approved_subjects`` if not empty, else those whose status is eligible,
    approved, voted or disclosed. Each gets an ``Award`` row with the data's
    ``decision_no`` and ``decision_date`` and the bonus (catalogue coefficient ×
    base salary); it becomes ``decided`` and is linked to the row. The others not
    yet decided become ``not_approved`` (an ``ineligible`` one stays so). A re-run adds
    nothing.

    Returns:
        ``{"awards": [{"id", "subject_code", "award_code", "decision_no",
        "bonus_amount"}], "total_bonus": int}``.
    """
    noms = instance_nominations(call.session, call.instance_id)
    approved = _approved(call, noms)
    awards: list[Award] = []
    if approved:
        number, when = _decision(call.data)
        for nom in approved:
            award = _record(call.session, nom, number, when, call.instance_id)
            nom.award_id = award.id
            nom.status = "decided"
            awards.append(award)
    for nom in noms:
        if nom not in approved and nom.status not in KEEPS_OVER_NOT_APPROVED:
            nom.status = "not_approved"
    return {
        "awards": [{"id": a.id, "subject_code": a.subject_code, "award_code": a.award_code,
                    "decision_no": a.decision_no, "bonus_amount": a.bonus_amount}
                   for a in awards],
        "total_bonus": sum(a.bonus_amount or 0 for a in awards),
    }


def compute_bonus(call: ServiceCall) -> dict[str, Any]:
    """Bonus amounts (đồng) of the instance's nominations still in the running.

    Returns:
        ``{"amounts": {subject_code: đồng}, "total": đồng, "base_salary": đồng}``;
        a title without a coefficient counts 0.
    """
    amounts: dict[str, int] = {}
    prices: dict[str, int] = {}
    for nom in instance_nominations(call.session, call.instance_id):
        if nom.status in OUT_OF_BONUS:
            continue
        if nom.award_code not in prices:
            award_type = call.session.get(AwardType, nom.award_code)
            amount = bonus_amount(call.session, award_type) if award_type is not None else None
            prices[nom.award_code] = amount or 0
        amounts[nom.subject_code] = prices[nom.award_code]
    return {"amounts": amounts, "total": sum(amounts.values()),
            "base_salary": int(setting(call.session, "base_salary", 0) or 0)}


HANDLERS = {
    "issue_decision": (issue_decision, "Cấp số quyết định khen thưởng từ sổ quyết định."),
    "update_registry": (update_registry,
                        "Ghi các đề nghị được chấp thuận vào sổ khen thưởng (kèm tiền thưởng)."),
    "compute_bonus": (compute_bonus, "Tính tiền thưởng của các đề nghị trong hồ sơ."),
}
