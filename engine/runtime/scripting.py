"""The script engine a workflow runs with during one command.

Scripts and conditions go through the sandbox; service tasks call the
handlers ``workflows`` registered, inside the command's transaction. Every
expression and script of the command also sees ``working_days(n)``: the end of the
n-th working day from now in the office's zone (``n`` a whole number or
``"setting:<name>"``, a deadline the office configures), as a timer's moment.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, tzinfo
from typing import Any

from SpiffWorkflow.bpmn.exceptions import WorkflowTaskException
from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine
from sqlalchemy.orm import Session

from engine import clock
from engine.errors import EngineError
from engine.extensions import HandlerRegistry, ServiceCall
from engine.roles import Actor
from engine.runtime.state import TaskRules, working_days_count
from engine.sandbox import WORKING_DAYS, SandboxEnvironment
from engine.store.serializer import to_jsonable


class CommandScriptEngine(PythonScriptEngine):
    """Bound to one command: knows the session, the instance and who acts."""

    def __init__(
        self,
        environment: SandboxEnvironment,
        handlers: HandlerRegistry,
        session: Session,
        instance_id: int,
        process_key: str,
        actor: Actor,
        rules: TaskRules | None = None,
        dry_run: bool = False,
    ) -> None:
        super().__init__(environment=environment)
        self.dry_run = dry_run  # handlers are told (ServiceCall.dry_run)
        self.handlers = handlers
        self.session = session
        self.instance_id = instance_id
        self.process_key = process_key
        self.actor = actor
        self.rules = rules
        # Timers read a moment without a zone in the office's zone (engine.specs.timers).
        self.zone: tzinfo = rules.calendar.tz if rules is not None else UTC

    def working_days(self, days: Any) -> datetime:
        """The end of the ``days``-th working day from now (office zone), aware UTC."""
        if self.rules is None:
            raise ValueError("working_days() is not available here")
        count = working_days_count(self.rules, self.session, days)
        return self.rules.calendar.due_at(clock.now(), count)

    def _helpers(self, external_context: dict[str, Any] | None) -> dict[str, Any]:
        return {**(external_context or {}), WORKING_DAYS: self.working_days}

    def evaluate(self, task: Any, expression: str,
                 external_context: dict[str, Any] | None = None) -> Any:
        return super().evaluate(task, expression, self._helpers(external_context))

    def execute(self, task: Any, script: str,
                external_context: dict[str, Any] | None = None) -> Any:
        return super().execute(task, script, self._helpers(external_context))

    def call_service(self, task: Any, **kwargs: Any) -> str:
        name = kwargs["operation_name"]
        params = {k: p.get("value") for k, p in (kwargs.get("operation_params") or {}).items()}
        call = ServiceCall(
            session=self.session,
            instance_id=self.instance_id,
            process_key=self.process_key,
            element_id=task.task_spec.bpmn_id or task.task_spec.name,
            actor=self.actor,
            data=dict(task.data),
            dry_run=self.dry_run,
            params=params,
        )
        try:
            result = self.handlers.get(name)(call)
        except EngineError:
            raise  # a domain refusal: the whole command is rolled back
        except Exception as exc:
            raise WorkflowTaskException(
                f"Bộ xử lý «{name}» gặp lỗi: {exc}", task=task, exception=exc
            ) from exc
        return json.dumps(to_jsonable(result))
