"""Handlers of the forwarding to the province (trình UBND tỉnh qua Sở Nội vụ)."""

from __future__ import annotations

from typing import Any

from engine.errors import InvalidData
from engine.extensions import ServiceCall
from workflows.handlers.registry import document_number, take_number
from workflows.nominations import CLOSED, instance_nominations, set_status, subject_code_of

# What the province answers; the diagram itself sets "not_proposed" when the Chief of
# Office does not sign (callers treat it as a rejection).
OUTCOMES = ("approved", "partial", "rejected")
PROPOSAL_SERIES = "TTr-VP"


def issue_proposal_number(call: ServiceCall) -> dict[str, Any]:
    """Number the signed tờ trình from the office's register of proposals (sổ tờ trình).

    The register is the decision register's table (``DecisionCounter``) with the series
    of the setting ``proposal_number_suffix`` (default "TTr-VP"), one counter per year;
    the row is locked as ``issue_decision`` locks it, so numbers are sequential and a
    command that fails gives its number back. The date is today in Asia/Ho_Chi_Minh.

    Returns:
        ``{"document_no": "03/TTr-VP", "document_date": "YYYY-MM-DD", "number": 3}``.
    """
    number, series, today = take_number(call, "proposal_number_suffix", PROPOSAL_SERIES)
    return {"document_no": document_number(number, series), "document_date": today.isoformat(),
            "number": number}


def record_province_answer(call: ServiceCall) -> dict[str, Any]:
    """Record the province's answer (kết quả của tỉnh) on the instance's nominations.

    Reads ``outcome`` (approved | partial | rejected) and ``approved_subjects``.
    "approved" with an empty list approves every nomination still in the running;
    "partial" needs the list. The approved ones become ``approved``, the others
    ``not_approved``. A listed code that is not a nomination in the running is
    refused (InvalidData on ``approved_subjects``).

    Returns:
        ``{"outcome", "approved_subjects": [codes], "decision_no", "decision_date",
        "count"}``.
    """
    data = call.data
    outcome = data.get("outcome")
    if outcome not in OUTCOMES:
        raise InvalidData("Kết quả của tỉnh không hợp lệ.", code="province.invalid",
                          details={"outcome": [f"Phải là một trong: {', '.join(OUTCOMES)}."]})
    listed = list(dict.fromkeys(subject_code_of(s) for s in data.get("approved_subjects") or []))
    noms = instance_nominations(call.session, call.instance_id)
    running = [n.subject_code for n in noms if n.status not in CLOSED]
    if noms:
        strangers = [c for c in listed if c not in running]
        if strangers:
            raise InvalidData(
                f"Không có trong danh sách đã trình tỉnh: {', '.join(strangers)}.",
                code="province.invalid",
                details={"approved_subjects": [f"«{c}» không có trong danh sách đã trình."
                                               for c in strangers]})
        if outcome == "approved" and not listed:
            listed = running
    if outcome == "rejected":
        listed = []
    if outcome == "partial" and not listed:
        raise InvalidData("Tỉnh chấp thuận một phần: cần danh sách được khen thưởng.",
                          code="province.invalid",
                          details={"approved_subjects": ["Cần ít nhất một đối tượng."]})
    if noms:
        set_status(call.session, call.instance_id, "approved", listed, others="not_approved")
    return {"outcome": outcome, "approved_subjects": listed,
            "decision_no": data.get("decision_no"), "decision_date": data.get("decision_date"),
            "count": len(listed)}


HANDLERS = {
    "issue_proposal_number": (issue_proposal_number,
                              "Cấp số tờ trình đề nghị UBND tỉnh khen thưởng từ sổ tờ trình."),
    "record_province_answer": (record_province_answer,
                               "Ghi kết quả xét khen thưởng của UBND tỉnh vào các đề nghị."),
}
