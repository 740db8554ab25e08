"""Inbox filters (step, unit, year, search by name or business key) and counts per step."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from engine_kit import World, make_world, ready
from sqlalchemy import update

from engine.store.models import HumanTask


@pytest.fixture
def w(db_url: str, monkeypatch: pytest.MonkeyPatch) -> World:
    world = make_world(db_url, monkeypatch)
    world.deploy("two_lane.bpmn")
    a1 = world.start("two_lane", "sub_a", {"nominee_name": "Nguyễn Văn Án"},
                     business_key="HS-A-1")
    world.complete(ready(a1, "propose")["id"], "sub_a", {"title": "Đề nghị"})
    world.start("two_lane", "sub_a", {"nominee_name": "Trần Thị 100%"}, business_key="HS-A-2")
    b1 = world.start("two_lane", "sub_b", {"subject_name": "Phòng Kế hoạch"},
                     business_key="HS-B-1")
    world.complete(ready(b1, "propose")["id"], "sub_b", {"title": "Đề nghị"})
    return world


def keys(w: World, who: str, **filters: object) -> list[str]:
    rows = w.inbox(who, **filters)
    return sorted(w.instance(t["instance_id"])["business_key"] for t in rows)


def test_filters_by_step_unit_and_year(w: World) -> None:
    assert keys(w, "sub_a") == ["HS-A-2"]
    assert keys(w, "sec1") == ["HS-A-1", "HS-B-1"]
    assert keys(w, "sec1", step="Thẩm định") == ["HS-A-1", "HS-B-1"]
    assert keys(w, "sec1", step="Đề nghị") == []
    assert keys(w, "sec1", unit_code="B") == ["HS-B-1"]
    this_year = datetime.now(UTC).year
    assert keys(w, "sec1", year=this_year) == ["HS-A-1", "HS-B-1"]
    with w.db.write_session() as s:
        s.execute(update(HumanTask).where(HumanTask.unit_code == "B")
                  .values(created_at=datetime(2020, 3, 1, tzinfo=UTC)))
        s.commit()
    assert keys(w, "sec1", year=2020) == ["HS-B-1"]
    assert keys(w, "sec1", year=this_year) == ["HS-A-1"]
    assert w.read(w.eng.inbox, w["sec1"], None, 1, 50, year=2020).total == 1


def test_search_by_nominee_subject_or_business_key(w: World) -> None:
    # case-insensitive for ASCII letters on both databases (SQLite lowers ASCII only)
    assert keys(w, "sec1", search="nguyễn văn Án") == ["HS-A-1"]
    assert keys(w, "sec1", search="Kế hoạch") == ["HS-B-1"]
    assert keys(w, "sec1", search="hs-b") == ["HS-B-1"]
    assert keys(w, "sec1", search="  ") == ["HS-A-1", "HS-B-1"]
    # LIKE wildcards are matched literally
    assert keys(w, "sub_a", search="100%") == ["HS-A-2"]
    assert keys(w, "sec1", search="%") == []
    assert keys(w, "sec1", search="_") == []
    # search never widens the inbox: unit B's dossier is not sub_a's
    assert keys(w, "sub_a", search="HS-B") == []


def test_counts_per_step_follow_the_same_filter(w: World) -> None:
    assert w.read(w.eng.inbox_counts, w["sec1"]) == [("Thẩm định", 2)]
    assert w.read(w.eng.inbox_counts, w["sec1"], unit_code="A") == [("Thẩm định", 1)]
    assert w.read(w.eng.inbox_counts, w["sec1"], search="nothing") == []
    assert w.read(w.eng.inbox_counts, w["sub_a"]) == [("Đề nghị", 1)]
    assert w.read(w.eng.inbox_counts, w["sub_b"]) == []
