"""Diagrams and helpers of the timer and scheduler tests."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from engine_kit import World, bpmn
from sqlalchemy import select

from engine import clock
from engine.scheduler import Scheduler, TickReport
from engine.store.models import Notification, Timer

# Thursday 12 February 2026, 09:00 in Hà Nội: Tết 2026 is off from 14 to 22 February.
T0 = datetime(2026, 2, 12, 2, 0, tzinfo=UTC)
LANES = ('<bpmn:laneSet id="ls"><bpmn:lane id="l1" name="Đơn vị (submitter)">{first}'
         '</bpmn:lane><bpmn:lane id="l2" name="Phòng TCHCQT (secretariat)">{second}'
         '</bpmn:lane></bpmn:laneSet>')


def refs(*ids: str) -> str:
    return "".join(f"<bpmn:flowNodeRef>{i}</bpmn:flowNodeRef>" for i in ids)


def timer_xml(expression: str, tag: str = "timeDuration") -> str:
    return ('<bpmn:timerEventDefinition id="td">'
            f'<bpmn:{tag}>{expression}</bpmn:{tag}></bpmn:timerEventDefinition>')


def waiting(expression: str = '"P3D"', tag: str = "timeDuration",
            after_script: str | None = None, process_id: str = "waiting") -> bytes:
    """start -> wait (timer) -> [script] -> after (submitter) -> end."""
    script = (f'<bpmn:scriptTask id="calc"><bpmn:script>{after_script}</bpmn:script>'
              '</bpmn:scriptTask>' if after_script else "")
    chain = ["start", "wait", *(["calc"] if after_script else []), "after", "end"]
    flows = "".join(f'<bpmn:sequenceFlow id="f{i}" sourceRef="{a}" targetRef="{b}" />'
                    for i, (a, b) in enumerate(zip(chain, chain[1:], strict=False)))
    body = ('<bpmn:startEvent id="start" />'
            f'<bpmn:intermediateCatchEvent id="wait" name="Chờ">{timer_xml(expression, tag)}'
            '</bpmn:intermediateCatchEvent>' + script +
            '<bpmn:userTask id="after" name="Sau khi chờ" /><bpmn:endEvent id="end" />')
    lanes = LANES.format(first=refs(*chain[:-1]), second="")
    return bpmn(body + flows, process_id, lanes)


def escalating(interrupting: bool, expression: str = '"P3D"', due_days: str | None = None,
               process_id: str = "esc") -> bytes:
    """review (submitter) with a boundary timer 'late' -> escalate (secretariat)."""
    due = ('<bpmn:extensionElements><spiffworkflow:properties><spiffworkflow:property '
           f'name="dueWorkingDays" value="{due_days}" /></spiffworkflow:properties>'
           '</bpmn:extensionElements>' if due_days else "")
    body = (
        '<bpmn:startEvent id="start" />'
        f'<bpmn:userTask id="review" name="Xem xét">{due}</bpmn:userTask>'
        f'<bpmn:boundaryEvent id="late" name="Quá hạn" attachedToRef="review" '
        f'cancelActivity="{"true" if interrupting else "false"}">{timer_xml(expression)}'
        '</bpmn:boundaryEvent>'
        '<bpmn:userTask id="escalate" name="Đôn đốc" />'
        '<bpmn:endEvent id="end" /><bpmn:endEvent id="end_late" />'
        '<bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="review" />'
        '<bpmn:sequenceFlow id="f2" sourceRef="review" targetRef="end" />'
        '<bpmn:sequenceFlow id="f3" sourceRef="late" targetRef="escalate" />'
        '<bpmn:sequenceFlow id="f4" sourceRef="escalate" targetRef="end_late" />')
    lanes = LANES.format(first=refs("start", "review", "late", "end"),
                         second=refs("escalate", "end_late"))
    return bpmn(body, process_id, lanes)


def start_at(w: World, moment: datetime, key: str, who: str = "sub_a",
             **kwargs: Any) -> dict[str, Any]:
    with clock.at(moment):
        return w.start(key, who, **kwargs)


def complete_at(w: World, moment: datetime, task_id: str, who: str,
                data: dict[str, Any] | None = None) -> dict[str, Any]:
    with clock.at(moment):
        return w.complete(task_id, who, data)


def timers(w: World, instance_id: int) -> list[Timer]:
    return list(w.read(lambda s: s.scalars(select(Timer).where(
        Timer.instance_id == instance_id).order_by(Timer.id)).all()))


def tick(w: World, moment: datetime, holder: str = "test", **kwargs: Any) -> TickReport:
    return Scheduler(w.eng, w.db, holder=holder, **kwargs).tick(moment)


def notes(w: World, who: str, kind: str | None = None) -> list[Notification]:
    def body(s: Any) -> list[Notification]:
        query = select(Notification).where(Notification.user_id == w[who].id)
        if kind:
            query = query.where(Notification.kind == kind)
        return list(s.scalars(query.order_by(Notification.id)).all())
    return list(w.read(body))
