"""The route an instance took, in BPMN ids, for highlighting its diagram."""

from __future__ import annotations

from typing import Any

import pytest
from engine_kit import World, make_world, ready

from engine.errors import NotFound
from engine.runtime.trail import sequence_flows


@pytest.fixture
def w(db_url: str, monkeypatch: pytest.MonkeyPatch) -> World:
    world = make_world(db_url, monkeypatch)
    world.deploy("two_lane.bpmn")
    return world


def trail(w: World, instance_id: int, who: str = "admin1") -> dict[str, Any]:
    return dict(w.read(w.eng.instance_trail, instance_id, w[who]))


def propose(w: World, inst: dict[str, Any]) -> dict[str, Any]:
    return w.complete(ready(inst, "propose")["id"], "sub_a", {"title": "Đề nghị"})


def test_trail_follows_the_walk_the_return_loop_and_the_end(w: World) -> None:
    inst = w.start("two_lane", "sub_a")
    assert trail(w, inst["id"]) == {"completed": ["start"], "current": ["propose"],
                                    "error": [], "flows": ["f1"]}
    inst = propose(w, inst)
    assert trail(w, inst["id"], "sub_a") == {
        "completed": ["start", "propose"], "current": ["appraise"], "error": [],
        "flows": ["f1", "f2"]}

    # returned: the default flow back to propose is taken, propose is current again
    inst = w.complete(ready(inst, "appraise")["id"], "sec1", {"decision": "return"})
    t = trail(w, inst["id"])
    assert t["current"] == ["propose"]
    assert set(t["completed"]) == {"start", "appraise", "gw"}
    assert set(t["flows"]) == {"f1", "f2", "f3", "f4"}

    inst = propose(w, inst)
    inst = w.complete(ready(inst, "appraise")["id"], "sec1", {"decision": "approve"})
    assert inst["status"] == "completed"
    t = trail(w, inst["id"])
    assert t["current"] == [] and t["error"] == []
    assert set(t["completed"]) == {"start", "propose", "appraise", "gw", "calc", "end"}
    assert set(t["flows"]) == {"f1", "f2", "f3", "f4", "f5", "f6"}


def test_an_approval_at_once_never_takes_the_return_flow(w: World) -> None:
    inst = propose(w, w.start("two_lane", "sub_a"))
    inst = w.complete(ready(inst, "appraise")["id"], "sec1", {"decision": "approve"})
    assert set(trail(w, inst["id"])["flows"]) == {"f1", "f2", "f3", "f5", "f6"}


def test_the_trail_has_the_instance_visibility(w: World) -> None:
    inst = w.start("two_lane", "sub_a")
    with pytest.raises(NotFound):
        trail(w, inst["id"], "sub_b")
    with pytest.raises(NotFound):
        trail(w, 999_999)


def test_a_failing_script_shows_as_error(w: World) -> None:
    w.deploy("script_error.bpmn")
    inst = w.start("script_error", "sub_a")
    assert inst["status"] == "error"
    t = trail(w, inst["id"])
    assert "divide" in t["error"] and "start" in t["completed"]


def test_sequence_flows_are_read_from_the_xml() -> None:
    xml = ('<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL">'
           '<bpmn:process id="p"><bpmn:sequenceFlow id="a" sourceRef="s" targetRef="t"/>'
           '<bpmn:sequenceFlow id="b" sourceRef="s" targetRef="t"/>'
           '<bpmn:sequenceFlow id="c" sourceRef="t"/></bpmn:process></bpmn:definitions>')
    assert sequence_flows(xml) == {("s", "t"): ["a", "b"]}
