"""bpmn/award_revocation.bpmn end to end (hủy bỏ khen thưởng, Luật Điều 93).

Phòng TCHCQT opens a case on a registry entry, the council recommends; an award the
office decided (catalogue level "office") is revoked by the Chánh Văn phòng under an
office decision number, a provincial one is proposed to the province (call activity
province_forwarding) and revoked under the province's decision. The registry row is
marked revoked, never deleted, with the bonus to recover. Each engine call runs in its
own write session, as in production.
"""

from __future__ import annotations

import json
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
from engine.errors import Forbidden, InvalidData
from engine.extensions import ServiceCall
from engine.roles import SYSTEM, Actor
from engine.service import ProcessEngine
from engine.store.db import Database
from engine.store.models import AuditEvent, ProcessInstance
from engine.store.serializer import load_state
from workflows import build_engine
from workflows.handlers.registry import office_today
from workflows.handlers.revocation import revoke_award
from workflows.models import Award, DecisionCounter, Person

BPMN_DIR = Path(__file__).resolve().parents[2] / "bpmn"
BPMN_FILE = BPMN_DIR / "award_revocation.bpmn"
KEY = "award_revocation"
NS = {"bpmn": "http://www.omg.org/spec/BPMN/20100524/MODEL",
      "bpmndi": "http://www.omg.org/spec/BPMN/20100524/DI"}
ENDS = {"end_revoked", "end_kept", "end_answered", "end_not_sent"}
ROLE = {"request": "secretariat", "review": "council", "decide": "chair",
        "sign_proposal": "chair", "prepare_dossier": "secretariat",
        "send_to_province": "secretariat", "record_answer": "secretariat"}
DUE = {"request": False, "review": True, "decide": True, "sign_proposal": True,
       "prepare_dossier": True, "send_to_province": True, "record_answer": True}
REASON = "Kê khai sáng kiến không đúng sự thật (kết luận thanh tra số 12/KL-TTr)."
CSTD_BONUS, BK_BONUS = 2_340_000, 3_510_000
SENT = ("send_to_province", "sec", {"sent_date": "2026-11-02"})


def case(award_id: int, reason: str = REASON) -> dict[str, Any]:
    return {"award_id": award_id, "reason": reason, "evidence_summary": "Kết luận thanh tra."}


def review(value: str) -> dict[str, Any]:
    return {"recommend": value, "comment": ""}


def decision(value: str) -> dict[str, Any]:
    return {"decision": value, "comment": ""}


@dataclass
class Office:
    db: Database
    eng: ProcessEngine
    actors: dict[str, Actor]
    award_id: int = 0  # CSTĐ cơ sở 2024 of P1 (the office decided it), to be revoked
    revoked_id: int = 0  # an entry revoked earlier
    province_id: int = 0  # Bằng khen of the province 2024 of P1 (the province decided it)

    def write(self, fn: Any, *args: Any) -> Any:
        with self.db.write_session() as s:
            return fn(s, *args)

    def start(self, who: str = "sec") -> dict[str, Any]:
        return self.write(self.eng.start_instance, KEY, self.actors[who])

    def complete(self, task: dict[str, Any], who: str, data: dict[str, Any]) -> dict[str, Any]:
        return self.write(self.eng.complete_task, task["id"], self.actors[who], data)

    def registry(self) -> list[tuple[Any, ...]]:
        with self.db.session() as s:
            return [tuple(r) for r in s.execute(
                select(Award.id, Award.subject_code, Award.award_code, Award.decision_no,
                       Award.revoked, Award.revoked_decision_no, Award.revoked_date,
                       Award.revoked_reason).order_by(Award.id)).all()]

    def numbers_taken(self, series: str = "QĐ-VP") -> int:
        """Numbers taken from a register: office decisions (QĐ-VP) or tờ trình (TTr-VP)."""
        with self.db.session() as s:
            return int(s.scalar(select(func.coalesce(func.sum(DecisionCounter.last_number), 0))
                                .where(DecisionCounter.series == series)))

    def revoked_events(self, instance_id: int) -> list[dict[str, Any]]:
        with self.db.session() as s:
            return [json.loads(p) for p in s.scalars(
                select(AuditEvent.payload).where(AuditEvent.instance_id == instance_id,
                                                 AuditEvent.event_type == "award.revoked"))]

    def state(self, instance_id: int) -> tuple[Any, ...]:
        with self.db.session() as s:
            inst = s.get(ProcessInstance, instance_id)
            assert inst is not None
            audits = s.scalar(select(func.count()).select_from(AuditEvent))
            return inst.lock_version, inst.state_json, audits, self.registry(), \
                self.numbers_taken(), self.numbers_taken("TTr-VP")

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
    users = (("sec", ["secretariat"], "TCHCQT"), ("council", ["council"], None),
             ("chair", ["chair"], None), ("sub", ["submitter"], "PKT"))
    actors: dict[str, Actor] = {}
    with db.write_session() as s:
        identity.create_unit(s, SYSTEM, "PKT", "Phòng Kinh tế")
        identity.create_unit(s, SYSTEM, "TCHCQT", "Phòng Tổ chức - Hành chính - Quản trị")
        s.flush()
        s.add(Person(code="P1", full_name="Nguyễn Văn An", unit_code="PKT"))
        kept = Award(year=2024, subject_code="P1", award_code="LDTT", kind="annual",
                     decision_no="5/QĐ-VP", decision_date=date(2024, 12, 20), source="import")
        target = Award(year=2024, subject_code="P1", award_code="CSTD_CS", kind="annual",
                       decision_no="5/QĐ-VP", decision_date=date(2024, 12, 20),
                       source="import", bonus_amount=2340000)
        old = Award(year=2023, subject_code="PKT", award_code="TTLDTT", kind="annual",
                    decision_no="9/QĐ-VP", decision_date=date(2023, 12, 22), source="import",
                    revoked=True, revoked_decision_no="2/QĐ-VP", revoked_date=date(2024, 3, 1),
                    revoked_reason="Không đủ điều kiện.")
        provincial = Award(year=2024, subject_code="P1", award_code="BK_TINH", kind="adhoc",
                           decision_no="88/QĐ-UBND", decision_date=date(2024, 12, 25),
                           source="import", bonus_amount=BK_BONUS)
        s.add_all([kept, target, old, provincial])
        for username, roles, unit in users:
            user = identity.create_user(s, SYSTEM, username, "password1", roles,
                                        eng.settings.roles, unit)
            actors[username] = identity.actor_of(user)
        s.commit()
        award_id, revoked_id, province_id = target.id, old.id, provincial.id
    with db.write_session() as s:  # the called process first
        eng.deploy(s, (BPMN_DIR / "province_forwarding.bpmn").read_bytes(), SYSTEM,
                   "province_forwarding.bpmn")
    with db.write_session() as s:
        deployed = eng.deploy(s, BPMN_FILE.read_bytes(), SYSTEM, BPMN_FILE.name)
    assert deployed["key"] == KEY and deployed["created"]
    assert deployed["name"] == "Hủy bỏ quyết định khen thưởng"
    yield Office(db, eng, actors, award_id, revoked_id, province_id)
    db.engine.dispose()


def only_task(inst: dict[str, Any], name: str) -> dict[str, Any]:
    assert inst["status"] == "running", inst.get("error")
    assert [t["name"] for t in inst["tasks"]] == [name]
    task = inst["tasks"][0]
    assert task["role"] == ROLE[name]
    if DUE[name]:
        assert datetime.fromisoformat(task["due_at"]) > datetime.fromisoformat(task["created_at"])
    else:
        assert task["due_at"] is None
    return task


def walk(office: Office, steps: list[tuple[str, str, dict[str, Any]]]) -> dict[str, Any]:
    inst = office.start()
    for name, who, data in steps:
        inst = office.complete(only_task(inst, name), who, data)
    return inst


def test_revocation_marks_the_entry_and_keeps_it(office: Office) -> None:
    before = office.registry()
    inst = walk(office, [("request", "sec", case(office.award_id)),
                         ("review", "council", review("revoke")),
                         ("decide", "chair", decision("approve"))])
    assert inst["status"] == "completed", inst.get("error")
    assert office.ends_reached(inst["id"]) == {"end_revoked"}
    today = office_today()
    number = "01/QĐ-VP"
    award = inst["data"]["award"]
    assert award["subject_name"] == "Nguyễn Văn An"
    assert award["award_name"] == "Chiến sĩ thi đua cơ sở"
    assert (award["level"], award["bonus_amount"]) == ("office", CSTD_BONUS)
    assert "Chánh Văn phòng" in award["decided_by"]
    assert (inst["data"]["decision_no"], inst["data"]["decision_date"]) == \
        (number, today.isoformat())
    assert inst["data"]["revocation"] == {"award_id": office.award_id, "revoked": True,
                                          "revoked_decision_no": number,
                                          "revoked_date": today.isoformat(),
                                          "bonus_to_recover": CSTD_BONUS}
    after = office.registry()
    assert len(after) == len(before) == 4  # nothing deleted
    assert [r for r in after if r[0] != office.award_id] == \
        [r for r in before if r[0] != office.award_id]
    assert next(r for r in after if r[0] == office.award_id) == (
        office.award_id, "P1", "CSTD_CS", "5/QĐ-VP", True, number, today, REASON)
    assert office.numbers_taken() == 1 and office.numbers_taken("TTr-VP") == 0
    [event] = office.revoked_events(inst["id"])
    assert (event["award_id"], event["revoked_decision_no"], event["bonus_to_recover"]) == \
        (office.award_id, number, CSTD_BONUS)
    assert "document_no" not in inst["data"]  # nothing went to the province


def province_steps(outcome: str | None) -> list[tuple[str, str, dict[str, Any]]]:
    """From the council's recommendation on a provincial award to the province's answer."""
    steps = [("request", "sec", case(0)), ("review", "council", review("revoke"))]
    if outcome is None:  # the Chánh Văn phòng does not sign the tờ trình
        return [*steps, ("sign_proposal", "chair", decision("reject"))]
    answer: dict[str, Any] = {"outcome": outcome}
    if outcome == "approved":
        answer |= {"decision_no": "21/QĐ-UBND", "decision_date": "2026-11-20"}
    return [*steps, ("sign_proposal", "chair", decision("approve")), SENT,
            ("record_answer", "sec", answer)]


def test_a_provincial_award_is_revoked_under_the_province_decision(office: Office) -> None:
    before = office.registry()
    steps = province_steps("approved")
    steps[0] = ("request", "sec", case(office.province_id))
    inst = walk(office, steps)
    assert inst["status"] == "completed", inst.get("error")
    assert office.ends_reached(inst["id"]) == {"end_answered", "end_revoked"}
    award = inst["data"]["award"]
    assert (award["award_code"], award["level"], award["decided_by"], award["bonus_amount"]) == \
        ("BK_TINH", "province", "Chủ tịch UBND tỉnh", BK_BONUS)
    assert inst["data"]["document_no"] == "01/TTr-VP"  # the office's tờ trình, numbered
    assert inst["data"]["revocation"] == {"award_id": office.province_id, "revoked": True,
                                          "revoked_decision_no": "21/QĐ-UBND",
                                          "revoked_date": "2026-11-20",
                                          "bonus_to_recover": BK_BONUS}
    after = office.registry()
    assert [r for r in after if r[0] != office.province_id] == \
        [r for r in before if r[0] != office.province_id]
    assert next(r for r in after if r[0] == office.province_id) == (
        office.province_id, "P1", "BK_TINH", "88/QĐ-UBND", True, "21/QĐ-UBND",
        date(2026, 11, 20), REASON)
    assert office.numbers_taken() == 0  # no office decision: the province decided
    assert office.numbers_taken("TTr-VP") == 1
    [event] = office.revoked_events(inst["id"])
    assert (event["revoked_decision_no"], event["bonus_to_recover"]) == ("21/QĐ-UBND", BK_BONUS)


@pytest.mark.parametrize("outcome, ends, proposals", [
    ("rejected", {"end_answered", "end_kept"}, 1),
    (None, {"end_not_sent", "end_kept"}, 0),
], ids=["province-refuses", "chair-does-not-propose"])
def test_a_provincial_award_not_revoked_by_the_province_is_kept(
        office: Office, outcome: str | None, ends: set[str], proposals: int) -> None:
    before = office.registry()
    steps = province_steps(outcome)
    steps[0] = ("request", "sec", case(office.province_id))
    inst = walk(office, steps)
    assert inst["status"] == "completed", inst.get("error")
    assert office.ends_reached(inst["id"]) == ends
    assert inst["data"]["outcome"] == (outcome or "not_proposed")
    assert office.registry() == before
    assert office.numbers_taken() == 0 and office.numbers_taken("TTr-VP") == proposals
    assert "revocation" not in inst["data"] and office.revoked_events(inst["id"]) == []


def test_the_chair_revokes_only_what_the_office_decided(office: Office) -> None:
    """The level comes from the catalogue: the provincial award never reaches ``decide``."""
    inst = walk(office, [("request", "sec", case(office.province_id)),
                         ("review", "council", review("revoke"))])
    task = only_task(inst, "sign_proposal")
    assert task["role"] == "chair"
    inst = walk(office, [("request", "sec", case(office.award_id)),
                         ("review", "council", review("revoke"))])
    assert only_task(inst, "decide")


@pytest.mark.parametrize("steps", [
    [("review", "council", review("keep"))],
    [("review", "council", review("revoke")), ("decide", "chair", decision("reject"))],
], ids=["council-keeps", "chair-rejects"])
def test_kept_awards_stay_as_they_were(office: Office,
                                       steps: list[tuple[str, str, dict[str, Any]]]) -> None:
    before = office.registry()
    inst = walk(office, [("request", "sec", case(office.award_id)), *steps])
    assert inst["status"] == "completed", inst.get("error")
    assert office.ends_reached(inst["id"]) == {"end_kept"}
    assert office.registry() == before
    assert office.numbers_taken() == 0
    assert "revocation" not in inst["data"] and "decision_issued" not in inst["data"]


def test_chair_returns_the_case_for_clarification(office: Office) -> None:
    amended = REASON + " Bổ sung biên bản xác minh."
    inst = walk(office, [("request", "sec", case(office.award_id)),
                         ("review", "council", review("revoke")),
                         ("decide", "chair", decision("return")),
                         ("request", "sec", case(office.award_id, amended)),
                         ("review", "council", review("revoke")),
                         ("decide", "chair", decision("approve"))])
    assert inst["status"] == "completed"
    assert office.ends_reached(inst["id"]) == {"end_revoked"}
    row = next(r for r in office.registry() if r[0] == office.award_id)
    assert row[4:6] == (True, "01/QĐ-VP") and row[7] == amended


def test_second_case_on_a_revoked_award_is_refused(office: Office) -> None:
    """Two cases on one award: the later approval is refused whole, and can only keep."""
    first = walk(office, [("request", "sec", case(office.award_id)),
                          ("review", "council", review("revoke"))])
    second = walk(office, [("request", "sec", case(office.award_id)),
                           ("review", "council", review("revoke"))])
    office.complete(only_task(first, "decide"), "chair", decision("approve"))
    task = only_task(second, "decide")
    before = office.state(second["id"])
    with pytest.raises(InvalidData) as err:
        office.complete(task, "chair", decision("approve"))
    assert err.value.code == "revocation.already_revoked"
    assert "01/QĐ-VP" in err.value.message
    assert office.state(second["id"]) == before  # no number taken, nothing written
    inst = office.complete(task, "chair", decision("reject"))
    assert office.ends_reached(inst["id"]) == {"end_kept"}
    assert office.numbers_taken() == 1


def test_revoking_is_idempotent(office: Office) -> None:
    inst = walk(office, [("request", "sec", case(office.award_id)),
                         ("review", "council", review("revoke")),
                         ("decide", "chair", decision("approve"))])
    before = office.registry()
    with office.db.write_session() as s:
        call = ServiceCall(s, inst["id"], KEY, "revoke", office.actors["chair"],
                           dict(inst["data"]))
        assert revoke_award(call) == inst["data"]["revocation"]
        s.commit()
    assert office.registry() == before


@pytest.mark.parametrize("bad, code, field", [
    ({"award_id": 999}, "revocation.award_not_found", "award_id"),
    ({"award_id": "revoked"}, "revocation.already_revoked", "award_id"),
    ({"award_id": "1"}, "data.invalid", "award_id"),
    ({"reason": "Sai."}, "data.invalid", "reason"),
    ({"reason": None}, "data.invalid", "reason"),
])
def test_bad_cases_are_refused_and_change_nothing(office: Office, bad: dict[str, Any],
                                                  code: str, field: str) -> None:
    if bad.get("award_id") == "revoked":
        bad = {"award_id": office.revoked_id}
    inst = office.start()
    task = only_task(inst, "request")
    before = office.state(inst["id"])
    with pytest.raises(InvalidData) as err:
        office.complete(task, "sec", {**case(office.award_id), **bad})
    assert err.value.code == code
    assert field in err.value.details
    assert office.state(inst["id"]) == before
    assert only_task(office.complete(task, "sec", case(office.award_id)), "review")


def test_lanes_gate_who_acts(office: Office) -> None:
    with pytest.raises(Forbidden):
        office.start("sub")
    with pytest.raises(Forbidden):
        office.start("council")
    inst = office.start()
    task = only_task(inst, "request")
    for intruder in ("council", "chair"):
        with pytest.raises(Forbidden):
            office.complete(task, intruder, case(office.award_id))
    task = only_task(office.complete(task, "sec", case(office.award_id)), "review")
    for intruder in ("sec", "chair"):
        with pytest.raises(Forbidden):
            office.complete(task, intruder, review("revoke"))
    task = only_task(office.complete(task, "council", review("revoke")), "decide")
    for intruder in ("sec", "council"):
        with pytest.raises(Forbidden):
            office.complete(task, intruder, decision("approve"))


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
