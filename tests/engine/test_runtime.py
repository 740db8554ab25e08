"""Walking instances: the two-lane diagram, form validation, restart, deserialization rules."""

from __future__ import annotations

from typing import Any

import pytest
from engine_kit import World, make_world, ready

import engine.runtime.runner as runner_module
import engine.store.serializer as serializer_module
from engine.errors import Conflict, Forbidden, InvalidData, NotFound
from engine.service import ProcessEngine
from engine.store.db import Database


@pytest.fixture
def w(db_url: str, monkeypatch: pytest.MonkeyPatch) -> World:
    world = make_world(db_url, monkeypatch)
    world.deploy("two_lane.bpmn")
    return world


def propose(w: World, inst: dict[str, Any], who: str = "sub_a", **data: Any) -> dict[str, Any]:
    return w.complete(ready(inst, "propose")["id"], who,
                      {"title": "Đề nghị khen thưởng", **data})


def test_walk_with_return_loop_then_approve(w: World) -> None:
    inst = w.start("two_lane", "sub_a", {"x": 1}, business_key="KT-2026-001")
    assert (inst["status"], inst["business_key"], inst["unit"]) == ("running", "KT-2026-001", "A")
    first = ready(inst, "propose")
    assert (first["role"], first["unit"], first["form_key"], first["due_at"]) == (
        "submitter", "A", "proposal", None)
    assert [t["id"] for t in w.inbox("sub_a")] == [first["id"]]
    assert w.inbox("sec1") == []

    inst = propose(w, inst, amount=5)
    appraise = ready(inst, "appraise")
    assert (appraise["role"], appraise["title"]) == ("secretariat", "Thẩm định")
    assert inst["data"] == {"x": 1, "title": "Đề nghị khen thưởng", "amount": 5}
    assert w.inbox("sub_a") == []
    assert [t["id"] for t in w.inbox("sec1")] == [appraise["id"]]

    # "return" takes the default flow back to the submitter.
    inst = w.complete(appraise["id"], "sec1", {"decision": "return", "note": "Bổ sung"})
    again = ready(inst, "propose")
    assert again["id"] != first["id"]
    assert inst["status"] == "running"
    assert [t["id"] for t in w.inbox("sub_a")] == [again["id"]]

    inst = propose(w, inst, amount=7)
    inst = w.complete(ready(inst, "appraise")["id"], "sec1", {"decision": "approve"})
    assert inst["status"] == "completed"
    assert inst["ended_at"] is not None and inst["tasks"] == []
    assert inst["data"]["total"] == 3
    assert (inst["data"]["amount"], inst["data"]["decision"]) == (7, "approve")
    assert all(w.inbox(u) == [] for u in ("sub_a", "sec1", "sec2"))

    rows = w.task_rows(inst["id"])
    assert [(r.name, r.state) for r in rows] == [
        ("propose", "completed"), ("appraise", "completed"),
        ("propose", "completed"), ("appraise", "completed")]
    assert [r.completed_by for r in rows] == [w["sub_a"].id, w["sec1"].id] * 2
    assert w.history_types(inst["id"]) == (
        ["instance.started"] + ["task.completed"] * 4 + ["instance.completed"])
    # The read side agrees with what the commands returned.
    assert w.instance(inst["id"], "sub_a")["status"] == "completed"


def test_form_validation_error_changes_nothing(w: World) -> None:
    inst = w.start("two_lane", "sub_a")
    task = ready(inst, "propose")
    before = w.snapshot(inst["id"])
    with pytest.raises(InvalidData) as info:
        w.complete(task["id"], "sub_a", {"title": "x", "amount": -1, "bogus": True})
    assert info.value.code == "data.invalid"
    assert set(info.value.details) == {"title", "amount", "bogus"}
    with pytest.raises(InvalidData) as info:
        w.complete(task["id"], "sub_a", {})
    assert set(info.value.details) == {"title"}
    with pytest.raises(InvalidData):
        w.write(w.eng.complete_task, task["id"], w["sub_a"], ["not", "a", "dict"])
    assert w.snapshot(inst["id"]) == before
    assert [t["id"] for t in w.inbox("sub_a")] == [task["id"]]
    # And the task still completes afterwards.
    assert ready(propose(w, inst), "appraise")


def test_form_output_is_what_the_schema_dumps(w: World) -> None:
    inst = w.start("two_lane", "sub_a")
    inst = w.complete(ready(inst, "propose")["id"], "sub_a",
                      {"title": "Tập thể lao động", "amount": "12"})
    assert inst["data"]["amount"] == 12  # loaded and dumped by marshmallow, not raw


def test_start_rules(w: World) -> None:
    with pytest.raises(Forbidden) as info:
        w.start("two_lane", "sec1")  # the start event is in the submitter lane
    assert info.value.code == "process.start_forbidden"
    with pytest.raises(Forbidden) as info:
        w.start("two_lane", "sub_a", unit_code="B")
    assert info.value.code == "instance.unit_forbidden"
    with pytest.raises(InvalidData):
        w.write(w.eng.start_instance, "two_lane", w["sub_a"], [1, 2])
    assert w.inbox("sub_a") == [] and w.inbox("sub_b") == []


def test_double_completion_sequential(w: World) -> None:
    inst = w.start("two_lane", "sub_a")
    task_id = ready(inst, "propose")["id"]
    propose(w, inst)
    before = w.snapshot(inst["id"])
    with pytest.raises(Conflict) as info:
        w.complete(task_id, "sub_a", {"title": "Lần hai"})
    assert info.value.code == "task.not_ready"
    assert w.snapshot(inst["id"]) == before
    with pytest.raises(NotFound) as nf:
        w.complete("00000000-0000-0000-0000-000000000000", "sub_a", {"title": "abc"})
    assert nf.value.code == "task.not_found"


def test_restart_continues_with_new_engine(w: World, db_url: str) -> None:
    inst = w.start("two_lane", "sub_a", {"x": 41})
    inst = propose(w, inst)
    appraise_id = ready(inst, "appraise")["id"]
    w.db.dispose()

    db2 = Database(db_url)
    eng2 = ProcessEngine()
    eng2.forms.register("proposal", w.eng.forms._schemas["proposal"])
    try:
        with db2.session() as s:
            box = eng2.inbox(s, w["sec2"]).items
        assert [t["id"] for t in box] == [appraise_id]
        with db2.write_session() as s:
            done = eng2.complete_task(s, appraise_id, w["sec2"], {"decision": "approve"})
        assert done["status"] == "completed"
        assert done["data"]["x"] == 41 and done["data"]["total"] == 3
    finally:
        db2.dispose()


def test_task_outside_a_lane_goes_to_the_starter(db_url: str,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    w = make_world(db_url, monkeypatch)
    w.deploy("script_error.bpmn")
    inst = w.start("script_error", "sub_a", {"divisor": 5})
    review = ready(inst, "review")
    assert (review["role"], review["owner_id"]) == (None, w["sub_a"].id)
    assert inst["data"]["y"] == 2
    assert [t["id"] for t in w.inbox("sub_a")] == [review["id"]]
    for other in ("sub_a2", "sec1", "council1", "admin1"):
        assert w.inbox(other) == [], other
    for other in ("sub_a2", "admin1"):  # both can see the instance, neither may act
        with pytest.raises(Forbidden) as info:
            w.complete(review["id"], other, {})
        assert info.value.code == "task.forbidden"
    assert w.complete(review["id"], "sub_a", {})["status"] == "completed"


def test_reads_never_deserialize(w: World, monkeypatch: pytest.MonkeyPatch) -> None:
    inst = w.start("two_lane", "sub_a")
    inst = propose(w, inst)
    task_id = ready(inst, "appraise")["id"]
    calls: list[str] = []
    real = serializer_module.load_state

    def spy(*args: Any, **kwargs: Any) -> Any:
        calls.append("load_state")
        return real(*args, **kwargs)

    monkeypatch.setattr(serializer_module, "load_state", spy)
    monkeypatch.setattr(runner_module, "load_state", spy)
    for who in ("sub_a", "sec1", "council1"):
        w.inbox(who)
        w.instance(inst["id"], who)
        w.read(w.eng.instance_history, inst["id"], w[who])
        w.read(w.eng.get_task, task_id, w[who])
    w.read(w.eng.list_processes)
    assert calls == []
    # The spy is live: a command does restore the workflow.
    w.complete(task_id, "sec1", {"decision": "approve"})
    assert calls == ["load_state"]


def test_inbox_paging_and_filter(w: World) -> None:
    for i in range(3):
        w.start("two_lane", "sub_a", {"i": i})
    page = w.read(w.eng.inbox, w["sub_a"], per_page=2)
    assert (page.total, len(page.items)) == (3, 2)
    page2 = w.read(w.eng.inbox, w["sub_a"], page=2, per_page=2)
    assert len(page2.items) == 1
    assert {t["id"] for t in page.items + page2.items} == {t["id"] for t in w.inbox("sub_a")}
    assert w.read(w.eng.inbox, w["sub_a"], process_key="other").total == 0
    assert w.read(w.eng.inbox, w["sub_a"], process_key="two_lane").to_dict()["total"] == 3
