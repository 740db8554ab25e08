"""bpmn/thematic_award.bpmn end to end (khen thưởng chuyên đề), through the service layer.

A unit proposes people and collectives for a Giấy khen at a milestone of a
thematic movement; Phòng TCHCQT appraises (returning for supplements), the
eligibility rules run, the council passes some, the Chánh Văn phòng signs; the
registry then holds the awards with kind "thematic". In a movement launched by the
province, a Bằng khen of the province may be proposed: after the council it goes
through the call activity province_forwarding and is recorded under the province's
decision. Every gateway branch is walked on both databases, one write session per
engine call.
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
from sqlalchemy import func, select, update

from engine import identity
from engine.errors import Forbidden, InvalidData, NotFound
from engine.roles import SYSTEM, Actor
from engine.service import ProcessEngine
from engine.store.db import Database
from engine.store.models import ProcessInstance
from engine.store.serializer import load_state
from workflows import build_engine
from workflows.models import Award, AwardType, Discipline, EmulationMovement, Nomination, Person

BPMN_DIR = Path(__file__).resolve().parents[2] / "bpmn"
BPMN_FILE = BPMN_DIR / "thematic_award.bpmn"
KEY = "thematic_award"
NS = {"bpmn": "http://www.omg.org/spec/BPMN/20100524/MODEL",
      "bpmndi": "http://www.omg.org/spec/BPMN/20100524/DI"}
ENDS = {"end_decided", "end_rejected", "end_ineligible", "end_not_voted", "end_not_approved",
        "end_answered", "end_not_sent"}  # the last two: the called province_forwarding
ROLE = {"propose": "submitter", "supplement": "submitter", "appraise": "secretariat",
        "council_review": "council", "decide": "chair", "sign_proposal": "chair",
        "send_to_province": "secretariat", "record_answer": "secretariat"}
HAS_DUE = {"propose": False, "supplement": True, "appraise": True, "council_review": True,
           "decide": True, "sign_proposal": True, "send_to_province": True,
           "record_answer": True}
# Catalogue coefficient × base salary (2.340.000 đ): Giấy khen 0.3, Bằng khen of the province 1.5
GK_BONUS, BK_BONUS = 702_000, 3_510_000

PROPOSAL = {"year": 2026, "award_code": "GK", "movement_code": "CDS2026",
            "subjects": ["P1", "P2", "PKT"],
            "summary": "Dẫn đầu phong trào chuyển đổi số giai đoạn 2024-2026."}
SUPPLEMENT = {**PROPOSAL, "subjects": ["P1", "PKT"]}
# A Bằng khen of the province, in a movement the province launched.
BK_PROPOSAL = {**PROPOSAL, "award_code": "BK_TINH", "movement_code": "ATGT2026",
               "summary": "Tiêu biểu trong phong trào bảo đảm trật tự an toàn giao thông."}
SENT = ("send_to_province", "sec", {"sent_date": "2026-11-02"})


def answer(outcome: str, *approved: str) -> tuple[str, str, dict[str, Any]]:
    data: dict[str, Any] = {"outcome": outcome, "approved_subjects": list(approved)}
    if outcome != "rejected":
        data |= {"decision_no": "15/QĐ-UBND", "decision_date": "2026-12-10"}
    return ("record_answer", "sec", data)


def appraisal(value: str, comment: str = "Hồ sơ đầy đủ.") -> dict[str, Any]:
    return {"decision": value, "comment": comment}


def council(*passed: str) -> dict[str, Any]:
    return {"passed_subjects": list(passed), "agree": 7, "disagree": 0, "abstain": 0}


def chair(value: str) -> dict[str, Any]:
    return {"decision": value, "comment": ""}


@dataclass
class Office:
    db: Database
    eng: ProcessEngine
    actors: dict[str, Actor]

    def write(self, fn: Any, *args: Any) -> Any:
        with self.db.write_session() as s:
            return fn(s, *args)

    def start(self, who: str = "sub") -> dict[str, Any]:
        return self.write(self.eng.start_instance, KEY, self.actors[who])

    def complete(self, task: dict[str, Any], who: str, data: dict[str, Any]) -> dict[str, Any]:
        return self.write(self.eng.complete_task, task["id"], self.actors[who], data)

    def registry(self) -> list[tuple[Any, ...]]:
        with self.db.session() as s:
            return [tuple(r) for r in s.execute(
                select(Award.subject_code, Award.award_code, Award.kind, Award.year,
                       Award.decision_no, EmulationMovement.code, Award.bonus_amount)
                .outerjoin(EmulationMovement, EmulationMovement.id == Award.movement_id)
                .order_by(Award.subject_code)).all()]

    def nominations(self, instance_id: int) -> dict[str, str]:
        with self.db.session() as s:
            return dict(s.execute(select(Nomination.subject_code, Nomination.status)
                                  .where(Nomination.instance_id == instance_id)).all())

    def state(self, instance_id: int) -> tuple[Any, ...]:
        with self.db.session() as s:
            inst = s.get(ProcessInstance, instance_id)
            assert inst is not None
            count = s.scalar(select(func.count()).select_from(Nomination))
            return inst.lock_version, inst.state_json, count, self.registry()

    def ends_reached(self, instance_id: int) -> set[str]:
        with self.db.session() as s:
            inst = s.get(ProcessInstance, instance_id)
            assert inst is not None
            loaded = self.eng.specs.load(s, inst.model_version_id)
            wf = load_state(inst.state_json, loaded.spec, loaded.subprocess_specs)
        return {t.task_spec.bpmn_id for t in wf.get_tasks(state=TaskState.COMPLETED)
                if t.task_spec.bpmn_id in ENDS}


@pytest.fixture
def office(db_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[Office]:
    monkeypatch.setattr(identity, "_HASHER",
                        PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))
    db = Database(db_url)
    eng = build_engine()
    users = (("sub", ["submitter"], "PKT"), ("sub_other", ["submitter"], "PTP"),
             ("sec", ["secretariat"], "TCHCQT"), ("council", ["council"], None),
             ("chair", ["chair"], None))
    actors: dict[str, Actor] = {}
    with db.write_session() as s:
        identity.create_unit(s, SYSTEM, "VP", "Văn phòng UBND tỉnh")
        for code, name in (("PKT", "Phòng Kinh tế"), ("PTP", "Phòng Tư pháp"),
                           ("TCHCQT", "Phòng Tổ chức - Hành chính - Quản trị")):
            identity.create_unit(s, SYSTEM, code, name, "VP")
        s.flush()
        s.add_all([Person(code="P1", full_name="Nguyễn Văn An", unit_code="PKT"),
                   Person(code="P2", full_name="Trần Thị Bình", unit_code="PKT"),
                   Person(code="P3", full_name="Lê Văn Cường", unit_code="PKT"),
                   Person(code="P9", full_name="Phạm Thị Hoa", unit_code="PTP"),
                   EmulationMovement(code="CDS2026", name="Thi đua chuyển đổi số",
                                     kind="thematic", year=2026, start_date=date(2026, 1, 5)),
                   EmulationMovement(code="TDHN2026", name="Thi đua hằng năm 2026",
                                     kind="annual", year=2026, start_date=date(2026, 1, 5)),
                   EmulationMovement(code="TP2026", name="Phong trào của Phòng Tư pháp",
                                     kind="thematic", year=2026, start_date=date(2026, 3, 1),
                                     target_units=["PTP"]),
                   EmulationMovement(code="CDS2025", name="Chuyển đổi số 2025",
                                     kind="thematic", year=2025, start_date=date(2025, 1, 5)),
                   EmulationMovement(code="ATGT2026", name="Bảo đảm trật tự an toàn giao thông",
                                     kind="thematic", year=2026, start_date=date(2026, 2, 1),
                                     launch_level="province")])
        s.flush()
        s.add(Discipline(person_code="P3", form="khien_trach", start_date=date(2026, 2, 1),
                         end_date=date(2026, 12, 31)))
        for username, roles, unit in users:
            user = identity.create_user(s, SYSTEM, username, "password1", roles,
                                        eng.settings.roles, unit)
            actors[username] = identity.actor_of(user)
        s.commit()
    with db.write_session() as s:  # the called process first
        eng.deploy(s, (BPMN_DIR / "province_forwarding.bpmn").read_bytes(), SYSTEM,
                   "province_forwarding.bpmn")
    with db.write_session() as s:
        deployed = eng.deploy(s, BPMN_FILE.read_bytes(), SYSTEM, BPMN_FILE.name)
    assert deployed["key"] == KEY and deployed["created"]
    assert deployed["name"] == "Khen thưởng chuyên đề"
    yield Office(db, eng, actors)
    db.engine.dispose()


def only_task(inst: dict[str, Any], name: str) -> dict[str, Any]:
    assert inst["status"] == "running", inst.get("error")
    assert [t["name"] for t in inst["tasks"]] == [name]
    task = inst["tasks"][0]
    assert task["role"] == ROLE[name] and task["unit"] == "PKT"
    if HAS_DUE[name]:
        assert datetime.fromisoformat(task["due_at"]) > datetime.fromisoformat(task["created_at"])
    else:
        assert task["due_at"] is None
    return task


def gk(*subjects: str) -> list[tuple[Any, ...]]:
    return [(code, "GK", "thematic", 2026, "1/QĐ-VP", "CDS2026", GK_BONUS)
            for code in sorted(subjects)]


def bk(*subjects: str) -> list[tuple[Any, ...]]:
    """Bằng khen of the province recorded under the province's decision."""
    return [(code, "BK_TINH", "thematic", 2026, "15/QĐ-UBND", "ATGT2026", BK_BONUS)
            for code in sorted(subjects)]


Steps = list[tuple[str, str, dict[str, Any]]]
BK_SIGNED: Steps = [("propose", "sub", BK_PROPOSAL), ("appraise", "sec", appraisal("approve")),
                    ("council_review", "council", council("P1", "PKT")),
                    ("sign_proposal", "chair", chair("approve")), SENT]
# Each path: steps after start, the ends reached, the registry after, the nominations' statuses.
PATHS: dict[str, tuple[Steps, set[str] | str, list[tuple[Any, ...]], dict[str, str]]] = {
    "approved": ([
        ("propose", "sub", PROPOSAL),
        ("appraise", "sec", appraisal("approve")),
        ("council_review", "council", council("P1", "PKT")),
        ("decide", "chair", chair("approve")),
    ], "end_decided", gk("P1", "PKT"),
        {"P1": "decided", "PKT": "decided", "P2": "not_approved"}),
    "one-ineligible": ([
        ("propose", "sub", {**PROPOSAL, "subjects": ["P1", "P3"]}),
        ("appraise", "sec", appraisal("approve")),
        ("council_review", "council", council("P1")),
        ("decide", "chair", chair("approve")),
    ], "end_decided", gk("P1"), {"P1": "decided", "P3": "not_approved"}),
    "returned-supplemented": ([
        ("propose", "sub", PROPOSAL),
        ("appraise", "sec", appraisal("return", "Bà Bình chưa có xác nhận thành tích.")),
        ("supplement", "sub", SUPPLEMENT),
        ("appraise", "sec", appraisal("approve")),
        ("council_review", "council", council("P1", "PKT")),
        ("decide", "chair", chair("approve")),
    ], "end_decided", gk("P1", "PKT"), {"P1": "decided", "PKT": "decided"}),
    "chair-returns": ([
        ("propose", "sub", PROPOSAL),
        ("appraise", "sec", appraisal("approve")),
        ("council_review", "council", council("P1", "P2")),
        ("decide", "chair", chair("return")),
        ("appraise", "sec", appraisal("approve", "Đã rà soát lại.")),
        ("council_review", "council", council("P1")),
        ("decide", "chair", chair("approve")),
    ], "end_decided", gk("P1"), {"P1": "decided", "P2": "not_approved", "PKT": "not_approved"}),
    "rejected-at-appraisal": ([
        ("propose", "sub", PROPOSAL),
        ("appraise", "sec", appraisal("reject", "Thành tích chưa tiêu biểu.")),
    ], "end_rejected", [], {"P1": "not_approved", "P2": "not_approved", "PKT": "not_approved"}),
    "none-eligible": ([
        ("propose", "sub", {**PROPOSAL, "subjects": ["P3"]}),
        ("appraise", "sec", appraisal("approve")),
    ], "end_ineligible", [], {"P3": "ineligible"}),
    "council-passes-none": ([
        ("propose", "sub", PROPOSAL),
        ("appraise", "sec", appraisal("approve")),
        ("council_review", "council", council()),
    ], "end_not_voted", [], {"P1": "not_approved", "P2": "not_approved", "PKT": "not_approved"}),
    "chair-rejects": ([
        ("propose", "sub", PROPOSAL),
        ("appraise", "sec", appraisal("approve")),
        ("council_review", "council", council("P1")),
        ("decide", "chair", chair("reject")),
    ], "end_not_approved", [], {"P1": "not_approved", "P2": "not_approved",
                                "PKT": "not_approved"}),
    "province-approves": ([*BK_SIGNED, answer("approved")], {"end_answered", "end_decided"},
                          bk("P1", "PKT"), {"P1": "decided", "PKT": "decided",
                                            "P2": "not_approved"}),
    "province-approves-part": ([*BK_SIGNED, answer("partial", "PKT")],
                               {"end_answered", "end_decided"}, bk("PKT"),
                               {"P1": "not_approved", "PKT": "decided", "P2": "not_approved"}),
    "province-rejects": ([*BK_SIGNED, answer("rejected")], {"end_answered", "end_not_approved"},
                         [], {"P1": "not_approved", "PKT": "not_approved",
                              "P2": "not_approved"}),
    "chair-does-not-propose": ([*BK_SIGNED[:3], ("sign_proposal", "chair", chair("reject"))],
                               {"end_not_sent", "end_not_approved"}, [],
                               {"P1": "not_approved", "PKT": "not_approved",
                                "P2": "not_approved"}),
}


@pytest.mark.parametrize("path", list(PATHS))
def test_every_gateway_branch_end_to_end(office: Office, path: str) -> None:
    steps, ends, registry, statuses = PATHS[path]
    inst = office.start()
    for name, who, data in steps:
        inst = office.complete(only_task(inst, name), who, data)
    assert inst["status"] == "completed", inst.get("error")
    assert office.ends_reached(inst["id"]) == (ends if isinstance(ends, set) else {ends})
    assert office.registry() == registry
    assert office.nominations(inst["id"]) == statuses
    assert inst["data"]["movement"]["code"] == steps[0][2]["movement_code"]
    assert inst["data"]["nominated"]["kind"] == "thematic"
    to_province = steps[0][2]["award_code"] == "BK_TINH"
    assert inst["data"]["nominated"]["within_office_power"] is not to_province
    if registry:
        assert inst["data"]["decision_no"] == registry[0][4]
        assert inst["data"]["registry"]["total_bonus"] == sum(row[6] for row in registry)
    else:
        assert "registry" not in inst["data"]
    if to_province:  # the office numbered no decision of its own
        assert "decision_issued" not in inst["data"]
        assert inst["data"]["outcome"] == steps[-1][2].get("outcome", "not_proposed")
    elif not registry:
        assert "decision_no" not in inst["data"]


BAD_PROPOSALS: dict[str, tuple[dict[str, Any], str, str]] = {
    "no movement": ({k: v for k, v in PROPOSAL.items() if k != "movement_code"},
                    "data.invalid", "movement_code"),
    "a title, not a form": ({**PROPOSAL, "award_code": "LDTT"}, "data.invalid", "award_code"),
    "unknown movement": ({**PROPOSAL, "movement_code": "NO_SUCH"}, "thematic.invalid",
                         "movement_code"),
    "annual movement": ({**PROPOSAL, "movement_code": "TDHN2026"}, "thematic.invalid",
                        "movement_code"),
    "another unit's movement": ({**PROPOSAL, "movement_code": "TP2026"}, "thematic.invalid",
                                "movement_code"),
    "movement of another year": ({**PROPOSAL, "movement_code": "CDS2025"}, "nomination.invalid",
                                 "movement_code"),
    "another unit's person": ({**PROPOSAL, "subjects": ["P1", "P9"]}, "nomination.invalid",
                              "subjects"),
    "unknown person": ({**PROPOSAL, "subjects": ["NOBODY"]}, "nomination.invalid", "subjects"),
    "province form in the office's movement": ({**PROPOSAL, "award_code": "BK_TINH"},
                                               "thematic.invalid", "award_code"),
    "a national form": ({**BK_PROPOSAL, "award_code": "BK_TTG"}, "data.invalid", "award_code"),
}


@pytest.mark.parametrize("case", list(BAD_PROPOSALS))
def test_bad_proposals_are_refused_and_change_nothing(office: Office, case: str) -> None:
    data, code, field = BAD_PROPOSALS[case]
    inst = office.start()
    task = only_task(inst, "propose")
    before = office.state(inst["id"])
    with pytest.raises(InvalidData) as err:
        office.complete(task, "sub", data)
    assert err.value.code == code
    assert field in err.value.details
    assert office.state(inst["id"]) == before
    assert only_task(office.complete(task, "sub", PROPOSAL), "appraise")


def test_forms_above_the_office_power_are_refused(office: Office) -> None:
    """The catalogue, not the code, says who decides: a GK moved up is refused here."""
    with office.db.write_session() as s:
        s.execute(update(AwardType).where(AwardType.code == "GK").values(level="province"))
        s.commit()
    inst = office.start()
    before = office.state(inst["id"])
    with pytest.raises(InvalidData) as err:
        office.complete(only_task(inst, "propose"), "sub", PROPOSAL)
    assert err.value.code == "thematic.invalid" and list(err.value.details) == ["award_code"]
    assert office.state(inst["id"]) == before


def test_council_may_pass_only_candidates(office: Office) -> None:
    inst = office.start()
    inst = office.complete(only_task(inst, "propose"), "sub", {**PROPOSAL,
                                                                "subjects": ["P1", "P3"]})
    inst = office.complete(only_task(inst, "appraise"), "sec", appraisal("approve"))
    task = only_task(inst, "council_review")
    before = office.state(inst["id"])
    with pytest.raises(InvalidData):
        office.complete(task, "council", council("P1", "P3"))  # P3 was not eligible
    assert office.state(inst["id"]) == before


def test_lanes_gate_who_acts(office: Office) -> None:
    with pytest.raises(Forbidden):
        office.start("sec")
    inst = office.start()
    task = only_task(inst, "propose")
    with pytest.raises(NotFound):
        office.complete(task, "sub_other", PROPOSAL)
    task = only_task(office.complete(task, "sub", PROPOSAL), "appraise")
    for intruder in ("sub", "council", "chair"):
        with pytest.raises(Forbidden):
            office.complete(task, intruder, appraisal("approve"))
    task = only_task(office.complete(task, "sec", appraisal("approve")), "council_review")
    for intruder in ("sec", "chair"):
        with pytest.raises(Forbidden):
            office.complete(task, intruder, council("P1"))
    task = only_task(office.complete(task, "council", council("P1")), "decide")
    for intruder in ("sec", "council"):
        with pytest.raises(Forbidden):
            office.complete(task, intruder, chair("approve"))


def test_diagram_is_complete_for_the_modeler() -> None:
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

