"""Validation: each kind of problem names its element, its stable code and its severity;
deploy refuses errors and accepts warnings; the six diagrams of bpmn/ have no problem."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from conftest import fixture_bytes
from engine_kit import World, bpmn, linear, make_world

from engine.errors import BpmnInvalid

BPMN_DIR = Path(__file__).resolve().parents[2] / "bpmn"
TWO_LANE = fixture_bytes("two_lane.bpmn")
LANES = ('<bpmn:laneSet id="ls"><bpmn:lane id="lane_x" name="{name}">'
         '<bpmn:flowNodeRef>start</bpmn:flowNodeRef></bpmn:lane></bpmn:laneSet>')


@pytest.fixture
def w(db_url: str, monkeypatch: pytest.MonkeyPatch) -> World:
    world = make_world(db_url, monkeypatch)
    world.eng.handlers.register("notify", lambda call: {"ok": True})
    return world


def problems(w: World, xml: bytes) -> list[tuple[str | None, str, str]]:
    found = w.read(w.eng.specs.problems, xml)
    return [(p["element_id"], p["code"], p["severity"]) for p in found]


def gateway(conditions: dict[str, str], default: str | None = None, kind: str = "exclusive",
            before: str = "") -> bytes:
    """start -> [before ->] gw -> one task per branch -> end."""
    first = "pre" if before else "gw"
    nodes = ['<bpmn:startEvent id="start" />', f'<bpmn:{kind}Gateway id="gw"'
             + (f' default="{default}"' if default else "") + " />",
             '<bpmn:endEvent id="end" />', before,
             f'<bpmn:sequenceFlow id="f0" sourceRef="start" targetRef="{first}" />']
    if before:
        nodes.append('<bpmn:sequenceFlow id="fpre" sourceRef="pre" targetRef="gw" />')
    for flow, cond in conditions.items():
        body = f"<bpmn:conditionExpression>{cond}</bpmn:conditionExpression>" if cond else ""
        nodes.append(f'<bpmn:manualTask id="t_{flow}" />')
        nodes.append(f'<bpmn:sequenceFlow id="{flow}" sourceRef="gw" targetRef="t_{flow}">'
                     f"{body}</bpmn:sequenceFlow>")
        nodes.append(f'<bpmn:sequenceFlow id="e_{flow}" sourceRef="t_{flow}" targetRef="end" />')
    return bpmn("".join(nodes))


@pytest.mark.parametrize("path", sorted(BPMN_DIR.glob("*.bpmn")), ids=lambda p: p.stem)
def test_the_six_diagrams_have_no_problem_at_all(path: Path, db_url: str,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    from workflows import build_engine

    world = make_world(db_url, monkeypatch)
    world.eng = build_engine()
    for dep in sorted(BPMN_DIR.glob("*.bpmn")):  # called processes first
        if dep != path and b"calledElement" not in dep.read_bytes():
            world.deploy(dep.read_bytes(), dep.name)
    assert world.read(world.eng.specs.problems, path.read_bytes()) == []


def test_unknown_role(w: World) -> None:
    xml = linear('<bpmn:manualTask id="n1" />', lanes=LANES.format(name="Phòng X (nobody)"))
    assert problems(w, xml) == [("lane_x", "role.unknown", "error")]


def test_unknown_form_key_and_handler(w: World) -> None:
    form = ('<bpmn:userTask id="n1"><bpmn:extensionElements><spiffworkflow:properties>'
            '<spiffworkflow:property name="formKey" value="missing_form" />'
            '</spiffworkflow:properties></bpmn:extensionElements></bpmn:userTask>')
    handler = ('<bpmn:serviceTask id="n2"><bpmn:extensionElements>'
               '<spiffworkflow:serviceTaskOperator id="nobody_handles"><spiffworkflow:parameters />'
               '</spiffworkflow:serviceTaskOperator>'
               '</bpmn:extensionElements></bpmn:serviceTask>')
    assert problems(w, linear(form, handler)) == [
        ("n1", "form.unknown", "error"), ("n2", "handler.unknown", "error")]


def test_unreachable_element(w: World) -> None:
    xml = linear('<bpmn:manualTask id="n1" />').replace(
        b'<bpmn:endEvent id="end" />',
        b'<bpmn:endEvent id="end" /><bpmn:manualTask id="lost" name="Lost" />'
        b'<bpmn:sequenceFlow id="fl" sourceRef="lost" targetRef="end" />')
    found = problems(w, xml)
    assert ("lost", "flow.unreachable", "error") in found
    assert {p[0] for p in found if p[1] == "flow.unreachable"} == {"lost"}


def test_boundary_events_and_sub_processes_are_reachable_through_their_host(w: World) -> None:
    body = ('<bpmn:startEvent id="start" />'
            '<bpmn:subProcess id="sub"><bpmn:startEvent id="s_start" />'
            '<bpmn:manualTask id="s_task" /><bpmn:endEvent id="s_end" />'
            '<bpmn:sequenceFlow id="s1" sourceRef="s_start" targetRef="s_task" />'
            '<bpmn:sequenceFlow id="s2" sourceRef="s_task" targetRef="s_end" />'
            '<bpmn:manualTask id="s_lost" /></bpmn:subProcess>'
            '<bpmn:boundaryEvent id="b1" attachedToRef="sub"><bpmn:escalationEventDefinition />'
            '</bpmn:boundaryEvent><bpmn:endEvent id="end" /><bpmn:endEvent id="end2" />'
            '<bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="sub" />'
            '<bpmn:sequenceFlow id="f2" sourceRef="sub" targetRef="end" />'
            '<bpmn:sequenceFlow id="f3" sourceRef="b1" targetRef="end2" />')
    unreachable = [p[0] for p in problems(w, bpmn(body)) if p[1] == "flow.unreachable"]
    assert unreachable == ["s_lost"]


@pytest.mark.parametrize("kind", ["exclusive", "inclusive"])
def test_gateway_without_default_flow(w: World, kind: str) -> None:
    cond = {"ga": "1 == 1", "gb": "1 == 2"}
    assert problems(w, gateway(cond, kind=kind)) == [("gw", "gateway.no_default", "error")]
    assert problems(w, gateway(cond, default="gb", kind=kind)) == []


def test_script_and_condition_the_sandbox_rejects(w: World) -> None:
    script = '<bpmn:scriptTask id="n1"><bpmn:script>import os</bpmn:script></bpmn:scriptTask>'
    assert problems(w, linear(script)) == [("n1", "code.rejected", "error")]
    xml = gateway({"ga": "().__class__", "gb": ""}, default="gb")
    assert ("ga", "code.rejected", "error") in problems(w, xml)


def test_condition_naming_data_nothing_earlier_produces_is_a_warning(w: World) -> None:
    task = ('<bpmn:userTask id="pre"><bpmn:extensionElements><spiffworkflow:properties>'
            '<spiffworkflow:property name="formKey" value="proposal" />'
            '</spiffworkflow:properties></bpmn:extensionElements></bpmn:userTask>')
    fine = gateway({"ga": "amount &gt; 3 and title", "gb": ""}, default="gb", before=task)
    assert problems(w, fine) == []
    typo = gateway({"ga": "amout &gt; 3", "gb": ""}, default="gb", before=task)
    assert problems(w, typo) == [("ga", "condition.unknown_data", "warning")]
    scripted = gateway({"ga": "total &gt; 3 and [x for x in range(2)]", "gb": ""},
                       default="gb", before='<bpmn:scriptTask id="pre"><bpmn:script>'
                                            'total = 4</bpmn:script></bpmn:scriptTask>')
    assert problems(w, scripted) == []


def test_deploy_refuses_errors_and_accepts_warnings(w: World) -> None:
    typo = gateway({"ga": "amout &gt; 3", "gb": ""}, default="gb")
    assert w.deploy(typo)["created"] is True
    with pytest.raises(BpmnInvalid) as info:
        w.deploy(gateway({"ga": "1 == 1", "gb": "2 == 2"}))
    details: list[dict[str, Any]] = info.value.details
    assert [(d["element_id"], d["code"], d["severity"]) for d in details] == [
        ("gw", "gateway.no_default", "error")]
    assert "Cổng rẽ nhánh" in details[0]["message"]


def test_every_problem_has_an_element_a_code_a_severity_and_a_message(w: World) -> None:
    xml = TWO_LANE.replace(b'default="f4"', b"").replace(b'"Submitter"', b'"Nobody"')
    found = w.read(w.eng.specs.problems, xml)
    by_code = {p["code"]: p for p in found}
    assert by_code["gateway.no_default"]["element_id"] == "gw"
    assert by_code["role.unknown"]["element_id"] == "l1"
    # the two-lane test diagram's condition reads "decision", which its form does not give
    assert by_code["condition.unknown_data"]["element_id"] == "f5"
    assert by_code["condition.unknown_data"]["severity"] == "warning"
    assert all(set(p) == {"element_id", "code", "severity", "message", "params"}
               and p["message"] for p in found)
    # the values in the message, for the English page (webapp/problem_words.py)
    assert by_code["role.unknown"]["params"]["name"] == "Nobody"
    assert by_code["gateway.no_default"]["params"] == {"name": "gw"}  # unnamed: its id
    assert by_code["condition.unknown_data"]["params"] == {"name": "decision"}


def _after_call(condition: str, called_body: str, io: str = "") -> bytes:
    """p: start -> call(sub) -> gw -(condition)-> end_a | default -> end_b; sub in the file."""
    main = bpmn('<bpmn:startEvent id="start" />'
                '<bpmn:callActivity id="call" calledElement="sub" />'
                '<bpmn:exclusiveGateway id="gw" default="fb" />'
                '<bpmn:endEvent id="end_a" /><bpmn:endEvent id="end_b" />'
                '<bpmn:sequenceFlow id="f0" sourceRef="start" targetRef="call" />'
                '<bpmn:sequenceFlow id="f1" sourceRef="call" targetRef="gw" />'
                f'<bpmn:sequenceFlow id="fa" sourceRef="gw" targetRef="end_a">'
                f'<bpmn:conditionExpression>{condition}</bpmn:conditionExpression>'
                '</bpmn:sequenceFlow>'
                '<bpmn:sequenceFlow id="fb" sourceRef="gw" targetRef="end_b" />')
    sub = (f'<bpmn:process id="sub" isExecutable="true">{io}<bpmn:startEvent id="s0" />'
           f'{called_body}<bpmn:endEvent id="s9" />'
           '<bpmn:sequenceFlow id="sf0" sourceRef="s0" targetRef="s1" />'
           '<bpmn:sequenceFlow id="sf1" sourceRef="s1" targetRef="s9" /></bpmn:process>')
    return main.replace(b"</bpmn:definitions>", sub.encode() + b"</bpmn:definitions>")


def data_warnings(w: World, xml: bytes) -> list[str | None]:
    return [p[0] for p in problems(w, xml) if p[1] == "condition.unknown_data"]


def test_a_condition_after_a_call_activity_knows_what_the_called_process_gives(
        w: World) -> None:
    script = '<bpmn:scriptTask id="s1"><bpmn:script>verdict = "ok"</bpmn:script></bpmn:scriptTask>'
    assert problems(w, _after_call('verdict == "ok"', script)) == []
    assert data_warnings(w, _after_call('verdikt == "ok"', script)) == ["fa"]
    # with data outputs, only those come back to the caller
    io = ('<bpmn:ioSpecification id="io"><bpmn:dataOutput id="result" />'
          '<bpmn:outputSet id="os"><bpmn:dataOutputRefs>result</bpmn:dataOutputRefs>'
          '</bpmn:outputSet></bpmn:ioSpecification>')
    outputs = script.replace('verdict = "ok"', 'verdict = "ok"\nresult = verdict')
    assert data_warnings(w, _after_call('result == "ok"', outputs, io)) == []
    assert data_warnings(w, _after_call('verdict == "ok"', outputs, io)) == ["fa"]


def test_a_called_process_deployed_before_is_read_from_the_registry(w: World) -> None:
    form = ('<bpmn:userTask id="s1"><bpmn:extensionElements><spiffworkflow:properties>'
            '<spiffworkflow:property name="formKey" value="proposal" />'
            '</spiffworkflow:properties></bpmn:extensionElements></bpmn:userTask>')
    both = _after_call("amount &gt; 3", form)
    main = re.sub(rb'<bpmn:process id="sub".*</bpmn:process>', b"", both, flags=re.S)
    sub = bpmn(re.search(rb'<bpmn:process id="sub"[^>]*>(.*?)</bpmn:process>', both,
                         re.S).group(1).decode(), process_id="sub")
    w.deploy(sub, "sub.bpmn")
    assert problems(w, main) == []
    assert data_warnings(w, main.replace(b"amount &gt; 3", b"amout &gt; 3")) == ["fa"]


def test_a_path_after_an_unknown_called_process_is_not_questioned(w: World) -> None:
    xml = re.sub(rb'<bpmn:process id="sub".*</bpmn:process>', b"",
                 _after_call("anything &gt; 3", '<bpmn:manualTask id="s1" />'), flags=re.S)
    assert data_warnings(w, xml) == []


def test_a_business_rule_task_gives_its_result_variable(w: World) -> None:
    camunda = 'xmlns:camunda="http://camunda.org/schema/1.0/bpmn"'
    rule = ('<bpmn:businessRuleTask id="pre" camunda:resultVariable="eligible" '
            'camunda:decisionRef="LDTT" />')
    fine = gateway({"ga": "eligible", "gb": ""}, default="gb", before=rule)
    fine = fine.replace(b"<bpmn:definitions ", f"<bpmn:definitions {camunda} ".encode())
    assert data_warnings(w, fine) == []
    assert data_warnings(w, fine.replace(b'"ga" sourceRef="gw" targetRef="t_ga">'
                                         b"<bpmn:conditionExpression>eligible",
                                         b'"ga" sourceRef="gw" targetRef="t_ga">'
                                         b"<bpmn:conditionExpression>elligible")) == ["ga"]


def test_a_business_rule_task_gives_its_decision_outputs() -> None:
    from lxml import etree

    from engine.specs import flow_checks
    from engine.specs.validate import Problems

    rule = ('<bpmn:businessRuleTask id="pre"><bpmn:extensionElements>'
            '<spiffworkflow:calledDecisionId>LDTT</spiffworkflow:calledDecisionId>'
            '</bpmn:extensionElements></bpmn:businessRuleTask>')
    xml = gateway({"ga": "eligible and reason", "gb": ""}, default="gb", before=rule)
    for outputs, expected in (({"eligible", "reason"}, []), ({"eligible"}, ["ga"]),
                              (None, [])):
        found = Problems()
        flow_checks.check_condition_data(etree.fromstring(xml), lambda _k: None, (), found,
                                         decisions=lambda _d, o=outputs: o)
        assert [p["element_id"] for p in found.items] == expected, outputs
