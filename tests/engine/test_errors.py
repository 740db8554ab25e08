"""Failures while running: script errors, time limits, handlers, retry, rollback."""

from __future__ import annotations

from typing import Any

import pytest
from engine_kit import World, bpmn, linear, make_world, ready

from engine.errors import Conflict, InvalidData
from engine.extensions import ServiceCall
from engine.service import EngineSettings


@pytest.fixture
def w(db_url: str, monkeypatch: pytest.MonkeyPatch) -> World:
    return make_world(db_url, monkeypatch, EngineSettings(script_timeout_s=0.3))


def test_script_error_is_kept_as_error_status(w: World) -> None:
    w.deploy("script_error.bpmn")
    inst = w.start("script_error", "sub_a", {"divisor": 0})
    assert inst["status"] == "error"
    assert inst["error"]["element_id"] == "divide"
    assert "division by zero" in inst["error"]["message"]
    assert inst["tasks"] == []
    stored = w.instance(inst["id"], "sub_a")
    assert stored["error"] == inst["error"]
    events = w.read(w.eng.instance_history, inst["id"], w["sub_a"]).items
    assert [e["type"] for e in events] == ["instance.started", "instance.error"]
    assert events[1]["payload"]["element_id"] == "divide"

    # Retrying without a fix fails the same way, and says so again.
    again = w.write(w.eng.retry_instance, inst["id"], w["admin1"])
    assert (again["status"], again["error"]["element_id"]) == ("error", "divide")
    assert w.history_types(inst["id"])[-2:] == ["instance.retried", "instance.error"]


def test_retry_requires_error_status(w: World) -> None:
    w.deploy("script_error.bpmn")
    inst = w.start("script_error", "sub_a", {"divisor": 4})
    assert (inst["status"], inst["error"], inst["data"]["y"]) == ("running", None, 2.5)
    with pytest.raises(Conflict) as info:
        w.write(w.eng.retry_instance, inst["id"], w["admin1"])
    assert info.value.code == "instance.not_in_error"


def test_flaky_handler_then_retry_completes(w: World) -> None:
    calls: list[ServiceCall] = []

    def notify(call: ServiceCall) -> dict[str, Any]:
        calls.append(call)
        if len(calls) == 1:
            raise RuntimeError("mail server down")
        return {"sent_to": call.data["email"], "p": call.params["p"]}

    w.eng.handlers.register("notify", notify)
    w.deploy("service_task.bpmn")
    inst = w.start("service_task", "sub_a", {"email": "a@example.vn"})
    fill = ready(inst, "fill")
    failed = w.complete(fill["id"], "sub_a", {"x": 21})
    assert failed["status"] == "error"
    assert failed["error"]["element_id"] == "send"
    assert "mail server down" in failed["error"]["message"]
    assert [(r.name, r.state) for r in w.task_rows(inst["id"])] == [("fill", "completed")]

    done = w.write(w.eng.retry_instance, inst["id"], w["admin1"])
    assert (done["status"], done["error"]) == ("completed", None)
    assert done["data"]["r"] == {"sent_to": "a@example.vn", "p": 42}
    assert len(calls) == 2
    call = calls[1]
    assert (call.instance_id, call.process_key, call.element_id) == (
        inst["id"], "service_task", "send")
    assert call.actor.username == "admin1"
    assert w.history_types(inst["id"]) == [
        "instance.started", "task.completed", "instance.error", "instance.retried",
        "instance.completed"]


def test_handler_domain_error_rolls_back_the_completion(w: World) -> None:
    def notify(call: ServiceCall) -> None:
        raise InvalidData("Thiếu email.", details={"email": ["Bắt buộc."]})

    w.eng.handlers.register("notify", notify)
    w.deploy("service_task.bpmn")
    inst = w.start("service_task", "sub_a")
    fill = ready(inst, "fill")
    before = w.snapshot(inst["id"])
    with pytest.raises(InvalidData) as info:
        w.complete(fill["id"], "sub_a", {"x": 1})
    assert info.value.details == {"email": ["Bắt buộc."]}
    assert w.snapshot(inst["id"]) == before
    assert [t["id"] for t in w.inbox("sub_a")] == [fill["id"]]
    assert w.instance(inst["id"], "sub_a")["status"] == "running"


def test_handler_writes_roll_back_with_the_command(w: World) -> None:
    """A handler runs in the command's transaction: its writes go when the command fails."""
    from engine import audit

    def notify(call: ServiceCall) -> None:
        audit.append(call.session, call.actor, "mail.sent", {"to": "x"}, call.instance_id)
        raise InvalidData("Không gửi được.")

    w.eng.handlers.register("notify", notify)
    w.deploy("service_task.bpmn")
    inst = w.start("service_task", "sub_a")
    with pytest.raises(InvalidData):
        w.complete(ready(inst, "fill")["id"], "sub_a", {"x": 1})
    assert "mail.sent" not in w.history_types(inst["id"])


def test_script_time_limit(w: World) -> None:
    script = "n = 0\nwhile True:\n    n += 1"
    w.deploy(linear(f'<bpmn:scriptTask id="n1"><bpmn:script>{script}</bpmn:script>'
                    "</bpmn:scriptTask>"))
    inst = w.start("p", "sub_a")
    assert inst["status"] == "error"
    assert inst["error"]["element_id"] == "n1"
    assert "time limit" in inst["error"]["message"]


def test_failing_condition_is_an_error(w: World) -> None:
    body = """
      <bpmn:startEvent id="start" />
      <bpmn:exclusiveGateway id="gw" default="f_default" />
      <bpmn:endEvent id="end1" /><bpmn:endEvent id="end2" />
      <bpmn:sequenceFlow id="f0" sourceRef="start" targetRef="gw" />
      <bpmn:sequenceFlow id="f_cond" sourceRef="gw" targetRef="end1">
        <bpmn:conditionExpression>missing_name &gt; 3</bpmn:conditionExpression>
      </bpmn:sequenceFlow>
      <bpmn:sequenceFlow id="f_default" sourceRef="gw" targetRef="end2" />"""
    w.deploy(bpmn(body))
    inst = w.start("p", "sub_a")
    assert inst["status"] == "error"
    assert inst["error"]["element_id"] == "gw"
    assert "missing_name" in inst["error"]["message"]
    ok = w.start("p", "sub_a", {"missing_name": 5})
    assert ok["status"] == "completed"


def test_complete_refused_while_instance_in_error(w: World) -> None:
    body = """
      <bpmn:startEvent id="start" />
      <bpmn:parallelGateway id="fork" /><bpmn:parallelGateway id="join" />
      <bpmn:userTask id="review" />
      <bpmn:scriptTask id="divide"><bpmn:script>y = 1 / divisor</bpmn:script></bpmn:scriptTask>
      <bpmn:endEvent id="end" />
      <bpmn:sequenceFlow id="f0" sourceRef="start" targetRef="fork" />
      <bpmn:sequenceFlow id="f1" sourceRef="fork" targetRef="review" />
      <bpmn:sequenceFlow id="f2" sourceRef="fork" targetRef="divide" />
      <bpmn:sequenceFlow id="f3" sourceRef="review" targetRef="join" />
      <bpmn:sequenceFlow id="f4" sourceRef="divide" targetRef="join" />
      <bpmn:sequenceFlow id="f5" sourceRef="join" targetRef="end" />"""
    w.deploy(bpmn(body))
    inst = w.start("p", "sub_a", {"divisor": 0})
    assert inst["status"] == "error"
    review = ready(inst, "review")
    before = w.snapshot(inst["id"])
    with pytest.raises(Conflict) as info:
        w.complete(review["id"], "sub_a", {})
    assert info.value.code == "instance.error"
    assert w.snapshot(inst["id"]) == before
