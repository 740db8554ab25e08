"""The script engine a workflow runs with during one command.

Scripts and conditions go through the sandbox; service tasks call the
handlers ``workflows`` registered, inside the command's transaction.
"""

from __future__ import annotations

import json
from typing import Any

from SpiffWorkflow.bpmn.exceptions import WorkflowTaskException
from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine
from sqlalchemy.orm import Session

from engine.errors import EngineError
from engine.extensions import HandlerRegistry, ServiceCall
from engine.roles import Actor
from engine.sandbox import SandboxEnvironment
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
    ) -> None:
        super().__init__(environment=environment)
        self.handlers = handlers
        self.session = session
        self.instance_id = instance_id
        self.process_key = process_key
        self.actor = actor

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
