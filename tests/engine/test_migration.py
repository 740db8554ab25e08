"""Migration of running instances: dry run, reported changes, refusals, real moves."""

from __future__ import annotations

from typing import Any

import pytest
from engine_kit import World, make_world, ready
from migration_kit import (
    TWO_LANE,
    callee,
    caller,
    changed_appraise,
    embedded,
    migrate,
    migration_world,
    parallel,
    run_dry,
    table_counts,
    without_appraise,
    without_propose,
)
from sqlalchemy import select

from engine import audit
from engine.errors import InvalidData, NotFound
from engine.store.models import HumanTask


@pytest.fixture
def w(db_url: str, monkeypatch: pytest.MonkeyPatch) -> World:
    return migration_world(make_world(db_url, monkeypatch))


def at_propose(w: World, key: str = "two_lane", **kwargs: Any) -> dict[str, Any]:
    return w.start(key, "sub_a", **kwargs)


def at_appraise(w: World, **kwargs: Any) -> dict[str, Any]:
    inst = at_propose(w, **kwargs)
    return w.complete(ready(inst, "propose")["id"], "sub_a", {"title": "Đề nghị"})


def approve(w: World, inst: dict[str, Any]) -> dict[str, Any]:
    return w.complete(ready(inst, "appraise")["id"], "sec1", {"decision": "approve"})


def test_dry_run_writes_nothing(w: World) -> None:
    w.deploy(TWO_LANE)
    ids = [at_propose(w)["id"], at_appraise(w)["id"]]
    w.deploy(changed_appraise())
    before = [w.snapshot(i) for i in ids], table_counts(w), w.audit_count()

    result = run_dry(w, "two_lane", 1, 2)

    assert (result["total"], result["movable"], result["refused"]) == (2, 2, 0)
    assert [i["instance_id"] for i in result["items"]] == ids
    assert ([w.snapshot(i) for i in ids], table_counts(w), w.audit_count()) == before
    assert all(w.instance(i)["version"] == 1 for i in ids)


def test_dry_run_reports_what_changes_on_the_ready_step(w: World) -> None:
    w.deploy(TWO_LANE)
    proposing, appraising = at_propose(w), at_appraise(w)
    w.deploy(changed_appraise())

    items = {i["instance_id"]: i for i in run_dry(w, "two_lane", 1, 2)["items"]}

    changes = {(c["element_id"], c["field"]): (c["old"], c["new"])
               for c in items[appraising["id"]]["changes"]}
    assert changes == {
        ("appraise", "title"): ("Thẩm định", "Thẩm định hồ sơ"),
        ("appraise", "role"): ("secretariat", "council"),
        ("appraise", "lane"): ("Phòng TCHCQT (secretariat)", "Hội đồng (council)"),
        ("appraise", "due"): ("10", "5"),
    }
    propose = {(c["element_id"], c["field"]): (c["old"], c["new"])
               for c in items[proposing["id"]]["changes"]}
    assert propose == {("propose", "form_key"): ("proposal", "proposal_v2"),
                       ("propose", "required_fields"): (None, ["reason"])}
    assert items[appraising["id"]]["steps_before"] == ["appraise"]
    assert items[appraising["id"]]["steps_after"] == ["appraise"]


def test_removed_ready_step_refuses_the_instance_and_it_stays(w: World) -> None:
    w.deploy(TWO_LANE)
    stays, moves = at_appraise(w), at_propose(w)
    w.deploy(without_appraise())
    before = w.snapshot(stays["id"])

    dry = {i["instance_id"]: i for i in run_dry(w, "two_lane", 1, 2)["items"]}
    assert not dry[stays["id"]]["can_move"]
    assert [(r["code"], r["element_id"]) for r in dry[stays["id"]]["reasons"]] == [
        ("migration.current_step_removed", "appraise")]
    assert "Thẩm định" in dry[stays["id"]]["reasons"][0]["message"]
    assert dry[moves["id"]]["can_move"]

    job = migrate(w, "two_lane", 1, 2)

    assert (job["status"], job["total"], job["moved"], job["refused"]) == ("done", 2, 1, 1)
    states = {i["instance_id"]: i for i in job["items"]}
    assert states[stays["id"]]["state"] == "refused"
    assert states[stays["id"]]["reasons"][0]["code"] == "migration.current_step_removed"
    assert w.snapshot(stays["id"])[:5] == before[:5]  # state, rows: untouched
    assert w.instance(stays["id"])["version"] == 1
    moved = w.instance(moves["id"])
    assert moved["version"] == 2
    assert states[moves["id"]]["previous_version_id"] is not None
    assert [t["name"] for t in moved["tasks"]] == ["propose"]
    assert "instance.migrated" in w.history_types(moves["id"])
    assert w.read(audit.verify).ok


def test_removed_completed_step_refuses(w: World) -> None:
    w.deploy(TWO_LANE)
    inst = at_appraise(w)
    w.deploy(without_propose())

    item = run_dry(w, "two_lane", 1, 2)["items"][0]

    assert not item["can_move"]
    assert [(r["code"], r["element_id"]) for r in item["reasons"]] == [
        ("migration.completed_step_removed", "propose")]
    assert w.instance(inst["id"])["version"] == 1


def test_moved_instance_takes_the_new_lane_title_and_deadline(w: World) -> None:
    w.deploy(TWO_LANE)
    inst = at_appraise(w)
    old_row = w.task_rows(inst["id"])[-1]
    w.deploy(changed_appraise())

    job = migrate(w, "two_lane", 1, 2)

    assert (job["moved"], job["refused"]) == (1, 0)
    row = w.task_rows(inst["id"])[-1]
    assert (row.id, row.state, row.title, row.role, row.lane) == (
        old_row.id, "ready", "Thẩm định hồ sơ", "council", "Hội đồng (council)")
    assert row.due_at == w.eng.calendar.due_at(old_row.created_at, 5)
    assert [t["id"] for t in w.inbox("council1")] == [row.id]
    assert w.inbox("sec1") == []
    done = w.complete(row.id, "council1", {"decision": "approve"})
    assert (done["status"], done["version"], done["data"]["total"]) == ("completed", 2, 3)
    event = [e for e in w.read(w.eng.instance_history, inst["id"], w["admin1"]).items
             if e["type"] == "instance.migrated"][0]
    assert (event["payload"]["from_version"], event["payload"]["to_version"]) == (1, 2)
    assert event["actor"] == "admin1"


def test_instances_on_the_old_version_still_complete_after_a_deploy(w: World) -> None:
    w.deploy(TWO_LANE)
    old = at_appraise(w)
    assert w.deploy(changed_appraise())["version"] == 2
    new = at_propose(w)
    assert (w.instance(old["id"])["version"], new["version"]) == (1, 2)

    done = approve(w, w.instance(old["id"]))

    assert (done["status"], done["version"]) == ("completed", 1)
    assert ready(new, "propose")["form_key"] == "proposal_v2"


def test_filters_choose_instances(w: World) -> None:
    w.deploy(TWO_LANE)
    a = at_propose(w, business_key="DN-2026-001")
    b = at_appraise(w, business_key="DN-2026-002")
    c = at_propose(w, business_key="KT-2026-003")
    w.deploy(changed_appraise())

    def chosen(**filters: Any) -> list[int]:
        return [i["instance_id"] for i in run_dry(w, "two_lane", 1, 2, **filters)["items"]]

    assert chosen() == [a["id"], b["id"], c["id"]]
    assert chosen(business_key_prefix="DN-") == [a["id"], b["id"]]
    assert chosen(step="appraise") == [b["id"]]
    assert chosen(instance_ids=f"{a['id']}, {c['id']}") == [a["id"], c["id"]]
    assert chosen(started_after="2000-01-01", started_before="2000-01-02") == []
    assert chosen(started_after="01/01/2000") == [a["id"], b["id"], c["id"]]  # dd/mm/yyyy too
    assert chosen(started_before="02/01/2000") == []
    with pytest.raises(InvalidData) as info:
        chosen(started_after="hôm qua", instance_ids="x", colour="red")
    assert set(info.value.details) == {"started_after", "instance_ids", "colour"}


def test_versions_must_exist_and_differ(w: World) -> None:
    w.deploy(TWO_LANE)
    with pytest.raises(NotFound):
        run_dry(w, "two_lane", 1, 7)
    with pytest.raises(InvalidData) as info:
        run_dry(w, "two_lane", 1, 1)
    assert info.value.code == "migration.same_version"


def test_step_inside_a_called_process(w: World) -> None:
    w.deploy(callee())
    w.deploy(caller())
    inst = w.start("main", "sub_a")
    task = ready(inst, "sign")
    w.deploy(callee("Ký duyệt hồ sơ"))
    w.deploy(caller("Sau cùng"))  # v2 of main calls v2 of sub

    item = run_dry(w, "main", 1, 2)["items"][0]
    assert item["can_move"], item
    assert [(c["element_id"], c["field"], c["new"]) for c in item["changes"]] == [
        ("sign", "title", "Ký duyệt hồ sơ")]
    job = migrate(w, "main", 1, 2)
    assert job["moved"] == 1
    row = w.read(lambda s: s.get(HumanTask, task["id"]))
    assert (row.state, row.title) == ("ready", "Ký duyệt hồ sơ")
    after = w.complete(task["id"], "sub_a")
    assert [(t["name"], t["title"]) for t in after["tasks"]] == [("after", "Sau cùng")]
    assert w.complete(ready(after, "after")["id"], "sub_a")["status"] == "completed"


def test_called_step_removed_refuses(w: World) -> None:
    w.deploy(callee())
    w.deploy(caller())
    inst = w.start("main", "sub_a")
    w.deploy(callee(with_task=False))
    w.deploy(caller("Sau cùng"))

    item = run_dry(w, "main", 1, 2)["items"][0]

    assert not item["can_move"]
    assert [(r["code"], r["element_id"]) for r in item["reasons"]] == [
        ("migration.current_step_removed", "sign")]
    assert "sub" in item["reasons"][0]["message"]
    assert w.instance(inst["id"])["version"] == 1


def test_finished_or_failed_instances_are_not_chosen_or_refused(w: World) -> None:
    w.deploy(TWO_LANE)
    done = approve(w, at_appraise(w))
    w.deploy(changed_appraise())
    assert run_dry(w, "two_lane", 1, 2)["total"] == 0
    rows = w.read(lambda s: s.scalars(select(HumanTask).where(
        HumanTask.instance_id == done["id"])).all())
    assert {r.state for r in rows} == {"completed"}


def test_half_done_parallel_branches_move_and_join(w: World) -> None:
    w.deploy(parallel())
    inst = w.start("par", "sub_a")
    inst = w.complete(ready(inst, "a")["id"], "sub_a")
    w.deploy(parallel("B mới"))

    item = run_dry(w, "par", 1, 2)["items"][0]
    assert (item["can_move"], item["steps_before"], item["steps_after"]) == (True, ["b"], ["b"])
    assert migrate(w, "par", 1, 2)["moved"] == 1

    after = w.complete(ready(w.instance(inst["id"]), "b")["id"], "sub_a")
    assert ([t["name"] for t in after["tasks"]], after["version"]) == (["c"], 2)
    assert w.complete(ready(after, "c")["id"], "sub_a")["status"] == "completed"


def test_step_inside_an_embedded_subprocess(w: World) -> None:
    w.deploy(embedded())
    inst = w.start("emb", "sub_a")
    w.deploy(embedded("Trong mới"))
    w.deploy(embedded(inner="renamed"))

    refused = run_dry(w, "emb", 1, 3)["items"][0]
    assert [(r["code"], r["element_id"]) for r in refused["reasons"]] == [
        ("migration.current_step_removed", "inner")]
    assert migrate(w, "emb", 1, 2)["moved"] == 1
    moved = w.instance(inst["id"])
    assert (moved["version"], ready(moved, "inner")["title"]) == (2, "Trong mới")
    after = w.complete(ready(moved, "inner")["id"], "sub_a")
    assert w.complete(ready(after, "after")["id"], "sub_a")["status"] == "completed"
