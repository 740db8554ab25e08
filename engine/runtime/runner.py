"""The commands that change instances: start, complete, claim, cancel, retry, deliver a
message, fire due timers.

Each command is one transaction: lock the instance, load its state onto the
cached spec, act, serialize, sync ``human_task`` and ``timer`` rows, append audit
events, commit. A domain error rolls everything back; an error inside a script or a
handler is kept as the instance's ``error`` status so it can be retried.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from uuid import UUID

from SpiffWorkflow.bpmn import BpmnEvent, BpmnWorkflow
from SpiffWorkflow.bpmn.exceptions import WorkflowTaskException
from SpiffWorkflow.bpmn.specs.event_definitions.message import MessageEventDefinition
from SpiffWorkflow.bpmn.specs.event_definitions.multiple import MultipleEventDefinition
from SpiffWorkflow.util.task import TaskState
from sqlalchemy import select
from sqlalchemy.orm import Session

from engine import audit, clock
from engine.errors import Conflict, EngineError, Forbidden, NotFound
from engine.extensions import FormRegistry, HandlerRegistry
from engine.notify import notify_completed, settle_notifications
from engine.roles import Actor
from engine.runtime.access import AccessPolicy
from engine.runtime.inputs import check_input, error_text, failing_element
from engine.runtime.persist import (
    NOT_READY,
    insert_instance,
    lock_instance,
    lock_task,
    save_instance,
    set_assignee,
)
from engine.runtime.scripting import CommandScriptEngine
from engine.runtime.state import (
    TaskRules,
    current_data,
    due_working_days,
    ready_user_tasks,
    sync_human_tasks,
    waiting_for,
)
from engine.runtime.timers import (
    clear_timers,
    finished_timer_tasks,
    fired_event,
    fired_timers,
    sync_timers,
    waiting_timers,
)
from engine.runtime.transaction import run_command as run_command
from engine.sandbox import SandboxEnvironment
from engine.specs.registry import LoadedSpec, SpecRegistry
from engine.store.models import HumanTask, ProcessInstance, Unit, utcnow
from engine.store.serializer import dump_state, load_state, to_jsonable
from engine.views import one_line

Opened = tuple[ProcessInstance, list[Any]]  # an instance and its ready task rows


class Runner:
    """Executes commands; holds nothing per instance (all state is in the database)."""

    def __init__(self, specs: SpecRegistry, forms: FormRegistry, handlers: HandlerRegistry,
                 sandbox: SandboxEnvironment, rules: TaskRules, policy: AccessPolicy) -> None:
        self.specs = specs
        self.forms = forms
        self.handlers = handlers
        self.sandbox = sandbox
        self.rules = rules
        self.policy = policy

    # -- plumbing ---------------------------------------------------------------
    def _lock(self, session: Session, instance_id: int) -> ProcessInstance:
        return lock_instance(session, instance_id)

    def _open_rows(self, session: Session, inst: ProcessInstance) -> list[HumanTask]:
        return list(session.scalars(
            select(HumanTask).where(HumanTask.instance_id == inst.id, HumanTask.state == "ready")
            .order_by(HumanTask.created_at)
        ).all())

    def _attach_engine(self, session: Session, wf: BpmnWorkflow, inst: ProcessInstance,
                       actor: Actor) -> None:
        wf.script_engine = CommandScriptEngine(
            self.sandbox, self.handlers, session, inst.id, inst.process_key, actor, self.rules
        )

    def _load(self, session: Session, inst: ProcessInstance, actor: Actor
              ) -> tuple[LoadedSpec, BpmnWorkflow]:
        loaded = self.specs.load(session, inst.model_version_id)
        wf = load_state(inst.state_json, loaded.spec, loaded.subprocess_specs)
        self._attach_engine(session, wf, inst, actor)
        return loaded, wf

    def _advance(self, session: Session, inst: ProcessInstance, actor: Actor,
                 step: Callable[[], None], timers_of: BpmnWorkflow | None = None) -> None:
        """Run ``step`` (engine steps included); keep a script/handler failure as ``error``.

        ``timers_of``: the workflow, when it has timers: each one that fires during the
        step (in any command: engine steps refresh the timers) is audited ``timer.fired``.
        """
        finished = finished_timer_tasks(timers_of) if timers_of is not None else set()
        try:
            step()
        except EngineError:
            raise
        except Exception as exc:  # a script, a handler, a time limit, a bad deadline
            root = getattr(exc, "exception", None)
            if isinstance(root, EngineError):
                raise root from exc
            self._audit_fired(session, inst, actor, timers_of, finished)
            element = failing_element(exc)
            inst.status = "error"
            inst.error_message = error_text(exc)
            inst.error_element = element
            audit.append(session, actor, "instance.error",
                         {"element_id": element, "message": inst.error_message}, inst.id)
            return
        self._audit_fired(session, inst, actor, timers_of, finished)
        inst.error_message = None
        inst.error_element = None

    def _audit_fired(self, session: Session, inst: ProcessInstance, actor: Actor,
                     wf: BpmnWorkflow | None, finished: set[Any]) -> None:
        for timer in fired_timers(wf, finished, clock.now()) if wf is not None else []:
            audit.append(session, actor, "timer.fired", fired_event(timer), inst.id)

    def _check_due_dates(self, session: Session, wf: BpmnWorkflow) -> None:
        """Evaluate the deadlines of the ready tasks here, where a failure becomes ``error``."""
        for task in ready_user_tasks(wf):
            try:
                due_working_days(self.rules, task, session)
                due_working_days(self.rules, task, session, "notBeforeWorkingDays")
            except Exception as exc:
                raise WorkflowTaskException(
                    f"Hạn của bước (dueWorkingDays / notBeforeWorkingDays) không hợp lệ: {exc}",
                    task=task, exception=exc) from exc

    def _persist(self, session: Session, inst: ProcessInstance, wf: BpmnWorkflow,
                 actor: Actor, completed_ids: set[str], timers: bool) -> list[Any]:
        """Write the instance and bring its rows in line; ``timers``: its version has
        timer events (otherwise it has no ``timer`` rows to keep)."""
        now = utcnow()
        ready = ready_user_tasks(wf)
        inst.state_json = dump_state(wf)  # scripts and handlers leave only storable values
        inst.data = current_data(wf, ready)
        inst.waiting_for = waiting_for(wf, ready)
        inst.updated_at = now
        if inst.status not in ("error", "cancelled"):  # a cancelled workflow is "completed" too
            inst.status = "completed" if wf.completed else "running"
        if wf.completed and inst.ended_at is None:
            inst.ended_at = now
            audit.append(session, actor, "instance.completed", {}, inst.id)
            if inst.status == "completed":
                note = self.rules.completion_note
                notify_completed(session, inst, actor, self.rules.mail,
                                 note(session, inst.id) if note is not None else None)
        save_instance(session, inst)
        if wf.completed or inst.status == "cancelled":
            clear_timers(session, inst.id)
        elif timers:
            sync_timers(session, inst.id, wf)
        return sync_human_tasks(session, self.rules, inst, wf, actor, completed_ids, ready)

    # -- commands ---------------------------------------------------------------
    def start(self, session: Session, process_key: str, actor: Actor,
              data: dict[str, Any] | None = None, business_key: str | None = None,
              unit_code: str | None = None) -> Opened:
        version_id, key, number = self.specs.latest_ref(session, process_key)
        loaded = self.specs.load(session, version_id)
        if loaded.start_role and loaded.start_role not in actor.roles:
            raise Forbidden(f"Chỉ vai trò «{loaded.start_role}» được khởi tạo quy trình này.",
                            code="process.start_forbidden")
        data = check_input(data)
        unit = actor.unit_code
        if unit_code and unit_code != actor.unit_code:
            if not self.policy.office_roles(actor):
                raise Forbidden("Bạn chỉ được khởi tạo hồ sơ cho đơn vị của mình.",
                                code="instance.unit_forbidden")
            if session.get(Unit, unit_code) is None:
                raise NotFound(f"Không có đơn vị «{unit_code}».", code="unit.not_found")
            unit = unit_code
        wf = BpmnWorkflow(loaded.spec, loaded.subprocess_specs)
        wf.task_tree.data.update(to_jsonable(data or {}))
        now = utcnow()
        inst = insert_instance(session, ProcessInstance(
            model_version_id=version_id, process_key=key, version=number, status="running",
            business_key=business_key, unit_code=unit, started_by=actor.id,
            started_at=now, updated_at=now,
            state_json="{}", data={}, lock_version=1,
        ))
        audit.append(session, actor, "instance.started", {
            "process_key": inst.process_key, "version": inst.version,
            "business_key": business_key, "unit_code": unit, "data": data or {},
        }, inst.id)
        self._attach_engine(session, wf, inst, actor)

        def step() -> None:
            wf.do_engine_steps()
            self._check_due_dates(session, wf)

        self._advance(session, inst, actor, step, wf if loaded.has_timers else None)
        return inst, self._persist(session, inst, wf, actor, set(), loaded.has_timers)

    def _open_task(self, session: Session, task_id: str, actor: Actor
                   ) -> tuple[HumanTask, ProcessInstance]:
        row, inst = lock_task(session, task_id)
        if not self.policy.may_act(actor, row) and not self.policy.can_see(session, actor, inst):
            raise NotFound("Không tìm thấy công việc.", code="task.not_found")
        if row.state != "ready":
            raise Conflict(NOT_READY, code="task.not_ready")
        self.policy.check_act(actor, row)
        return row, inst

    def complete(self, session: Session, task_id: str, actor: Actor,
                 data: dict[str, Any] | None) -> Opened:
        data = check_input(data)
        row, inst = self._open_task(session, task_id, actor)
        if inst.status == "error":
            raise Conflict("Hồ sơ đang lỗi; cần xử lý lỗi (retry) trước.", code="instance.error")
        if row.not_before is not None and utcnow() < row.not_before:
            local = row.not_before.astimezone(self.rules.calendar.tz)
            raise Conflict(
                f"Chưa đến thời hạn hoàn thành bước «{one_line(row.title)}»: phải chờ hết ngày "
                f"{local:%d/%m/%Y} (đủ số ngày làm việc theo quy định).", code="task.too_early")
        clean = check_input(self.forms.validate(row.form_key, data, session)
                            if row.form_key else data)
        loaded, wf = self._load(session, inst, actor)
        task = wf.get_task_from_id(UUID(task_id))
        if task is None or task.state != TaskState.READY:
            raise Conflict(NOT_READY, code="task.not_ready")
        task.data.update(to_jsonable(clean))
        audit.append(session, actor, "task.completed", {
            "task_id": task_id, "name": row.name, "title": row.title, "data": clean,
        }, inst.id)

        def step() -> None:
            task.run()
            wf.do_engine_steps()
            self._check_due_dates(session, wf)

        self._advance(session, inst, actor, step, wf if loaded.has_timers else None)
        return inst, self._persist(session, inst, wf, actor, {task_id}, loaded.has_timers)

    def claim(self, session: Session, task_id: str, actor: Actor) -> Opened:
        row, inst = self._open_task(session, task_id, actor)
        if row.assignee_id == actor.id:
            return inst, self._open_rows(session, inst)
        if not set_assignee(session, task_id, actor.id, only_if_unassigned=True):
            raise Conflict("Công việc đã được người khác nhận.", code="task.claimed")
        audit.append(session, actor, "task.claimed", {"task_id": task_id, "name": row.name},
                     inst.id)
        row.assignee_id = actor.id  # what the conditional UPDATE wrote
        # the colleagues' "new task" notifications of it no longer ask anything of them
        settle_notifications(session.connection(), [task_id], actor.id)
        return inst, self._open_rows(session, inst)

    def unclaim(self, session: Session, task_id: str, actor: Actor) -> Opened:
        row, inst = self._open_task(session, task_id, actor)
        if row.assignee_id != actor.id:
            raise Forbidden("Bạn chưa nhận công việc này.", code="task.not_claimed")
        set_assignee(session, task_id, None)
        row.assignee_id = None
        audit.append(session, actor, "task.unclaimed", {"task_id": task_id, "name": row.name},
                     inst.id)
        return inst, self._open_rows(session, inst)

    def cancel(self, session: Session, instance_id: int, actor: Actor,
               reason: str = "") -> Opened:
        self.policy.visible_instance(session, actor, instance_id)
        inst = self._lock(session, instance_id)
        if "admin" not in actor.roles and inst.started_by != actor.id:
            raise Forbidden("Chỉ người khởi tạo hoặc quản trị được hủy hồ sơ.",
                            code="instance.cancel_forbidden")
        if inst.status in ("completed", "cancelled"):
            raise Conflict("Hồ sơ đã kết thúc.", code="instance.finished")
        _, wf = self._load(session, inst, actor)
        wf.cancel()
        inst.status = "cancelled"
        inst.ended_at = utcnow()
        audit.append(session, actor, "instance.cancelled", {"reason": reason}, inst.id)
        return inst, self._persist(session, inst, wf, actor, set(), True)

    def retry(self, session: Session, instance_id: int, actor: Actor) -> Opened:
        inst = self._lock(session, instance_id)
        if inst.status != "error":
            raise Conflict("Hồ sơ không ở trạng thái lỗi.", code="instance.not_in_error")
        loaded, wf = self._load(session, inst, actor)
        failed = list(wf.get_tasks(state=TaskState.ERROR))
        inst.status = "running"
        audit.append(session, actor, "instance.retried",
                     {"element_id": inst.error_element, "previous_error": inst.error_message},
                     inst.id)

        def step() -> None:
            for task in failed:
                task.reset_branch(None)
            wf.do_engine_steps()
            self._check_due_dates(session, wf)

        self._advance(session, inst, actor, step, wf if loaded.has_timers else None)
        return inst, self._persist(session, inst, wf, actor, set(), loaded.has_timers)

    def deliver(self, session: Session, instance_id: int, message_name: str,
                payload: dict[str, Any] | None, actor: Actor) -> Opened:
        """Deliver a message to the instance's waiting catch event (in a called process too).

        The payload lands in the catching task's data under the event's
        ``spiffworkflow:messageVariable`` (when the diagram names one), then the
        instance runs on. The caller checks who may send the message.
        """
        payload = check_input(payload)
        inst = self._lock(session, instance_id)
        if inst.status != "running":
            raise Conflict(f"Hồ sơ không ở trạng thái đang xử lý ({inst.status}); không nhận "
                           f"được thông điệp «{message_name}».", code="instance.not_running")
        loaded, wf = self._load(session, inst, actor)
        definition = _waiting_message(wf, message_name)
        if definition is None:
            raise Conflict(f"Hồ sơ không chờ thông điệp «{message_name}».",
                           code="instance.not_waiting")
        audit.append(session, actor, "instance.message", {
            "message": message_name, "payload": payload}, inst.id)

        def step() -> None:
            wf.send_event(BpmnEvent(definition, payload=to_jsonable(payload)))
            wf.do_engine_steps()
            self._check_due_dates(session, wf)

        self._advance(session, inst, actor, step, wf if loaded.has_timers else None)
        return inst, self._persist(session, inst, wf, actor, set(), loaded.has_timers)

    def fire_timers(self, session: Session, instance_id: int, actor: Actor) -> Opened | None:
        """Fire the instance's timers that are due at the engine's clock, then run on.

        Each fired timer is audited (``timer.fired``); what follows it runs as in any
        command (a script's failure leaves the instance in ``error``). None when nothing
        is due any more: another scheduler fired it, or the instance ended or moved.
        """
        inst = self._lock(session, instance_id)
        if inst.status != "running":
            return None
        loaded, wf = self._load(session, inst, actor)
        now = clock.now()
        if not any(t.due_at <= now for t in waiting_timers(wf)):
            sync_timers(session, inst.id, wf)  # rows out of line with the state: fix them
            return None

        def step() -> None:
            wf.refresh_timers()
            wf.do_engine_steps()
            self._check_due_dates(session, wf)

        self._advance(session, inst, actor, step, wf if loaded.has_timers else None)
        return inst, self._persist(session, inst, wf, actor, set(), loaded.has_timers)

    def fail(self, session: Session, instance_id: int, actor: Actor, element: str | None,
             message: str) -> None:
        """Put a running instance in status ``error`` (a timer whose command failed
        outright), so that it waits for ``retry`` instead of failing at every tick."""
        inst = self._lock(session, instance_id)
        if inst.status != "running":
            return
        inst.status, inst.error_element = "error", element
        inst.error_message = message[:4000]
        inst.updated_at = utcnow()
        save_instance(session, inst)
        audit.append(session, actor, "instance.error",
                     {"element_id": element, "message": inst.error_message}, inst.id)


def _waiting_message(wf: BpmnWorkflow, name: str) -> Any:
    """The definition of a message event waiting for ``name`` (any depth, also behind an
    event-based gateway that waits for a message or a timer), or None."""
    for task in wf.get_tasks(state=TaskState.WAITING):
        definition = getattr(task.task_spec, "event_definition", None)
        found = (definition.event_definitions if isinstance(definition, MultipleEventDefinition)
                 else [definition])
        for item in found:
            if isinstance(item, MessageEventDefinition) and item.name == name:
                return item
    return None
