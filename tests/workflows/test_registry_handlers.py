"""The province answer, decision number and registry handlers, called directly.

``record_province_answer`` sets the statuses from the province's answer, ``issue_decision``
takes the next number of the office's register (one at a time, even across processes), and
``update_registry`` writes the approved nominations into the award registry once, with the
bonus. The desk is in ``desk_kit``: each call runs in its own write session and commits.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from desk_kit import BASE_SALARY, SEC, Desk, make_desk, proposal
from sqlalchemy import select

from engine.errors import InvalidData
from engine.extensions import ServiceCall
from engine.store.db import Database
from engine.store.models import ProcessInstance, ProcessModelVersion
from workflows.handlers.nomination import create_nominations, set_nomination_status
from workflows.handlers.province import record_province_answer
from workflows.handlers.registry import compute_bonus, issue_decision, update_registry
from workflows.models import DecisionCounter, Nomination, Setting


@pytest.fixture
def desk(db_url: str) -> Iterator[Desk]:
    made = make_desk(db_url)
    yield made
    made.db.dispose()


def test_province_answer_sets_statuses(desk: Desk) -> None:
    answer = {"decision_no": "15/QĐ-UBND", "decision_date": "2025-12-20"}
    inst = desk.new_instance()
    desk.call(create_nominations, inst, proposal("NV001", "NV002", award="BK_TINH"))
    out = desk.call(record_province_answer, inst, {**answer, "outcome": "approved"})
    assert out["approved_subjects"] == ["NV001", "NV002"]
    assert set(desk.statuses(inst).values()) == {"approved"}
    desk.finish(inst)
    inst = desk.new_instance()
    desk.call(create_nominations, inst, proposal("NV001", "NV002", award="BK_TINH"))
    with pytest.raises(InvalidData):
        desk.call(record_province_answer, inst, {**answer, "outcome": "partial",
                                                 "approved_subjects": ["NV101"]})
    with pytest.raises(InvalidData):
        desk.call(record_province_answer, inst, {"outcome": "partial"})
    desk.call(record_province_answer, inst, {**answer, "outcome": "partial",
                                             "approved_subjects": ["NV002"]})
    assert desk.statuses(inst) == {"NV001": "not_approved", "NV002": "approved"}
    desk.call(record_province_answer, inst, {"outcome": "rejected"})
    assert set(desk.statuses(inst).values()) == {"not_approved"}


# -- decisions --------------------------------------------------------------------------
def test_decision_numbers_are_sequential_per_year_and_series(desk: Desk) -> None:
    inst = desk.new_instance()
    today = datetime.now(ZoneInfo("Asia/Ho_Chi_Minh")).date()
    first = desk.call(issue_decision, inst)
    assert first == {"decision_no": "01/QĐ-VP", "decision_date": today.isoformat(), "number": 1}
    assert desk.call(issue_decision, inst)["decision_no"] == "02/QĐ-VP"
    with desk.db.write_session() as s:  # a number taken by a command that fails is not used
        issue_decision(ServiceCall(s, inst, "p", "t", SEC, {}, {}))
        s.rollback()
    assert desk.call(issue_decision, inst)["number"] == 3
    with desk.db.write_session() as s:
        s.get(Setting, "decision_number_suffix").value = "QĐ-KT"  # type: ignore[union-attr]
        s.add(DecisionCounter(year=today.year - 1, series="QĐ-VP", last_number=41))
        s.commit()
    assert desk.call(issue_decision, inst)["decision_no"] == "01/QĐ-KT"
    with desk.db.session() as s:
        counters = {(c.year, c.series): c.last_number
                    for c in s.scalars(select(DecisionCounter)).all()}
    assert counters == {(today.year, "QĐ-VP"): 3, (today.year, "QĐ-KT"): 1,
                        (today.year - 1, "QĐ-VP"): 41}


def test_concurrent_decisions_wait_for_the_register(pg_url: str) -> None:
    """PostgreSQL: a second command waits on the locked counter and takes the next number."""
    db = Database(pg_url)
    with db.write_session() as s:
        s.add(ProcessModelVersion(process_key="p", version=1, name="p", bpmn_xml="<x/>",
                                  sha256="0" * 64))
        s.flush()
        s.add(ProcessInstance(id=1, model_version_id=1, process_key="p", version=1,
                              state_json="{}", data={}, lock_version=1))
        s.commit()
    desk = Desk(db, 1)
    desk.call(issue_decision, 1)  # the counter row exists
    numbers: list[int] = []
    with db.write_session() as first:
        numbers.append(issue_decision(ServiceCall(first, 1, "p", "t", SEC, {}, {}))["number"])
        waiter = threading.Thread(target=lambda: numbers.append(desk.call(issue_decision,
                                                                          1)["number"]))
        waiter.start()
        time.sleep(0.2)
        assert waiter.is_alive()  # blocked on the row lock
        first.commit()
    waiter.join(5)
    assert numbers == [2, 3]
    db.dispose()


# -- registry ---------------------------------------------------------------------------
def _decided_instance(desk: Desk) -> int:
    inst = desk.new_instance()
    desk.call(create_nominations, inst, proposal("NV001", "NV002", "NV004"))
    desk.call(set_nomination_status, inst, status="voted", subjects=["NV001", "NV002"],
              others="not_approved")
    return inst


def test_update_registry_records_approved_with_bonus_once(desk: Desk) -> None:
    inst = _decided_instance(desk)
    bonus = desk.call(compute_bonus, inst)
    assert bonus == {"amounts": {"NV001": 702_000, "NV002": 702_000}, "total": 1_404_000,
                     "base_salary": BASE_SALARY}
    data = {"decision_no": "1/QĐ-VP", "decision_date": "2026-01-05"}
    out = desk.call(update_registry, inst, data)
    assert [(a["subject_code"], a["award_code"], a["decision_no"], a["bonus_amount"])
            for a in out["awards"]] == [("NV001", "LDTT", "1/QĐ-VP", 702_000),
                                        ("NV002", "LDTT", "1/QĐ-VP", 702_000)]
    assert out["total_bonus"] == 1_404_000
    assert desk.statuses(inst) == {"NV001": "decided", "NV002": "decided",
                                   "NV004": "not_approved"}
    again = desk.call(update_registry, inst, data)
    assert [a["id"] for a in again["awards"]] == [a["id"] for a in out["awards"]]
    awards = desk.awards()
    assert len(awards) == 2
    assert awards[0].decision_date == date(2026, 1, 5) and awards[0].year == 2025
    assert awards[0].kind == "annual" and awards[0].instance_id == inst
    with desk.db.session() as s:
        links = dict(s.execute(select(Nomination.subject_code, Nomination.award_id)
                               .where(Nomination.instance_id == inst)).all())
    assert links == {"NV001": awards[0].id, "NV002": awards[1].id, "NV004": None}


def test_update_registry_takes_the_approved_list(desk: Desk) -> None:
    inst = _decided_instance(desk)
    data = {"decision_no": "15/QĐ-UBND", "decision_date": "2025-12-20",
            "approved_subjects": ["NV002"]}
    with pytest.raises(InvalidData):
        desk.call(update_registry, inst, {**data, "approved_subjects": ["NV101"]})
    with pytest.raises(InvalidData) as err:
        desk.call(update_registry, inst, {"approved_subjects": ["NV002"]})
    assert set(err.value.details) == {"decision_no", "decision_date"}
    out = desk.call(update_registry, inst, data)
    assert [a["subject_code"] for a in out["awards"]] == ["NV002"]
    assert desk.statuses(inst) == {"NV001": "not_approved", "NV002": "decided",
                                   "NV004": "not_approved"}


def test_register_numbers_are_written_as_on_the_document() -> None:
    from workflows.handlers.registry import document_number

    assert document_number(7, "QĐ-VP") == "07/QĐ-VP"  # below 10: a leading 0 (NĐ 30/2020)
    assert document_number(12, "QĐ-VP") == "12/QĐ-VP"
    assert document_number(105, "TTr-VP") == "105/TTr-VP"
