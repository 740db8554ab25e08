"""The nomination handlers every procedure reuses, called directly: create, move, no twins.

``create_nominations`` checks a proposal against the catalogue and the units and writes
the instance's nominations; ``set_nomination_status`` moves them; a subject already
pursued for the same title in another open instance is refused. The desk is in
``desk_kit``: each call runs in its own write session and commits.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
from desk_kit import SEC, Desk, make_desk, proposal

from engine.errors import InvalidData
from workflows.handlers.nomination import create_nominations, set_nomination_status
from workflows.models import EmulationMovement


@pytest.fixture
def desk(db_url: str) -> Iterator[Desk]:
    made = make_desk(db_url)
    yield made
    made.db.dispose()


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
