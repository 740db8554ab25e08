"""The caller's tasks: list, read, claim, release, complete."""

from __future__ import annotations

from typing import Any

from flask_smorest import Blueprint

from webapp.api.auth import current_actor
from webapp.api.schemas import CompleteArgs, InstanceSchema, TaskListArgs, TaskPage, TaskSchema
from webapp.services import read_session, services, write_session
from workflows.visibility import redact_instance

blp = Blueprint("tasks", __name__, url_prefix="/tasks", description="Công việc của tôi")


@blp.get("")
@blp.arguments(TaskListArgs, location="query")
@blp.response(200, TaskPage)
def list_tasks(args: dict[str, Any]) -> Any:
    """Ready tasks of the caller's roles and unit, or assigned to the caller; most urgent first."""
    return services().engine.inbox(read_session(), current_actor(), args["process_key"],
                                   args["page"], args["per_page"]).to_dict()


@blp.get("/<task_id>")
@blp.response(200, TaskSchema)
def get_task(task_id: str) -> Any:
    return services().engine.get_task(read_session(), task_id, current_actor())


@blp.post("/<task_id>/claim")
@blp.response(200, InstanceSchema)
def claim(task_id: str) -> Any:
    actor = current_actor()
    return redact_instance(actor.roles,
                           services().engine.claim_task(write_session(), task_id, actor))


@blp.post("/<task_id>/unclaim")
@blp.response(200, InstanceSchema)
def unclaim(task_id: str) -> Any:
    actor = current_actor()
    return redact_instance(actor.roles,
                           services().engine.unclaim_task(write_session(), task_id, actor))


@blp.post("/<task_id>/complete")
@blp.arguments(CompleteArgs)
@blp.response(200, InstanceSchema)
def complete(args: dict[str, Any], task_id: str) -> Any:
    """Complete the task with ``data``; the answer is the instance with its next tasks."""
    actor = current_actor()
    done = services().engine.complete_task(write_session(), task_id, actor, args["data"])
    shown = redact_instance(actor.roles, done)
    # what the caller has just sent is theirs to read back
    own = {k: v for k, v in (done.get("data") or {}).items() if k in (args["data"] or {})}
    return {**shown, "data": {**shown["data"], **own}}
