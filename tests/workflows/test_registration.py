"""bpmn/emulation_registration.bpmn end to end (đăng ký thi đua), through the service layer.

A unit registers the titles its people and itself aim for; the lines become
``Registration`` rows (``submitted``) linked to the instance; Phòng TCHCQT accepts
(``accepted``: now eligibility counts them), returns for correction (the rows follow
the corrected list) or rejects (``rejected``: the rows stay as history). A list sent
after the year's deadline is recorded with a warning. Each engine call runs in its own
write session, as in production.
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
from engine.extensions import ServiceCall
from engine.roles import SYSTEM, Actor
from engine.service import ProcessEngine
from engine.store.db import Database
from engine.store.models import ProcessInstance
from engine.store.serializer import load_state
from workflows import build_engine
from workflows.handlers import registration as handlers
from workflows.handlers.registration import record_registrations
from workflows.history import registration_of
from workflows.models import EmulationMovement, Person, Registration, Setting

BPMN_FILE = Path(__file__).resolve().parents[2] / "bpmn" / "emulation_registration.bpmn"
KEY = "emulation_registration"
NS = {"bpmn": "http://www.omg.org/spec/BPMN/20100524/MODEL",
      "bpmndi": "http://www.omg.org/spec/BPMN/20100524/DI"}
ENDS = {"end_recorded", "end_cancelled"}
ROLE = {"register": "submitter", "correct": "submitter", "review": "secretariat"}
HAS_DUE = {"register": False, "correct": True, "review": True}
ON_TIME = {"deadline": "2026-03-31", "late": False, "warnings": []}

FORM = {"year": 2026, "movement_code": "PT2026", "entries": [
    {"subject_code": "P1", "award_code": "LDTT"},
    {"subject_code": "P1", "award_code": "CSTD_CS"},
    {"subject_code": "P2", "award_code": "LDTT"},
    {"subject_code": "PKT", "award_code": "TTLDTT"},
]}
CORRECTED = {"year": 2026, "movement_code": None, "entries": [
    {"subject_code": "P1", "award_code": "LDTT"},
    {"subject_code": "P2", "award_code": "CSTD_CS"},
    {"subject_code": "PKT", "award_code": "TTLDTT"},
]}


def decision(value: str, comment: str = "") -> dict[str, Any]:
    return {"decision": value, "comment": comment}


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

    def rows(self) -> list[tuple[Any, ...]]:
        """Every registration as (year, subject, award, movement code, unit, instance, status)."""
        with self.db.session() as s:
            return [tuple(r) for r in s.execute(
                select(Registration.year, Registration.subject_code, Registration.award_code,
                       EmulationMovement.code, Registration.unit_code, Registration.instance_id,
                       Registration.status)
                .outerjoin(EmulationMovement, EmulationMovement.id == Registration.movement_id)
                .order_by(Registration.subject_code, Registration.award_code)).all()]

    def state(self, instance_id: int) -> tuple[Any, ...]:
        """What a refused command must leave unchanged."""
        with self.db.session() as s:
            inst = s.get(ProcessInstance, instance_id)
            assert inst is not None
            return inst.lock_version, inst.status, inst.state_json, self.rows()

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
    monkeypatch.setattr(handlers, "office_today", lambda: date(2026, 3, 2))  # before 31/03
    monkeypatch.setattr(identity, "_HASHER",
                        PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))
    db = Database(db_url)
    eng = build_engine()
    users = (("sub", ["submitter"], "PKT"), ("sub_other", ["submitter"], "PTP"),
             ("sub_office", ["submitter"], "VP"), ("sec", ["secretariat"], "TCHCQT"))
    actors: dict[str, Actor] = {}
    with db.write_session() as s:
        identity.create_unit(s, SYSTEM, "VP", "Văn phòng UBND tỉnh")
        for code, name in (("PKT", "Phòng Kinh tế"), ("PTP", "Phòng Tư pháp"),
                           ("TCHCQT", "Phòng Tổ chức - Hành chính - Quản trị")):
            identity.create_unit(s, SYSTEM, code, name, "VP")
        s.flush()
        s.add_all([Person(code="P1", full_name="Nguyễn Văn An", unit_code="PKT"),
                   Person(code="P2", full_name="Trần Thị Bình", unit_code="PKT"),
                   Person(code="P3", full_name="Lê Văn Cường", unit_code="PTP"),
                   Person(code="P4", full_name="Phạm Văn Dũng", unit_code="PKT", active=False),
                   EmulationMovement(code="PT2026", name="Thi đua chuyển đổi số",
                                     kind="annual", year=2026, start_date=date(2026, 1, 5)),
                   EmulationMovement(code="PT2025", name="Thi đua cải cách hành chính",
                                     kind="annual", year=2025, start_date=date(2025, 1, 5)),
                   EmulationMovement(code="PT_TP", name="Phong trào riêng của Phòng Tư pháp",
                                     kind="thematic", year=2026, start_date=date(2026, 3, 1),
                                     target_units=["PTP"])])
        for username, roles, unit in users:
            user = identity.create_user(s, SYSTEM, username, "password1", roles,
                                        eng.settings.roles, unit)
            actors[username] = identity.actor_of(user)
        s.commit()
    with db.write_session() as s:
        deployed = eng.deploy(s, BPMN_FILE.read_bytes(), SYSTEM, BPMN_FILE.name)
    assert deployed["key"] == KEY and deployed["created"]
    assert deployed["name"] == "Đăng ký thi đua"
    yield Office(db, eng, actors)
    db.engine.dispose()


def only_task(inst: dict[str, Any], name: str, unit: str = "PKT") -> dict[str, Any]:
    assert inst["status"] == "running", inst.get("error")
    assert [t["name"] for t in inst["tasks"]] == [name]
    task = inst["tasks"][0]
    assert task["role"] == ROLE[name] and task["unit"] == unit
    if HAS_DUE[name]:
        assert datetime.fromisoformat(task["due_at"]) > datetime.fromisoformat(task["created_at"])
    else:
        assert task["due_at"] is None
    return task


def registered(iid: int, lines: dict[str, Any], movement: str | None,
               status: str = "submitted") -> list[tuple[Any, ...]]:
    units = {"P1": "PKT", "P2": "PKT", "P3": "PTP", "PKT": "PKT", "PTP": "PTP"}
    return sorted((2026, e["subject_code"], e["award_code"], movement, units[e["subject_code"]],
                   iid, status) for e in lines["entries"])


def counted(office: Office, subject: str, award: str) -> bool:
    """Whether eligibility finds the registration (only accepted ones count)."""
    with office.db.session() as s:
        return registration_of(s, subject, award, 2026) is not None


def test_accepted_registration_is_recorded(office: Office) -> None:
    inst = office.start("sub")
    inst = office.complete(only_task(inst, "register"), "sub", FORM)
    assert inst["data"]["registered"] == {"year": 2026, "count": 4, "created": 4,
                                          "unchanged": 0, "updated": 0, "removed": 0, **ON_TIME}
    iid = inst["id"]
    assert office.rows() == registered(iid, FORM, "PT2026")
    assert not counted(office, "P1", "LDTT")  # submitted, not yet accepted
    inst = office.complete(only_task(inst, "review"), "sec", decision("approve"))
    assert inst["status"] == "completed" and inst["tasks"] == []
    assert office.ends_reached(iid) == {"end_recorded"}
    assert inst["data"]["registration_status"] == {"status": "accepted", "count": 4}
    assert office.rows() == registered(iid, FORM, "PT2026", "accepted")
    assert counted(office, "P1", "LDTT") and counted(office, "PKT", "TTLDTT")


def test_returned_registration_is_corrected_then_accepted(office: Office) -> None:
    inst = office.start("sub")
    inst = office.complete(only_task(inst, "register"), "sub", FORM)
    iid = inst["id"]
    inst = office.complete(only_task(inst, "review"), "sec",
                           decision("return", "Bà Bình đăng ký CSTĐ cơ sở, không phải LĐTT."))
    assert office.rows() == registered(iid, FORM, "PT2026")  # unchanged until corrected
    inst = office.complete(only_task(inst, "correct"), "sub", CORRECTED)
    assert inst["data"]["registered"] == {"year": 2026, "count": 3, "created": 1,
                                          "unchanged": 0, "updated": 2, "removed": 2, **ON_TIME}
    assert office.rows() == registered(iid, CORRECTED, None)
    inst = office.complete(only_task(inst, "review"), "sec", decision("return"))
    inst = office.complete(only_task(inst, "correct"), "sub", CORRECTED)  # same list again
    assert inst["data"]["registered"] == {"year": 2026, "count": 3, "created": 0,
                                          "unchanged": 3, "updated": 0, "removed": 0, **ON_TIME}
    inst = office.complete(only_task(inst, "review"), "sec", decision("approve"))
    assert inst["status"] == "completed"
    assert office.ends_reached(iid) == {"end_recorded"}
    assert office.rows() == registered(iid, CORRECTED, None, "accepted")


def test_rejected_registration_keeps_its_rows_as_history(office: Office) -> None:
    first = office.start("sub")
    first = office.complete(only_task(first, "register"), "sub", CORRECTED)
    first = office.complete(only_task(first, "review"), "sec", decision("approve"))
    kept = registered(first["id"], CORRECTED, None, "accepted")

    inst = office.start("sub")
    inst = office.complete(only_task(inst, "register"), "sub", FORM)
    # Lines CORRECTED already registered stay with the first instance; the rest are new.
    assert inst["data"]["registered"]["created"] == 2
    assert inst["data"]["registered"]["unchanged"] == 2
    assert len(office.rows()) == 5
    inst = office.complete(only_task(inst, "review"), "sec",
                           decision("reject", "Đăng ký quá hạn."))
    assert inst["status"] == "completed"
    assert office.ends_reached(inst["id"]) == {"end_cancelled"}
    assert inst["data"]["registration_status"] == {"status": "rejected", "count": 2}
    rejected = [r for r in registered(inst["id"], FORM, "PT2026", "rejected")
                if r[1:3] in {("P1", "CSTD_CS"), ("P2", "LDTT")}]
    assert office.rows() == sorted(kept + rejected)
    assert counted(office, "P1", "LDTT") and not counted(office, "P1", "CSTD_CS")

    # A later registration may take a rejected line up again; the accepted ones stay put.
    again = office.start("sub")
    form = {"year": 2026, "entries": [{"subject_code": "P1", "award_code": "CSTD_CS"},
                                      {"subject_code": "P1", "award_code": "LDTT"}]}
    again = office.complete(only_task(again, "register"), "sub", form)
    assert (again["data"]["registered"]["created"],
            again["data"]["registered"]["unchanged"]) == (1, 1)
    again = office.complete(only_task(again, "review"), "sec", decision("approve"))
    assert counted(office, "P1", "CSTD_CS")
    with office.db.session() as s:
        owners = dict(s.execute(select(Registration.award_code, Registration.instance_id)
                                .where(Registration.subject_code == "P1")).all())
    assert owners == {"LDTT": first["id"], "CSTD_CS": again["id"]}


@pytest.mark.parametrize(("today", "late"), [(date(2026, 3, 31), False),
                                             (date(2026, 4, 1), True)])
def test_a_late_registration_is_recorded_with_a_warning(
        office: Office, monkeypatch: pytest.MonkeyPatch, today: date, late: bool) -> None:
    monkeypatch.setattr(handlers, "office_today", lambda: today)
    inst = office.complete(only_task(office.start("sub"), "register"), "sub", FORM)
    got = inst["data"]["registered"]
    assert (got["deadline"], got["late"]) == ("2026-03-31", late)
    assert got["warnings"] == ([
        "Đăng ký sau hạn: hạn đăng ký thi đua năm 2026 là 31/03/2026, bản đăng ký gửi ngày "
        "01/04/2026."] if late else [])
    only_task(inst, "review")  # a warning, not a refusal: the secretariat decides
    with office.db.write_session() as s:  # the office moves its deadline
        s.get(Setting, "registration_deadline").value = "04-15"  # type: ignore[union-attr]
        s.commit()
    inst = office.complete(only_task(inst, "review"), "sec", decision("return"))
    inst = office.complete(only_task(inst, "correct"), "sub", FORM)
    assert (inst["data"]["registered"]["late"], inst["data"]["registered"]["warnings"]) == (
        False, [])


def test_office_wide_registration_covers_every_unit(office: Office) -> None:
    form = {"year": 2026, "entries": [{"subject_code": "P1", "award_code": "LDTT"},
                                      {"subject_code": "P3", "award_code": "LDTT"},
                                      {"subject_code": "PTP", "award_code": "TTLDTT"}]}
    inst = office.start("sub_office")
    inst = office.complete(only_task(inst, "register", "VP"), "sub_office", form)
    assert inst["data"]["registered"]["created"] == 3
    assert [(r[1], r[4]) for r in office.rows()] == [("P1", "PKT"), ("P3", "PTP"),
                                                     ("PTP", "PTP")]


def test_recording_is_idempotent(office: Office) -> None:
    inst = office.complete(only_task(office.start("sub"), "register"), "sub", FORM)
    before = office.rows()
    with office.db.write_session() as s:
        call = ServiceCall(s, inst["id"], KEY, "record", office.actors["sub"], dict(FORM))
        assert record_registrations(call)["unchanged"] == 4
        s.commit()
    assert office.rows() == before
    with office.db.write_session() as s:  # a malformed deadline setting: no warning, no error
        s.get(Setting, "registration_deadline").value = "31/3"  # type: ignore[union-attr]
        call = ServiceCall(s, inst["id"], KEY, "record", office.actors["sub"], dict(FORM))
        assert {k: v for k, v in record_registrations(call).items()
                if k in ("deadline", "late", "warnings")} == {"deadline": None, "late": False,
                                                               "warnings": []}


BAD_LINES: dict[str, tuple[dict[str, Any], dict[str, Any]]] = {
    "unknown title": ({"subject_code": "P1", "award_code": "HUAN_CHUONG"}, {"award_code"}),
    "unknown subject": ({"subject_code": "NOBODY", "award_code": "LDTT"}, {"subject_code"}),
    "other unit's person": ({"subject_code": "P3", "award_code": "LDTT"}, {"subject_code"}),
    "other unit": ({"subject_code": "PTP", "award_code": "TTLDTT"}, {"subject_code"}),
    "person left": ({"subject_code": "P4", "award_code": "LDTT"}, {"subject_code"}),
    "collective title for a person": ({"subject_code": "P1", "award_code": "TTLDTT"},
                                      {"award_code"}),
    "individual title for a unit": ({"subject_code": "PKT", "award_code": "CSTD_CS"},
                                    {"award_code"}),
}


@pytest.mark.parametrize("case", list(BAD_LINES))
def test_bad_lines_are_refused_and_change_nothing(office: Office, case: str) -> None:
    line, fields = BAD_LINES[case]
    inst = office.start("sub")
    task = only_task(inst, "register")
    before = office.state(inst["id"])
    form = {**FORM, "entries": [*FORM["entries"], line]}
    with pytest.raises(InvalidData) as err:
        office.complete(task, "sub", form)
    # a title not in the catalogue's list is refused by the form (the list the page offers),
    # named by the catalogue's titles; the rest by the handler, against the database
    assert err.value.code == ("data.invalid" if case == "unknown title"
                              else "registration.invalid")
    if case == "unknown title":
        message = err.value.details["entries"][4]["award_code"][0]
        assert "«HUAN_CHUONG» không có trong danh sách" in message
        assert "Lao động tiên tiến, Chiến sĩ thi đua cơ sở" in message
    assert set(err.value.details["entries"]) == {4}  # only the bad line, by its index
    assert set(err.value.details["entries"][4]) == fields
    assert office.state(inst["id"]) == before
    # The same task still takes a good list.
    assert office.complete(task, "sub", FORM)["tasks"][0]["name"] == "review"


@pytest.mark.parametrize("movement", ["NO_SUCH", "PT2025", "PT_TP"])
def test_bad_movement_is_refused(office: Office, movement: str) -> None:
    inst = office.start("sub")
    before = office.state(inst["id"])
    with pytest.raises(InvalidData) as err:
        office.complete(only_task(inst, "register"), "sub", {**FORM, "movement_code": movement})
    assert list(err.value.details) == ["movement_code"]
    assert office.state(inst["id"]) == before


BAD_FORMS = {
    "no lines": {**FORM, "entries": []},
    "too many lines": {**FORM, "entries": [{"subject_code": f"X{i}", "award_code": "LDTT"}
                                           for i in range(501)]},
    "duplicate line": {**FORM, "entries": [*FORM["entries"], FORM["entries"][0]]},
    "year as text": {**FORM, "year": "2026"},
    "year out of range": {**FORM, "year": 1990},
    "line without title": {**FORM, "entries": [{"subject_code": "P1"}]},
}


@pytest.mark.parametrize("case", list(BAD_FORMS))
def test_malformed_forms_are_refused(office: Office, case: str) -> None:
    inst = office.start("sub")
    before = office.state(inst["id"])
    with pytest.raises(InvalidData) as err:
        office.complete(only_task(inst, "register"), "sub", BAD_FORMS[case])
    assert err.value.code == "data.invalid"
    assert office.state(inst["id"]) == before
    if case == "duplicate line":
        assert err.value.details == {"entries": {4: {"subject_code": [
            "Trùng với dòng 1 (cùng đối tượng, cùng danh hiệu)."]}}}


def test_lanes_gate_who_acts(office: Office) -> None:
    inst = office.start("sub")
    task = only_task(inst, "register")
    with pytest.raises(NotFound):
        office.complete(task, "sub_other", FORM)
    with pytest.raises(Forbidden):
        office.complete(task, "sec", FORM)
    task = only_task(office.complete(task, "sub", FORM), "review")
    with pytest.raises(Forbidden):
        office.complete(task, "sub", decision("approve"))
    with pytest.raises(Forbidden):
        office.start("sec")  # the start event sits in the submitter lane
    with office.db.session() as s:
        assert s.scalar(select(func.count()).select_from(Registration)) == 4


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
