"""bpmn/adhoc_award.bpmn end to end: every gateway branch, through the service layer.

Khen thưởng đột xuất, thủ tục đơn giản (Luật Thi đua, khen thưởng, Điều 85):
the submitting unit proposes and files the short dossier (tờ trình, tóm tắt thành
tích), Phòng TCHCQT appraises (10 working days; only a complete dossier passes) and names
the nominee's code, the nomination (kind "adhoc") is checked for eligibility (no
rating needed, but nobody with a pending case), the Chánh Văn phòng decides (5
working days); an approved Giấy khen gets a decision number and goes into the
registry with kind "adhoc"; a Bằng khen of the province goes through the call
activity province_forwarding and, when the province approves, into the registry
under the province's decision. Each engine call runs in its own write session, so
the instance is saved and restored between steps as in production. The office and its
helpers are in ``adhoc_kit``.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
from adhoc_kit import (
    BK_BONUS,
    BK_PROPOSAL,
    BPMN_FILE,
    PROPOSAL,
    SENT,
    SIMPLIFIED,
    SUPPLEMENT,
    TEAM_PROPOSAL,
    Office,
    Steps,
    answer,
    appraisal,
    decision,
    gk,
    make_office,
    only_task,
)
from diagram_kit import diagram_problems
from sqlalchemy import select

from engine.errors import Forbidden, InvalidData, NotFound
from workflows.models import AwardType, Nomination, Person


@pytest.fixture
def office(db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Office]:
    made = make_office(db_url, monkeypatch, tmp_path / "files")
    yield made
    made.db.dispose()


# The registry after the province approved an ad-hoc Bằng khen (the province's decision).
BK = [("P1", "BK_TINH", "adhoc", 2024, "15/QĐ-UBND", date(2025, 12, 20), None, BK_BONUS)]
APPROVED = [("propose", "sub", PROPOSAL), ("appraise", "sec", appraisal("approve"))]
BK_SIGNED = [("propose", "sub", BK_PROPOSAL), ("appraise", "sec", appraisal("approve")),
             ("decide", "chair", decision("approve")),
             ("sign_proposal", "chair", decision("approve")), SENT]
# Each path: the steps after start, the ends, the registry after, the nominations after.
PATHS: dict[str, tuple[Steps, set[str], list[tuple[Any, ...]], list[tuple[Any, ...]]]] = {
    "approve-approve": ([
        ("propose", "sub", PROPOSAL),
        ("appraise", "sec", appraisal("approve", "Đủ điều kiện.")),
        ("decide", "chair", decision("approve")),
    ], {"end_decided"}, gk(), [("P1", "GK", "adhoc", "decided")]),
    "approve-return-approve": ([
        ("propose", "sub", PROPOSAL),
        ("appraise", "sec", appraisal("approve")),
        ("decide", "chair", decision("return", "Làm rõ thời điểm lập thành tích.")),
        ("appraise", "sec", appraisal("approve", "Đã làm rõ.")),
        ("decide", "chair", decision("approve")),
    ], {"end_decided"}, gk(), [("P1", "GK", "adhoc", "decided")]),
    "approve-reject": ([
        *APPROVED, ("decide", "chair", decision("reject", "Chưa đủ tiêu chuẩn khen đột xuất.")),
    ], {"end_not_approved"}, [], [("P1", "GK", "adhoc", "not_approved")]),
    "return-supplement-approve": ([
        ("propose", "sub", PROPOSAL),
        ("appraise", "sec", appraisal("return", "Thiếu xác nhận của cơ quan chức năng.")),
        ("supplement", "sub", SUPPLEMENT),
        ("appraise", "sec", appraisal("approve")),
        ("decide", "chair", decision("approve")),
    ], {"end_decided"}, gk(), [("P1", "GK", "adhoc", "decided")]),
    "reject-at-appraisal": ([
        ("propose", "sub", PROPOSAL),
        ("appraise", "sec", appraisal("reject", "Không thuộc trường hợp đột xuất.")),
    ], {"end_rejected"}, [], []),
    "returned-by-chair-then-rejected": ([
        *APPROVED, ("decide", "chair", decision("return", "Xác minh lại thành tích.")),
        ("appraise", "sec", appraisal("reject", "Thành tích không được xác nhận.")),
    ], {"end_rejected"}, [], [("P1", "GK", "adhoc", "not_approved")]),
    "collective-approved": ([
        ("propose", "sub", TEAM_PROPOSAL),
        ("appraise", "sec", appraisal("approve", nominee="PKT")),
        ("decide", "chair", decision("approve")),
    ], {"end_decided"}, gk("PKT"), [("PKT", "GK", "adhoc", "decided")]),
    "ineligible-pending-case": ([
        ("propose", "sub", {**PROPOSAL, "nominee_name": "Lê Thị Cúc"}),
        ("appraise", "sec", appraisal("approve", nominee="P4")),
    ], {"end_ineligible"}, [], [("P4", "GK", "adhoc", "ineligible")]),
    "province-approves": ([*BK_SIGNED, answer("approved")], {"end_answered", "end_decided"},
                          BK, [("P1", "BK_TINH", "adhoc", "decided")]),
    "province-rejects": ([*BK_SIGNED, answer("rejected")], {"end_answered", "end_not_approved"},
                         [], [("P1", "BK_TINH", "adhoc", "not_approved")]),
    "chair-does-not-propose": ([
        ("propose", "sub", BK_PROPOSAL), ("appraise", "sec", appraisal("approve")),
        ("decide", "chair", decision("approve")),
        ("sign_proposal", "chair", decision("reject", "Thành tích chưa đến mức Bằng khen.")),
    ], {"end_not_sent", "end_not_approved"}, [], [("P1", "BK_TINH", "adhoc", "not_approved")]),
}


@pytest.mark.parametrize("path", list(PATHS))
def test_every_gateway_branch_end_to_end(office: Office, path: str) -> None:
    steps, expected_ends, registry, nominations = PATHS[path]
    inst = office.walk(office.start("sub"), steps)
    assert inst["status"] == "completed", inst.get("error")
    assert inst["tasks"] == []
    assert inst["ended_at"] is not None
    assert office.ends_reached(inst["id"]) == expected_ends
    # The simplified procedure's dossier was filed and checked, whatever the form.
    dossier = inst["data"]["dossier"]
    assert [i["item"] for i in dossier["required"]] == SIMPLIFIED
    assert dossier["procedure"] == "simplified" and inst["data"]["dossier_missing"] == []
    if registry:
        assert inst["data"]["award_status"] == "decided"
        assert inst["data"]["decision_no"] == registry[0][4]
        assert inst["data"]["registry"]["total_bonus"] == registry[0][7]
    else:
        assert "award_status" not in inst["data"] and "registry" not in inst["data"]
        assert "decision_issued" not in inst["data"]
    if any(name == "sign_proposal" for name, _, _ in steps):
        # the province's answer, or not_proposed when the Chánh Văn phòng did not sign
        assert inst["data"]["outcome"] == steps[-1][2].get("outcome", "not_proposed")
        assert "decision_issued" not in inst["data"]  # the office numbered no decision
    last_decision = [data["decision"] for _, _, data in steps if "decision" in data][-1]
    assert inst["data"]["decision"] == last_decision
    assert inst["data"]["nominee_name"] == steps[0][2]["nominee_name"]
    if any(name == "supplement" for name, _, _ in steps):
        assert inst["data"]["deed_summary"] == SUPPLEMENT["deed_summary"]
    assert office.registry() == [row[:6] + (inst["id"],) + row[7:] for row in registry]
    assert office.nominations() == nominations


def test_lanes_gate_who_acts(office: Office) -> None:
    """Only the lane's role may act; a submitter only within the unit that started it."""
    inst = office.start("sub")
    task = only_task(inst, "propose")
    # Another unit's submitter may not even know the task exists: 404, not 403.
    with pytest.raises(NotFound):
        office.complete(task, "sub_other", PROPOSAL)
    for intruder in ("sec", "chair"):  # office-wide roles see it, but it is not their lane
        with pytest.raises(Forbidden):
            office.complete(task, intruder, PROPOSAL)
    office.upload(inst["id"], "sub", *SIMPLIFIED)
    inst = office.complete(task, "sub", PROPOSAL)
    task = only_task(inst, "appraise")
    for intruder in ("sub", "chair"):
        with pytest.raises(Forbidden):
            office.complete(task, intruder, appraisal("approve"))
    inst = office.complete(task, "sec", appraisal("approve"))
    task = only_task(inst, "decide")
    with pytest.raises(Forbidden):
        office.complete(task, "sec", decision("approve"))
    assert office.registry() == []
    assert office.nominations() == [("P1", "GK", "adhoc", "eligible")]


def test_ineligible_nominee_shows_the_reasons(office: Office) -> None:
    """Ad-hoc: no rating needed (P1 has none), but a pending case stops P4, with the reason."""
    proposal = {**PROPOSAL, "nominee_name": "Lê Thị Cúc"}
    inst = office.walk(office.start("sub"), [("propose", "sub", proposal)])
    inst = office.complete(only_task(inst, "appraise"), "sec", appraisal("approve", nominee="P4"))
    assert office.ends_reached(inst["id"]) == {"end_ineligible"}
    result = inst["data"]["eligibility"]
    assert result["all_eligible"] is False and result["eligible"] == []
    [refused] = result["ineligible"]
    assert refused["subject_code"] == "P4" and refused["name"] == "Lê Thị Cúc"
    assert any("khiển trách, từ 01/03/2024" in reason for reason in refused["failed"])
    with office.db.session() as s:
        verdict = s.scalars(select(Nomination.eligibility)
                            .where(Nomination.instance_id == inst["id"])).one()
    rules = {r["rule"]: r["ok"] for r in verdict["reasons"]}
    assert rules["no_pending_case"] is False
    assert rules["rating"] is True  # the annual rating rule does not apply to ad-hoc awards


def test_forms_are_validated(office: Office) -> None:
    inst = office.start("sub")
    task = only_task(inst, "propose")
    office.upload(inst["id"], "sub", *SIMPLIFIED)
    for bad in ({**PROPOSAL, "deed_summary": "ngắn"}, {**PROPOSAL, "deed_date": "10/05/2024"},
                {**PROPOSAL, "award_code": "HUAN_CHUONG"}, {"nominee_name": "Nguyễn Văn An"}):
        with pytest.raises(InvalidData):
            office.complete(task, "sub", bad)
    task = only_task(office.complete(task, "sub", PROPOSAL), "appraise")
    with pytest.raises(InvalidData):
        office.complete(task, "sec", {"decision": "maybe"})
    with pytest.raises(InvalidData) as err:
        office.complete(task, "sec", decision("approve"))  # approving names the nominee
    assert list(err.value.details) == ["nominee_code"]


@pytest.mark.parametrize("proposal, nominee", [
    (PROPOSAL, "NOBODY"),  # no such person or unit
    (PROPOSAL, "P2"),  # no longer working here
    (PROPOSAL, "PKT"),  # a unit, but the proposal is for a person
    (TEAM_PROPOSAL, "P1"),  # a person, but the proposal is for a collective
], ids=["unknown", "inactive", "unit-for-person", "person-for-unit"])
def test_bad_nominee_is_refused_and_changes_nothing(office: Office, proposal: dict[str, Any],
                                                    nominee: str) -> None:
    inst = office.walk(office.start("sub"), [("propose", "sub", proposal)])
    task = only_task(inst, "appraise")
    before = office.state(inst["id"])
    with pytest.raises(InvalidData) as err:
        office.complete(task, "sec", appraisal("approve", nominee=nominee))
    assert err.value.code == "adhoc.invalid"
    assert list(err.value.details) == ["nominee_code"]
    assert office.state(inst["id"]) == before
    good = "PKT" if proposal is TEAM_PROPOSAL else "P1"
    assert only_task(office.complete(task, "sec", appraisal("approve", nominee=good)), "decide")


def test_the_simplified_dossier_must_be_complete_before_the_appraisal_passes(
        office: Office) -> None:
    """Tờ trình and tóm tắt thành tích only (Luật Điều 85): no list, no minutes; the unit
    cannot send the dossier while one is missing, nor can the appraisal pass when the
    catalogue asks more meanwhile; a refusal changes nothing."""
    inst = office.start("sub")
    office.upload(inst["id"], "sub", "to_trinh")
    task = only_task(inst, "propose")
    before = office.state(inst["id"])
    with pytest.raises(InvalidData) as err:
        office.complete(task, "sub", BK_PROPOSAL)
    assert err.value.code == "dossier.incomplete"
    assert err.value.details == {"dossier": [err.value.message]}
    assert "còn thiếu Tóm tắt thành tích." in err.value.message
    assert office.state(inst["id"]) == before
    office.upload(inst["id"], "sub", "tom_tat_thanh_tich")
    inst = office.complete(task, "sub", BK_PROPOSAL)
    dossier = inst["data"]["dossier"]
    assert (dossier["award_code"], dossier["procedure"]) == ("BK_TINH", "simplified")
    assert [i["item"] for i in dossier["required"]] == SIMPLIFIED
    assert inst["data"]["dossier_missing"] == []
    task = only_task(inst, "appraise")
    with office.db.write_session() as s:  # the catalogue asks one more item meanwhile
        for code in ("BK_TINH", "GK"):  # the supplement proposes a Giấy khen instead
            award = s.get(AwardType, code)
            award.simplified_dossier_items = [*award.simplified_dossier_items, "danh_sach"]
        s.commit()
    before = office.state(inst["id"])
    with pytest.raises(InvalidData) as err:
        office.complete(task, "sec", appraisal("approve"))
    assert err.value.code == "dossier.incomplete"
    assert err.value.details == {"decision": [err.value.message]}
    assert err.value.message.endswith("còn thiếu Danh sách đề nghị khen thưởng.")
    assert office.state(inst["id"]) == before and office.nominations() == []
    inst = office.complete(task, "sec", appraisal("return", "Thiếu danh sách."))
    task = only_task(inst, "supplement")
    office.upload(inst["id"], "sub", "bien_ban_binh_xet")  # not what the procedure asks
    with pytest.raises(InvalidData) as err:
        office.complete(task, "sub", SUPPLEMENT)
    assert err.value.code == "dossier.incomplete"
    office.upload(inst["id"], "sub", "danh_sach")
    inst = office.complete(task, "sub", SUPPLEMENT)
    assert inst["data"]["dossier_missing"] == []
    inst = office.complete(only_task(inst, "appraise"), "sec", appraisal("approve"))
    assert inst["data"]["dossier"]["complete"] and inst["data"]["dossier_missing"] == []
    assert office.nominations() == [("P1", "GK", "adhoc", "eligible")]
    only_task(inst, "decide")


def test_diagram_is_complete_for_the_modeler() -> None:
    """Every flow node sits in one lane and has a shape; every flow has an edge; gateway
    branches are named and conditioned; the drawing is tidy (``diagram_kit``)."""
    assert diagram_problems(BPMN_FILE) == []


def test_deadlines_come_from_the_office_settings(office: Office) -> None:
    """The appraisal and supplement deadlines are settings, not numbers in the diagram."""
    from engine.calendar import WorkingCalendar
    from workflows.models import Setting

    with office.db.write_session() as s:
        s.get(Setting, "appraisal_working_days").value = 3
        s.get(Setting, "supplement_working_days").value = 7
        s.commit()
    inst = office.walk(office.start("sub"), [("propose", "sub", PROPOSAL)])
    appraise = only_task(inst, "appraise")
    calendar = WorkingCalendar()
    created = datetime.fromisoformat(appraise["created_at"])
    assert datetime.fromisoformat(appraise["due_at"]) == calendar.due_at(created, 3)
    inst = office.complete(appraise, "sec", appraisal("return", "Thiếu xác nhận"))
    supplement = only_task(inst, "supplement")
    created = datetime.fromisoformat(supplement["created_at"])
    assert datetime.fromisoformat(supplement["due_at"]) == calendar.due_at(created, 7)


def test_an_unknown_deadline_setting_puts_the_instance_in_error(office: Office) -> None:
    from workflows.models import Setting

    with office.db.write_session() as s:
        s.delete(s.get(Setting, "appraisal_working_days"))
        s.commit()
    inst = office.walk(office.start("sub"), [("propose", "sub", PROPOSAL)])
    assert inst["status"] == "error"
    assert inst["error"]["element_id"] == "appraise"
    assert "appraisal_working_days" in inst["error"]["message"]


@pytest.mark.parametrize("nominee, reason", [
    ("P3", "«P3» là «Nguyễn Văn Ân», không phải «Nguyễn Văn An»"),  # a near-identical name
    ("Q1", "Q1"),  # a person of another unit
])
def test_the_nominee_must_be_the_proposed_person_of_the_unit(
        office: Office, nominee: str, reason: str) -> None:
    """The secretariat names the nominee's code: it must be the person the unit proposed."""
    with office.db.write_session() as s:
        s.add(Person(code="Q1", full_name="Nguyễn Văn An", unit_code="PTP"))
        s.commit()
    inst = office.walk(office.start("sub"), [("propose", "sub", PROPOSAL)])
    task = only_task(inst, "appraise")
    before = office.state(inst["id"])
    with pytest.raises(InvalidData) as info:
        office.complete(task, "sec", appraisal("approve", nominee=nominee))
    assert info.value.code == "adhoc.invalid"
    assert reason in str(info.value.details["nominee_code"])
    assert office.state(inst["id"]) == before
