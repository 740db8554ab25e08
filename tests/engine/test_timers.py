"""Timer events: deploy, wait, fire at the scheduler's tick, boundary escalation."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from engine_kit import World, make_world, ready
from timer_kit import (
    T0,
    complete_at,
    escalating,
    notes,
    start_at,
    tick,
    timers,
    waiting,
)

from engine.service import EngineSettings


@pytest.fixture
def w(db_url: str, monkeypatch: pytest.MonkeyPatch) -> World:
    settings = EngineSettings(named_days=lambda _s, name: {"appraisal": 10}.get(name))
    return make_world(db_url, monkeypatch, settings)


def test_an_instance_waits_and_the_tick_fires_its_timer(w: World) -> None:
    assert w.deploy(waiting())["created"]
    inst = start_at(w, T0, "waiting")
    assert (inst["status"], inst["tasks"]) == ("running", [])
    [row] = timers(w, inst["id"])
    assert (row.element_id, row.title, row.kind, row.due_at) == (
        "wait", "Chờ", "intermediate", T0 + timedelta(days=3))
    assert w.instance(inst["id"])["timers"][0]["due_at"] == (T0 + timedelta(days=3)).isoformat()

    early = tick(w, T0 + timedelta(days=3) - timedelta(seconds=1))
    assert (early.active, early.timers.fired) == (True, [])
    assert w.instance(inst["id"])["tasks"] == []

    version = w.lock_version(inst["id"])
    report = tick(w, T0 + timedelta(days=3, seconds=1))
    assert report.timers.fired == [inst["id"]]
    after = w.instance(inst["id"])
    assert [t["name"] for t in after["tasks"]] == ["after"]
    assert timers(w, inst["id"]) == []
    assert w.lock_version(inst["id"]) == version + 1
    assert w.history_types(inst["id"])[-1] == "timer.fired"
    event = w.read(w.eng.instance_history, inst["id"], w["admin1"]).items[-1]
    assert event["actor"] == "system"
    assert event["payload"] == {"element_id": "wait", "title": "Chờ", "kind": "intermediate",
                                "attached_to": None, "interrupting": None,
                                "due_at": (T0 + timedelta(days=3)).isoformat()}
    assert [n.kind for n in notes(w, "sub_a")] == ["task.new"]
    assert tick(w, T0 + timedelta(days=4)).timers.fired == []  # fired once


def test_interrupting_boundary_timer_cancels_the_task_and_escalates(w: World) -> None:
    w.deploy(escalating(interrupting=True))
    inst = start_at(w, T0, "esc")
    review = ready(inst, "review")
    [row] = timers(w, inst["id"])
    assert (row.kind, row.attached_to, row.interrupting) == ("boundary", "review", True)

    tick(w, T0 + timedelta(days=3, minutes=1))

    after = w.instance(inst["id"])
    assert [t["name"] for t in after["tasks"]] == ["escalate"]
    states = {r.name: r.state for r in w.task_rows(inst["id"])}
    assert states == {"review": "cancelled", "escalate": "ready"}
    assert [t["id"] for t in w.inbox("sub_a")] == []
    assert [t["name"] for t in w.inbox("sec1")] == ["escalate"]
    assert [n.title for n in notes(w, "sec1")] == ["Công việc mới: Đôn đốc"]
    assert timers(w, inst["id"]) == []
    with pytest.raises(Exception) as info:
        w.complete(review["id"], "sub_a", {})
    assert getattr(info.value, "code", "") == "task.not_ready"


def test_non_interrupting_boundary_timer_keeps_the_task_and_adds_a_step(w: World) -> None:
    w.deploy(escalating(interrupting=False))
    inst = start_at(w, T0, "esc")

    tick(w, T0 + timedelta(days=3, minutes=1))

    after = w.instance(inst["id"])
    assert sorted(t["name"] for t in after["tasks"]) == ["escalate", "review"]
    assert [n.kind for n in notes(w, "sec1")] == ["task.new"]
    assert timers(w, inst["id"]) == []  # a duration fires once
    done = complete_at(w, T0 + timedelta(days=4), ready(after, "review")["id"], "sub_a")
    assert [t["name"] for t in done["tasks"]] == ["escalate"]
    assert w.complete(ready(done, "escalate")["id"], "sec1")["status"] == "completed"


def test_completing_the_task_first_removes_its_timer(w: World) -> None:
    w.deploy(escalating(interrupting=True))
    inst = start_at(w, T0, "esc")
    assert len(timers(w, inst["id"])) == 1

    done = complete_at(w, T0 + timedelta(days=1), ready(inst, "review")["id"], "sub_a")

    assert done["status"] == "completed"
    assert timers(w, inst["id"]) == []
    assert tick(w, T0 + timedelta(days=5)).timers.fired == []
    assert "timer.fired" not in w.history_types(inst["id"])


def test_cancelling_the_instance_removes_its_timers(w: World) -> None:
    w.deploy(waiting())
    inst = start_at(w, T0, "waiting")
    w.write(w.eng.cancel_instance, inst["id"], w["sub_a"], "thử")
    assert timers(w, inst["id"]) == []


def test_working_days_skip_tet(w: World) -> None:
    """Thursday 12/02/2026 + 5 working days: Friday 13, then Tết (14–22/02), then 23–26."""
    w.deploy(waiting("working_days(5)"))
    inst = start_at(w, T0, "waiting")
    [row] = timers(w, inst["id"])
    assert row.due_at == datetime(2026, 2, 26, 16, 59, 59, tzinfo=UTC)  # 23:59:59 in Hà Nội
    assert tick(w, datetime(2026, 2, 26, 16, 0, tzinfo=UTC)).timers.fired == []
    assert tick(w, datetime(2026, 2, 26, 17, 0, tzinfo=UTC)).timers.fired == [inst["id"]]


def test_working_days_from_a_setting_and_dates_in_the_office_zone(w: World) -> None:
    w.deploy(waiting('working_days("setting:appraisal")'))
    inst = start_at(w, T0, "waiting")
    # 10 working days from Thursday 12/02/2026 across Tết: 13/02, 23–27/02, 02–05/03
    assert timers(w, inst["id"])[0].due_at == datetime(2026, 3, 5, 16, 59, 59, tzinfo=UTC)

    w.deploy(waiting('"2026-03-02T08:00"', tag="timeDate", process_id="dated"))
    dated = start_at(w, T0, "dated")
    assert timers(w, dated["id"])[0].due_at == datetime(2026, 3, 2, 1, 0, tzinfo=UTC)


def test_a_timer_on_the_data(w: World) -> None:
    w.deploy(waiting('"P%dD" % wait_days'))
    inst = start_at(w, T0, "waiting", data={"wait_days": 2})
    assert timers(w, inst["id"])[0].due_at == T0 + timedelta(days=2)


def test_a_bad_timer_value_puts_the_instance_in_error(w: World) -> None:
    w.deploy(waiting("wait_for"))
    inst = start_at(w, T0, "waiting", data={"wait_for": "ba ngày"})
    assert inst["status"] == "error"
    assert inst["error"]["element_id"] == "wait"
    assert "ISO 8601" in inst["error"]["message"]
    assert timers(w, inst["id"]) == []


def test_one_failing_instance_does_not_stop_the_others(w: World) -> None:
    w.deploy(waiting(after_script="x = 1 / zero"))
    failing = start_at(w, T0, "waiting", data={"zero": 0})
    w.deploy(waiting(process_id="fine"))
    fine = start_at(w, T0, "fine")

    report = tick(w, T0 + timedelta(days=3, seconds=1))

    assert sorted(report.timers.fired) == sorted([failing["id"], fine["id"]])
    failed = w.instance(failing["id"])
    assert (failed["status"], failed["error"]["element_id"]) == ("error", "calc")
    assert [t["name"] for t in w.instance(fine["id"])["tasks"]] == ["after"]
    # an instance in error is not fired again at every tick
    assert tick(w, T0 + timedelta(days=4)).timers.fired == []


def test_a_refusal_after_the_timer_puts_the_instance_in_error(w: World) -> None:
    from engine.errors import InvalidData

    def refuse(_call: object) -> None:
        raise InvalidData("Không được.", code="demo.refused")

    w.eng.handlers.register("refuse", refuse)
    doc = waiting().decode().replace(
        '<bpmn:userTask id="after" name="Sau khi chờ" />',
        '<bpmn:serviceTask id="after" name="Sau khi chờ"><bpmn:extensionElements>'
        '<spiffworkflow:serviceTaskOperator id="refuse"><spiffworkflow:parameters />'
        '</spiffworkflow:serviceTaskOperator></bpmn:extensionElements></bpmn:serviceTask>')
    w.deploy(doc.encode())
    inst = start_at(w, T0, "waiting")

    report = tick(w, T0 + timedelta(days=3, seconds=1))

    assert report.timers.failed == [inst["id"]]
    failed = w.instance(inst["id"])
    assert (failed["status"], failed["error"]["element_id"]) == ("error", "wait")
    assert failed["error"]["message"] == "Hẹn giờ không chạy được: Không được."
    assert len(timers(w, inst["id"])) == 1  # still waiting; retry fires it again


def test_a_timer_due_when_another_command_runs_fires_there_and_is_audited(w: World) -> None:
    """Engine steps refresh the timers: acting on another branch after the moment fires it."""
    from engine_kit import bpmn

    w.deploy(bpmn(
        '<bpmn:startEvent id="start" /><bpmn:parallelGateway id="split" />'
        '<bpmn:intermediateCatchEvent id="wait"><bpmn:timerEventDefinition id="td">'
        '<bpmn:timeDuration>"P3D"</bpmn:timeDuration></bpmn:timerEventDefinition>'
        '</bpmn:intermediateCatchEvent><bpmn:userTask id="after" /><bpmn:userTask id="other" />'
        '<bpmn:parallelGateway id="join" /><bpmn:endEvent id="end" />'
        '<bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="split" />'
        '<bpmn:sequenceFlow id="f2" sourceRef="split" targetRef="wait" />'
        '<bpmn:sequenceFlow id="f3" sourceRef="wait" targetRef="after" />'
        '<bpmn:sequenceFlow id="f4" sourceRef="split" targetRef="other" />'
        '<bpmn:sequenceFlow id="f5" sourceRef="after" targetRef="join" />'
        '<bpmn:sequenceFlow id="f6" sourceRef="other" targetRef="join" />'
        '<bpmn:sequenceFlow id="f7" sourceRef="join" targetRef="end" />', "branches"))
    inst = start_at(w, T0, "branches")

    done = complete_at(w, T0 + timedelta(days=4), ready(inst, "other")["id"], "sub_a")

    assert [t["name"] for t in done["tasks"]] == ["after"]
    assert w.history_types(inst["id"]).count("timer.fired") == 1
    assert timers(w, inst["id"]) == []
    assert tick(w, T0 + timedelta(days=5)).timers.fired == []


def test_completing_a_step_after_its_timers_moment_but_before_the_tick(w: World) -> None:
    """The completion wins: the boundary timer had not fired yet (ticks are 30 s apart)."""
    w.deploy(escalating(interrupting=True))
    inst = start_at(w, T0, "esc")
    done = complete_at(w, T0 + timedelta(days=3, seconds=5), ready(inst, "review")["id"],
                       "sub_a")
    assert (done["status"], done["tasks"]) == ("completed", [])
    assert "timer.fired" not in w.history_types(inst["id"])
    assert timers(w, inst["id"]) == []


def test_a_moment_already_past_fires_at_once(w: World) -> None:
    w.deploy(waiting('"2026-01-01T08:00"', tag="timeDate"))
    inst = start_at(w, T0, "waiting")
    assert [t["name"] for t in inst["tasks"]] == ["after"]
    assert w.history_types(inst["id"]) == ["instance.started", "timer.fired"]
    assert timers(w, inst["id"]) == []


def test_a_timer_inside_a_called_process(w: World) -> None:
    from engine_kit import bpmn

    w.deploy(waiting(process_id="callee"))
    w.deploy(bpmn('<bpmn:startEvent id="start" /><bpmn:callActivity id="call" '
                  'calledElement="callee" /><bpmn:endEvent id="end" />'
                  '<bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="call" />'
                  '<bpmn:sequenceFlow id="f2" sourceRef="call" targetRef="end" />', "caller"))
    inst = start_at(w, T0, "caller")
    assert [(t.element_id, t.due_at) for t in timers(w, inst["id"])] == [
        ("wait", T0 + timedelta(days=3))]
    assert tick(w, T0 + timedelta(days=3, seconds=1)).timers.fired == [inst["id"]]
    assert [t["name"] for t in w.instance(inst["id"])["tasks"]] == ["after"]
