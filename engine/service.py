"""``ProcessEngine``: the one object the rest of the application talks to.

It wires the registry, the runner, the access policy and the identity
services together; every public method takes a ``Session`` (cosmicpython's
service layer) and returns plain data, never Spiff objects.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, extract, func, select
from sqlalchemy.orm import Session, aliased

from engine import notify
from engine.calendar import WorkingCalendar
from engine.errors import NotFound
from engine.extensions import FormRegistry, HandlerRegistry
from engine.mail.compose import MailOptions
from engine.reminders import ReminderPolicy
from engine.roles import SYSTEM, Actor
from engine.runtime import timers
from engine.runtime.access import AccessPolicy
from engine.runtime.runner import Opened, Runner, run_command
from engine.runtime.state import TaskRules
from engine.sandbox import SandboxEnvironment
from engine.search import default_index, matches
from engine.settings import EngineSettings
from engine.specs.registry import Checks, SpecRegistry
from engine.store.models import (
    AuditEvent,
    HumanTask,
    ProcessInstance,
    ProcessModelVersion,
    User,
)
from engine.views import event_view, instance_view, task_view, version_view

__all__ = ["EngineSettings", "Page", "ProcessEngine", "step_label"]


def step_label() -> ColumnElement[str]:
    """A task's step as people see it: its title, or its BPMN id when it has none."""
    return func.coalesce(func.nullif(HumanTask.title, ""), HumanTask.name)


@dataclass
class Page:
    items: list[dict[str, Any]]
    total: int
    page: int
    per_page: int

    def to_dict(self) -> dict[str, Any]:
        return {"items": self.items, "total": self.total, "page": self.page,
                "per_page": self.per_page}


class ProcessEngine:
    """Facade over the engine; cheap to share between threads and requests."""

    def __init__(self, settings: EngineSettings | None = None,
                 forms: FormRegistry | None = None,
                 handlers: HandlerRegistry | None = None) -> None:
        self.settings = settings or EngineSettings()
        self.forms = forms or FormRegistry()
        self.handlers = handlers or HandlerRegistry()
        self.calendar = WorkingCalendar(self.settings.timezone, self.settings.country)
        self.sandbox = SandboxEnvironment(
            timeout_s=self.settings.script_timeout_s,
            environment_globals=dict(self.settings.script_helpers) or None,
        )
        self.policy = AccessPolicy(frozenset(self.settings.unit_scoped_roles),
                                   tuple(self.settings.visibility_grants))
        self.specs = SpecRegistry(
            Checks(self.settings.roles, lambda k: k in self.forms, lambda n: n in self.handlers,
                   form_fields=self._form_fields,
                   known_names=tuple(self.settings.script_helpers)),
            cache_size=self.settings.spec_cache_size,
        )
        rules = TaskRules(self.settings.roles, self.policy.unit_scoped_roles, self.calendar,
                          self.sandbox, self.settings.named_days,
                          MailOptions(self.settings.base_url, self.settings.timezone),
                          self.settings.task_index or default_index,
                          self.settings.completion_note, self.settings.task_note)
        self.runner = Runner(self.specs, self.forms, self.handlers, self.sandbox, rules,
                             self.policy)

    @property
    def mail_options(self) -> MailOptions:
        """How notification e-mails write links (the app's address) and dates."""
        return self.runner.rules.mail

    def reminder_policy(self, session: Session) -> ReminderPolicy:
        """When to remind before a deadline and whom to tell after it."""
        found = self.settings.reminder_policy
        return found(session) if found is not None else ReminderPolicy()

    def _form_fields(self, form_key: str) -> list[str] | None:
        """Names a form's answers take in the task data (None: no such form)."""
        return list(self.forms.schema(form_key).fields) if form_key in self.forms else None

    # -- process models ---------------------------------------------------------
    def deploy(self, session: Session, xml: bytes, actor: Actor,
               filename: str | None = None) -> dict[str, Any]:
        """Validate and store a version; identical XML returns the existing one."""
        def body() -> dict[str, Any]:
            row, created = self.specs.deploy(session, xml, actor, filename)
            return {**version_view(row), "created": created}
        return run_command(session, body)

    def list_processes(self, session: Session) -> list[dict[str, Any]]:
        counts = dict(session.execute(
            select(ProcessInstance.model_version_id, func.count())
            .where(ProcessInstance.status.in_(("running", "error")))
            .group_by(ProcessInstance.model_version_id)
        ).all())
        rows = session.scalars(
            select(ProcessModelVersion).order_by(
                ProcessModelVersion.process_key, ProcessModelVersion.version.desc())
        ).all()
        out: dict[str, dict[str, Any]] = {}
        called: set[str] = set()
        for row in rows:
            if row.process_key not in out:  # the latest version says what the process is
                loaded = self.specs.load(session, row.id)
                called.update(row.dependencies or {})
                out[row.process_key] = {
                    "key": row.process_key, "name": row.name, "latest_version": row.version,
                    "start_role": loaded.start_role, "roles": self.specs.lane_roles(loaded),
                    "versions": []}
            out[row.process_key]["versions"].append(
                {**version_view(row), "running_instances": counts.get(row.id, 0)})
        for key, entry in out.items():  # a call activity's process is part of another
            entry["called"] = key in called
        return list(out.values())

    def process_xml(self, session: Session, key: str, version: int | None = None) -> str:
        row = self.specs.latest(session, key) if version is None else session.scalars(
            select(ProcessModelVersion).where(ProcessModelVersion.process_key == key,
                                              ProcessModelVersion.version == version)).first()
        if row is None:
            raise NotFound(f"Không có phiên bản {version} của «{key}».",
                           code="process.not_found")
        return row.bpmn_xml

    # -- instances --------------------------------------------------------------
    def start_instance(self, session: Session, process_key: str, actor: Actor,
                       data: dict[str, Any] | None = None, business_key: str | None = None,
                       unit_code: str | None = None) -> dict[str, Any]:
        return self._command(session, lambda: self.runner.start(
            session, process_key, actor, data, business_key, unit_code))

    def complete_task(self, session: Session, task_id: str, actor: Actor,
                      data: dict[str, Any] | None) -> dict[str, Any]:
        return self._command(session, lambda: self.runner.complete(session, task_id, actor, data))

    def claim_task(self, session: Session, task_id: str, actor: Actor) -> dict[str, Any]:
        return self._command(session, lambda: self.runner.claim(session, task_id, actor))

    def unclaim_task(self, session: Session, task_id: str, actor: Actor) -> dict[str, Any]:
        return self._command(session, lambda: self.runner.unclaim(session, task_id, actor))

    def cancel_instance(self, session: Session, instance_id: int, actor: Actor,
                        reason: str = "") -> dict[str, Any]:
        return self._command(session, lambda: self.runner.cancel(session, instance_id, actor,
                                                                  reason))

    def retry_instance(self, session: Session, instance_id: int, actor: Actor
                       ) -> dict[str, Any]:
        return self._command(session, lambda: self.runner.retry(session, instance_id, actor))

    def deliver_message(self, session: Session, instance_id: int, message_name: str,
                        payload: dict[str, Any] | None, actor: Actor, *,
                        within: Callable[[], None] | None = None) -> dict[str, Any]:
        """Deliver a message to an instance waiting on a message catch event (one command).

        ``within`` runs in the same transaction once the message is caught (e.g. to mark the
        sender's delivery row done). The caller decides who may send; the engine audits.

        Raises:
            Conflict: ``instance.not_running`` or ``instance.not_waiting``.
        """
        def act() -> Opened:
            opened = self.runner.deliver(session, instance_id, message_name, payload, actor)
            if within is not None:
                within()
            return opened
        return self._command(session, act)

    def fire_timers(self, session: Session, instance_id: int, actor: Actor = SYSTEM
                    ) -> dict[str, Any] | None:
        """Fire the instance's timers due at the engine's clock (one command); None when
        nothing was due any more. The scheduler calls this (``engine.scheduler``)."""
        def body() -> dict[str, Any] | None:
            opened = self.runner.fire_timers(session, instance_id, actor)
            return None if opened is None else instance_view(
                opened[0], [task_view(r) for r in opened[1]])
        return run_command(session, body)

    def fail_instance(self, session: Session, instance_id: int, message: str,
                      element_id: str | None = None, actor: Actor = SYSTEM) -> None:
        """Put a running instance in status ``error`` with ``message`` (one command)."""
        run_command(session, lambda: self.runner.fail(session, instance_id, actor, element_id,
                                                      message))

    def get_instance(self, session: Session, instance_id: int, actor: Actor) -> dict[str, Any]:
        """One instance with its ready tasks and the timers it waits on (``timers``)."""
        inst = self.policy.visible_instance(session, actor, instance_id)
        return {**self._instance_view(session, inst),
                "timers": timers.instance_timers(session, instance_id)}

    def list_instances(self, session: Session, actor: Actor, process_key: str | None = None,
                       status: str | None = None, page: int = 1, per_page: int = 50,
                       started_by: int | None = None, business_key_prefix: str | None = None,
                       unit_code: str | None = None) -> Page:
        """Instances ``actor`` may see, newest first; optionally only those someone
        started, those of one unit, or whose business key starts with a prefix."""
        where = [self.policy.instance_filter(actor)]
        if started_by is not None:
            where.append(ProcessInstance.started_by == started_by)
        if unit_code is not None:
            where.append(ProcessInstance.unit_code == unit_code)
        if business_key_prefix:
            escaped = business_key_prefix.replace("\\", "\\\\").replace("%", "\\%") \
                .replace("_", "\\_")
            where.append(ProcessInstance.business_key.like(f"{escaped}%", escape="\\"))
        if process_key:
            where.append(ProcessInstance.process_key == process_key)
        if status:
            where.append(ProcessInstance.status == status)
        total = session.scalar(
            select(func.count()).select_from(ProcessInstance).where(*where)) or 0
        rows = session.scalars(select(ProcessInstance).where(*where)
                               .order_by(ProcessInstance.id.desc())
                               .offset((page - 1) * per_page).limit(per_page)).all()
        tasks: dict[int, list[dict[str, Any]]] = {r.id: [] for r in rows}
        if rows:
            for task in self._task_rows(session, HumanTask.instance_id.in_(list(tasks)),
                                        HumanTask.state == "ready"):
                tasks[task["instance_id"]].append(task)
        return Page([instance_view(r, tasks[r.id]) for r in rows], total, page, per_page)

    def _command(self, session: Session, act: Callable[[], Opened]) -> dict[str, Any]:
        """Run one command; its answer is built inside the same transaction."""
        def body() -> dict[str, Any]:
            inst, rows = act()
            ids = {r.assignee_id for r in rows if r.assignee_id is not None}
            names: dict[int, str] = dict(session.execute(  # type: ignore[arg-type]
                select(User.id, User.username).where(User.id.in_(ids))).all()) if ids else {}
            return instance_view(inst, [task_view(r, names.get(r.assignee_id or 0))
                                        for r in rows])
        return run_command(session, body)

    def _instance_view(self, session: Session, inst: ProcessInstance) -> dict[str, Any]:
        tasks = self._task_rows(session, HumanTask.instance_id == inst.id,
                                HumanTask.state == "ready")
        return instance_view(inst, tasks)

    def instance_history(self, session: Session, instance_id: int, actor: Actor,
                         page: int = 1, per_page: int = 50) -> Page:
        self.policy.visible_instance(session, actor, instance_id)
        query = select(AuditEvent).where(AuditEvent.instance_id == instance_id)
        total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
        rows = session.scalars(query.order_by(AuditEvent.id)
                               .offset((page - 1) * per_page).limit(per_page)).all()
        return Page([event_view(r) for r in rows], total, page, per_page)

    # -- tasks ------------------------------------------------------------------
    def _task_rows(self, session: Session, *where: Any, order: Sequence[Any] = (),
                   offset: int = 0, limit: int | None = None) -> list[dict[str, Any]]:
        assignee = aliased(User)
        query = (select(HumanTask, assignee.username)
                 .outerjoin(assignee, assignee.id == HumanTask.assignee_id)
                 .where(*where).order_by(*order, HumanTask.created_at))
        if limit is not None:
            query = query.offset(offset).limit(limit)
        return [task_view(row, username) for row, username in session.execute(query).all()]

    def inbox(self, session: Session, actor: Actor, process_key: str | None = None,
              page: int = 1, per_page: int = 50, *, step: str | None = None,
              unit_code: str | None = None, year: int | None = None,
              search: str | None = None) -> Page:
        """The actor's ready tasks, most urgent first (the nearest due date first, tasks
        without one last; among equals the newest first); reads ``human_task`` only.

        Args:
            step: only tasks of this step (its title, or its BPMN id when untitled).
            unit_code: only tasks of this unit.
            year: only tasks about this year (``period_year``, engine/search.py), or, for
                tasks whose data names no year, created in this (UTC) year.
            search: words that must all appear in the task's ``search_text`` (the business
                key and the names and codes the indexer gave), in any case, with or
                without accents.
        """
        where = self._inbox_where(actor, process_key, unit_code, year, search)
        if step:
            where.append(step_label() == step)
        total = session.scalar(select(func.count()).select_from(HumanTask).where(*where)) or 0
        order = (HumanTask.due_at.is_(None), HumanTask.due_at, HumanTask.created_at.desc())
        items = self._task_rows(session, *where, order=order,
                                offset=(page - 1) * per_page, limit=per_page)
        return Page(items, total, page, per_page)

    def inbox_counts(self, session: Session, actor: Actor, process_key: str | None = None, *,
                     unit_code: str | None = None, year: int | None = None,
                     search: str | None = None) -> list[tuple[str, int]]:
        """(step, number of tasks) of the actor's inbox under the same filters, by step."""
        label = step_label()
        where = self._inbox_where(actor, process_key, unit_code, year, search)
        rows = session.execute(select(label, func.count()).select_from(HumanTask).where(*where)
                               .group_by(label).order_by(label)).all()
        return [(str(name), int(n)) for name, n in rows]

    def _inbox_where(self, actor: Actor, process_key: str | None, unit_code: str | None,
                     year: int | None, search: str | None) -> list[Any]:
        where: list[Any] = [self.policy.inbox_filter(actor)]
        if process_key:
            where.append(HumanTask.process_key == process_key)
        if unit_code:
            where.append(HumanTask.unit_code == unit_code)
        if year:
            where.append(func.coalesce(HumanTask.period_year,
                                       extract("year", HumanTask.created_at)) == year)
        found = matches(HumanTask.search_text, search)
        if found is not None:
            where.append(found)
        return where

    def get_task(self, session: Session, task_id: str, actor: Actor) -> dict[str, Any]:
        rows = self._task_rows(session, HumanTask.id == task_id)
        if not rows:
            raise NotFound("Không tìm thấy công việc.", code="task.not_found")
        try:
            self.policy.visible_instance(session, actor, rows[0]["instance_id"])
        except NotFound as exc:
            raise NotFound("Không tìm thấy công việc.", code="task.not_found") from exc
        return rows[0]

    def openable_tasks(self, session: Session, actor: Actor, instance_id: int) -> set[str]:
        """The ids of the instance's ready tasks whose page ``actor`` may open: the task is
        theirs to act on (role, unit, owner or assignee), as ``get_task`` plus ``may_act``
        decide for the task page. A page lists the others without a link."""
        rows = session.scalars(select(HumanTask).where(
            HumanTask.instance_id == instance_id, HumanTask.state == "ready")).all()
        return {str(r.id) for r in rows if self.policy.may_act(actor, r)}

    # -- notifications (thông báo) -------------------------------------------------
    def notifications(self, session: Session, actor: Actor, page: int = 1, per_page: int = 20,
                      unread_only: bool = False) -> Page:
        """The actor's own notifications, newest first."""
        items, total = notify.list_notifications(session, actor, (page - 1) * per_page,
                                                 per_page, unread_only)
        return Page(items, total, page, per_page)

    def unread_notifications(self, session: Session, actor: Actor) -> int:
        return notify.unread_count(session, actor)

    def read_notification(self, session: Session, actor: Actor, notification_id: int
                          ) -> dict[str, Any]:
        """Mark one of the actor's notifications read; another person's is NotFound."""
        return run_command(session, lambda: notify.mark_read(session, actor, notification_id))

    def read_all_notifications(self, session: Session, actor: Actor) -> int:
        return run_command(session, lambda: notify.mark_all_read(session, actor))

    # -- diagram trail ------------------------------------------------------------
    def instance_trail(self, session: Session, instance_id: int, actor: Actor
                       ) -> dict[str, list[str]]:
        """BPMN ids of the completed, current and failed elements and the flows taken.

        Raises:
            NotFound: the actor cannot see the instance.
        """
        from engine.runtime.trail import compute_trail
        from engine.store.serializer import load_state

        inst = self.policy.visible_instance(session, actor, instance_id)
        loaded = self.specs.load(session, inst.model_version_id)
        version = session.get(ProcessModelVersion, inst.model_version_id)
        xml = version.bpmn_xml if version is not None else "<definitions/>"
        workflow = load_state(inst.state_json, loaded.spec, loaded.subprocess_specs)
        error = inst.error_element if inst.status == "error" else None
        return compute_trail(workflow, xml, error)

    def instance_stages(self, session: Session, instance_id: int, actor: Actor
                        ) -> list[dict[str, str]]:
        """The main stages of the instance's procedure with the state of each
        (``engine.runtime.stages``): done, current, error, skipped or pending.

        Raises:
            NotFound: the actor cannot see the instance.
        """
        from engine.runtime.stages import compute_stages
        from engine.sandbox import SandboxEnvironment

        trail = self.instance_trail(session, instance_id, actor)
        inst = self.policy.visible_instance(session, actor, instance_id)
        version = session.get(ProcessModelVersion, inst.model_version_id)
        if version is None:
            return []
        return compute_stages(version.bpmn_xml, inst.process_key, trail,
                              finished=inst.status in ("completed", "cancelled"),
                              data=inst.data or {},
                              evaluate=SandboxEnvironment(timeout_s=1.0).evaluate)
