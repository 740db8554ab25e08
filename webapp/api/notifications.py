"""The caller's notifications (thông báo): list, unread count, mark read (one or all)."""

from __future__ import annotations

from typing import Any

from flask_smorest import Blueprint
from marshmallow import Schema, fields

from webapp.api.auth import current_actor
from webapp.api.schemas import PagingArgs, page_schema
from webapp.services import read_session, services, write_session

blp = Blueprint("notifications", __name__, url_prefix="/notifications",
                description="Thông báo của tôi")


class NotificationListArgs(PagingArgs):
    unread = fields.Boolean(load_default=False, metadata={
        "description": "only the unread ones"})


class NotificationSchema(Schema):
    id = fields.Integer()
    kind = fields.String(metadata={"description": "task.new, dossier.returned, ..."})
    title = fields.String()
    body = fields.String()
    instance_id = fields.Integer(allow_none=True)
    task_id = fields.String(allow_none=True)
    task_open = fields.Boolean(metadata={
        "description": "the task is still to do (else open the instance)"})
    business_key = fields.String(allow_none=True)
    link = fields.String(allow_none=True, metadata={
        "description": "the page it leads to when that is neither the task's nor the "
                       "instance's, e.g. /council/meetings/7 for an invitation"})
    created_at = fields.String()
    read_at = fields.String(allow_none=True)


class NotificationPage(page_schema(NotificationSchema, "NotificationPageBase")):  # type: ignore[misc]
    unread = fields.Integer(metadata={"description": "the caller's unread notifications"})


class ReadAllSchema(Schema):
    marked = fields.Integer(metadata={"description": "how many were marked read"})
    unread = fields.Integer()


@blp.get("")
@blp.arguments(NotificationListArgs, location="query")
@blp.response(200, NotificationPage)
def list_notifications(args: dict[str, Any]) -> Any:
    """The caller's notifications, newest first, with the unread count."""
    engine, session, actor = services().engine, read_session(), current_actor()
    page = engine.notifications(session, actor, args["page"], args["per_page"],
                                args["unread"])
    return {**page.to_dict(), "unread": engine.unread_notifications(session, actor)}


@blp.post("/<int:notification_id>/read")
@blp.response(200, NotificationSchema)
def read_one(notification_id: int) -> Any:
    """Mark one of the caller's notifications read; another person's is 404."""
    return services().engine.read_notification(write_session(), current_actor(),
                                               notification_id)


@blp.post("/read-all")
@blp.response(200, ReadAllSchema)
def read_all() -> Any:
    marked = services().engine.read_all_notifications(write_session(), current_actor())
    return {"marked": marked, "unread": 0}
