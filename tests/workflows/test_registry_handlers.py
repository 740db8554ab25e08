"""The nomination, dossier, council and registry handlers every procedure reuses, called directly.

Each call runs in its own write session and commits, as a service task does
inside an engine command; the instance rows are made by hand (no diagram).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from engine import identity
from engine.errors import InvalidData
from engine.extensions import ServiceCall
from engine.roles import SYSTEM, Actor
from engine.store.db import Database
from engine.store.models import ProcessInstance, ProcessModelVersion
from workflows.handlers.nomination import (
    check_dossier,
    create_nominations,
    record_complaints,
    record_council_result,
    set_nomination_status,
)
from workflows.handlers.province import record_province_answer
from workflows.handlers.registry import compute_bonus, issue_decision, update_registry
from workflows.models import (
    Attachment,
    Award,
    AwardType,
    DecisionCounter,
    EmulationMovement,
    Nomination,
    Person,
    Setting,
)

SUB_PKT = Actor(id=None, username="sub", roles=frozenset({"submitter"}), unit_code="PKT")
SEC = Actor(id=None, username="sec", roles=frozenset({"secretariat"}), unit_code="TCHCQT")
BASE_SALARY = 2_340_000
PEOPLE = (("NV001", "Nguyễn Văn An", "PKT"), ("NV002", "Trần Thị Bình", "PKT"),
          ("NV004", "Phạm Thị Dung", "PKT_1"), ("NV101", "Hoàng Văn Em", "PTP"))


@dataclass
class Desk:
    """A database with units, people and process instances to hang nominations on."""

    db: Database
    version_id: int

    def new_instance(self, unit: str | None = "PKT") -> int:
        with self.db.write_session() as s:
            inst = ProcessInstance(model_version_id=self.version_id, process_key="p", version=1,
                                   unit_code=unit, state_json="{}", data={}, lock_version=1)
            s.add(inst)
            s.commit()
            return inst.id

    def call(self, handler: Any, instance_id: int, data: dict[str, Any] | None = None,
             actor: Actor = SUB_PKT, **params: Any) -> Any:
        with self.db.write_session() as s:
            result = handler(ServiceCall(s, instance_id, "p", "task", actor, dict(data or {}),
                                         params))
            s.commit()
            return result

    def finish(self, instance_id: int, status: str = "completed") -> None:
        with self.db.write_session() as s:
            s.get(ProcessInstance, instance_id).status = status  # type: ignore[union-attr]
            s.commit()

    def change(self, model: Any, key: str, **values: Any) -> None:
        with self.db.write_session() as s:
            row = s.get(model, key)
            for name, value in values.items():
                setattr(row, name, value)
            s.commit()

    def statuses(self, instance_id: int) -> dict[str, str]:
        with self.db.session() as s:
            return dict(s.execute(select(Nomination.subject_code, Nomination.status)
                                  .where(Nomination.instance_id == instance_id)).all())

    def awards(self) -> list[Award]:
        with self.db.session() as s:
            return list(s.scalars(select(Award).order_by(Award.id)).all())


@pytest.fixture
def desk(db_url: str) -> Iterator[Desk]:
    db = Database(db_url)
    with db.write_session() as s:
        identity.create_unit(s, SYSTEM, "PKT", "Phòng Kinh tế")
        identity.create_unit(s, SYSTEM, "PKT_1", "Tổ Tổng hợp", parent_code="PKT")
        identity.create_unit(s, SYSTEM, "PTP", "Phòng Tư pháp")
        s.add_all(Person(code=c, full_name=n, unit_code=u) for c, n, u in PEOPLE)
        row = ProcessModelVersion(process_key="p", version=1, name="p", bpmn_xml="<x/>",
                                  sha256="0" * 64)
        s.add(row)
        s.commit()
        version_id = row.id
    yield Desk(db, version_id)
    db.dispose()


def proposal(*subjects: str, award: str = "LDTT", year: int = 2025) -> dict[str, Any]:
    return {"year": year, "award_code": award, "subjects": list(subjects)}


# -- create_nominations -----------------------------------------------------------------
def test_create_nominations_for_the_unit_and_its_sub_units(desk: Desk) -> None:
    inst = desk.new_instance()
    out = desk.call(create_nominations, inst, proposal("NV001", "NV004"))
    assert out["count"] == 2
    assert [(n["subject_code"], n["subject_kind"], n["name"]) for n in out["nominations"]] == [
        ("NV001", "individual", "Nguyễn Văn An"), ("NV004", "individual", "Phạm Thị Dung")]
    assert out["within_office_power"] is True and out["needs_disclosure"] is False
    assert out["kind"] == "annual" and out["award_name"] == "Lao động tiên tiến"
    assert desk.statuses(inst) == {"NV001": "submitted", "NV004": "submitted"}
    bk = desk.call(create_nominations, desk.new_instance(), proposal("PKT", award="BK_TINH"),
                   kind="thematic")
    assert bk["nominations"][0]["subject_kind"] == "collective"
    assert bk["kind"] == "thematic" and bk["within_office_power"] is False
    assert bk["needs_disclosure"] is True


@pytest.mark.parametrize(("data", "field", "fragment"), [
    (proposal("NV101"), "subjects", "không thuộc đơn vị đề nghị"),
    (proposal("NV001", "NV001"), "subjects", "hai lần"),
    (proposal("NV999"), "subjects", "NV999"),
    (proposal("PKT"), "subjects", "chỉ dành cho cá nhân"),
    (proposal("NV001", award="HUAN_CHUONG"), "award_code", "HUAN_CHUONG"),
    (proposal("NV001", year=1990), "year", "2000"),
    ({**proposal("NV001"), "movement_code": "PT_KHONG_CO"}, "movement_code", "PT_KHONG_CO"),
    ({**proposal("NV001"), "subjects": []}, "subjects", "ít nhất một"),
])
def test_create_nominations_refuses_with_field_details(desk: Desk, data: dict[str, Any],
                                                       field: str, fragment: str) -> None:
    inst = desk.new_instance()
    with pytest.raises(InvalidData) as err:
        desk.call(create_nominations, inst, data)
    assert err.value.code == "nomination.invalid"
    assert fragment in " ".join(err.value.details[field])
    assert desk.statuses(inst) == {}


def test_office_wide_actor_may_nominate_any_unit(desk: Desk) -> None:
    inst = desk.new_instance()
    out = desk.call(create_nominations, inst, proposal("NV101", "NV001"), actor=SEC)
    assert out["count"] == 2


def test_rerun_keeps_rows_adds_new_and_drops_removed(desk: Desk) -> None:
    inst = desk.new_instance()
    first = desk.call(create_nominations, inst, proposal("NV001", "NV002"))
    desk.call(set_nomination_status, inst, status="returned")
    again = desk.call(create_nominations, inst, proposal("NV002", "NV004"))
    ids = {n["subject_code"]: n["id"] for n in first["nominations"]}
    assert {n["subject_code"]: n["id"] for n in again["nominations"]}["NV002"] == ids["NV002"]
    assert desk.statuses(inst) == {"NV002": "returned", "NV004": "submitted"}
    changed = desk.call(create_nominations, inst, proposal("NV002", award="GK"))
    assert changed["count"] == 1 and changed["award_code"] == "GK"
    assert desk.statuses(inst) == {"NV002": "submitted"}


# -- statuses ---------------------------------------------------------------------------
def test_set_status_with_and_without_a_list(desk: Desk) -> None:
    inst = desk.new_instance()
    desk.call(create_nominations, inst, proposal("NV001", "NV002", "NV004"))
    out = desk.call(set_nomination_status, inst, status="in_council",
                    subjects=[{"subject_code": "NV001"}, "NV002"], others="not_approved")
    assert out["changed"] == {"in_council": ["NV001", "NV002"], "not_approved": ["NV004"]}
    desk.call(set_nomination_status, inst, status="disclosed")  # closed ones stay closed
    assert desk.statuses(inst) == {"NV001": "disclosed", "NV002": "disclosed",
                                   "NV004": "not_approved"}
    with pytest.raises(InvalidData):
        desk.call(set_nomination_status, inst, status="voted", subjects=["NV101"])
    with pytest.raises(ValueError):
        desk.call(set_nomination_status, inst, status="maybe")


def test_council_result_only_for_candidates(desk: Desk) -> None:
    inst = desk.new_instance()
    desk.call(create_nominations, inst, proposal("NV001", "NV002", "NV004"))
    desk.call(set_nomination_status, inst, status="in_council", subjects=["NV001", "NV002"],
              others="not_approved")
    with pytest.raises(InvalidData) as err:
        desk.call(record_council_result, inst, {"passed_subjects": ["NV004"]})
    assert "NV004" in err.value.details["passed_subjects"][0]
    out = desk.call(record_council_result, inst, {"passed_subjects": ["NV002"]})
    assert out == {"passed": ["NV002"], "not_passed": ["NV001"], "count": 1}
    assert desk.statuses(inst) == {"NV001": "not_approved", "NV002": "voted",
                                   "NV004": "not_approved"}


def _in_council(desk: Desk, *subjects: str, award: str = "LDTT") -> int:
    inst = desk.new_instance()
    desk.call(create_nominations, inst, proposal(*subjects, award=award))
    desk.call(set_nomination_status, inst, status="in_council")
    return inst


def tally(present: int, *lines: tuple[str, int, int, int], total: int = 9) -> dict[str, Any]:
    return {"members_total": total, "members_present": present,
            "votes": [{"subject_code": c, "agree": a, "disagree": d, "abstain": x}
                      for c, a, d, x in lines]}


def test_titles_without_a_threshold_need_a_majority_of_those_present(desk: Desk) -> None:
    inst = _in_council(desk, "NV001", "NV002")
    out = desk.call(record_council_result, inst, tally(6, ("NV001", 4, 2, 0), ("NV002", 3, 3, 0)),
                    tally=True)
    assert (out["passed"], out["not_passed"], out["quorum_pct"]) == (["NV001"], ["NV002"], 50.0)
    assert [(t["vote_base"], t["base"], t["threshold_pct"], t["required"])
            for t in out["tally"]] == [("present", 6, None, 4)] * 2
    assert desk.statuses(inst) == {"NV001": "voted", "NV002": "not_approved"}


def test_threshold_against_those_present_and_a_configured_quorum(desk: Desk) -> None:
    desk.change(AwardType, "BK_TINH", vote_base="present", vote_threshold_pct=60)
    desk.change(Setting, "council_quorum_pct", value=66)
    inst = _in_council(desk, "NV001", "NV002", award="BK_TINH")
    with pytest.raises(InvalidData) as err:  # 5 of 9 is not above 66 %
        desk.call(record_council_result, inst, tally(5, ("NV001", 5, 0, 0), ("NV002", 0, 5, 0)))
    assert err.value.code == "council.no_quorum" and "5/9" in err.value.message
    fine = tally(7, ("NV002", 0, 7, 0))
    for bad in ({"subject_code": "NV001", "agree": True, "disagree": 0, "abstain": 0},
                {"subject_code": "NV001", "agree": -1, "disagree": 0, "abstain": 0}, "NV001"):
        with pytest.raises(InvalidData) as err:
            desk.call(record_council_result, inst, {**fine, "votes": [bad, *fine["votes"]]})
        assert err.value.code == "council.invalid"
    assert desk.statuses(inst) == {"NV001": "in_council", "NV002": "in_council"}
    out = desk.call(record_council_result, inst, tally(7, ("NV001", 5, 2, 0), ("NV002", 4, 0, 3)))
    assert [(t["base"], t["required"], t["passed"]) for t in out["tally"]] == [
        (7, 5, True), (7, 5, False)]  # 60 % of the 7 present: 4.2, so 5 votes


def test_complaints_drop_only_upheld_candidates_on_the_list(desk: Desk) -> None:
    inst = _in_council(desk, "NV001", "NV002", "NV004")
    desk.call(set_nomination_status, inst, status="not_approved", subjects=["NV004"])
    for bad in ([{"subject_code": "NV004", "upheld": True}], [{"upheld": True}], "none"):
        with pytest.raises(InvalidData) as err:
            desk.call(record_complaints, inst, {"complaints": bad})
        assert err.value.code == "nomination.invalid"
    out = desk.call(record_complaints, inst, {"complaints": [
        {"subject_code": "NV001", "upheld": True}, {"subject_code": "NV001", "upheld": True},
        {"subject_code": "NV002", "upheld": False}, {}]})
    assert out == {"received": 4, "upheld": ["NV001"], "remaining": ["NV002"], "count": 1}
    assert desk.statuses(inst) == {"NV001": "not_approved", "NV002": "in_council",
                                   "NV004": "not_approved"}


# -- dossier ----------------------------------------------------------------------------
def _attach(desk: Desk, inst: int, item: str, superseded: bool = False) -> None:
    with desk.db.write_session() as s:
        s.add(Attachment(instance_id=inst, item=item, version=1, filename=f"{item}.pdf",
                         content_type="application/pdf", size=1, sha256="0" * 64,
                         storage_key="00/" + "0" * 64,
                         superseded_at=datetime.now(ZoneInfo("UTC")) if superseded else None))
        s.commit()


def test_check_dossier_lists_missing_items_of_the_title(desk: Desk) -> None:
    inst = desk.new_instance()
    desk.call(create_nominations, inst, proposal("NV001", award="CSTD_CS"))
    _attach(desk, inst, "to_trinh")
    _attach(desk, inst, "danh_sach", superseded=True)  # history, not the dossier
    out = desk.call(check_dossier, inst, exclude=["bien_ban_hoi_dong"])
    assert out["procedure"] == "full" and out["complete"] is False
    assert [m["item"] for m in out["missing"]] == [
        "danh_sach", "bao_cao_thanh_tich", "bien_ban_binh_xet", "qd_sang_kien"]
    assert out["missing"][-1]["label"] == "Quyết định công nhận sáng kiến"
    with pytest.raises(InvalidData) as err:
        desk.call(check_dossier, inst, exclude=["bien_ban_hoi_dong"], refuse=True)
    assert err.value.code == "dossier.incomplete"
    assert "Danh sách đề nghị khen thưởng, Báo cáo thành tích" in err.value.message
    simple = desk.call(check_dossier, inst, simplified=True, refuse=False)
    assert [m["item"] for m in simple["missing"]] == ["tom_tat_thanh_tich"]
    adhoc = desk.new_instance()
    desk.call(create_nominations, adhoc, proposal("NV002", award="GK"), kind="adhoc")
    _attach(desk, adhoc, "to_trinh")
    _attach(desk, adhoc, "tom_tat_thanh_tich")
    out = desk.call(check_dossier, adhoc, refuse=True)
    assert out["procedure"] == "simplified" and out["complete"] and out["missing"] == []
    with pytest.raises(InvalidData):
        desk.call(check_dossier, desk.new_instance())  # nothing proposed yet


# -- the same title twice -----------------------------------------------------------------
def test_an_open_nomination_for_the_same_title_blocks_another(desk: Desk) -> None:
    first = desk.new_instance()
    desk.call(create_nominations, first, proposal("NV001", "NV002"))
    desk.call(set_nomination_status, first, status="not_approved", subjects=["NV002"])
    second = desk.new_instance()
    with pytest.raises(InvalidData) as err:
        desk.call(create_nominations, second, proposal("NV001", "NV002", "NV004"))
    assert err.value.code == "nomination.duplicate"
    assert [m.split(" đã ")[0] for m in err.value.details["subjects"]] == [
        "Nguyễn Văn An (NV001)"]  # NV002 is out of the running there
    assert f"hồ sơ số {first}" in err.value.message and desk.statuses(second) == {}
    desk.call(create_nominations, second, proposal("NV001", year=2024))  # another year
    desk.finish(first, "error")  # an instance in error is still open
    with pytest.raises(InvalidData):
        desk.call(create_nominations, desk.new_instance(), proposal("NV001"))
    desk.finish(first, "cancelled")
    assert desk.call(create_nominations, desk.new_instance(), proposal("NV001"))["count"] == 1


def test_thematic_duplicates_are_per_movement_and_adhoc_deeds_are_not_compared(
        desk: Desk) -> None:
    with desk.db.write_session() as s:
        s.add_all([EmulationMovement(code=c, name=c, kind="thematic", year=2025,
                                     start_date=date(2025, 3, 1)) for c in ("CDS", "CCHC")])
        s.commit()
    data = {**proposal("NV001", award="GK"), "movement_code": "CDS"}
    desk.call(create_nominations, desk.new_instance(), data, kind="thematic")
    with pytest.raises(InvalidData) as err:
        desk.call(create_nominations, desk.new_instance(), data, kind="thematic")
    assert err.value.code == "nomination.duplicate"
    other = {**data, "movement_code": "CCHC"}
    assert desk.call(create_nominations, desk.new_instance(), other, kind="thematic")["count"]
    assert desk.call(create_nominations, desk.new_instance(), data)["kind"] == "annual"
    for _ in range(2):  # two deeds, two ad-hoc Giấy khen
        desk.call(create_nominations, desk.new_instance(), proposal("NV001", award="GK"),
                  kind="adhoc")


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
    assert first == {"decision_no": "1/QĐ-VP", "decision_date": today.isoformat(), "number": 1}
    assert desk.call(issue_decision, inst)["decision_no"] == "2/QĐ-VP"
    with desk.db.write_session() as s:  # a number taken by a command that fails is not used
        issue_decision(ServiceCall(s, inst, "p", "t", SEC, {}, {}))
        s.rollback()
    assert desk.call(issue_decision, inst)["number"] == 3
    with desk.db.write_session() as s:
        s.get(Setting, "decision_number_suffix").value = "QĐ-KT"  # type: ignore[union-attr]
        s.add(DecisionCounter(year=today.year - 1, series="QĐ-VP", last_number=41))
        s.commit()
    assert desk.call(issue_decision, inst)["decision_no"] == "1/QĐ-KT"
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
