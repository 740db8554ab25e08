"""The commands that change instances: start, complete, claim, cancel, retry.

Each command is one transaction: lock the instance, load its state onto the
cached spec, act, serialize, sync ``human_task`` rows, append audit events,
commit. A domain error rolls everything back; an error inside a script or a
handler is kept as the instance's ``error`` status so it can be retried.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar
from uuid import UUID

from SpiffWorkflow.bpmn import BpmnEvent, BpmnWorkflow
from SpiffWorkflow.bpmn.exceptions import WorkflowTaskException
from SpiffWorkflow.bpmn.specs.event_definitions.message import MessageEventDefinition
from SpiffWorkflow.util.task import TaskState
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from engine import audit
from engine.errors import Conflict, EngineError, Forbidden, InvalidData, NotFound
from engine.extensions import FormRegistry, HandlerRegistry
from engine.notify import notify_completed
from engine.roles import Actor
from engine.runtime.access import AccessPolicy
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
)
from engine.sandbox import RESERVED_NAMES, SandboxEnvironment, unstorable
from engine.specs.registry import LoadedSpec, SpecRegistry
from engine.store.models import HumanTask, ProcessInstance, Unit, utcnow
from engine.store.serializer import dump_state, load_state, to_jsonable

T = TypeVar("T")
Opened = tuple[ProcessInstance, list[Any]]  # an instance and its ready task rows


def run_command(session: Session, body: Callable[[], T]) -> T:
    """Run ``body`` as one transaction: commit on success, roll back on any error."""
    try:
        with session.no_autoflush:  # one flush, at commit, with batched statements
            result = body()
        session.commit()
        return result
    except StaleDataError as exc:
        session.rollback()
        raise Conflict(NOT_READY, code="task.not_ready") from exc
    except IntegrityError as exc:
        session.rollback()
        raise Conflict("Dữ liệu trùng hoặc vừa thay đổi; vui lòng thử lại.",
                       code="conflict") from exc
    except OperationalError as exc:
        session.rollback()
        if "deadlock" in str(exc).lower():  # PostgreSQL chose us as the loser of a race
            raise Conflict(NOT_READY, code="task.not_ready") from exc
        raise
    except BaseException:
        session.rollback()
        raise


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
            self.sandbox, self.handlers, session, inst.id, inst.process_key, actor
        )

    def _load(self, session: Session, inst: ProcessInstance, actor: Actor
              ) -> tuple[LoadedSpec, BpmnWorkflow]:
        loaded = self.specs.load(session, inst.model_version_id)
        wf = load_state(inst.state_json, loaded.spec, loaded.subprocess_specs)
        self._attach_engine(session, wf, inst, actor)
        return loaded, wf

    def _advance(self, session: Session, inst: ProcessInstance, actor: Actor,
                 step: Callable[[], None]) -> None:
        """Run ``step`` (engine steps included); keep a script/handler failure as ``error``."""
        try:
            step()
        except EngineError:
            raise
        except Exception as exc:  # a script, a handler, a time limit, a bad deadline
            root = getattr(exc, "exception", None)
            if isinstance(root, EngineError):
                raise root from exc
            element = _failing_element(exc)
            inst.status = "error"
            inst.error_message = _error_text(exc)
            inst.error_element = element
            audit.append(session, actor, "instance.error",
                         {"element_id": element, "message": inst.error_message}, inst.id)
            return
        inst.error_message = None
        inst.error_element = None

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
                 actor: Actor, completed_ids: set[str]) -> list[Any]:
        now = utcnow()
        ready = ready_user_tasks(wf)
        inst.state_json = dump_state(wf)  # scripts and handlers leave only storable values
        inst.data = current_data(wf, ready)
        inst.updated_at = now
        if inst.status not in ("error", "cancelled"):  # a cancelled workflow is "completed" too
            inst.status = "completed" if wf.completed else "running"
        if wf.completed and inst.ended_at is None:
            inst.ended_at = now
            audit.append(session, actor, "instance.completed", {}, inst.id)
            if inst.status == "completed":
                notify_completed(session, inst, actor)
        save_instance(session, inst)
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

        self._advance(session, inst, actor, step)
        return inst, self._persist(session, inst, wf, actor, set())

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
                f"Chưa đến thời hạn hoàn thành bước «{row.title}»: phải chờ hết ngày "
                f"{local:%d/%m/%Y} (đủ số ngày làm việc theo quy định).", code="task.too_early")
        clean = check_input(self.forms.validate(row.form_key, data, session)
                            if row.form_key else data)
        _, wf = self._load(session, inst, actor)
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

        self._advance(session, inst, actor, step)
        return inst, self._persist(session, inst, wf, actor, {task_id})

    def claim(self, session: Session, task_id: str, actor: Actor) -> Opened:
        row, inst = self._open_task(session, task_id, actor)
        if row.assignee_id == actor.id:
            return inst, self._open_rows(session, inst)
        if not set_assignee(session, task_id, actor.id, only_if_unassigned=True):
            raise Conflict("Công việc đã được người khác nhận.", code="task.claimed")
        audit.append(session, actor, "task.claimed", {"task_id": task_id, "name": row.name},
                     inst.id)
        row.assignee_id = actor.id  # what the conditional UPDATE wrote
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
        return inst, self._persist(session, inst, wf, actor, set())

    def retry(self, session: Session, instance_id: int, actor: Actor) -> Opened:
        inst = self._lock(session, instance_id)
        if inst.status != "error":
            raise Conflict("Hồ sơ không ở trạng thái lỗi.", code="instance.not_in_error")
        _, wf = self._load(session, inst, actor)
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

        self._advance(session, inst, actor, step)
        return inst, self._persist(session, inst, wf, actor, set())

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
        _, wf = self._load(session, inst, actor)
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

        self._advance(session, inst, actor, step)
        return inst, self._persist(session, inst, wf, actor, set())


def _waiting_message(wf: BpmnWorkflow, name: str) -> Any:
    """The definition of a message event waiting for ``name`` (any depth), or None."""
    for task in wf.get_tasks(state=TaskState.WAITING):
        definition = getattr(task.task_spec, "event_definition", None)
        if isinstance(definition, MessageEventDefinition) and definition.name == name:
            return definition
    return None


def check_input(data: dict[str, Any] | None) -> dict[str, Any]:
    """Data a person sends: a JSON object whose names do not hide script builtins."""
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise InvalidData("Dữ liệu phải là một đối tượng JSON.",
                          details={"data": ["Phải là một đối tượng JSON."]})
    clashes = sorted(RESERVED_NAMES.intersection(data))
    if clashes:
        raise InvalidData(
            f"Tên trường trùng với tên hàm dùng trong kịch bản: {', '.join(clashes)}.",
            details={name: ["Tên trường này được dành riêng; hãy đặt tên khác."]
                     for name in clashes})
    bad = unstorable(data)
    if bad:
        raise InvalidData(f"Dữ liệu có giá trị không lưu được ({bad}).",
                          details={"data": [f"Giá trị không hợp lệ: {bad}."]})
    return data


def _failing_element(exc: BaseException) -> str | None:
    task = getattr(exc, "task", None)
    if task is not None:
        spec = task.task_spec
        return str(getattr(spec, "bpmn_id", None) or spec.name)
    spec = getattr(exc, "task_spec", None)
    return str(getattr(spec, "bpmn_id", None) or spec.name) if spec is not None else None


def _error_text(exc: BaseException) -> str:
    notes = getattr(exc, "__notes__", None) or []
    text = str(exc)
    if notes:
        text = f"{text} ({'; '.join(notes)})"
    return text[:4000]
