"""Handlers for nominations (đề nghị khen thưởng): create them, move their status.

Every procedure that proposes subjects for a title reuses these: the unit's
proposal becomes ``Nomination`` rows of the instance, and the diagram moves
their status along the states people expect (đã gửi, trả lại, đã thẩm định, …).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from engine.errors import InvalidData
from engine.extensions import ServiceCall
from engine.store.models import Unit
from workflows.models import Person
from workflows.nominations import (
    CLOSED,
    Proposal,
    instance_nominations,
    nomination_view,
    set_status,
    subject_code_of,
    sync_nominations,
)


def create_nominations(call: ServiceCall) -> dict[str, Any]:
    """Create or refresh the instance's nominations from the proposal in its data.

    Reads ``year``, ``award_code``, ``subjects`` (person or unit codes), optional
    ``movement_code`` and ``kind`` (else the task's ``kind`` parameter, else
    "annual"). Refuses with ``nomination.invalid`` (InvalidData, field details)
    when the title or a subject is unknown, a subject's kind does not fit the
    title, a subject is outside the instance's unit (unless the actor works
    office-wide) or is listed twice.

    Returns:
        ``{"count", "nominations": [{"id", "subject_code", "subject_kind", "name"}],
        "award_code", "award_name", "year", "kind", "level", "needs_disclosure",
        "within_office_power"}``.
    """
    data = call.data
    proposal = Proposal(year=data.get("year"), award_code=data.get("award_code"),
                        subjects=data.get("subjects"),
                        kind=data.get("kind") or call.params.get("kind") or "annual",
                        movement_code=data.get("movement_code"))
    award, noms = sync_nominations(call.session, call.instance_id, call.process_key,
                                   call.actor, proposal)
    names = _names(call, [n.subject_code for n in noms])
    return {
        "count": len(noms),
        "nominations": [nomination_view(n, names.get(n.subject_code, n.subject_code))
                        for n in noms],
        "award_code": award.code,
        "award_name": award.name,
        "year": proposal.year,
        "kind": proposal.kind,
        "level": award.level,
        "needs_disclosure": bool(award.needs_disclosure),
        "within_office_power": award.within_office_power,
    }


def _names(call: ServiceCall, codes: list[str]) -> dict[str, str]:
    names = dict(call.session.execute(
        select(Person.code, Person.full_name).where(Person.code.in_(codes))).all())
    names.update(call.session.execute(
        select(Unit.code, Unit.name).where(Unit.code.in_(set(codes) - set(names)))).all())
    return {str(k): str(v) for k, v in names.items()}


def set_nomination_status(call: ServiceCall) -> dict[str, Any]:
    """Set the status of the instance's nominations (parameter ``status``).

    Optional parameters: ``subjects`` (a list of codes or rows with
    ``subject_code``; only those get ``status``) and ``others`` (the status for
    the rest). Without ``subjects`` every nomination still in the running gets
    ``status``; ``not_approved`` reaches every one not yet decided.

    Returns:
        ``{"status", "count", "changed": {status: [subject codes]}}``.
    """
    status = call.params.get("status")
    if not status:
        raise ValueError("set_nomination_status needs a 'status' parameter")
    subjects = call.params.get("subjects")
    if subjects is not None and not isinstance(subjects, list):
        raise ValueError("set_nomination_status: 'subjects' must evaluate to a list")
    changed = set_status(call.session, call.instance_id, str(status), subjects,
                         call.params.get("others"))
    return {"status": status, "count": len(changed.get(str(status), [])), "changed": changed}


def record_council_result(call: ServiceCall) -> dict[str, Any]:
    """Record which candidates the council passed (data ``passed_subjects``).

    The candidates are the nominations submitted to the council (status
    ``in_council``; when none has it, every one still in the running). Passed ones
    become ``voted``, the other candidates ``not_approved``. A passed code that is
    not a candidate is refused (InvalidData on ``passed_subjects``).

    Returns:
        ``{"passed": [codes], "not_passed": [codes], "count": number passed}``.
    """
    raw = call.data.get("passed_subjects") or []
    if not isinstance(raw, list):
        raise InvalidData("Danh sách được Hội đồng thông qua phải là một danh sách.",
                          code="nomination.invalid",
                          details={"passed_subjects": ["Phải là một danh sách."]})
    passed = list(dict.fromkeys(subject_code_of(s) for s in raw))
    noms = instance_nominations(call.session, call.instance_id)
    candidates = [n.subject_code for n in noms if n.status == "in_council"] or \
        [n.subject_code for n in noms if n.status not in CLOSED]
    strangers = [c for c in passed if c not in candidates]
    if strangers:
        raise InvalidData(
            f"Hội đồng chỉ xét các đối tượng đã trình: {', '.join(strangers)} không có trong "
            f"danh sách trình Hội đồng.", code="nomination.invalid",
            details={"passed_subjects": [f"«{c}» không có trong danh sách trình Hội đồng."
                                         for c in strangers]})
    not_passed = [c for c in candidates if c not in passed]
    if passed:
        set_status(call.session, call.instance_id, "voted", passed)
    if not_passed:
        set_status(call.session, call.instance_id, "not_approved", not_passed)
    return {"passed": passed, "not_passed": not_passed, "count": len(passed)}


HANDLERS = {
    "create_nominations": (create_nominations,
                           "Lập / cập nhật danh sách đề nghị khen thưởng của hồ sơ."),
    "set_nomination_status": (set_nomination_status,
                              "Ghi trạng thái các đề nghị khen thưởng của hồ sơ."),
    "record_council_result": (record_council_result,
                              "Ghi kết quả xét của Hội đồng Thi đua - Khen thưởng."),
}
