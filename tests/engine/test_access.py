"""Who sees and does what: units, office-wide roles, claims, cancellation."""

from __future__ import annotations

from typing import Any

import pytest
from engine_kit import World, make_world, ready

from engine.errors import Conflict, Forbidden, NotFound


@pytest.fixture
def w(db_url: str, monkeypatch: pytest.MonkeyPatch) -> World:
    world = make_world(db_url, monkeypatch)
    world.deploy("two_lane.bpmn")
    return world


def at_appraise(w: World) -> tuple[dict[str, Any], str]:
    inst = w.start("two_lane", "sub_a")
    inst = w.complete(ready(inst, "propose")["id"], "sub_a", {"title": "Đề nghị"})
    return inst, ready(inst, "appraise")["id"]


def test_other_unit_sees_nothing(w: World) -> None:
    inst = w.start("two_lane", "sub_a")
    task_id = ready(inst, "propose")["id"]
    before = w.snapshot(inst["id"])
    assert w.inbox("sub_b") == []
    with pytest.raises(NotFound) as info:
        w.instance(inst["id"], "sub_b")
    assert info.value.code == "instance.not_found"
    with pytest.raises(NotFound):
        w.read(w.eng.instance_history, inst["id"], w["sub_b"])
    with pytest.raises(NotFound):
        w.read(w.eng.get_task, task_id, w["sub_b"])
    for command in (lambda: w.complete(task_id, "sub_b", {"title": "Không phải của tôi"}),
                    lambda: w.write(w.eng.claim_task, task_id, w["sub_b"])):
        with pytest.raises(NotFound):
            command()
    assert w.snapshot(inst["id"]) == before
    # Same unit, other person: a unit-scoped role works for the whole unit.
    assert [t["id"] for t in w.inbox("sub_a2")] == [task_id]
    done = w.complete(task_id, "sub_a2", {"title": "Đồng nghiệp nộp"})
    assert ready(done, "appraise")


def test_office_role_sees_but_may_not_act_outside_its_lane(w: World) -> None:
    inst, appraise_id = at_appraise(w)
    assert w.instance(inst["id"], "council1")["id"] == inst["id"]  # office-wide visibility
    assert w.inbox("council1") == []
    before = w.snapshot(inst["id"])
    with pytest.raises(Forbidden) as info:
        w.complete(appraise_id, "council1", {"decision": "approve"})
    assert info.value.code == "task.forbidden"
    with pytest.raises(Forbidden) as info:
        w.write(w.eng.claim_task, appraise_id, w["council1"])
    assert info.value.code == "task.forbidden"
    assert w.snapshot(inst["id"]) == before
    # A secretariat user of another unit is office-wide: fine for the secretariat lane,
    # but the submitter task of unit A is not theirs.
    inst2 = w.start("two_lane", "sub_a")
    with pytest.raises(Forbidden) as info:
        w.complete(ready(inst2, "propose")["id"], "sec1", {"title": "Hộ"})
    assert info.value.code == "task.forbidden"


def test_claim_hides_task_from_colleagues(w: World) -> None:
    inst, task_id = at_appraise(w)
    assert [t["id"] for t in w.inbox("sec2")] == [task_id]

    claimed = w.write(w.eng.claim_task, task_id, w["sec1"])
    assert ready(claimed, "appraise")["assignee"] == "sec1"
    assert [t["assignee"] for t in w.inbox("sec1")] == ["sec1"]
    assert w.inbox("sec2") == []
    audits = w.audit_count()
    w.write(w.eng.claim_task, task_id, w["sec1"])  # claiming again is a no-op
    assert w.audit_count() == audits

    for command in (lambda: w.complete(task_id, "sec2", {"decision": "approve"}),
                    lambda: w.write(w.eng.claim_task, task_id, w["sec2"])):
        with pytest.raises(Forbidden) as info:
            command()
        assert info.value.code == "task.claimed"
    with pytest.raises(Forbidden) as info:
        w.write(w.eng.unclaim_task, task_id, w["sec2"])
    assert info.value.code in ("task.claimed", "task.not_claimed")

    w.write(w.eng.unclaim_task, task_id, w["sec1"])
    assert [t["id"] for t in w.inbox("sec2")] == [task_id]
    assert w.inbox("sec2")[0]["assignee"] is None
    with pytest.raises(Forbidden) as info:
        w.write(w.eng.unclaim_task, task_id, w["sec1"])
    assert info.value.code == "task.not_claimed"

    w.write(w.eng.claim_task, task_id, w["sec2"])
    done = w.complete(task_id, "sec2", {"decision": "approve"})
    assert done["status"] == "completed"
    assert w.history_types(inst["id"])[-5:] == [
        "task.claimed", "task.unclaimed", "task.claimed", "task.completed",
        "instance.completed"]


def test_claim_of_a_finished_task(w: World) -> None:
    _, task_id = at_appraise(w)
    w.complete(task_id, "sec1", {"decision": "approve"})
    with pytest.raises(Conflict) as info:
        w.write(w.eng.claim_task, task_id, w["sec2"])
    assert info.value.code == "task.not_ready"


def test_cancel_by_starter(w: World) -> None:
    inst, task_id = at_appraise(w)
    done = w.write(w.eng.cancel_instance, inst["id"], w["sub_a"], "Rút hồ sơ")
    assert done["status"] == "cancelled"
    assert done["tasks"] == [] and done["ended_at"] is not None
    assert w.inbox("sec1") == []
    assert [r.state for r in w.task_rows(inst["id"])] == ["completed", "cancelled"]
    with pytest.raises(Conflict) as info:
        w.complete(task_id, "sec1", {"decision": "approve"})
    assert info.value.code == "task.not_ready"
    with pytest.raises(Conflict) as info:
        w.write(w.eng.cancel_instance, inst["id"], w["sub_a"])
    assert info.value.code == "instance.finished"
    history = w.read(w.eng.instance_history, inst["id"], w["sub_a"]).items
    assert history[-1]["type"] == "instance.cancelled"
    assert history[-1]["payload"] == {"reason": "Rút hồ sơ"}


def test_cancelled_instance_has_status_cancelled(w: World) -> None:
    inst = w.start("two_lane", "sub_a")
    assert w.write(w.eng.cancel_instance, inst["id"], w["sub_a"])["status"] == "cancelled"
    assert w.instance(inst["id"], "sub_a")["status"] == "cancelled"


def test_cancel_by_others(w: World) -> None:
    inst = w.start("two_lane", "sub_a")
    before = w.snapshot(inst["id"])
    with pytest.raises(NotFound) as nf:
        w.write(w.eng.cancel_instance, inst["id"], w["sub_b"])
    assert nf.value.code == "instance.not_found"
    for who in ("sub_a2", "sec1"):  # can see it, did not start it
        with pytest.raises(Forbidden) as info:
            w.write(w.eng.cancel_instance, inst["id"], w[who])
        assert info.value.code == "instance.cancel_forbidden"
    assert w.snapshot(inst["id"]) == before
    done = w.write(w.eng.cancel_instance, inst["id"], w["admin1"])
    assert done["status"] == "cancelled" and done["tasks"] == [] and done["ended_at"] is not None
    assert w.history_types(inst["id"])[-1] == "instance.cancelled"
    with pytest.raises(NotFound):
        w.write(w.eng.cancel_instance, 9999, w["admin1"])
