"""Bringing the stored rows in line with a workflow after each command."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.util.task import TaskState
from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from engine.calendar import WorkingCalendar
from engine.roles import Actor, role_of_lane
from engine.sandbox import SandboxEnvironment
from engine.store.models import HumanTask, ProcessInstance, utcnow
from engine.store.serializer import to_jsonable


@dataclass
class TaskRules:
    roles: tuple[str, ...]
    unit_scoped: frozenset[str]
    calendar: WorkingCalendar
    sandbox: SandboxEnvironment


def ready_user_tasks(wf: BpmnWorkflow) -> list[Any]:
    return list(wf.get_tasks(state=TaskState.READY, manual=True))


def current_data(wf: BpmnWorkflow) -> dict[str, Any]:
    """The data a person would call "the instance's data" right now."""
    data: dict[str, Any] = {}
    ready = ready_user_tasks(wf)
    if ready:
        for task in ready:
            data.update(task.data)
    elif wf.last_task is not None:
        data.update(wf.last_task.data)
    data.update({k: v for k, v in wf.data.items() if k != "data_objects" or v})
    return to_jsonable(data)


def _properties(task: Any) -> dict[str, Any]:
    ext = getattr(task.task_spec, "extensions", None) or {}
    props: dict[str, Any] = ext.get("properties") or {}
    return props


def _due_at(rules: TaskRules, task: Any, now: datetime) -> datetime | None:
    raw = _properties(task).get("dueWorkingDays")
    if raw is None or str(raw).strip() == "":
        return None
    text = str(raw).strip()
    days = int(text) if text.isdigit() else int(rules.sandbox.evaluate(text, dict(task.data)))
    return rules.calendar.due_at(now, days)


def new_task_row(rules: TaskRules, inst: ProcessInstance, task: Any, now: datetime) -> HumanTask:
    spec = task.task_spec
    role = role_of_lane(spec.lane, rules.roles)
    return HumanTask(
        id=str(task.id),
        instance_id=inst.id,
        process_key=inst.process_key,
        name=spec.bpmn_id or spec.name,
        title=spec.bpmn_name or spec.bpmn_id or spec.name,
        lane=spec.lane,
        role=role,
        unit_code=inst.unit_code,
        owner_id=inst.started_by if role is None else None,
        form_key=_properties(task).get("formKey"),
        due_at=_due_at(rules, task, now),
        state="ready",
        created_at=now,
    )


def sync_human_tasks(
    session: Session, rules: TaskRules, inst: ProcessInstance, wf: BpmnWorkflow,
    actor: Actor, completed_ids: set[str],
) -> list[HumanTask]:
    """Insert rows for newly ready user tasks, close rows whose task is no longer ready."""
    now = utcnow()
    ready = {str(t.id): t for t in ready_user_tasks(wf)}
    rows = session.scalars(
        select(HumanTask).where(
            HumanTask.instance_id == inst.id,
            or_(HumanTask.state == "ready", HumanTask.id.in_(list(ready))),
        )
    ).all()
    open_rows: list[HumanTask] = []
    for row in rows:
        if row.id in ready:
            if row.state != "ready":  # a task reset to run again keeps its id
                row.state, row.completed_at, row.completed_by = "ready", None, None
            open_rows.append(row)
            continue
        row.state = "completed" if row.id in completed_ids else "cancelled"
        row.completed_at = now
        if row.id in completed_ids:
            row.completed_by = actor.id
    known = {r.id for r in rows}
    for task_id, task in ready.items():
        if task_id not in known:
            row = new_task_row(rules, inst, task, now)
            session.add(row)
            open_rows.append(row)
    return open_rows
