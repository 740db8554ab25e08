"""marshmallow schemas of the API (requests and responses, also the OpenAPI document)."""

from __future__ import annotations

from flask_smorest.fields import Upload
from marshmallow import EXCLUDE, Schema, fields, validate


class PagingArgs(Schema):
    class Meta:
        unknown = EXCLUDE

    page = fields.Integer(load_default=1, validate=validate.Range(min=1))
    per_page = fields.Integer(load_default=50, validate=validate.Range(min=1, max=500))


class TaskListArgs(PagingArgs):
    process_key = fields.String(load_default=None)


class InstanceListArgs(PagingArgs):
    process_key = fields.String(load_default=None)
    status = fields.String(load_default=None, validate=validate.OneOf(
        ["running", "completed", "cancelled", "error"]))


class DeployArgs(Schema):
    file = Upload(required=True, metadata={"description": "Tệp .bpmn"})


class StartArgs(Schema):
    data = fields.Dict(keys=fields.String(), load_default=dict)
    business_key = fields.String(load_default=None, validate=validate.Length(max=255))
    unit = fields.String(load_default=None, metadata={
        "description": "Đơn vị của hồ sơ (chỉ vai trò toàn văn phòng được chọn đơn vị khác)"})


class CompleteArgs(Schema):
    data = fields.Dict(keys=fields.String(), load_default=dict)


class CancelArgs(Schema):
    reason = fields.String(load_default="", validate=validate.Length(max=2000))


class TaskSchema(Schema):
    id = fields.String()
    instance_id = fields.Integer()
    process_key = fields.String()
    name = fields.String(metadata={"description": "BPMN element id"})
    title = fields.String(metadata={"description": "the element's label"})
    role = fields.String(allow_none=True)
    unit = fields.String(allow_none=True)
    assignee = fields.String(allow_none=True)
    assignee_id = fields.Integer(allow_none=True)
    owner_id = fields.Integer(allow_none=True)
    form_key = fields.String(allow_none=True)
    due_at = fields.String(allow_none=True)
    not_before = fields.String(allow_none=True, metadata={
        "description": "earliest completion (e.g. a disclosure open for N working days)"})
    state = fields.String()
    created_at = fields.String()
    completed_at = fields.String(allow_none=True)


class TimerSchema(Schema):
    id = fields.Integer()
    element_id = fields.String(metadata={"description": "BPMN id of the timer event"})
    title = fields.String()
    kind = fields.String(metadata={"description": "intermediate|boundary|gateway"})
    attached_to = fields.String(allow_none=True, metadata={
        "description": "a boundary timer's activity (BPMN id)"})
    interrupting = fields.Boolean(allow_none=True)
    due_at = fields.String(metadata={"description": "when it fires (ISO 8601, UTC)"})


class InstanceSchema(Schema):
    id = fields.Integer()
    process_key = fields.String()
    version = fields.Integer()
    status = fields.String(metadata={"description": "running|completed|cancelled|error"})
    business_key = fields.String(allow_none=True)
    unit = fields.String(allow_none=True)
    started_by = fields.Integer(allow_none=True)
    started_at = fields.String()
    updated_at = fields.String()
    ended_at = fields.String(allow_none=True)
    error = fields.Dict(allow_none=True)
    data = fields.Dict()
    tasks = fields.List(fields.Nested(TaskSchema))
    timers = fields.List(fields.Nested(TimerSchema), metadata={
        "description": "the timers it waits on, soonest first (GET /instances/<id> only)"})


class VersionSchema(Schema):
    key = fields.String()
    version = fields.Integer()
    name = fields.String()
    sha256 = fields.String()
    filename = fields.String(allow_none=True)
    deployed_by = fields.Integer(allow_none=True)
    deployed_at = fields.String()
    created = fields.Boolean()
    running_instances = fields.Integer()


class ProcessSchema(Schema):
    key = fields.String()
    name = fields.String()
    latest_version = fields.Integer()
    versions = fields.List(fields.Nested(VersionSchema))


class EventSchema(Schema):
    id = fields.Integer()
    at = fields.String()
    actor_id = fields.Integer(allow_none=True)
    actor = fields.String()
    instance_id = fields.Integer(allow_none=True)
    type = fields.String()
    payload = fields.Dict()
    hash = fields.String()


def page_schema(item: type[Schema], name: str) -> type[Schema]:
    return Schema.from_dict({
        "items": fields.List(fields.Nested(item)),
        "total": fields.Integer(), "page": fields.Integer(), "per_page": fields.Integer(),
    }, name=name)


TaskPage = page_schema(TaskSchema, "TaskPage")
EventPage = page_schema(EventSchema, "EventPage")
InstancePage = page_schema(InstanceSchema, "InstancePage")
