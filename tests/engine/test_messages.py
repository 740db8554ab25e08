"""Messages: ``ProcessEngine.deliver_message`` to an instance waiting on a message catch
event, here inside a called process (as the council's ``council_review`` is).

The payload lands in the data under the event's ``spiffworkflow:messageVariable``; one
command, one transaction, audited; a refused delivery changes nothing.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from engine_kit import BPMN_NS, SPIFF_NS, World, make_world
from sqlalchemy import func, select

from engine.errors import Conflict, InvalidData
from engine.store.models import AuditEvent, ProcessInstance

WAITER = f"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="{BPMN_NS}" xmlns:spiffworkflow="{SPIFF_NS}" id="defs_waiter"
  targetNamespace="http://bpmn.io/schema/bpmn">
  <bpmn:message id="msg_ready" name="ready" />
  <bpmn:process id="waiter" name="Chờ" isExecutable="true">
    <bpmn:startEvent id="s" />
    <bpmn:intermediateCatchEvent id="wait">
      <bpmn:messageEventDefinition id="wait_def" messageRef="msg_ready">
        <bpmn:extensionElements>
          <spiffworkflow:messageVariable>answer</spiffworkflow:messageVariable>
        </bpmn:extensionElements>
      </bpmn:messageEventDefinition>
    </bpmn:intermediateCatchEvent>
    <bpmn:userTask id="after" name="Sau khi nhận" />
    <bpmn:endEvent id="e" />
    <bpmn:sequenceFlow id="g1" sourceRef="s" targetRef="wait" />
    <bpmn:sequenceFlow id="g2" sourceRef="wait" targetRef="after" />
    <bpmn:sequenceFlow id="g3" sourceRef="after" targetRef="e" />
  </bpmn:process>
</bpmn:definitions>
""".encode()

MAIN = f"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="{BPMN_NS}" id="defs_main"
  targetNamespace="http://bpmn.io/schema/bpmn">
  <bpmn:process id="main" name="Chính" isExecutable="true">
    <bpmn:startEvent id="start" />
    <bpmn:callActivity id="call" calledElement="waiter" />
    <bpmn:userTask id="done" name="Xong" />
    <bpmn:endEvent id="end" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="call" />
    <bpmn:sequenceFlow id="f2" sourceRef="call" targetRef="done" />
    <bpmn:sequenceFlow id="f3" sourceRef="done" targetRef="end" />
  </bpmn:process>
</bpmn:definitions>
""".encode()


@pytest.fixture
def world(db_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[World]:
    made = make_world(db_url, monkeypatch)
    made.deploy(WAITER, "waiter.bpmn")
    made.deploy(MAIN, "main.bpmn")
    yield made
    made.db.dispose()


def deliver(world: World, instance_id: int, name: str, payload: Any, **kwargs: Any
            ) -> dict[str, Any]:
    return world.write(world.eng.deliver_message, instance_id, name, payload,
                       world["sec1"], **kwargs)


def version(world: World, instance_id: int) -> tuple[int, str]:
    with world.db.session() as s:
        inst = s.get(ProcessInstance, instance_id)
        assert inst is not None
        return inst.lock_version, inst.state_json


def test_a_message_reaches_the_called_process_with_its_payload(world: World) -> None:
    inst = world.start("main", "sub_a")
    assert (inst["status"], inst["tasks"]) == ("running", [])  # waiting on the message
    marks: list[int] = []

    def within() -> None:  # the sender's bookkeeping, in the same transaction
        with world.db.session():
            marks.append(1)

    after = deliver(world, inst["id"], "ready", {"ok": True, "n": 3}, within=within)
    assert [t["name"] for t in after["tasks"]] == ["after"] and marks == [1]
    assert after["data"]["answer"] == {"ok": True, "n": 3}
    with world.db.session() as s:
        events = s.scalars(select(AuditEvent).where(
            AuditEvent.instance_id == inst["id"], AuditEvent.event_type == "instance.message")
        ).all()
        assert len(events) == 1 and events[0].actor_id == world["sec1"].id
    done = world.complete(after["tasks"][0]["id"], "sub_a", {})
    assert [t["name"] for t in done["tasks"]] == ["done"]
    assert done["data"]["answer"] == {"ok": True, "n": 3}  # back in the calling process


def test_a_refused_delivery_changes_nothing(world: World) -> None:
    inst = world.start("main", "sub_a")
    before = version(world, inst["id"])
    with pytest.raises(Conflict) as err:
        deliver(world, inst["id"], "other", {})
    assert err.value.code == "instance.not_waiting"
    with pytest.raises(InvalidData):
        deliver(world, inst["id"], "ready", ["not", "an", "object"])

    def failing() -> None:
        raise RuntimeError("the sender could not record it")

    with pytest.raises(RuntimeError):
        deliver(world, inst["id"], "ready", {"ok": True}, within=failing)
    assert version(world, inst["id"]) == before
    with world.db.session() as s:
        assert s.scalar(select(func.count()).select_from(AuditEvent).where(
            AuditEvent.event_type == "instance.message")) == 0
    deliver(world, inst["id"], "ready", {"ok": True})
    with pytest.raises(Conflict) as err:  # caught once: the second one finds nobody waiting
        deliver(world, inst["id"], "ready", {"ok": True})
    assert err.value.code == "instance.not_waiting"
    other = world.start("main", "sub_a")
    world.write(world.eng.cancel_instance, other["id"], world["sub_a"], "thôi")
    with pytest.raises(Conflict) as err:
        deliver(world, other["id"], "ready", {"ok": True})
    assert err.value.code == "instance.not_running"


@pytest.mark.parametrize(("event", "call", "expected"), [
    ("Phiên họp Hội đồng kết thúc", "Hội đồng xét", "Phiên họp Hội đồng kết thúc"),
    ("", "Hội đồng xét", "Hội đồng xét"),  # no named event: the called process under way
    ("", "", None),
])
def test_an_instance_with_no_step_to_do_says_what_it_waits_for(
        db_url: str, monkeypatch: pytest.MonkeyPatch, event: str, call: str,
        expected: str | None) -> None:
    world = make_world(db_url, monkeypatch)
    try:
        world.deploy(WAITER.replace(b'id="wait">', f'id="wait" name="{event}">'.encode()),
                     "waiter.bpmn")
        world.deploy(MAIN.replace(b'id="call" ', f'id="call" name="{call}" '.encode()),
                     "main.bpmn")
        inst = world.start("main", "sub_a")
        assert inst["waiting_for"] == expected
        listed = world.read(world.eng.list_instances, world["sub_a"]).items[0]
        assert listed["waiting_for"] == expected
        after = deliver(world, inst["id"], "ready", {})
        assert after["waiting_for"] is None and after["tasks"]  # a person has a step again
        with world.db.session() as s:
            assert s.get(ProcessInstance, inst["id"]).waiting_for is None
    finally:
        world.db.dispose()
