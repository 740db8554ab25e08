"""Process instances: read, history, cancel, retry."""

from __future__ import annotations

from typing import Any

from flask_smorest import Blueprint

from webapp.api.auth import current_actor, require_role
from webapp.api.schemas import (
    CancelArgs,
    EventPage,
    InstanceListArgs,
    InstancePage,
    InstanceSchema,
    PagingArgs,
)
from webapp.services import read_session, services, write_session
from workflows.visibility import redact_event, redact_instance

blp = Blueprint("instances", __name__, url_prefix="/instances",
                description="Hồ sơ đang chạy theo quy trình")


@blp.get("")
@blp.arguments(InstanceListArgs, location="query")
@blp.response(200, InstancePage)
def list_instances(args: dict[str, Any]) -> Any:
    """Instances visible to the caller, newest first (data as ``workflows.visibility`` allows)."""
    actor = current_actor()
    page = services().engine.list_instances(
        read_session(), actor, args["process_key"], args["status"],
        args["page"], args["per_page"]).to_dict()
    page["items"] = [redact_instance(actor.roles, i) for i in page["items"]]
    return page


@blp.get("/<int:instance_id>")
@blp.response(200, InstanceSchema)
def get_instance(instance_id: int) -> Any:
    """One instance; its data holds only the sections the caller's roles may see."""
    actor = current_actor()
    return redact_instance(actor.roles,
                           services().engine.get_instance(read_session(), instance_id, actor))


@blp.get("/<int:instance_id>/history")
@blp.arguments(PagingArgs, location="query")
@blp.response(200, EventPage)
def history(args: dict[str, Any], instance_id: int) -> Any:
    """Audit events of the instance: start, completed tasks (who, when, data), errors, end."""
    actor = current_actor()
    page = services().engine.instance_history(
        read_session(), instance_id, actor, args["page"], args["per_page"]).to_dict()
    page["items"] = [redact_event(actor.roles, e, actor.id) for e in page["items"]]
    return page


@blp.post("/<int:instance_id>/cancel")
@blp.arguments(CancelArgs)
@blp.response(200, InstanceSchema)
def cancel(args: dict[str, Any], instance_id: int) -> Any:
    return services().engine.cancel_instance(write_session(), instance_id, current_actor(),
                                             args["reason"])


@blp.post("/<int:instance_id>/retry")
@blp.response(200, InstanceSchema)
def retry(instance_id: int) -> Any:
    """Resume an instance in status ``error`` (admin) after the cause is fixed."""
    actor = current_actor()
    require_role(actor, "admin")
    return services().engine.retry_instance(write_session(), instance_id, actor)
