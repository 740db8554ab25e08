"""Bringing the stored rows in line with a workflow after each command."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.util.task import TaskState
from sqlalchemy import Table, bindparam, insert, or_, select, update
from sqlalchemy.orm import Session

from engine.calendar import WorkingCalendar
from engine.mail.compose import MailOptions
from engine.notify import ReadyTask, notify_ready, settle_notifications
from engine.roles import Actor, role_of_lane
from engine.sandbox import SandboxEnvironment
from engine.search import IndexFacts, TaskIndexer, default_index
from engine.store.models import HumanTask, ProcessInstance, utcnow
from engine.store.serializer import to_jsonable
from engine.views import one_line


@dataclass
class TaskRules:
    roles: tuple[str, ...]
    unit_scoped: frozenset[str]
    calendar: WorkingCalendar
    sandbox: SandboxEnvironment
    # Resolves ``dueWorkingDays="setting:<name>"``: the domain's configurable deadlines.
    named_days: Callable[[Session, str], Any] | None = None
    # How notification e-mails write links (the app's address) and dates.
    mail: MailOptions = MailOptions()
    # What ready rows are searched and filtered by (engine/search.py).
    index: TaskIndexer = default_index
    # What the notification of an ended instance says of its outcome (None: nothing).
    completion_note: Callable[[Session, int], str | None] | None = None
    # What the notification of a newly ready task adds under its dossier's line, from the
    # task's ``notifyKind`` and data (the domain's words: a return's reason, …); None: nothing.
    task_note: Callable[[str | None, Mapping[str, Any]], str | None] | None = None

    def facts(self, session: Session, inst: ProcessInstance) -> IndexFacts:
        return self.index(session, inst.business_key, dict(inst.data or {}))


def ready_user_tasks(wf: BpmnWorkflow) -> list[Any]:
    return list(wf.get_tasks(state=TaskState.READY, manual=True))


def current_data(wf: BpmnWorkflow, ready: list[Any] | None = None) -> dict[str, Any]:
    """The data a person would call "the instance's data" right now."""
    data: dict[str, Any] = {}
    ready = ready_user_tasks(wf) if ready is None else ready
    if ready:
        for task in ready:
            data.update(task.data)
    elif wf.last_task is not None:
        data.update(wf.last_task.data)
    data.update({k: v for k, v in wf.data.items() if k != "data_objects" or v})
    return to_jsonable(data)


def waiting_for(wf: BpmnWorkflow, ready: list[Any]) -> str | None:
    """What a running workflow with no user task ready waits for, as its diagram names it:
    its waiting catch events (a message, a timer, …) at any depth, else the called
    processes under way; None when a person has a step to do or nothing is named."""
    if ready or wf.completed:
        return None
    names = [t.task_spec.bpmn_name for t in wf.get_tasks(state=TaskState.WAITING)
             if getattr(t.task_spec, "event_definition", None) is not None
             and t.task_spec.bpmn_name]
    if not names:
        names = [t.task_spec.bpmn_name for t in wf.get_tasks(state=TaskState.STARTED)
                 if getattr(t.task_spec, "bpmn_name", None)]
        names.reverse()  # the innermost first
    text = "; ".join(dict.fromkeys(one_line(n) for n in names))
    return text[:500] or None


def _properties(task: Any) -> dict[str, Any]:
    ext = getattr(task.task_spec, "extensions", None) or {}
    props: dict[str, Any] = ext.get("properties") or {}
    return props


SETTING_PREFIX = "setting:"


def working_days_count(rules: TaskRules, session: Session, value: Any) -> int:
    """A number of working days: a whole number 0–3650, or ``setting:<name>``
    (a value the office configures); ValueError otherwise."""
    if isinstance(value, str) and value.strip().startswith(SETTING_PREFIX):
        name = value.strip()[len(SETTING_PREFIX):].strip()
        value = rules.named_days(session, name) if rules.named_days else None
        if value is None:
            raise ValueError(f"không có thiết lập «{name}»")
    elif isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 3650:
        raise ValueError(f"cần một số nguyên từ 0 đến 3650, nhận được {value!r}")
    return value


def due_working_days(rules: TaskRules, task: Any, session: Session,
                     prop: str = "dueWorkingDays") -> int | None:
    """A task's ``dueWorkingDays`` (or ``notBeforeWorkingDays``): a whole number,
    ``setting:<name>`` (a value the office configures), or an expression on its data."""
    raw = _properties(task).get(prop)
    if raw is None or str(raw).strip() == "":
        return None
    text = str(raw).strip()
    if text.startswith(SETTING_PREFIX) or text.isdigit():
        return working_days_count(rules, session, text)
    return working_days_count(rules, session, rules.sandbox.evaluate(text, dict(task.data)))


def _due_at(rules: TaskRules, task: Any, now: datetime, session: Session,
            prop: str = "dueWorkingDays") -> datetime | None:
    try:
        days = due_working_days(rules, task, session, prop)
    except Exception:  # already reported: the command put the instance in status error
        return None
    return None if days is None else rules.calendar.due_at(now, days)


def new_task_row(rules: TaskRules, inst: ProcessInstance, task: Any, now: datetime,
                 session: Session, facts: IndexFacts | None = None) -> dict[str, Any]:
    spec = task.task_spec
    facts = rules.facts(session, inst) if facts is None else facts
    role = role_of_lane(spec.lane, rules.roles)
    return {
        "id": str(task.id),
        "instance_id": inst.id,
        "process_key": inst.process_key,
        "name": spec.bpmn_id or spec.name,
        "title": one_line(spec.bpmn_name or spec.bpmn_id or spec.name)[:255].rstrip(),
        "lane": (spec.lane or "")[:255] or None,
        "role": role,
        "unit_code": inst.unit_code,
        "owner_id": inst.started_by if role is None else None,
        "assignee_id": None,
        "form_key": _properties(task).get("formKey"),
        "due_at": _due_at(rules, task, now, session),
        "not_before": _due_at(rules, task, now, session, "notBeforeWorkingDays"),
        "state": "ready",
        "created_at": now,
        "completed_at": None,
        "completed_by": None,
        "search_text": facts.text,
        "period_year": facts.year,
    }


_TASKS: Table = HumanTask.__table__  # type: ignore[assignment]
_OPEN_OR_READY = select(_TASKS).where(
    _TASKS.c.instance_id == bindparam("instance_id"),
    or_(_TASKS.c.state == "ready", _TASKS.c.id.in_(bindparam("ids", expanding=True))),
)
_INSERT_TASK = insert(_TASKS)
_SET_STATE = (
    update(_TASKS).where(_TASKS.c.id.in_(bindparam("ids", expanding=True)))
    .values(state=bindparam("v_state"), completed_at=bindparam("v_at"),
            completed_by=bindparam("v_by"))
)
_SET_INDEX = (
    update(_TASKS)
    .where(_TASKS.c.instance_id == bindparam("b_instance"), _TASKS.c.state == "ready",
           or_(_TASKS.c.search_text.is_distinct_from(bindparam("v_text")),
               _TASKS.c.period_year.is_distinct_from(bindparam("v_year"))))
    .values(search_text=bindparam("v_text"), period_year=bindparam("v_year"))
)


def ready_task(rules: TaskRules, row: dict[str, Any], task: Any) -> ReadyTask:
    """What the notification of a newly ready task needs: its row, kind and note."""
    kind = _properties(task).get("notifyKind")
    note = rules.task_note(kind, task.data) if rules.task_note is not None else None  # read only
    return ReadyTask(row, kind, (note or "").strip() or None)


def sync_human_tasks(
    session: Session, rules: TaskRules, inst: ProcessInstance, wf: BpmnWorkflow,
    actor: Actor, completed_ids: set[str], ready_tasks: list[Any] | None = None,
) -> list[Any]:
    """Insert rows for newly ready user tasks, close rows whose task is no longer ready.

    Core statements (not the ORM unit of work): this runs on every command. Returns
    the instance's open task rows (rows or ``HumanTask`` objects, same attributes).
    """
    now = utcnow()
    ready = {str(t.id): t for t in (ready_user_tasks(wf) if ready_tasks is None
                                    else ready_tasks)}
    conn = session.connection()
    rows = conn.execute(_OPEN_OR_READY, {"instance_id": inst.id, "ids": list(ready)}).all()
    open_rows: list[Any] = []
    completed, cancelled, reopened = [], [], []
    for row in rows:
        if row.id in ready:
            if row.state == "ready":
                open_rows.append(row)
                continue
            reopened.append(row.id)  # a task reset to run again keeps its id
            open_rows.append(HumanTask(**{**row._asdict(), "state": "ready",
                                          "completed_at": None, "completed_by": None}))
        elif row.id in completed_ids:
            completed.append(row.id)
        else:
            cancelled.append(row.id)
    for ids, values in ((completed, {"v_state": "completed", "v_at": now, "v_by": actor.id}),
                        (cancelled, {"v_state": "cancelled", "v_at": now, "v_by": None}),
                        (reopened, {"v_state": "ready", "v_at": None, "v_by": None})):
        if ids:
            conn.execute(_SET_STATE, {"ids": ids, **values})
    if completed or cancelled:  # nobody need be told any more about work that is over
        settle_notifications(conn, completed + cancelled, None)
    facts = rules.facts(session, inst) if ready else None
    if facts is not None and len(open_rows) > 0:  # the data may have renamed the dossier
        conn.execute(_SET_INDEX, {"b_instance": inst.id, "v_text": facts.text,
                                  "v_year": facts.year})
    known = {r.id for r in rows}
    new_rows = [new_task_row(rules, inst, task, now, session, facts)
                for task_id, task in ready.items() if task_id not in known]
    if new_rows:
        conn.execute(_INSERT_TASK, new_rows)
        open_rows.extend(HumanTask(**values) for values in new_rows)
        notify_ready(conn, [ready_task(rules, row, ready[row["id"]]) for row in new_rows],
                     rules.unit_scoped, actor,
                     inst.business_key or f"Hồ sơ #{inst.id}", rules.mail)
    return open_rows
