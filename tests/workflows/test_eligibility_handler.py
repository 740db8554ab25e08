"""The ``check_eligibility`` service task, run by a real diagram through the engine.

Each engine call is its own write session (the instance is saved and restored between
steps, as in production).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from argon2 import PasswordHasher
from sqlalchemy import select
from test_eligibility_kit import history_on

from engine import identity
from engine.errors import EngineError
from engine.roles import SYSTEM, Actor
from engine.service import ProcessEngine
from engine.store.db import Database
from workflows import build_engine
from workflows.models import Nomination

Y = 2024
KEY = "eligibility_check_test"
BPMN = f"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
  xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core" id="defs"
  targetNamespace="http://bpmn.io/schema/bpmn">
  <bpmn:process id="{KEY}" name="Kiểm tra điều kiện" isExecutable="true">
    <bpmn:startEvent id="start" />
    <bpmn:userTask id="propose" name="Lập danh sách" />
    <bpmn:serviceTask id="check" name="Kiểm tra điều kiện">
      <bpmn:extensionElements>
        <spiffworkflow:serviceTaskOperator id="check_eligibility" resultVariable="eligibility">
          <spiffworkflow:parameters />
        </spiffworkflow:serviceTaskOperator>
      </bpmn:extensionElements>
    </bpmn:serviceTask>
    <bpmn:endEvent id="end" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="propose" />
    <bpmn:sequenceFlow id="f2" sourceRef="propose" targetRef="check" />
    <bpmn:sequenceFlow id="f3" sourceRef="check" targetRef="end" />
  </bpmn:process>
</bpmn:definitions>
""".encode()


@dataclass
class Office:
    db: Database
    eng: ProcessEngine
    submitter: Actor

    def start(self) -> dict[str, Any]:
        with self.db.write_session() as s:
            return self.eng.start_instance(s, KEY, self.submitter)

    def complete(self, inst: dict[str, Any], data: dict[str, Any] | None = None
                 ) -> dict[str, Any]:
        with self.db.write_session() as s:
            return self.eng.complete_task(s, inst["tasks"][0]["id"], self.submitter, data)


@pytest.fixture
def office(db_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[Office]:
    monkeypatch.setattr(identity, "_HASHER",
                        PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))
    with history_on(db_url) as h:
        h.unit("A")
        for code, rating in (("P1", "HTTNV"), ("P2", "HTNV")):
            h.person(code)
            h.rating(code, Y, rating)
        user = identity.create_user(h.s, SYSTEM, "sub_a", "password1", ["submitter"],
                                    ("submitter", "secretariat", "council", "chair", "admin"),
                                    "A")
        h.s.commit()
        actor = identity.actor_of(user)
    db = Database(db_url)
    eng = build_engine()
    with db.write_session() as s:
        eng.deploy(s, BPMN, SYSTEM, "check.bpmn")
    yield Office(db, eng, actor)
    db.dispose()


def test_handler_checks_every_nomination_and_stores_the_verdicts(office: Office) -> None:
    inst = office.start()
    with office.db.write_session() as s:
        for code in ("P1", "P2"):
            s.add(Nomination(instance_id=inst["id"], process_key=KEY, year=Y, award_code="LDTT",
                             subject_code=code, subject_kind="individual", unit_code="A",
                             kind="annual"))
        s.commit()
    done = office.complete(inst)
    assert done["status"] == "completed", done
    result = done["data"]["eligibility"]
    assert result["all_eligible"] is False and result["count"] == 2
    assert result["eligible"] == ["P1"]
    (bad,) = result["ineligible"]
    assert bad["subject_code"] == "P2" and bad["name"] == "Cán bộ P2"
    assert len(bad["failed"]) == 1 and "HTNV" in bad["failed"][0]
    with office.db.session() as s:
        rows = {n.subject_code: n for n in s.scalars(select(Nomination))}
    assert rows["P1"].status == "eligible" and rows["P2"].status == "ineligible"
    assert rows["P1"].eligibility is not None and rows["P1"].eligibility["eligible"] is True
    assert rows["P2"].eligibility is not None
    assert [r["rule"] for r in rows["P2"].eligibility["reasons"] if not r["ok"]] == ["rating"]


def test_handler_without_nominations_reads_the_instance_data(office: Office) -> None:
    done = office.complete(office.start(), {"subjects": ["P1"], "award_code": "LDTT",
                                            "year": Y})
    assert done["data"]["eligibility"] == {"all_eligible": True, "eligible": ["P1"],
                                           "ineligible": [], "count": 1}


def test_handler_refuses_missing_data_and_rolls_back(office: Office) -> None:
    inst = office.start()
    with pytest.raises(EngineError) as exc:
        office.complete(inst, {"subjects": ["P1"]})
    assert exc.value.code == "data.invalid" and "award_code" in exc.value.details
    with pytest.raises(EngineError) as exc:
        office.complete(inst, {"subjects": ["NOBODY"], "award_code": "LDTT", "year": Y})
    assert exc.value.code == "subject.not_found"
    with office.db.session() as s:  # nothing was written: the task is still ready
        assert office.eng.get_instance(s, inst["id"], office.submitter)["tasks"]
