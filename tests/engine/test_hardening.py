"""Bad inputs found in review: each one gets a clear error and leaves nothing broken."""

from __future__ import annotations

import pytest
from engine_kit import World, linear, make_world, ready
from sqlalchemy import func, select

from engine import audit
from engine.errors import BpmnInvalid, InvalidData, NotFound
from engine.roles import SYSTEM
from engine.store.models import AuditEvent, ProcessModelVersion


@pytest.fixture
def w(db_url: str, monkeypatch: pytest.MonkeyPatch) -> World:
    return make_world(db_url, monkeypatch)


def user_task(tid: str, name: str = "Việc", due: str | None = None) -> str:
    props = (f'<bpmn:extensionElements><spiffworkflow:properties><spiffworkflow:property '
             f'name="dueWorkingDays" value="{due}" /></spiffworkflow:properties>'
             f'</bpmn:extensionElements>' if due else "")
    return f'<bpmn:userTask id="{tid}" name="{name}">{props}</bpmn:userTask>'


def script(tid: str, code: str) -> str:
    return f'<bpmn:scriptTask id="{tid}"><bpmn:script>{code}</bpmn:script></bpmn:scriptTask>'


def test_audit_events_are_written_at_commit_and_dropped_on_rollback(w: World) -> None:
    before = w.audit_count()
    with w.db.write_session() as s:
        audit.append(s, SYSTEM, "test.kept", {"n": 1})
        audit.append(s, SYSTEM, "test.kept", {"n": 2})
        assert s.scalar(select(func.count()).select_from(AuditEvent)) == before
        s.commit()
    with w.db.write_session() as s:
        audit.append(s, SYSTEM, "test.dropped", {})
        s.rollback()
        s.commit()
    assert w.audit_count() == before + 2
    with w.db.session() as s:
        types = [e.event_type for e in s.scalars(select(AuditEvent).order_by(AuditEvent.id))]
        assert types[-2:] == ["test.kept", "test.kept"] and "test.dropped" not in types
        assert audit.verify(s).ok


@pytest.mark.parametrize("expr", ["missing + 1", "&quot;abc&quot;", "-3"])
def test_bad_due_expression_puts_the_instance_in_error(w: World, expr: str) -> None:
    w.deploy(linear(user_task("n1", due=expr)))
    inst = w.start("p", "sub_a")
    assert inst["status"] == "error"
    assert inst["error"]["element_id"] == "n1"
    assert "dueWorkingDays" in inst["error"]["message"]


def test_due_expression_on_task_data(w: World) -> None:
    w.deploy(linear(user_task("n1", due="days + 1")))
    inst = w.start("p", "sub_a", {"days": 4})
    assert inst["status"] == "running"
    assert ready(inst, "n1")["due_at"] is not None


def test_long_label_is_cut_and_long_ids_are_refused(w: World) -> None:
    w.deploy(linear(user_task("n1", name="Thẩm định " * 40)))
    inst = w.start("p", "sub_a")
    # cut to the column's 255 characters, on one line (the space the cut left is dropped)
    assert ready(inst, "n1")["title"] == ("Thẩm định " * 40)[:255].rstrip()
    with pytest.raises(BpmnInvalid) as info:
        w.deploy(linear(user_task("n" * 300), process_id="q"))
    assert any("255" in d["message"] for d in info.value.details)
    with pytest.raises(BpmnInvalid):
        w.deploy(linear(user_task("n1"), process_id="p" * 140))


@pytest.mark.parametrize("encoding", ["UTF-16", "ISO-8859-1"])
def test_other_encodings_are_stored_as_utf8(w: World, encoding: str) -> None:
    xml = linear(user_task("n1", name="Thẩm định" if encoding == "UTF-16" else "Tham dinh"))
    text = xml.decode("utf-8").replace('encoding="UTF-8"', f'encoding="{encoding}"')
    result = w.deploy(text.encode(encoding.lower()))
    assert result["created"]
    with w.db.session() as s:
        row = s.scalars(select(ProcessModelVersion)).one()
        assert row.bpmn_xml.startswith("<?xml version='1.0' encoding='UTF-8'?>")
    assert w.start("p", "sub_a")["tasks"][0]["name"] == "n1"


@pytest.mark.parametrize("data, field", [
    ({"x": float("nan")}, "data"), ({"x": [float("inf")]}, "data"), ({"str": 5}, "str"),
    ({"len": "x"}, "len"),
])
def test_start_refuses_unstorable_or_reserved_data(w: World, data: dict, field: str) -> None:
    w.deploy(linear(user_task("n1")))
    before = w.audit_count()
    with pytest.raises(InvalidData) as info:
        w.start("p", "sub_a", data)
    assert field in info.value.details
    assert w.audit_count() == before


def test_script_leaving_an_unstorable_value_is_an_error_not_a_crash(w: World) -> None:
    w.deploy(linear(script("n1", "r = range(3)"), user_task("n2")))
    inst = w.start("p", "sub_a")
    assert inst["status"] == "error" and inst["error"]["element_id"] == "n1"
    assert "range" in inst["error"]["message"]


def test_scripts_can_format_and_parse_dates(w: World) -> None:
    w.deploy(linear(script("n1", 'y = date(2026, 11, 25).strftime("%d/%m/%Y")\n'
                                 'd = datetime.strptime("25/11/2026", "%d/%m/%Y").year'),
                    user_task("n2")))
    inst = w.start("p", "sub_a")
    assert inst["status"] == "running"
    assert inst["data"]["y"] == "25/11/2026" and inst["data"]["d"] == 2026


def test_unknown_unit_at_start_is_not_found(w: World) -> None:
    w.deploy(linear(user_task("n1")))
    with pytest.raises(NotFound) as info:
        w.start("p", "sec1", unit_code="NOPE")
    assert info.value.code == "unit.not_found"


def test_waits_nothing_would_end_are_refused_with_their_code(w: World) -> None:
    """A conditional event has nothing that re-evaluates it; a timer start event and a
    repeating timer are not run by the engine (timers with a duration or date are)."""
    conditional = ('<bpmn:intermediateCatchEvent id="n1"><bpmn:conditionalEventDefinition '
                   'id="c"><bpmn:condition>x</bpmn:condition></bpmn:conditionalEventDefinition>'
                   '</bpmn:intermediateCatchEvent>')
    with pytest.raises(BpmnInvalid) as info:
        w.deploy(linear(conditional))
    assert {(d["element_id"], d["code"]) for d in info.value.details} == {
        ("n1", "event.unsupported")}
    start = linear().replace(
        b'<bpmn:startEvent id="start" />',
        b'<bpmn:startEvent id="start"><bpmn:timerEventDefinition id="t"><bpmn:timeDate>'
        b'"2027-01-01"</bpmn:timeDate></bpmn:timerEventDefinition></bpmn:startEvent>')
    with pytest.raises(BpmnInvalid) as info:
        w.deploy(start)
    assert [(d["element_id"], d["code"]) for d in info.value.details] == [
        ("start", "timer.start_unsupported")]
    cycle = ('<bpmn:intermediateCatchEvent id="n1"><bpmn:timerEventDefinition id="t">'
             '<bpmn:timeCycle>"R3/PT1H"</bpmn:timeCycle></bpmn:timerEventDefinition>'
             '</bpmn:intermediateCatchEvent>')
    with pytest.raises(BpmnInvalid) as info:
        w.deploy(linear(cycle))
    assert [(d["element_id"], d["code"]) for d in info.value.details] == [
        ("n1", "timer.cycle_unsupported")]


def test_an_id_used_twice_is_refused_with_its_name(w: World) -> None:
    w.eng.handlers.register("notify", lambda call: {})
    task = ('<bpmn:serviceTask id="notify"><bpmn:extensionElements>'
            '<spiffworkflow:serviceTaskOperator id="notify" resultVariable="r" />'
            '</bpmn:extensionElements></bpmn:serviceTask>')
    with pytest.raises(BpmnInvalid) as info:
        w.deploy(linear(task))
    assert any(d["element_id"] == "notify" and "trùng tên với bộ xử lý" in d["message"]
               for d in info.value.details)


def test_a_task_cannot_be_completed_before_its_not_before(w: World,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """E.g. a disclosure that must stay open at least N working days."""
    from datetime import timedelta

    import engine.runtime.runner as runner
    from engine.errors import Conflict

    task = ('<bpmn:userTask id="n1" name="Công khai"><bpmn:extensionElements>'
            '<spiffworkflow:properties><spiffworkflow:property name="notBeforeWorkingDays" '
            'value="2" /></spiffworkflow:properties></bpmn:extensionElements></bpmn:userTask>')
    w.deploy(linear(task))
    inst = w.start("p", "sub_a")
    row = ready(inst, "n1")
    assert row["not_before"] is not None
    before = w.snapshot(inst["id"])
    with pytest.raises(Conflict) as info:
        w.complete(row["id"], "sub_a", {})
    assert info.value.code == "task.too_early"
    assert w.snapshot(inst["id"]) == before
    later = runner.utcnow() + timedelta(days=10)
    monkeypatch.setattr(runner, "utcnow", lambda: later)
    assert w.complete(row["id"], "sub_a", {})["status"] == "completed"
