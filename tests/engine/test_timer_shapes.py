"""Timers moved with their instance, behind an event-based gateway, and refused at deploy."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from engine_kit import World, bpmn, linear, make_world, ready
from migration_kit import edit, migrate, run_dry
from timer_kit import LANES, T0, escalating, refs, start_at, tick, timers

from engine import clock
from engine.errors import Conflict


@pytest.fixture
def w(db_url: str, monkeypatch: pytest.MonkeyPatch) -> World:
    return make_world(db_url, monkeypatch)


# -- migration ----------------------------------------------------------------------------
def test_a_moved_instance_keeps_its_timer_and_its_moment(w: World) -> None:
    w.deploy(escalating(True))
    inst = start_at(w, T0, "esc")
    [before] = timers(w, inst["id"])
    w.deploy(edit(escalating(True), ('name="Đôn đốc"', 'name="Đôn đốc xử lý"')))

    with clock.at(T0 + timedelta(days=1)):
        job = migrate(w, "esc", 1, 2)

    assert (job["moved"], job["refused"]) == (1, 0)
    [after] = timers(w, inst["id"])
    assert (after.task_id, after.element_id, after.due_at) == (
        before.task_id, "late", T0 + timedelta(days=3))
    assert tick(w, T0 + timedelta(days=3, seconds=1)).timers.fired == [inst["id"]]
    moved = w.instance(inst["id"])
    assert (moved["version"], [t["title"] for t in moved["tasks"]]) == (2, ["Đôn đốc xử lý"])


def test_a_changed_timer_is_reported_and_counts_from_the_move(w: World) -> None:
    w.deploy(escalating(True))
    inst = start_at(w, T0, "esc")
    w.deploy(escalating(True, '"P5D"'))

    dry = run_dry(w, "esc", 1, 2)
    assert [(c["element_id"], c["field"], c["old"], c["new"])
            for c in dry["items"][0]["changes"]] == [("late", "timer", '"P3D"', '"P5D"')]
    moved_at = T0 + timedelta(days=1)
    with clock.at(moved_at):
        migrate(w, "esc", 1, 2)

    assert [t.due_at for t in timers(w, inst["id"])] == [moved_at + timedelta(days=5)]


def plain(task_name: str = "Xem xét") -> bytes:
    """esc without its boundary timer."""
    return bpmn(f'<bpmn:startEvent id="start" /><bpmn:userTask id="review" name="{task_name}" />'
                '<bpmn:endEvent id="end" />'
                '<bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="review" />'
                '<bpmn:sequenceFlow id="f2" sourceRef="review" targetRef="end" />', "esc",
                LANES.format(first=refs("start", "review", "end"), second=""))


def test_a_current_step_cannot_lose_or_gain_its_boundary_timer(w: World) -> None:
    """SpiffWorkflow attaches boundary events when a step is reached: the instance waits
    until it has passed the step, with a reason that says so."""
    w.deploy(escalating(True))
    with_timer = start_at(w, T0, "esc")
    w.deploy(plain())
    job = migrate(w, "esc", 1, 2)
    assert (job["moved"], job["refused"]) == (0, 1)
    [reason] = job["items"][0]["reasons"]
    assert (reason["code"], reason["element_id"]) == ("migration.boundary_changed", "review")
    assert "(late → không có)" in reason["message"]
    assert len(timers(w, with_timer["id"])) == 1

    without = start_at(w, T0, "esc")  # on v2
    w.deploy(escalating(True, '"P4D"'))
    job = migrate(w, "esc", 2, 3)
    assert job["refused"] == 1
    assert timers(w, without["id"]) == []


def test_a_timer_added_further_on_applies_to_moved_instances(w: World) -> None:
    w.deploy(bpmn('<bpmn:startEvent id="start" /><bpmn:userTask id="prepare" />'
                  '<bpmn:userTask id="review" name="Xem xét" /><bpmn:endEvent id="end" />'
                  '<bpmn:sequenceFlow id="f0" sourceRef="start" targetRef="prepare" />'
                  '<bpmn:sequenceFlow id="f1" sourceRef="prepare" targetRef="review" />'
                  '<bpmn:sequenceFlow id="f2" sourceRef="review" targetRef="end" />', "esc",
                  LANES.format(first=refs("start", "prepare", "review", "end"), second="")))
    inst = start_at(w, T0, "esc")
    w.deploy(edit(escalating(True),
                  ('<bpmn:startEvent id="start" />', '<bpmn:startEvent id="start" />'
                   '<bpmn:userTask id="prepare" />'),
                  ('sourceRef="start" targetRef="review"', 'sourceRef="prepare" '
                   'targetRef="review" /><bpmn:sequenceFlow id="f0" sourceRef="start" '
                   'targetRef="prepare"'),
                  ('<bpmn:flowNodeRef>start</bpmn:flowNodeRef>',
                   '<bpmn:flowNodeRef>start</bpmn:flowNodeRef>'
                   '<bpmn:flowNodeRef>prepare</bpmn:flowNodeRef>')))
    assert migrate(w, "esc", 1, 2)["moved"] == 1
    assert timers(w, inst["id"]) == []

    step = w.instance(inst["id"])
    with clock.at(T0 + timedelta(days=1)):
        moved = w.complete(ready(step, "prepare")["id"], "sub_a")
    assert [t["name"] for t in moved["tasks"]] == ["review"]
    assert [t.due_at for t in timers(w, inst["id"])] == [T0 + timedelta(days=4)]


# -- an event-based gateway: a message or a time-out ------------------------------------
def answer_or_timeout() -> bytes:
    """A message (defined at the top of the document) or a time-out of 30 days."""
    body = (
        '<bpmn:startEvent id="start" /><bpmn:eventBasedGateway id="gw" />'
        '<bpmn:intermediateCatchEvent id="got"><bpmn:messageEventDefinition id="md" '
        'messageRef="m_answer" /></bpmn:intermediateCatchEvent>'
        '<bpmn:intermediateCatchEvent id="timeout" name="Hết 30 ngày">'
        '<bpmn:timerEventDefinition id="td"><bpmn:timeDuration>"P30D"</bpmn:timeDuration>'
        '</bpmn:timerEventDefinition></bpmn:intermediateCatchEvent>'
        '<bpmn:userTask id="record" name="Ghi kết quả" />'
        '<bpmn:userTask id="chase" name="Hỏi lại" />'
        '<bpmn:endEvent id="e1" /><bpmn:endEvent id="e2" />'
        '<bpmn:sequenceFlow id="f0" sourceRef="start" targetRef="gw" />'
        '<bpmn:sequenceFlow id="f1" sourceRef="gw" targetRef="got" />'
        '<bpmn:sequenceFlow id="f2" sourceRef="gw" targetRef="timeout" />'
        '<bpmn:sequenceFlow id="f3" sourceRef="got" targetRef="record" />'
        '<bpmn:sequenceFlow id="f4" sourceRef="timeout" targetRef="chase" />'
        '<bpmn:sequenceFlow id="f5" sourceRef="record" targetRef="e1" />'
        '<bpmn:sequenceFlow id="f6" sourceRef="chase" targetRef="e2" />')
    return bpmn(body, "answer").replace(
        b'<bpmn:process', b'<bpmn:message id="m_answer" name="answer" /><bpmn:process', 1)


def deliver(w: World, instance_id: int, moment: Any) -> dict[str, Any]:
    with clock.at(moment):
        return dict(w.write(w.eng.deliver_message, instance_id, "answer", {"ok": True},
                            w["admin1"]))


def test_the_answer_before_the_time_out_removes_the_timer(w: World) -> None:
    w.deploy(answer_or_timeout())
    inst = start_at(w, T0, "answer")
    [row] = timers(w, inst["id"])
    assert (row.element_id, row.title, row.kind) == ("timeout", "Hết 30 ngày", "gateway")

    done = deliver(w, inst["id"], T0 + timedelta(days=29))

    assert [t["name"] for t in done["tasks"]] == ["record"]
    assert timers(w, inst["id"]) == []


def test_the_time_out_before_the_answer(w: World) -> None:
    w.deploy(answer_or_timeout())
    inst = start_at(w, T0, "answer")

    assert tick(w, T0 + timedelta(days=30, seconds=1)).timers.fired == [inst["id"]]

    assert [t["name"] for t in w.instance(inst["id"])["tasks"]] == ["chase"]
    with pytest.raises(Conflict) as info:
        deliver(w, inst["id"], T0 + timedelta(days=31))
    assert info.value.code == "instance.not_waiting"


# -- refused at deploy, each on its element ------------------------------------------------
def problems(w: World, xml: bytes) -> list[tuple[str, str]]:
    return [(p["element_id"], p["code"]) for p in w.read(w.eng.specs.problems, xml)
            if p["severity"] == "error"]


def catch(value: str, tag: str = "timeDuration") -> bytes:
    inner = f"<bpmn:{tag}>{value}</bpmn:{tag}>" if tag else ""
    return linear('<bpmn:intermediateCatchEvent id="n1"><bpmn:timerEventDefinition id="t">'
                  f'{inner}</bpmn:timerEventDefinition></bpmn:intermediateCatchEvent>',
                  '<bpmn:userTask id="n2" />')


@pytest.mark.parametrize(("value", "tag", "code"), [
    ("P3D", "timeDuration", "timer.unquoted"),
    ("2027-01-15T08:00", "timeDate", "timer.unquoted"),
    ('"P3X"', "timeDuration", "timer.invalid"),
    ('"15/01/2027"', "timeDate", "timer.invalid"),
    ("working_days(-1)", "timeDuration", "timer.invalid"),
    ('working_days("appraisal")', "timeDuration", "timer.invalid"),
    ('__import__("os")', "timeDuration", "timer.invalid"),
    ("", "timeDuration", "timer.missing"),
    ("", "", "timer.missing"),
])
def test_timers_that_cannot_run_are_refused_on_their_element(w: World, value: str, tag: str,
                                                              code: str) -> None:
    assert problems(w, catch(value, tag)) == [("n1", code)]


@pytest.mark.parametrize(("value", "tag"), [
    ('"P3D"', "timeDuration"), ('"PT4H30M"', "timeDuration"), ("working_days(5)", "timeDuration"),
    ('working_days("setting:appraisal_working_days")', "timeDuration"),
    ('"P%dD" % days', "timeDuration"), ('"2027-01-15T08:00"', "timeDate"),
    ('"2027-01-15"', "timeDate"), ("working_days(10)", "timeDate"),
])
def test_timers_the_engine_runs_deploy(w: World, value: str, tag: str) -> None:
    assert problems(w, catch(value, tag)) == []


def test_an_unquoted_duration_says_how_to_write_it(w: World) -> None:
    [problem] = w.read(w.eng.specs.problems, catch("P3D"))
    assert problem["message"] == ('Biểu thức hẹn giờ «P3D» là mã Python nên giá trị ISO phải '
                                  'nằm trong dấu ngoặc kép: "P3D".')


def test_two_timers_behind_one_gateway_are_refused(w: World) -> None:
    xml = edit(answer_or_timeout(), (
        '<bpmn:intermediateCatchEvent id="got"><bpmn:messageEventDefinition id="md" '
        'messageRef="m_answer" /></bpmn:intermediateCatchEvent>',
        '<bpmn:intermediateCatchEvent id="got"><bpmn:timerEventDefinition id="td2">'
        '<bpmn:timeDuration>"P1D"</bpmn:timeDuration></bpmn:timerEventDefinition>'
        '</bpmn:intermediateCatchEvent>'))
    assert problems(w, xml) == [("gw", "timer.gateway_multiple")]


def test_a_ready_task_is_unaffected_by_a_timer_elsewhere(w: World) -> None:
    w.deploy(escalating(False))
    inst = start_at(w, T0, "esc")
    done = w.complete(ready(inst, "review")["id"], "sub_a")
    assert done["status"] == "completed"


def test_a_camunda_timer_is_imported_quoted_and_deploys(w: World) -> None:
    """Camunda Modeler writes P3D bare (its engine reads ISO text): the import quotes it."""
    from engine.specs.importing import import_diagram

    report = import_diagram(catch("P3D"))
    assert [(n["element_id"], n["kind"]) for n in report.notes] == [("n1", "mapped")]
    assert b'<bpmn:timeDuration>"P3D"</bpmn:timeDuration>' in report.xml
    assert problems(w, report.xml) == []
    assert w.deploy(report.xml)["created"]
