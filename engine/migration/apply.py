"""Moving one instance onto another version, inside the caller's transaction.

The same discipline as every runner command: lock the instance row (``SELECT … FOR
UPDATE`` on PostgreSQL; the write session holds SQLite's write lock), assess it on
its locked state, write the new state with the version counter checked, bring its
``human_task`` and ``timer`` rows in line, audit ``instance.migrated``. A refusal raises
:class:`Refused` so the caller rolls back whatever was begun and records the reasons.
"""

from __future__ import annotations

from typing import Any

from SpiffWorkflow.util.task import TaskState
from sqlalchemy import Table, bindparam, select, update
from sqlalchemy.orm import Session

from engine import audit
from engine.errors import Conflict
from engine.migration.plan import Assessment, Planner
from engine.roles import Actor
from engine.runtime.persist import NOT_READY, lock_instance
from engine.runtime.scripting import CommandScriptEngine
from engine.runtime.state import (
    current_data,
    due_working_days,
    new_task_row,
    ready_user_tasks,
    sync_human_tasks,
    waiting_for,
)
from engine.runtime.timers import sync_timers
from engine.service import ProcessEngine
from engine.store.models import HumanTask, ProcessInstance, utcnow
from engine.store.serializer import dump_state

_I: Table = ProcessInstance.__table__  # type: ignore[assignment]
_T: Table = HumanTask.__table__  # type: ignore[assignment]
_MOVED_COLUMNS = ("model_version_id", "version", "state_json", "data", "status", "updated_at",
                  "ended_at", "waiting_for")
_MOVE = (
    update(_I)
    .where(_I.c.id == bindparam("b_id"), _I.c.lock_version == bindparam("b_version"))
    .values({name: bindparam(f"v_{name}") for name in _MOVED_COLUMNS}
            | {"lock_version": bindparam("v_lock_version")})
)
# The columns of a ready task's row that come from its element in the diagram.
_STEP_COLUMNS = ("name", "title", "lane", "role", "form_key", "owner_id")


class Refused(Exception):
    """The instance stays where it is; ``assessment.reasons`` says why."""

    def __init__(self, assessment: Assessment) -> None:
        super().__init__("; ".join(r["message"] for r in assessment.reasons))
        self.assessment = assessment


def _refusal(code: str, message: str, **params: Any) -> Refused:
    out = Assessment()
    out.refuse(code, message, **params)
    return Refused(out)


def has_engine_steps(out: Assessment) -> bool:
    """Automatic steps are ready on the moved workflow (a branch reset, a step that became
    a service task): the move runs them, and so must the dry run."""
    wf = out.workflow
    return wf is not None and any(not t.task_spec.manual
                                  for t in wf.get_tasks(state=TaskState.READY))


def run_engine_steps(engine: ProcessEngine, session: Session, instance_id: int,
                     process_key: str, out: Assessment, actor: Actor,
                     dry_run: bool = False) -> None:
    """A branch reset onto the new spec may leave automatic steps ready: run them now
    (``dry_run``: as a trial, the handlers told to write nothing outside the database).

    Raises:
        Refused: ``migration.engine_step_failed`` (the caller rolls back).
    """
    wf = out.workflow
    assert wf is not None
    if not has_engine_steps(out):
        return
    wf.script_engine = CommandScriptEngine(engine.sandbox, engine.handlers, session,
                                           instance_id, process_key, actor, engine.runner.rules,
                                           dry_run=dry_run)
    try:
        wf.do_engine_steps()
    except Exception as exc:  # the instance must never be left half-moved or in error
        raise _refusal("migration.engine_step_failed",
                       f"Bước tự động trên phiên bản đích gặp lỗi: {exc}",
                       detail=str(exc)) from exc


def _refresh_rows(engine: ProcessEngine, session: Session, inst: ProcessInstance,
                  wf: Any, changed_rules: set[str]) -> None:
    """Ready rows keep their id, assignee and dates unless the element changed them."""
    rules, now = engine.runner.rules, utcnow()
    tasks = {str(t.id): t for t in ready_user_tasks(wf)}
    rows = session.execute(select(_T).where(_T.c.instance_id == inst.id,
                                            _T.c.state == "ready")).all()
    for row in rows:
        task = tasks.get(row.id)
        if task is None:
            continue
        fresh = new_task_row(rules, inst, task, now, session)
        values = {c: fresh[c] for c in _STEP_COLUMNS if getattr(row, c) != fresh[c]}
        if "role" in values:
            values["assignee_id"] = None  # whoever claimed it may not hold the new role
        element = fresh["name"]
        for column, prop in (("due_at", "dueWorkingDays"),
                             ("not_before", "notBeforeWorkingDays")):
            if f"{element}:{prop}" in changed_rules:
                days = due_working_days(rules, task, session, prop)
                values[column] = None if days is None else rules.calendar.due_at(
                    row.created_at.replace(tzinfo=now.tzinfo), days)
        if values:
            session.execute(update(_T).where(_T.c.id == row.id).values(**values))


def _changed_rules(out: Assessment) -> set[str]:
    props = {"due": "dueWorkingDays", "not_before": "notBeforeWorkingDays"}
    return {f"{c['element_id']}:{props[c['field']]}" for c in out.changes if c["field"] in props}


def move_instance(engine: ProcessEngine, session: Session, planner: Planner, instance_id: int,
                  actor: Actor, payload: dict[str, Any]) -> Assessment:
    """Move one instance from ``planner.source`` to ``planner.target``, or raise Refused.

    The caller owns the transaction: commit on return, roll back on any exception.
    """
    inst = lock_instance(session, instance_id)
    if inst.model_version_id != planner.source.version_id:
        raise _refusal("migration.version_changed",
                       f"Hồ sơ không còn ở phiên bản {planner.source.version} "
                       f"(đang ở phiên bản {inst.version}).",
                       expected=planner.source.version, actual=inst.version)
    out = planner.assess(inst.state_json, inst.status)
    if not out.can_move or out.workflow is None:
        raise Refused(out)
    wf = out.workflow
    run_engine_steps(engine, session, inst.id, inst.process_key, out, actor)
    now, ready = utcnow(), ready_user_tasks(wf)
    previous = inst.version
    inst.model_version_id = planner.target.version_id
    inst.version = planner.target.version
    inst.state_json = dump_state(wf)
    inst.data = current_data(wf, ready)
    inst.waiting_for = waiting_for(wf, ready)
    inst.updated_at = now
    if wf.completed:
        inst.status, inst.ended_at = "completed", now
    params = {f"v_{name}": getattr(inst, name) for name in _MOVED_COLUMNS}
    params |= {"b_id": inst.id, "b_version": inst.lock_version,
               "v_lock_version": inst.lock_version + 1}
    if session.connection().execute(_MOVE, params).rowcount != 1:
        raise Conflict(NOT_READY, code="task.not_ready")
    inst.lock_version += 1
    sync_human_tasks(session, engine.runner.rules, inst, wf, actor, set(), ready)
    sync_timers(session, inst.id, wf)  # the timers moved with their branches
    _refresh_rows(engine, session, inst, wf, _changed_rules(out))
    audit.append(session, actor, "instance.migrated", {
        **payload, "from_version": previous, "to_version": inst.version,
        "changes": out.changes, "steps": out.steps_after,
    }, inst.id)
    if wf.completed:
        audit.append(session, actor, "instance.completed", {}, inst.id)
    return out

