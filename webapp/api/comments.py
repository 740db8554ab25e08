"""Comments on a dossier and the history of its decisions (ý kiến trao đổi về hồ sơ)."""

from __future__ import annotations

from typing import Any

from flask_smorest import Blueprint
from marshmallow import Schema, fields

from webapp.api.auth import current_actor
from webapp.services import read_session, services, write_session
from workflows import comments

blp = Blueprint("comments", __name__, url_prefix="/instances",
                description="Ý kiến trao đổi về hồ sơ và lịch sử quyết định")


class CommentArgs(Schema):
    text = fields.String(required=True, metadata={
        "description": f"1 to {comments.MAX_COMMENT} characters (trimmed)"})
    internal = fields.Boolean(load_default=False, metadata={
        "description": "an internal note (ghi chú nội bộ): only those who see the internal "
                       "appraisal read it, and only they may write one"})


class CommentSchema(Schema):
    instance_id = fields.Integer()
    actor_id = fields.Integer(allow_none=True)
    actor = fields.String()
    text = fields.String()
    internal = fields.Boolean()
    steps = fields.List(fields.String(), metadata={"description": "the steps waiting then"})


class HistoryEntrySchema(Schema):
    kind = fields.String(metadata={"description": "decision | comment"})
    event_id = fields.Integer()
    at = fields.String()
    actor_id = fields.Integer(allow_none=True)
    actor = fields.String()
    step = fields.String(metadata={"description": "the step's title (steps, for a comment)"})
    step_name = fields.String(metadata={"description": "the step's BPMN id (decisions)"})
    task_id = fields.String(allow_none=True)
    form_key = fields.String(allow_none=True)
    decision_field = fields.String(allow_none=True,
                                   metadata={"description": "decision | recommend | outcome"})
    decision = fields.String(allow_none=True)
    text = fields.String()
    items = fields.List(fields.String(), metadata={"description": "supplement items"})
    internal = fields.Boolean()


@blp.get("/<int:instance_id>/comments")
@blp.response(200, HistoryEntrySchema(many=True))
def history(instance_id: int) -> Any:
    """Every decision (with its comment) and comment of the dossier, oldest first, as the
    caller may read them; 404 ``instance.not_found`` when the dossier is not visible."""
    return comments.comment_history(read_session(), services().engine, current_actor(),
                                    instance_id)


@blp.post("/<int:instance_id>/comments")
@blp.arguments(CommentArgs)
@blp.response(201, CommentSchema)
def add(args: dict[str, Any], instance_id: int) -> Any:
    """Comment on a dossier without completing a step (audited as ``comment.added``).

    422 ``comment.invalid`` (empty or too long), 403 ``comment.internal_forbidden``,
    404 ``instance.not_found``.
    """
    return comments.add_comment(write_session(), services().engine, current_actor(),
                                instance_id, args["text"], internal=args["internal"])
