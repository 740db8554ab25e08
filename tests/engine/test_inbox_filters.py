"""Inbox filters (step, unit, year, search by name or business key), counts per step, and
the order of the tasks."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from engine_kit import World, make_world, ready
from sqlalchemy import select, update

from engine.search import IndexFacts
from engine.service import EngineSettings
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


def test_search_ignores_accents_and_case_and_takes_words_in_any_order(w: World) -> None:
    assert keys(w, "sec1", search="nguyen van an") == ["HS-A-1"]
    assert keys(w, "sec1", search="NGUYỄN VĂN ÁN") == ["HS-A-1"]
    assert keys(w, "sec1", search="an nguyen") == ["HS-A-1"]
    assert keys(w, "sec1", search="ke hoach") == ["HS-B-1"]
    assert keys(w, "sec1", search="phong ke") == ["HS-B-1"]
    assert keys(w, "sec1", search="nguyen cuong") == []  # every word must be found
    assert keys(w, "sub_a", search="tran thi") == ["HS-A-2"]


SUBJECTS = {"KT02": "Nguyễn Thị Minh Hằng", "KT05": "Hoàng Minh Tuấn"}


def _index(_s: object, business_key: str | None, data: dict[str, Any]) -> IndexFacts:
    """An application's indexer: the business key, the proposal's title, its subjects."""
    terms = [business_key or "", str(data.get("title") or "")]
    for code in data.get("subjects") or []:
        terms += [code, SUBJECTS.get(code, "")]
    return IndexFacts(tuple(terms), data.get("year") if isinstance(data.get("year"), int)
                      else None)


@pytest.fixture
def indexed(db_url: str, monkeypatch: pytest.MonkeyPatch) -> World:
    world = make_world(db_url, monkeypatch, EngineSettings(task_index=_index))
    world.deploy("two_lane.bpmn")
    return world


def test_an_application_s_indexer_finds_every_subject_by_code_and_name(indexed: World) -> None:
    w = indexed
    w.start("two_lane", "sub_a", {"subjects": ["KT05", "KT02"]}, business_key="HS-1")
    w.start("two_lane", "sub_a", {"subjects": ["KT05"]}, business_key="HS-2")
    assert keys(w, "sub_a", search="Nguyễn Thị Minh Hằng") == ["HS-1"]
    assert keys(w, "sub_a", search="hang") == ["HS-1"]
    assert keys(w, "sub_a", search="kt02") == ["HS-1"]
    assert keys(w, "sub_a", search="tuấn") == ["HS-1", "HS-2"]
    rows = w.read(lambda s: s.scalars(select(HumanTask.search_text)
                                      .where(HumanTask.state == "ready")).all())
    assert sorted(rows) == ["hs-1 | kt05 | hoang minh tuan | kt02 | nguyen thi minh hang",
                            "hs-2 | kt05 | hoang minh tuan"]


def test_the_index_follows_the_data_from_step_to_step(indexed: World) -> None:
    w = indexed
    inst = w.start("two_lane", "sub_a", {}, business_key="HS-3")
    assert keys(w, "sub_a", search="sửa chữa") == []
    w.complete(ready(inst, "propose")["id"], "sub_a", {"title": "Sửa chữa trụ sở"})
    assert keys(w, "sec1", search="sua chua") == ["HS-3"]  # the new step's row


def test_the_year_is_the_data_s_year_else_the_year_created(indexed: World) -> None:
    w = indexed
    w.start("two_lane", "sub_a", {"year": 2019}, business_key="HS-2019")
    w.start("two_lane", "sub_a", {}, business_key="HS-NONE")
    this_year = datetime.now(UTC).year
    assert keys(w, "sub_a", year=2019) == ["HS-2019"]
    assert keys(w, "sub_a", year=this_year) == ["HS-NONE"]
    assert w.read(w.eng.inbox_counts, w["sub_a"], year=2019) == [("Đề nghị", 1)]


def test_the_nearest_due_date_comes_first_then_the_newest(indexed: World) -> None:
    """Five tasks at «Thẩm định»: due dates and creation times set so that neither the
    creation order nor the insertion order gives the expected order by chance."""
    w, made = indexed, []
    for n in range(5):
        inst = w.start("two_lane", "sub_b", {}, business_key=f"HS-S-{n}")
        made.append(w.complete(ready(inst, "propose")["id"], "sub_b", {"title": "Đề nghị"}))
    base = datetime(2030, 1, 10, tzinfo=UTC)
    plan = {  # business key: (due in days from base or None, created hours after base)
        "HS-S-0": (5, 4), "HS-S-1": (2, 1), "HS-S-2": (None, 2), "HS-S-3": (2, 3),
        "HS-S-4": (None, 0)}
    with w.db.write_session() as s:
        for inst in made:
            due, created = plan[inst["business_key"]]
            s.execute(update(HumanTask).where(HumanTask.instance_id == inst["id"],
                                              HumanTask.state == "ready").values(
                due_at=None if due is None else base + timedelta(days=due),
                created_at=base + timedelta(hours=created)))
        s.commit()
    order = [w.instance(t["instance_id"])["business_key"]
             for t in w.inbox("sec1", unit_code="B")]
    assert order == ["HS-S-3", "HS-S-1", "HS-S-0", "HS-S-2", "HS-S-4"]
    second = w.read(w.eng.inbox, w["sec1"], None, 2, 2, unit_code="B").items
    assert [w.instance(t["instance_id"])["business_key"] for t in second] == [
        "HS-S-0", "HS-S-2"]
