"""bpmn/annual_title_nomination.bpmn end to end: every gateway branch, through the service layer.

Khen thưởng danh hiệu thi đua hằng năm: the unit proposes, Phòng TCHCQT appraises and
checks eligibility (the real ``check_eligibility``), the council votes, the list is
disclosed when the title needs it, then the Chánh Văn phòng decides (office titles) or
the dossier goes to the province (call activity ``province_forwarding``). Each engine
call runs in its own write session, so the instance is saved and restored between steps.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from argon2 import PasswordHasher
from lxml import etree
from SpiffWorkflow.util.task import TaskState
from sqlalchemy import select

from engine import identity
from engine.errors import Forbidden, InvalidData
from engine.roles import SYSTEM, Actor
from engine.service import ProcessEngine
from engine.store.db import Database
from engine.store.models import HumanTask, ProcessInstance
from engine.store.serializer import load_state
from workflows import build_engine
from workflows.models import Award, AwardType, Nomination, Person, Rating

BPMN_DIR = Path(__file__).resolve().parents[2] / "bpmn"
KEY = "annual_title_nomination"
YEAR = 2025
NS = {"bpmn": "http://www.omg.org/spec/BPMN/20100524/MODEL",
      "bpmndi": "http://www.omg.org/spec/BPMN/20100524/DI"}
# (code, name, unit, {year: rating})
PEOPLE = (
    ("NV001", "Nguyễn Văn An", "PKT", {2025: "HTTNV"}),
    ("NV002", "Trần Thị Bình", "PKT", {2024: "HTXSNV", 2025: "HTXSNV"}),
    ("NV003", "Lê Văn Cường", "PKT", {2025: "HTNV"}),
    ("NV004", "Phạm Thị Dung", "PKT_1", {2025: "HTTNV"}),
    ("NV005", "Võ Minh Giang", "PKT", {2024: "HTXSNV", 2025: "HTXSNV"}),
    ("NV101", "Hoàng Văn Em", "PTP", {2025: "HTTNV"}),
)
ROLE = {"propose": "submitter", "supplement": "submitter", "receive_appraise": "secretariat",
        "disclosure": "secretariat", "council_review": "council", "decide": "chair",
        "sign_proposal": "chair", "prepare_dossier": "secretariat",
        "send_to_province": "secretariat", "record_answer": "secretariat"}
NO_DUE = {"propose"}
ENDS = {"end_rejected", "end_ineligible", "end_not_voted", "end_decided", "end_not_approved",
        "end_province_rejected", "end_answered", "end_not_sent"}
Step = tuple[str, str, dict[str, Any]]


@dataclass
class Office:
    db: Database
    eng: ProcessEngine
    actors: dict[str, Actor]

    def write(self, fn: Any, *args: Any) -> Any:
        with self.db.write_session() as s:
            return fn(s, *args)

    def start(self, who: str = "sub", key: str = KEY) -> dict[str, Any]:
        return self.write(self.eng.start_instance, key, self.actors[who])

    def complete(self, task: dict[str, Any], who: str, data: dict[str, Any]) -> dict[str, Any]:
        return self.write(self.eng.complete_task, task["id"], self.actors[who], data)

    def walk(self, inst: dict[str, Any], steps: list[Step]) -> dict[str, Any]:
        for name, who, data in steps:
            inst = self.complete(only_task(inst, name), who, data)
        return inst

    def statuses(self, instance_id: int) -> dict[str, str]:
        with self.db.session() as s:
            return dict(s.execute(select(Nomination.subject_code, Nomination.status)
                                  .where(Nomination.instance_id == instance_id)).all())

    def awards(self, instance_id: int) -> list[tuple[str, str, str, int | None]]:
        with self.db.session() as s:
            rows = s.scalars(select(Award).where(Award.instance_id == instance_id)
                             .order_by(Award.subject_code)).all()
            return [(a.subject_code, a.award_code, a.decision_no, a.bonus_amount) for a in rows]

    def snapshot(self, instance_id: int) -> tuple[Any, ...]:
        """What a refused command must leave as it was: the instance and its tasks."""
        with self.db.session() as s:
            inst = s.get(ProcessInstance, instance_id)
            assert inst is not None
            tasks = s.execute(select(HumanTask.id, HumanTask.state)
                              .where(HumanTask.instance_id == instance_id)
                              .order_by(HumanTask.id)).all()
            return (inst.lock_version, inst.state_json, inst.data, [tuple(t) for t in tasks])

    def ends_reached(self, instance_id: int) -> set[str]:
        """End events (of the process and its called processes) that completed."""
        with self.db.session() as s:
            inst = s.get(ProcessInstance, instance_id)
            assert inst is not None
            loaded = self.eng.specs.load(s, inst.model_version_id)
            wf = load_state(inst.state_json, loaded.spec, loaded.subprocess_specs)
        return {t.task_spec.bpmn_id for t in wf.get_tasks(state=TaskState.COMPLETED)
                if t.task_spec.bpmn_id in ENDS}


def make_office(db_url: str, monkeypatch: pytest.MonkeyPatch) -> Office:
    """Units, people with ratings, users of every role; both diagrams deployed."""
    monkeypatch.setattr(identity, "_HASHER",
                        PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))
    db = Database(db_url)
    eng = build_engine()
    assert "check_eligibility" in eng.handlers  # the real one (workflows/handlers/eligibility)
    users = (("sub", ["submitter"], "PKT"), ("sub_other", ["submitter"], "PTP"),
             ("sec", ["secretariat"], "TCHCQT"), ("council", ["council"], None),
             ("chair", ["chair"], None))
    actors: dict[str, Actor] = {}
    with db.write_session() as s:
        for code, name, parent in (("PKT", "Phòng Kinh tế", None),
                                   ("PKT_1", "Tổ Tổng hợp", "PKT"),
                                   ("PTP", "Phòng Tư pháp", None),
                                   ("TCHCQT", "Phòng Tổ chức - Hành chính - Quản trị", None)):
            identity.create_unit(s, SYSTEM, code, name, parent_code=parent)
        s.flush()
        for code, name, unit, ratings in PEOPLE:
            s.add(Person(code=code, full_name=name, unit_code=unit))
            s.add_all(Rating(year=y, subject_code=code, rating=r) for y, r in ratings.items())
        for username, roles, unit in users:
            user = identity.create_user(s, SYSTEM, username, "password1", roles,
                                        eng.settings.roles, unit)
            actors[username] = identity.actor_of(user)
        s.commit()
    for name in ("province_forwarding.bpmn", "annual_title_nomination.bpmn"):  # callee first
        with db.write_session() as s:
            assert eng.deploy(s, (BPMN_DIR / name).read_bytes(), SYSTEM, name)["created"]
    return Office(db, eng, actors)


@pytest.fixture
def office(db_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[Office]:
    made = make_office(db_url, monkeypatch)
    yield made
    made.db.dispose()


def only_task(inst: dict[str, Any], name: str) -> dict[str, Any]:
    """The instance's one ready task, checked against its lane's role and deadline."""
    assert inst["status"] == "running", inst.get("error")
    assert [t["name"] for t in inst["tasks"]] == [name]
    task = inst["tasks"][0]
    assert task["role"] == ROLE[name]
    if name in NO_DUE:
        assert task["due_at"] is None
    else:
        assert datetime.fromisoformat(task["due_at"]) > datetime.fromisoformat(task["created_at"])
    return task


def proposal(*subjects: str, award: str = "LDTT") -> dict[str, Any]:
    return {"year": YEAR, "award_code": award, "subjects": list(subjects),
            "summary": "Hoàn thành tốt nhiệm vụ năm 2025."}


def appraise(value: str) -> Step:
    comment = "Thiếu báo cáo thành tích." if value == "return" else "Đủ hồ sơ."
    return ("receive_appraise", "sec", {"decision": value, "comment": comment})


def council(*passed: str) -> Step:
    return ("council_review", "council", {"passed_subjects": list(passed), "agree": 7,
                                          "disagree": 1, "abstain": 0, "minutes_no": "05/BB-HĐ"})


def chair(step: str, value: str) -> Step:
    return (step, "chair", {"decision": value, "comment": ""})


DISCLOSED = ("disclosure", "sec", {"complaints_received": 0, "comment": "Niêm yết 10 ngày."})
SENT = ("send_to_province", "sec", {"document_no": "120/TTr-VP", "sent_date": "2025-12-01"})


def answer(outcome: str, *approved: str) -> Step:
    data: dict[str, Any] = {"outcome": outcome, "approved_subjects": list(approved)}
    if outcome != "rejected":
        data |= {"decision_no": "15/QĐ-UBND", "decision_date": "2025-12-20"}
    return ("record_answer", "sec", data)


LDTT_BONUS, BK_BONUS = 702_000, 3_510_000  # 0.3 and 1.5 × 2.340.000 đ
# path: (steps, end reached, statuses at the end, awards)
PATHS: dict[str, tuple[list[Step], set[str], dict[str, str], list[tuple[Any, ...]]]] = {
    "office-decided": ([
        ("propose", "sub", proposal("NV001", "NV002", "NV003")), appraise("approve"),
        council("NV001", "NV002"), chair("decide", "approve"),
    ], {"end_decided"}, {"NV001": "decided", "NV002": "decided", "NV003": "not_approved"},
        [("NV001", "LDTT", "1/QĐ-VP", LDTT_BONUS), ("NV002", "LDTT", "1/QĐ-VP", LDTT_BONUS)]),
    "return-supplement": ([
        ("propose", "sub", proposal("NV001", "NV003")), appraise("return"),
        ("supplement", "sub", proposal("NV001", "NV004")), appraise("approve"),
        council("NV004"), chair("decide", "approve"),
    ], {"end_decided"}, {"NV001": "not_approved", "NV004": "decided"},
        [("NV004", "LDTT", "1/QĐ-VP", LDTT_BONUS)]),
    "appraisal-rejects": ([
        ("propose", "sub", proposal("NV001", "NV002")), appraise("reject"),
    ], {"end_rejected"}, {"NV001": "not_approved", "NV002": "not_approved"}, []),
    "none-eligible": ([
        ("propose", "sub", proposal("NV003")), appraise("approve"),
    ], {"end_ineligible"}, {"NV003": "not_approved"}, []),
    "council-passes-none": ([
        ("propose", "sub", proposal("NV001")), appraise("approve"), council(),
    ], {"end_not_voted"}, {"NV001": "not_approved"}, []),
    "chair-rejects": ([
        ("propose", "sub", proposal("NV001")), appraise("approve"), council("NV001"),
        chair("decide", "reject"),
    ], {"end_not_approved"}, {"NV001": "not_approved"}, []),
    "chair-returns": ([
        ("propose", "sub", proposal("NV001", "NV002")), appraise("approve"), council("NV001"),
        chair("decide", "return"), appraise("approve"), council("NV001", "NV002"),
        chair("decide", "approve"),
    ], {"end_decided"}, {"NV001": "decided", "NV002": "decided"},
        [("NV001", "LDTT", "1/QĐ-VP", LDTT_BONUS), ("NV002", "LDTT", "1/QĐ-VP", LDTT_BONUS)]),
    "province-approves": ([
        ("propose", "sub", proposal("NV002", "NV001", award="BK_TINH")), appraise("approve"),
        council("NV002"), DISCLOSED, chair("sign_proposal", "approve"), SENT,
        answer("approved"),
    ], {"end_answered", "end_decided"}, {"NV001": "not_approved", "NV002": "decided"},
        [("NV002", "BK_TINH", "15/QĐ-UBND", BK_BONUS)]),
    "province-partial-after-revision": ([
        ("propose", "sub", proposal("NV002", "NV005", award="BK_TINH")), appraise("approve"),
        council("NV002", "NV005"),
        ("disclosure", "sec", {"complaints_received": 2, "complaints_resolved": True}),
        chair("sign_proposal", "return"),
        ("prepare_dossier", "sec", {"comment": "Bổ sung biên bản họp Hội đồng."}),
        chair("sign_proposal", "approve"), SENT, answer("partial", "NV005"),
    ], {"end_answered", "end_decided"}, {"NV002": "not_approved", "NV005": "decided"},
        [("NV005", "BK_TINH", "15/QĐ-UBND", BK_BONUS)]),
    "province-rejects": ([
        ("propose", "sub", proposal("NV002", award="BK_TINH")), appraise("approve"),
        council("NV002"), DISCLOSED, chair("sign_proposal", "approve"), SENT,
        answer("rejected"),
    ], {"end_answered", "end_province_rejected"}, {"NV002": "not_approved"}, []),
    "chair-refuses-to-sign": ([
        ("propose", "sub", proposal("NV002", award="BK_TINH")), appraise("approve"),
        council("NV002"), DISCLOSED, chair("sign_proposal", "reject"),
    ], {"end_not_sent", "end_province_rejected"}, {"NV002": "not_approved"}, []),
}


@pytest.mark.parametrize("path", list(PATHS))
def test_every_gateway_branch_end_to_end(office: Office, path: str) -> None:
    steps, ends, statuses, awards = PATHS[path]
    inst = office.walk(office.start(), steps)
    assert inst["status"] == "completed", inst.get("error")
    assert inst["tasks"] == [] and inst["ended_at"] is not None
    assert office.ends_reached(inst["id"]) == ends
    assert office.statuses(inst["id"]) == statuses
    assert office.awards(inst["id"]) == awards
    if awards:
        registry = inst["data"]["registry"]
        assert registry["total_bonus"] == sum(a[3] for a in awards)
        assert inst["data"]["decision_no"] == awards[0][2]


def test_statuses_along_the_way(office: Office) -> None:
    inst = office.start()
    seen = []
    for step in [("propose", "sub", proposal("NV002", "NV005", "NV001", award="BK_TINH")),
                 appraise("return"),
                 ("supplement", "sub", proposal("NV002", "NV005", award="BK_TINH")),
                 appraise("approve"), council("NV005"), DISCLOSED,
                 chair("sign_proposal", "approve"), SENT, answer("approved")]:
        inst = office.walk(inst, [step])
        seen.append(office.statuses(inst["id"]))
    assert seen == [
        {"NV001": "submitted", "NV002": "submitted", "NV005": "submitted"},
        {"NV001": "returned", "NV002": "returned", "NV005": "returned"},
        {"NV002": "submitted", "NV005": "submitted"},
        {"NV002": "in_council", "NV005": "in_council"},
        {"NV002": "not_approved", "NV005": "voted"},
        {"NV002": "not_approved", "NV005": "disclosed"},
        {"NV002": "not_approved", "NV005": "disclosed"},  # signed; sending is next
        {"NV002": "not_approved", "NV005": "proposed"},
        {"NV002": "not_approved", "NV005": "decided"},
    ]
    data = inst["data"]
    assert data["outcome"] == "approved" and data["decision_date"] == "2025-12-20"
    assert data["province_answer"]["approved_subjects"] == ["NV005"]
    assert data["nominated"]["within_office_power"] is False


def test_decision_numbers_follow_each_other(office: Office) -> None:
    numbers = []
    for subject in ("NV001", "NV002"):
        inst = office.walk(office.start(), [
            ("propose", "sub", proposal(subject)), appraise("approve"), council(subject),
            chair("decide", "approve")])
        numbers.append(inst["data"]["decision_issued"]["number"])
        assert office.awards(inst["id"])[0][2] == f"{numbers[-1]}/QĐ-VP"
    assert numbers == [1, 2]


def test_disclosure_before_an_office_decision_when_the_catalogue_asks(office: Office) -> None:
    with office.db.write_session() as s:
        s.get(AwardType, "GK").needs_disclosure = True  # type: ignore[union-attr]
        s.commit()
    inst = office.walk(office.start(), [
        ("propose", "sub", proposal("NV001", "PKT_1", award="GK")), appraise("approve"),
        council("NV001"),
        ("disclosure", "sec", {"complaints_received": 0}), chair("decide", "approve")])
    assert office.ends_reached(inst["id"]) == {"end_decided"}
    assert office.awards(inst["id"]) == [("NV001", "GK", "1/QĐ-VP", LDTT_BONUS)]


def test_another_units_person_is_refused_and_nothing_changes(office: Office) -> None:
    inst = office.start()
    task = only_task(inst, "propose")
    before = office.snapshot(inst["id"])
    with pytest.raises(InvalidData) as err:
        office.complete(task, "sub", proposal("NV001", "NV101"))
    assert err.value.code == "nomination.invalid"
    assert err.value.details == {"subjects": ["Hoàng Văn Em (NV101) không thuộc đơn vị đề nghị."]}
    assert "NV101" in err.value.message
    assert office.statuses(inst["id"]) == {}
    assert office.snapshot(inst["id"]) == before
    after = office.complete(task, "sub", proposal("NV001", "NV004"))  # the same task still works
    only_task(after, "receive_appraise")


def test_forms_and_lanes_are_enforced(office: Office) -> None:
    task = only_task(office.start(), "propose")
    for bad in ({**proposal("NV001"), "year": 1999}, {**proposal("NV001"), "award_code": "HC"},
                {**proposal(), "subjects": []}):
        with pytest.raises(InvalidData):
            office.complete(task, "sub", bad)
    task = only_task(office.complete(task, "sub", proposal("NV001")), "receive_appraise")
    with pytest.raises(InvalidData):
        office.complete(task, "sec", {"decision": "return"})  # says nothing about what to add
    with pytest.raises(Forbidden):
        office.complete(task, "council", {"decision": "approve"})
    task = only_task(office.complete(task, "sec", {"decision": "approve"}), "council_review")
    with pytest.raises(InvalidData) as err:  # NV003 was never put to the council
        office.complete(task, "council", {"passed_subjects": ["NV003"]})
    assert "NV003" in err.value.details["passed_subjects"][0]
    with pytest.raises(Forbidden):
        office.complete(task, "chair", {"passed_subjects": ["NV001"]})


@pytest.mark.parametrize("name", ["annual_title_nomination.bpmn", "province_forwarding.bpmn"])
def test_diagram_is_complete_for_the_modeler(name: str) -> None:
    """Every flow node sits in one lane and has a shape; every flow has an edge and a
    gateway's every outgoing flow but its default has a condition and a name."""
    root = etree.parse(str(BPMN_DIR / name)).getroot()
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
    flows = {f.get("id"): f for f in process.iterfind("bpmn:sequenceFlow", NS)}
    assert set(flows) == edges
    for gw in process.iterfind("bpmn:exclusiveGateway", NS):
        for out in gw.iterfind("bpmn:outgoing", NS):
            flow = flows[out.text]
            assert flow.get("name"), out.text
            has_condition = flow.find("bpmn:conditionExpression", NS) is not None
            assert has_condition == (out.text != gw.get("default")), out.text
