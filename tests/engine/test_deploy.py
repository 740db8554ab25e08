"""Deploying process models: versions, validation with element ids, hostile XML, spec cache."""

from __future__ import annotations

from typing import Any

import pytest
from conftest import fixture_bytes
from engine_kit import World, bpmn, linear, make_world
from sqlalchemy import func, select

from engine.errors import BpmnInvalid, NotFound
from engine.roles import SYSTEM
from engine.service import EngineSettings, ProcessEngine
from engine.specs.xmlsafe import MAX_BPMN_BYTES
from engine.store.models import AuditEvent, ProcessModelVersion

TWO_LANE = fixture_bytes("two_lane.bpmn")


@pytest.fixture
def w(db_url: str, monkeypatch: pytest.MonkeyPatch) -> World:
    return make_world(db_url, monkeypatch)


def deploy_error(w: World, xml: bytes) -> BpmnInvalid:
    before = stored_counts(w)
    with pytest.raises(BpmnInvalid) as info:
        w.deploy(xml)
    assert stored_counts(w) == before, "a refused deploy must store nothing"
    return info.value


def stored_counts(w: World) -> tuple[int, int]:
    def body(s: Any) -> tuple[int, int]:
        return (s.scalar(select(func.count()).select_from(ProcessModelVersion)),
                s.scalar(select(func.count()).select_from(AuditEvent)))
    return tuple(w.read(body))  # type: ignore[return-value]


def ids_of(err: BpmnInvalid) -> set[str | None]:
    return {d["element_id"] for d in err.details}


# -- versions -------------------------------------------------------------------------

def test_versions_identical_redeploy_and_change(w: World) -> None:
    first = w.deploy(TWO_LANE)
    assert (first["key"], first["version"], first["created"]) == ("two_lane", 1, True)
    assert first["name"] == "Two lanes"

    again = w.deploy(TWO_LANE)
    assert (again["version"], again["created"], again["sha256"]) == (1, False, first["sha256"])

    changed = TWO_LANE.replace(b"total = 1 + 2", b"total = 10 + 20")
    second = w.deploy(changed)
    assert (second["version"], second["created"]) == (2, True)
    assert second["sha256"] != first["sha256"]

    # The old bytes still name version 1: nothing new is stored.
    assert w.deploy(TWO_LANE)["version"] == 1
    procs = w.read(w.eng.list_processes)
    assert [(p["key"], p["latest_version"], [v["version"] for v in p["versions"]])
            for p in procs] == [("two_lane", 2, [2, 1])]
    assert "10 + 20" in w.read(w.eng.process_xml, "two_lane")
    assert "1 + 2" in w.read(w.eng.process_xml, "two_lane", 1)
    with pytest.raises(NotFound) as info:
        w.read(w.eng.process_xml, "two_lane", 7)
    assert info.value.code == "process.not_found"
    deployed = [e for e in w.read(lambda s: s.scalars(select(AuditEvent)).all())
                if e.event_type == "process.deployed"]
    assert len(deployed) == 2


def test_running_instance_keeps_its_version(w: World) -> None:
    w.deploy(TWO_LANE)
    old = w.start("two_lane", "sub_a")
    w.deploy(TWO_LANE.replace(b"total = 1 + 2", b"total = 10 + 20"))
    new = w.start("two_lane", "sub_a")
    assert (old["version"], new["version"]) == (1, 2)
    totals = {}
    for inst in (old, new):
        view = w.complete(inst["tasks"][0]["id"], "sub_a", {"title": "Khen thưởng"})
        view = w.complete(view["tasks"][0]["id"], "sec1", {"decision": "approve"})
        assert view["status"] == "completed"
        totals[view["version"]] = view["data"]["total"]
    assert totals == {1: 3, 2: 30}


def test_start_unknown_process(w: World) -> None:
    with pytest.raises(NotFound) as info:
        w.start("nope", "sub_a")
    assert info.value.code == "process.not_found"


# -- validation -----------------------------------------------------------------------

def test_invalid_xml(w: World) -> None:
    err = deploy_error(w, b"<bpmn:definitions xmlns:bpmn='x'><unclosed></bpmn:definitions>")
    assert err.code == "bpmn.invalid"
    assert err.details and err.details[0]["element_id"] is None


def test_unknown_lane_reports_the_lane(w: World) -> None:
    lanes = ('<bpmn:laneSet id="ls"><bpmn:lane id="lane_kt" name="Phòng Kế toán">'
             '<bpmn:flowNodeRef>n1</bpmn:flowNodeRef></bpmn:lane>'
             '<bpmn:lane id="lane_ok" name="Hội đồng (council)">'
             '<bpmn:flowNodeRef>start</bpmn:flowNodeRef></bpmn:lane></bpmn:laneSet>')
    err = deploy_error(w, linear('<bpmn:userTask id="n1" />', lanes=lanes))
    assert err.code == "bpmn.invalid"
    assert ids_of(err) == {"lane_kt"}
    assert "Phòng Kế toán" in err.details[0]["message"]


def test_forbidden_code_is_reported_per_element(w: World) -> None:
    body = """
      <bpmn:startEvent id="start" />
      <bpmn:scriptTask id="evil_script">
        <bpmn:script>x = __import__("os")</bpmn:script></bpmn:scriptTask>
      <bpmn:exclusiveGateway id="gw" default="f_default" />
      <bpmn:endEvent id="end1" /><bpmn:endEvent id="end2" />
      <bpmn:sequenceFlow id="f0" sourceRef="start" targetRef="evil_script" />
      <bpmn:sequenceFlow id="f1" sourceRef="evil_script" targetRef="gw" />
      <bpmn:sequenceFlow id="evil_flow" sourceRef="gw" targetRef="end1">
        <bpmn:conditionExpression>().__class__</bpmn:conditionExpression></bpmn:sequenceFlow>
      <bpmn:sequenceFlow id="f_default" sourceRef="gw" targetRef="end2" />"""
    err = deploy_error(w, bpmn(body))
    assert err.code == "bpmn.invalid"
    assert ids_of(err) == {"evil_script", "evil_flow"}
    by_id = {d["element_id"]: d["message"] for d in err.details}
    assert "__import__" in by_id["evil_script"]
    assert "__class__" in by_id["evil_flow"]


def test_forbidden_due_expression(w: World) -> None:
    user = ('<bpmn:userTask id="n1"><bpmn:extensionElements><spiffworkflow:properties>'
            '<spiffworkflow:property name="dueWorkingDays" value="_secret + 1" />'
            '</spiffworkflow:properties></bpmn:extensionElements></bpmn:userTask>')
    err = deploy_error(w, linear(user))
    assert ids_of(err) == {"n1"}


def service_with_param(value: str) -> bytes:
    """A service task whose parameter is nested as bpmn-js-spiffworkflow writes it."""
    return linear('<bpmn:serviceTask id="n1"><bpmn:extensionElements>'
                  '<spiffworkflow:serviceTaskOperator id="notify" resultVariable="r">'
                  '<spiffworkflow:parameters><spiffworkflow:parameter id="p" type="str" '
                  f'value="{value}" /></spiffworkflow:parameters>'
                  '</spiffworkflow:serviceTaskOperator></bpmn:extensionElements>'
                  '</bpmn:serviceTask>')


def test_forbidden_service_parameter_is_rejected_at_deploy(w: World) -> None:
    w.eng.handlers.register("notify", lambda call: None)
    err = deploy_error(w, service_with_param("x.__dict__"))
    assert ids_of(err) == {"n1"}


def test_service_parameter_is_evaluated_in_the_sandbox(w: World) -> None:
    """The parameter expression runs against task data; a failure there is an instance error."""
    calls: list[Any] = []
    w.eng.handlers.register("notify", calls.append)
    w.deploy(service_with_param("x + 1"))
    failed = w.start("p", "sub_a", {})
    assert (failed["status"], failed["error"]["element_id"]) == ("error", "n1")
    assert calls == []
    done = w.start("p", "sub_a", {"x": 6})
    assert done["status"] == "completed"
    assert [c.params for c in calls] == [{"p": 7}]
    assert done["data"]["r"] is None


def test_doctype_is_refused(w: World) -> None:
    err = deploy_error(w, fixture_bytes("xxe.bpmn"))
    assert err.code == "bpmn.doctype_forbidden"
    # Declared but unused entities: still a DOCTYPE, still refused.
    unused = fixture_bytes("billion_laughs.bpmn").replace(b' name="&lol9;"', b"")
    assert deploy_error(w, unused).code == "bpmn.doctype_forbidden"


@pytest.mark.parametrize("name", ["xxe.bpmn", "xxe_attribute.bpmn", "billion_laughs.bpmn"])
def test_hostile_doctype_is_refused_without_expanding(w: World, name: str) -> None:
    err = deploy_error(w, fixture_bytes(name))
    text = f"{err.message} {err.details}"
    assert "root:" not in text and "lollollol" not in text


@pytest.mark.parametrize("name", ["xxe_attribute.bpmn", "billion_laughs.bpmn"])
def test_hostile_doctype_code(w: World, name: str) -> None:
    assert deploy_error(w, fixture_bytes(name)).code == "bpmn.doctype_forbidden"


def test_too_large_is_refused(w: World) -> None:
    padding = b"<!--" + b"x" * (MAX_BPMN_BYTES + 10) + b"-->"
    xml = TWO_LANE.replace(b"<bpmn:process ", padding + b"<bpmn:process ", 1)
    assert len(xml) > MAX_BPMN_BYTES
    err = deploy_error(w, xml)
    assert err.code == "bpmn.too_large"


def test_no_or_several_executable_processes(w: World) -> None:
    err = deploy_error(w, linear().replace(b'isExecutable="true"', b'isExecutable="false"'))
    assert err.code == "bpmn.invalid"
    assert "isExecutable" in err.message
    two = linear().replace(b"</bpmn:definitions>", b"""
      <bpmn:process id="q" isExecutable="true"><bpmn:startEvent id="qs" /></bpmn:process>
    </bpmn:definitions>""")
    err = deploy_error(w, two)
    assert "p" in err.message and "q" in err.message


def test_unknown_form_key_spiff_and_camunda(w: World) -> None:
    spiff = ('<bpmn:userTask id="n1"><bpmn:extensionElements><spiffworkflow:properties>'
             '<spiffworkflow:property name="formKey" value="missing_form" />'
             '</spiffworkflow:properties></bpmn:extensionElements></bpmn:userTask>')
    err = deploy_error(w, linear(spiff))
    assert ids_of(err) == {"n1"}
    assert "missing_form" in err.details[0]["message"]
    camunda = TWO_LANE.replace(b'camunda:formKey="proposal"', b'camunda:formKey="other"')
    err = deploy_error(w, camunda)
    assert ids_of(err) == {"propose"}


def test_unknown_service_handler(w: World) -> None:
    err = deploy_error(w, fixture_bytes("service_task.bpmn"))
    assert len(err.details) == 1
    assert "notify" in err.details[0]["message"]
    w.eng.handlers.register("notify", lambda call: {"ok": True})
    assert w.deploy("service_task.bpmn")["created"] is True


def test_unknown_service_handler_names_the_task(w: World) -> None:
    err = deploy_error(w, fixture_bytes("service_task.bpmn"))
    assert ids_of(err) == {"send"}


def test_structural_error_from_spiff(w: World) -> None:
    # A sequence flow pointing at nothing: caught by SpiffWorkflow's parser.
    xml = bpmn('<bpmn:startEvent id="start" />'
               '<bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="ghost" />')
    err = deploy_error(w, xml)
    assert err.code == "bpmn.invalid"


def test_several_problems_are_all_reported(w: World) -> None:
    xml = linear('<bpmn:scriptTask id="n1"><bpmn:script>import os</bpmn:script></bpmn:scriptTask>',
                 '<bpmn:userTask id="n2"><bpmn:extensionElements><spiffworkflow:properties>'
                 '<spiffworkflow:property name="formKey" value="nope" />'
                 '</spiffworkflow:properties></bpmn:extensionElements></bpmn:userTask>')
    err = deploy_error(w, xml)
    assert ids_of(err) == {"n1", "n2"}
    assert err.message.startswith("Sơ đồ có 2 lỗi")


# -- spec cache -----------------------------------------------------------------------

def test_spec_cache_parses_each_version_once(w: World, monkeypatch: pytest.MonkeyPatch,
                                             db_url: str) -> None:
    w.deploy(TWO_LANE)
    version_id = w.read(lambda s: s.scalar(select(ProcessModelVersion.id)))
    parses: list[str] = []
    real_parse = w.eng.specs._parse

    def counting(key: str, docs: Any) -> Any:
        parses.append(key)
        return real_parse(key, docs)

    monkeypatch.setattr(w.eng.specs, "_parse", counting)
    first = w.read(w.eng.specs.load, version_id)
    second = w.read(w.eng.specs.load, version_id)
    assert first is second
    assert parses == ["two_lane"]
    w.start("two_lane", "sub_a")
    w.start("two_lane", "sub_a")
    assert parses == ["two_lane"], "starting instances must reuse the cached spec"
    assert first.start_role == "submitter" and first.version == 1

    # Another engine (another process) has its own cache; an LRU of one evicts.
    other = ProcessEngine(EngineSettings(spec_cache_size=1))
    other.forms.register("proposal", w.eng.forms._schemas["proposal"])
    with w.db.write_session() as s:
        other.deploy(s, linear(process_id="tiny"), SYSTEM, "tiny.bpmn")
    ids = w.read(lambda s: s.scalars(select(ProcessModelVersion.id)
                                     .order_by(ProcessModelVersion.id)).all())
    a = w.read(other.specs.load, ids[0])
    assert a is not first
    w.read(other.specs.load, ids[1])
    assert w.read(other.specs.load, ids[0]) is not a
    with pytest.raises(NotFound):
        w.read(other.specs.load, 999)
