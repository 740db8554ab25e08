"""Migration checks beyond element ids: the sequence flows an instance took must still
join the same elements (a renamed flow is reported); the dry run runs the automatic steps
the move would run, on a throwaway copy, so its verdict is the move's."""

from __future__ import annotations

from typing import Any

import pytest
from engine_kit import World, make_world, ready
from migration_kit import TWO_LANE, edit, migrate, migration_world, run_dry, table_counts

from engine import audit
from engine.extensions import ServiceCall


@pytest.fixture
def w(db_url: str, monkeypatch: pytest.MonkeyPatch) -> World:
    return migration_world(make_world(db_url, monkeypatch))


def at_appraise(w: World) -> dict[str, Any]:
    inst = w.start("two_lane", "sub_a")
    return w.complete(ready(inst, "propose")["id"], "sub_a", {"title": "Đề nghị"})


def rerouted() -> bytes:
    """v2: propose → check (new) → appraise: the flow f2 taken by every instance at
    appraise is gone, although both its ends are still there."""
    return edit(TWO_LANE,
                ('<bpmn:sequenceFlow id="f2" sourceRef="propose" targetRef="appraise" />',
                 '<bpmn:sequenceFlow id="f2b" sourceRef="propose" targetRef="check" />'
                 '<bpmn:manualTask id="check" />'
                 '<bpmn:sequenceFlow id="f2c" sourceRef="check" targetRef="appraise" />'))


def renamed_start_flow() -> bytes:
    return edit(TWO_LANE, ('<bpmn:sequenceFlow id="f1" ', '<bpmn:sequenceFlow id="f1_start" '),
                ("<bpmn:outgoing>f1</bpmn:outgoing>", "<bpmn:outgoing>f1_start</bpmn:outgoing>"),
                ("<bpmn:incoming>f1</bpmn:incoming>", "<bpmn:incoming>f1_start</bpmn:incoming>"))


def test_a_completed_path_that_is_gone_refuses_the_move(w: World) -> None:
    w.deploy(TWO_LANE)
    taken, not_yet = at_appraise(w), w.start("two_lane", "sub_a")
    w.deploy(rerouted())

    items = {i["instance_id"]: i for i in run_dry(w, "two_lane", 1, 2)["items"]}

    assert [(r["code"], r["element_id"]) for r in items[taken["id"]]["reasons"]] == [
        ("migration.completed_path_removed", "f2")]
    assert "propose → appraise" in items[taken["id"]]["reasons"][0]["message"]
    assert items[not_yet["id"]]["can_move"]  # it has only come by f1
    job = migrate(w, "two_lane", 1, 2)
    assert (job["moved"], job["refused"]) == (1, 1)
    assert w.instance(taken["id"])["version"] == 1


def test_a_renamed_path_is_reported_and_the_instance_moves(w: World) -> None:
    w.deploy(TWO_LANE)
    inst = at_appraise(w)
    w.deploy(renamed_start_flow())

    item = run_dry(w, "two_lane", 1, 2)["items"][0]

    assert item["can_move"]
    assert [(c["field"], c["old"], c["new"]) for c in item["changes"]] == [
        ("path", "f1", "f1_start")]
    assert migrate(w, "two_lane", 1, 2)["moved"] == 1
    assert w.instance(inst["id"])["version"] == 2


def automatic_appraise(handler: str) -> bytes:
    """v2: the appraisal became an automatic step (same id): moving an instance waiting
    there runs it at once."""
    return edit(TWO_LANE, (
        '<bpmn:userTask id="appraise" name="Thẩm định"><bpmn:extensionElements>'
        '<spiffworkflow:properties><spiffworkflow:property name="dueWorkingDays" value="10" />'
        '</spiffworkflow:properties></bpmn:extensionElements><bpmn:incoming>f2</bpmn:incoming>'
        '<bpmn:outgoing>f3</bpmn:outgoing></bpmn:userTask>',
        '<bpmn:serviceTask id="appraise" name="Thẩm định tự động"><bpmn:extensionElements>'
        f'<spiffworkflow:serviceTaskOperator id="{handler}" resultVariable="decision">'
        '<spiffworkflow:parameters /></spiffworkflow:serviceTaskOperator>'
        '</bpmn:extensionElements><bpmn:incoming>f2</bpmn:incoming>'
        '<bpmn:outgoing>f3</bpmn:outgoing></bpmn:serviceTask>'))


def test_dry_run_runs_the_automatic_steps_and_agrees_with_the_move(w: World) -> None:
    def failing(call: ServiceCall) -> Any:
        raise RuntimeError("sổ khen thưởng không mở được")
    w.eng.handlers.register("failing_check", failing)
    w.deploy(TWO_LANE)
    inst = at_appraise(w)
    w.deploy(automatic_appraise("failing_check"))

    item = run_dry(w, "two_lane", 1, 2)["items"][0]
    assert not item["can_move"]
    assert item["reasons"][0]["code"] == "migration.engine_step_failed"
    assert "sổ khen thưởng không mở được" in item["reasons"][0]["message"]
    job = migrate(w, "two_lane", 1, 2)  # the move says the same
    assert job["refused"] == 1
    assert job["items"][0]["reasons"][0]["code"] == "migration.engine_step_failed"
    assert w.instance(inst["id"])["version"] == 1


def test_dry_run_of_automatic_steps_writes_nothing(w: World) -> None:
    trials: list[bool] = []

    def writing(call: ServiceCall) -> Any:  # a handler that writes, as real ones do
        trials.append(call.dry_run)  # and is told when its writes will be thrown away
        audit.append(call.session, call.actor, "test.handler_ran", {}, call.instance_id)
        return "reconsider"
    w.eng.handlers.register("writing_check", writing)
    w.deploy(TWO_LANE)
    inst = at_appraise(w)
    w.deploy(automatic_appraise("writing_check"))
    before = w.snapshot(inst["id"]), table_counts(w), w.audit_count()

    item = run_dry(w, "two_lane", 1, 2)["items"][0]

    assert item["can_move"], item
    assert item["steps_before"] == ["appraise"]
    assert item["steps_after"] == ["propose"]  # appraise ran, the gateway went back
    assert (w.snapshot(inst["id"]), table_counts(w), w.audit_count()) == before
    job = migrate(w, "two_lane", 1, 2)
    assert job["moved"] == 1
    assert [t["name"] for t in w.instance(inst["id"])["tasks"]] == ["propose"]
    assert "test.handler_ran" in w.history_types(inst["id"])
    assert trials == [True, False]  # the dry run's trial, then the move


def test_dry_run_report_pages(w: World) -> None:
    w.deploy(TWO_LANE)
    ids = [w.start("two_lane", "sub_a")["id"] for _ in range(3)] + [at_appraise(w)["id"]]
    w.deploy(rerouted())
    from engine.migration import dry_run, parse_filters

    def report(**kw: Any) -> dict[str, Any]:
        return dict(w.read(lambda s: dry_run(w.eng, s, "two_lane", 1, 2, parse_filters({}),
                                             **kw)))
    first = report(per_page=2)
    assert (first["total"], first["movable"], first["refused"]) == (4, 3, 1)
    assert [i["instance_id"] for i in first["items"]] == ids[:2]
    assert [i["instance_id"] for i in report(per_page=2, page=2)["items"]] == ids[2:]
    refused = report(state="refused")
    assert ([i["instance_id"] for i in refused["items"]], refused["items_total"]) == (
        [ids[3]], 1)
