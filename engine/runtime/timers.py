"""The ``timer`` rows: what each instance waits on, and when it fires.

Every command brings the rows of its instance in line with the workflow it leaves
(:func:`sync_timers`, in the command's transaction), as ``human_task`` rows are: a
timer whose wait began gets a row with its moment; a timer that fired or was
cancelled (its task completed, its instance ended or moved) loses it. The scheduler
then finds what is due with one indexed query (:func:`due_instances`) and never reads
a workflow to do so.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.specs.mixins.events.intermediate_event import BoundaryEvent
from SpiffWorkflow.util.task import TaskState
from sqlalchemy import Table, bindparam, delete, func, insert, select, update
from sqlalchemy.orm import Session

from engine.specs.timers import engine_timers
from engine.store.models import ProcessInstance, Timer, utcnow
from engine.views import iso, one_line

_TIMER: Table = Timer.__table__  # type: ignore[assignment]


@dataclass(frozen=True)
class WaitingTimer:
    """A timer event the workflow waits on, with its moment (aware UTC)."""

    task_id: str
    element_id: str
    title: str
    kind: str  # intermediate | boundary | gateway
    attached_to: str | None
    interrupting: bool | None
    due_at: datetime

    @property
    def key(self) -> tuple[str, str]:
        return self.task_id, self.element_id


def _attached_to(task: Any) -> str | None:
    """The activity a boundary event's task sits on (its sibling under the split)."""
    parent = task.parent
    for sibling in parent.children if parent is not None else []:
        if not isinstance(sibling.task_spec, BoundaryEvent):
            return str(getattr(sibling.task_spec, "bpmn_id", None) or sibling.task_spec.name)
    return None


def _kind(task: Any) -> tuple[str, str | None, bool | None]:
    spec = task.task_spec
    if isinstance(spec, BoundaryEvent):
        return "boundary", _attached_to(task), bool(spec.cancel_activity)
    if type(spec).__name__ == "EventBasedGateway":
        return "gateway", None, None
    return "intermediate", None, None


def _timer_tasks(wf: BpmnWorkflow, state: TaskState) -> Iterator[tuple[Any, list[Any]]]:
    for task in wf.get_tasks(state=state):
        timers = engine_timers(getattr(task.task_spec, "event_definition", None))
        if timers:
            yield task, timers


def _describe(task: Any, timer: Any, due: datetime) -> WaitingTimer:
    kind, attached, interrupting = _kind(task)
    element = timer.bpmn_id or task.task_spec.bpmn_id or task.task_spec.name
    title = one_line(timer.name if timer.name != element else "") or element
    return WaitingTimer(str(task.id), element, title[:255], kind, attached, interrupting, due)


def waiting_timers(wf: BpmnWorkflow) -> list[WaitingTimer]:
    """Every timer the workflow (sub-processes included) waits on and whose moment is known."""
    return [_describe(task, timer, due)
            for task, timers in _timer_tasks(wf, TaskState.WAITING) for timer in timers
            if (due := timer.due_at(task)) is not None]


def finished_timer_tasks(wf: BpmnWorkflow) -> set[Any]:
    """Ids of the timer events' tasks already completed (before a command's steps)."""
    return {task.id for task, _ in _timer_tasks(wf, TaskState.COMPLETED)}


def fired_timers(wf: BpmnWorkflow, before: set[Any], now: datetime) -> list[WaitingTimer]:
    """The timers that fired during a command: their task completed since ``before`` and
    their moment has come (an event-based gateway completed by its message has not)."""
    return [_describe(task, timer, due)
            for task, timers in _timer_tasks(wf, TaskState.COMPLETED) if task.id not in before
            for timer in timers if (due := timer.due_at(task)) is not None and due <= now]


def fired_event(timer: WaitingTimer) -> dict[str, Any]:
    """The payload of the ``timer.fired`` audit event."""
    return {"element_id": timer.element_id, "title": timer.title, "kind": timer.kind,
            "attached_to": timer.attached_to, "interrupting": timer.interrupting,
            "due_at": iso(timer.due_at)}


_ROWS = select(_TIMER.c.id, _TIMER.c.task_id, _TIMER.c.element_id, _TIMER.c.due_at).where(
    _TIMER.c.instance_id == bindparam("instance_id"))
_DELETE_IDS = delete(_TIMER).where(_TIMER.c.id.in_(bindparam("ids", expanding=True)))
_MOVE_DUE = update(_TIMER).where(_TIMER.c.id == bindparam("b_id")).values(
    due_at=bindparam("v_due"))
_CLEAR = delete(_TIMER).where(_TIMER.c.instance_id == bindparam("instance_id"))


def sync_timers(session: Session, instance_id: int, wf: BpmnWorkflow | None) -> None:
    """Make the instance's ``timer`` rows those of ``wf`` (None: the instance ended)."""
    conn = session.connection()
    if wf is None or wf.completed:
        conn.execute(_CLEAR, {"instance_id": instance_id})
        return
    wanted = {t.key: t for t in waiting_timers(wf)}
    stale: list[int] = []
    for row in conn.execute(_ROWS, {"instance_id": instance_id}).all():
        timer = wanted.pop((row.task_id, row.element_id), None)
        if timer is None:
            stale.append(row.id)
        elif row.due_at != timer.due_at:
            conn.execute(_MOVE_DUE, {"b_id": row.id, "v_due": timer.due_at})
    if stale:
        conn.execute(_DELETE_IDS, {"ids": stale})
    if wanted:
        now = utcnow()
        conn.execute(insert(Timer), [
            {"instance_id": instance_id, "task_id": t.task_id, "element_id": t.element_id,
             "title": t.title, "kind": t.kind, "attached_to": t.attached_to,
             "interrupting": t.interrupting, "due_at": t.due_at, "created_at": now}
            for t in wanted.values()])


def clear_timers(session: Session, instance_id: int) -> None:
    session.connection().execute(_CLEAR, {"instance_id": instance_id})


def due_instances(session: Session, now: datetime, limit: int = 200) -> list[int]:
    """Running instances with a timer due at ``now``, the longest overdue first."""
    first_due = func.min(Timer.due_at)
    rows = session.execute(
        select(Timer.instance_id, first_due)
        .join(ProcessInstance, ProcessInstance.id == Timer.instance_id)
        .where(Timer.due_at <= now, ProcessInstance.status == "running")
        .group_by(Timer.instance_id).order_by(first_due, Timer.instance_id).limit(limit)).all()
    return [int(r[0]) for r in rows]


def timer_view(row: Timer) -> dict[str, Any]:
    return {"id": row.id, "instance_id": row.instance_id, "task_id": row.task_id,
            "element_id": row.element_id, "title": row.title, "kind": row.kind,
            "attached_to": row.attached_to, "interrupting": row.interrupting,
            "due_at": iso(row.due_at)}


def instance_timers(session: Session, instance_id: int) -> list[dict[str, Any]]:
    """The timers an instance waits on, soonest first."""
    rows = session.scalars(select(Timer).where(Timer.instance_id == instance_id)
                           .order_by(Timer.due_at, Timer.id)).all()
    return [timer_view(r) for r in rows]
