"""Service tasks of ``bpmn/council_review.bpmn`` (the council's subprocess).

``submit_to_council`` puts the instance's candidates in the council's agenda pool;
the instance then waits on the message ``council_result``, which the meeting's close
delivers (``closing.deliver_pending``) into the task data as ``council_result``;
``apply_council_result`` records it on the nominations, with the same result shape and
statuses as ``record_council_result`` (voted / not_approved; ``passed`` for the next steps).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import update

from engine import audit
from engine.extensions import ServiceCall
from workflows.council.models import CouncilDelivery
from workflows.nominations import CLOSED, instance_nominations, set_status


def submit_to_council(call: ServiceCall) -> dict[str, Any]:
    """Put the instance's candidates (status ``in_council``) on the council's agenda pool.

    Nominations still in the running that are not ``in_council`` yet become so.

    Raises:
        ValueError: no candidate at all (the diagram should not have come here).

    Returns:
        ``{"count", "candidates": [subject codes]}``.
    """
    noms = [n for n in instance_nominations(call.session, call.instance_id)
            if n.status not in CLOSED]
    if not noms:
        raise ValueError("Hồ sơ không còn đối tượng nào để trình Hội đồng.")
    waiting = [n.subject_code for n in noms if n.status != "in_council"]
    if waiting and not any(n.status == "in_council" for n in noms):
        set_status(call.session, call.instance_id, "in_council", waiting)
    codes = [n.subject_code for n in noms if n.status == "in_council"] or waiting
    # A result of an earlier meeting still waiting to be delivered answers an earlier
    # wait, never this one (the dossier came back, e.g. returned by the chair).
    stale = call.session.execute(
        update(CouncilDelivery).where(CouncilDelivery.instance_id == call.instance_id,
                                      CouncilDelivery.status == "pending")
        .values(status="void", error="Hồ sơ đã trình Hội đồng lại; kết quả cũ không dùng."))
    audit.append(call.session, call.actor, "council.submitted",
                 {"candidates": codes, "voided_deliveries": stale.rowcount or 0},
                 call.instance_id)
    return {"count": len(codes), "candidates": codes}


def apply_council_result(call: ServiceCall) -> dict[str, Any]:
    """Record the delivered result (``council_result`` in the data) on the nominations.

    Passed candidates become ``voted``, the others ``not_approved``.

    Raises:
        ValueError: the data has no result, or it names no candidate of this instance.

    Returns:
        ``{"passed", "not_passed", "count", "members_total", "members_present",
        "quorum_pct", "meeting_id", "tally"}`` — ``record_council_result``'s shape.
    """
    result = call.data.get("council_result")
    if not isinstance(result, dict) or not isinstance(result.get("candidates"), list):
        raise ValueError("Chưa nhận được kết quả phiên họp Hội đồng (council_result).")
    mine = {n.subject_code for n in instance_nominations(call.session, call.instance_id)}
    # ``base``: the denominator under record_council_result's name.
    tally = [{**c, "base": c.get("denominator")} for c in result["candidates"]
             if c.get("subject_code") in mine]
    if not tally:
        raise ValueError("Kết quả phiên họp không có đối tượng nào của hồ sơ này.")
    passed = [c["subject_code"] for c in tally if c.get("passed")]
    not_passed = [c["subject_code"] for c in tally if not c.get("passed")]
    if passed:
        set_status(call.session, call.instance_id, "voted", passed)
    if not_passed:
        set_status(call.session, call.instance_id, "not_approved", not_passed)
    return {"passed": passed, "not_passed": not_passed, "count": len(passed),
            "outcome": "all" if not not_passed else "none" if not passed else "partial",
            "meeting_id": result.get("meeting_id"),
            "members_total": result.get("members_total"),
            "members_present": result.get("members_present"),
            "quorum_pct": result.get("quorum_pct"), "tally": tally}


HANDLERS = {
    "submit_to_council": (submit_to_council,
                          "Trình Hội đồng TĐKT: đưa các đối tượng của hồ sơ vào danh sách chờ "
                          "phiên họp."),
    "apply_council_result": (apply_council_result,
                             "Ghi kết quả phiên họp Hội đồng (đã kiểm phiếu theo ngưỡng của "
                             "danh hiệu) vào các đề nghị."),
}
