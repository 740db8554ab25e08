"""bpmn/adhoc_award.bpmn end to end: every gateway branch, through the service layer.

Khen thưởng đột xuất, thủ tục đơn giản (Luật Thi đua, khen thưởng, Điều 85):
the submitting unit proposes, Phòng TCHCQT appraises (10 working days) and names
the nominee's code, the nomination (kind "adhoc") is checked for eligibility (no
rating needed, but nobody with a pending case), the Chánh Văn phòng decides (5
working days); an approved Giấy khen gets a decision number and goes into the
registry with kind "adhoc"; a Bằng khen of the province goes through the call
activity province_forwarding and, when the province approves, into the registry
under the province's decision. Each engine call runs in its own write session, so
the instance is saved and restored between steps as in production.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
from argon2 import PasswordHasher
from lxml import etree
from SpiffWorkflow.util.task import TaskState
from sqlalchemy import func, select

from engine import identity
from engine.errors import Forbidden, InvalidData, NotFound
from engine.roles import SYSTEM, Actor
from engine.service import ProcessEngine
from engine.store.db import Database
from engine.store.models import ProcessInstance
from engine.store.serializer import load_state
from workflows import build_engine
from workflows.handlers.registry import office_today
from workflows.models import Award, Discipline, Nomination, Person

BPMN_DIR = Path(__file__).resolve().parents[2] / "bpmn"
BPMN_FILE = BPMN_DIR / "adhoc_award.bpmn"
KEY = "adhoc_award"
NS = {"bpmn": "http://www.omg.org/spec/BPMN/20100524/MODEL",
      "bpmndi": "http://www.omg.org/spec/BPMN/20100524/DI"}

PROPOSAL = {
    "nominee_name": "Nguyễn Văn An",
    "deed_summary": "Dũng cảm cứu người trong vụ cháy chợ trung tâm.",
    "deed_date": "2024-05-10",
    "subject_kind": "individual",
    "award_code": "GK",
}
SUPPLEMENT = {**PROPOSAL, "deed_summary": "Dũng cảm cứu 3 người trong vụ cháy chợ; có xác nhận "
                                          "của Công an phường."}
BK_PROPOSAL = {**PROPOSAL, "award_code": "BK_TINH"}
TEAM_PROPOSAL = {**PROPOSAL, "nominee_name": "Phòng Kinh tế", "subject_kind": "collective"}
ENDS = {"end_decided", "end_rejected", "end_not_approved", "end_ineligible",
        "end_answered", "end_not_sent"}  # the last two: the called province_forwarding
GK_BONUS, BK_BONUS = 702_000, 3_510_000  # 0.3 and 1.5 × 2.340.000 đ
# The role each user task's lane maps to, and whether the task has a deadline.
ROLE = {"propose": "submitter", "supplement": "submitter", "appraise": "secretariat",
        "decide": "chair", "sign_proposal": "chair", "send_to_province": "secretariat",
        "record_answer": "secretariat"}
HAS_DUE = {"propose": False, "supplement": True, "appraise": True, "decide": True,
           "sign_proposal": True, "send_to_province": True, "record_answer": True}
SENT = ("send_to_province", "sec", {"sent_date": "2025-12-01"})


def decision(value: str, comment: str = "") -> dict[str, Any]:
    return {"decision": value, "comment": comment}


def answer(outcome: str) -> tuple[str, str, dict[str, Any]]:
    """The province's answer, recorded by the secretariat."""
    data: dict[str, Any] = {"outcome": outcome}
    if outcome == "approved":
        data |= {"decision_no": "15/QĐ-UBND", "decision_date": "2025-12-20"}
    return ("record_answer", "sec", data)


def appraisal(value: str, comment: str = "", nominee: str | None = None) -> dict[str, Any]:
    """The secretariat's appraisal; approving names the nominee (default P1)."""
    code = nominee or ("P1" if value == "approve" else None)
    return {**decision(value, comment), "nominee_code": code}


@dataclass
class Office:
    db: Database
    eng: ProcessEngine
    actors: dict[str, Actor]

    def write(self, fn: Any, *args: Any) -> Any:
        with self.db.write_session() as s:
            return fn(s, *args)

    def start(self, who: str) -> dict[str, Any]:
        return self.write(self.eng.start_instance, KEY, self.actors[who])

    def complete(self, task: dict[str, Any], who: str, data: dict[str, Any]) -> dict[str, Any]:
        return self.write(self.eng.complete_task, task["id"], self.actors[who], data)

    def ends_reached(self, instance_id: int) -> set[str]:
        """End events of the instance's workflow that completed (read from stored state)."""
        with self.db.session() as s:
            inst = s.get(ProcessInstance, instance_id)
            assert inst is not None
            loaded = self.eng.specs.load(s, inst.model_version_id)
            wf = load_state(inst.state_json, loaded.spec, loaded.subprocess_specs)
        return {t.task_spec.bpmn_id for t in wf.get_tasks(state=TaskState.COMPLETED)
                if t.task_spec.bpmn_id in ENDS}

    def registry(self) -> list[tuple[Any, ...]]:
        with self.db.session() as s:
            return [tuple(r) for r in s.execute(
                select(Award.subject_code, Award.award_code, Award.kind, Award.year,
                       Award.decision_no, Award.decision_date, Award.instance_id,
                       Award.bonus_amount).order_by(Award.id)).all()]

    def nominations(self) -> list[tuple[Any, ...]]:
        with self.db.session() as s:
            return [tuple(r) for r in s.execute(
                select(Nomination.subject_code, Nomination.award_code, Nomination.kind,
                       Nomination.status).order_by(Nomination.id)).all()]

    def state(self, instance_id: int) -> tuple[Any, ...]:
        """What a refused command must leave unchanged."""
        with self.db.session() as s:
            inst = s.get(ProcessInstance, instance_id)
            assert inst is not None
            count = s.scalar(select(func.count()).select_from(Nomination))
            return inst.lock_version, inst.state_json, count, self.registry()


@pytest.fixture
def office(db_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[Office]:
    # argon2's defaults cost ~80 ms a user; these tests only need users to exist.
    monkeypatch.setattr(identity, "_HASHER",
                        PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))
    db = Database(db_url)
    eng = build_engine()
    users = (("sub", ["submitter"], "PKT"), ("sub_other", ["submitter"], "PTP"),
             ("sec", ["secretariat"], "TCHCQT"), ("chair", ["chair"], None))
    actors: dict[str, Actor] = {}
    with db.write_session() as s:
        identity.create_unit(s, SYSTEM, "PKT", "Phòng Kinh tế")
        identity.create_unit(s, SYSTEM, "PTP", "Phòng Tư pháp")
        identity.create_unit(s, SYSTEM, "TCHCQT", "Phòng Tổ chức - Hành chính - Quản trị")
        for username, roles, unit in users:
            user = identity.create_user(s, SYSTEM, username, "password1", roles,
                                        eng.settings.roles, unit)
            actors[username] = identity.actor_of(user)
        s.add_all([Person(code="P1", full_name="Nguyễn Văn An", unit_code="PKT"),
                   Person(code="P2", full_name="Trần Văn Bảo", unit_code="PKT", active=False),
                   Person(code="P3", full_name="Nguyễn Văn Ân", unit_code="PKT"),
                   Person(code="P4", full_name="Lê Thị Cúc", unit_code="PKT")])
        s.flush()
        # A disciplinary case about P4 is still being considered (đang xem xét kỷ luật).
        s.add(Discipline(person_code="P4", form="khien_trach", start_date=date(2024, 3, 1),
                         pending=True))
        s.commit()
    with db.write_session() as s:  # the called process first
        eng.deploy(s, (BPMN_DIR / "province_forwarding.bpmn").read_bytes(), SYSTEM,
                   "province_forwarding.bpmn")
    with db.write_session() as s:
        deployed = eng.deploy(s, BPMN_FILE.read_bytes(), SYSTEM, BPMN_FILE.name)
    assert deployed["key"] == KEY and deployed["created"]
    assert deployed["name"] == "Khen thưởng đột xuất (thủ tục đơn giản)"
    yield Office(db, eng, actors)
    db.engine.dispose()


def only_task(inst: dict[str, Any], name: str) -> dict[str, Any]:
    """The instance's one ready task, checked against the diagram's lane role and deadline."""
    assert inst["status"] == "running", inst.get("error")
    assert [t["name"] for t in inst["tasks"]] == [name]
    task = inst["tasks"][0]
    assert task["role"] == ROLE[name]
    assert task["unit"] == "PKT"
    if HAS_DUE[name]:
        assert task["due_at"] is not None
        assert datetime.fromisoformat(task["due_at"]) > datetime.fromisoformat(task["created_at"])
    else:
        assert task["due_at"] is None
    return task


def gk(subject: str = "P1") -> list[tuple[Any, ...]]:
    """The registry after an approved ad-hoc Giấy khen (year of the deed, today's decision)."""
    return [(subject, "GK", "adhoc", 2024, "1/QĐ-VP", office_today(), None, GK_BONUS)]


# The registry after the province approved an ad-hoc Bằng khen (the province's decision).
BK = [("P1", "BK_TINH", "adhoc", 2024, "15/QĐ-UBND", date(2025, 12, 20), None, BK_BONUS)]
Steps = list[tuple[str, str, dict[str, Any]]]
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
        ("appraise", "sec", appraisal("approve", nominee="P3")),
        ("decide", "chair", decision("return", "Nhầm người: kiểm tra lại mã cán bộ.")),
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
        ("propose", "sub", PROPOSAL),
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
    inst = office.start("sub")
    for name, who, data in steps:
        task = only_task(inst, name)
        assert ROLE[name] in office.actors[who].roles
        inst = office.complete(task, who, data)
    assert inst["status"] == "completed", inst.get("error")
    assert inst["tasks"] == []
    assert inst["ended_at"] is not None
    assert office.ends_reached(inst["id"]) == expected_ends
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
    inst = office.complete(only_task(office.start("sub"), "propose"), "sub", PROPOSAL)
    inst = office.complete(only_task(inst, "appraise"), "sec", appraisal("approve", nominee="P4"))
    assert office.ends_reached(inst["id"]) == {"end_ineligible"}
    result = inst["data"]["eligibility"]
    assert result["all_eligible"] is False and result["eligible"] == []
    [refused] = result["ineligible"]
    assert refused["subject_code"] == "P4" and refused["name"] == "Lê Thị Cúc"
    assert any("khiển trách từ 01/03/2024" in reason for reason in refused["failed"])
    with office.db.session() as s:
        verdict = s.scalars(select(Nomination.eligibility)
                            .where(Nomination.instance_id == inst["id"])).one()
    rules = {r["rule"]: r["ok"] for r in verdict["reasons"]}
    assert rules["no_pending_case"] is False
    assert rules["rating"] is True  # the annual rating rule does not apply to ad-hoc awards


def test_forms_are_validated(office: Office) -> None:
    task = only_task(office.start("sub"), "propose")
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
    inst = office.complete(only_task(office.start("sub"), "propose"), "sub", proposal)
    task = only_task(inst, "appraise")
    before = office.state(inst["id"])
    with pytest.raises(InvalidData) as err:
        office.complete(task, "sec", appraisal("approve", nominee=nominee))
    assert err.value.code == "adhoc.invalid"
    assert list(err.value.details) == ["nominee_code"]
    assert office.state(inst["id"]) == before
    good = "PKT" if proposal is TEAM_PROPOSAL else "P1"
    assert only_task(office.complete(task, "sec", appraisal("approve", nominee=good)), "decide")


def test_diagram_is_complete_for_the_modeler() -> None:
    """Every flow node sits in one lane and has a shape; every flow has an edge."""
    root = etree.parse(str(BPMN_FILE)).getroot()
    process = root.find("bpmn:process", NS)
    assert process is not None and process.get("isExecutable") == "true"
    skip = {"laneSet", "sequenceFlow", "documentation", "extensionElements"}
    nodes = {n.get("id") for n in process if etree.QName(n).localname not in skip}
    refs = [r.text for r in process.iterfind(".//bpmn:flowNodeRef", NS)]
    assert sorted(refs) == sorted(nodes)
    shapes = {s.get("bpmnElement") for s in root.iterfind(".//bpmndi:BPMNShape", NS)}
    edges = {e.get("bpmnElement") for e in root.iterfind(".//bpmndi:BPMNEdge", NS)}
    lanes = {lane.get("id") for lane in process.iterfind(".//bpmn:lane", NS)}
    assert nodes | lanes | {"participant_office"} == shapes
    assert {f.get("id") for f in process.iterfind("bpmn:sequenceFlow", NS)} == edges


def test_deadlines_come_from_the_office_settings(office: Office) -> None:
    """The appraisal and supplement deadlines are settings, not numbers in the diagram."""
    from engine.calendar import WorkingCalendar
    from workflows.models import Setting

    with office.db.write_session() as s:
        s.get(Setting, "appraisal_working_days").value = 3
        s.get(Setting, "supplement_working_days").value = 7
        s.commit()
    inst = office.start("sub")
    inst = office.complete(only_task(inst, "propose"), "sub", PROPOSAL)
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
    inst = office.start("sub")
    inst = office.complete(only_task(inst, "propose"), "sub", PROPOSAL)
    assert inst["status"] == "error"
    assert inst["error"]["element_id"] == "appraise"
    assert "appraisal_working_days" in inst["error"]["message"]
