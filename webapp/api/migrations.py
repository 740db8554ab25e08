"""Migration of running instances between versions (admin only): dry run, jobs, rollback.

``POST /processes/<key>/migrations`` answers a dry run (200, nothing written) or queues a
job (202) that the process's background worker runs in batches; ``GET /migrations/<id>``
shows its progress and items; ``POST /migrations/<id>/rollback`` queues the way back;
``POST /instances/<id>/migrate-back`` moves one instance back to its previous version.
"""

from __future__ import annotations

from typing import Any

from flask import jsonify, url_for
from flask_smorest import Blueprint
from marshmallow import EXCLUDE, Schema, fields, validate

from engine.migration import create_job, create_rollback, dry_run, get_job, list_jobs, move_back
from engine.migration import parse_filters as engine_filters
from engine.migration.jobs import MAX_BATCH, throwaway_of
from webapp.api.auth import current_actor, require_role
from webapp.migration_worker import wake
from webapp.problem_words import with_localized_reasons
from webapp.services import read_session, services, write_session

blp = Blueprint("migrations", __name__, url_prefix="",
                description="Di chuyển hồ sơ đang chạy sang phiên bản khác (quản trị)")


class MigrationFiltersSchema(Schema):
    instance_ids = fields.List(fields.Integer(validate=validate.Range(min=1)),
                               load_default=list)
    business_key_prefix = fields.String(load_default=None,
                                        validate=validate.Length(max=255))
    step = fields.String(load_default=None, metadata={"description": "BPMN id of a ready step"})
    started_after = fields.Date(load_default=None, metadata={"description": "from this day"})
    started_before = fields.Date(load_default=None, metadata={"description": "before this day"})


class MigrationArgs(Schema):
    from_version = fields.Integer(required=True, validate=validate.Range(min=1))
    to_version = fields.Integer(required=True, validate=validate.Range(min=1))
    dry_run = fields.Boolean(load_default=False)
    state = fields.String(load_default=None, validate=validate.OneOf(["movable", "refused"]),
                          metadata={"description": "dry run: list only these items"})
    page = fields.Integer(load_default=1, validate=validate.Range(min=1))
    per_page = fields.Integer(load_default=None, validate=validate.Range(min=1, max=1000),
                              metadata={"description": "dry run: items per page (default: "
                                                       "all)"})
    batch_size = fields.Integer(load_default=50, validate=validate.Range(min=1, max=MAX_BATCH))
    filters = fields.Nested(MigrationFiltersSchema, load_default=dict)


class MigrationRollbackArgs(Schema):
    batch_size = fields.Integer(load_default=50, validate=validate.Range(min=1, max=MAX_BATCH))


class MigrationJobArgs(Schema):
    class Meta:
        unknown = EXCLUDE

    state = fields.String(load_default=None,
                          validate=validate.OneOf(["pending", "moved", "refused"]))
    page = fields.Integer(load_default=1, validate=validate.Range(min=1))
    per_page = fields.Integer(load_default=100, validate=validate.Range(min=1, max=1000))


class MigrationChangeSchema(Schema):
    element_id = fields.String()
    field = fields.String(metadata={"description": "title|role|lane|form_key|due|not_before|"
                                                   "required_fields"})
    label = fields.String()
    old = fields.Raw(allow_none=True)
    new = fields.Raw(allow_none=True)


class MigrationReasonSchema(Schema):
    code = fields.String()
    element_id = fields.String(allow_none=True)
    message = fields.String(metadata={"description": "Vietnamese; English with ?lang=en"})
    params = fields.Dict(metadata={"description": "the values in the message (reason: which "
                                                 "of the code's messages)"})


class MigrationDryRunItemSchema(Schema):
    instance_id = fields.Integer()
    business_key = fields.String(allow_none=True)
    can_move = fields.Boolean()
    reasons = fields.List(fields.Nested(MigrationReasonSchema))
    changes = fields.List(fields.Nested(MigrationChangeSchema))
    steps_before = fields.List(fields.String())
    steps_after = fields.List(fields.String())


class MigrationDryRunSchema(Schema):
    process_key = fields.String()
    from_version = fields.Integer()
    to_version = fields.Integer()
    filters = fields.Dict()
    diagram = fields.Dict(metadata={"description": "{added: [ids], removed: [ids]}"})
    total = fields.Integer()
    movable = fields.Integer()
    refused = fields.Integer()
    items = fields.List(fields.Nested(MigrationDryRunItemSchema))
    items_total = fields.Integer(metadata={"description": "items of the chosen state"})
    page = fields.Integer()
    per_page = fields.Integer()
    state = fields.String(allow_none=True)


class MigrationJobItemSchema(Schema):
    id = fields.Integer(metadata={"description": "the item (one instance of the job)"})
    instance_id = fields.Integer()
    business_key = fields.String(allow_none=True)
    state = fields.String(metadata={"description": "pending|moved|refused"})
    reasons = fields.List(fields.Nested(MigrationReasonSchema))
    changes = fields.List(fields.Nested(MigrationChangeSchema))
    previous_version_id = fields.Integer(allow_none=True)
    done_at = fields.String(allow_none=True)


class MigrationJobSummarySchema(Schema):
    id = fields.Integer()
    process_key = fields.String()
    from_version = fields.Integer()
    to_version = fields.Integer()
    rollback_of = fields.Integer(allow_none=True)
    status = fields.String(metadata={"description": "queued|running|done|failed"})
    total = fields.Integer()
    moved = fields.Integer()
    refused = fields.Integer()
    pending = fields.Integer()
    percent = fields.Integer()
    batch_size = fields.Integer()
    filters = fields.Dict()
    created_by = fields.Integer(allow_none=True)
    created_at = fields.String()
    started_at = fields.String(allow_none=True)
    finished_at = fields.String(allow_none=True)
    error_message = fields.String(allow_none=True)


class MigrationJobSchema(MigrationJobSummarySchema):
    rolled_back_by = fields.Integer(allow_none=True)
    items = fields.List(fields.Nested(MigrationJobItemSchema))
    items_total = fields.Integer()
    page = fields.Integer()
    per_page = fields.Integer()


def _admin() -> Any:
    actor = current_actor()
    require_role(actor, "admin")
    return actor


def _queued(job_id: int) -> tuple[dict[str, Any], int, dict[str, str]]:
    wake()
    # the command's session: its next transaction sees the job it just committed
    body = with_localized_reasons(get_job(write_session(), job_id, per_page=100))
    return body, 202, {"Location": url_for("migrations.show_job", job_id=job_id)}


@blp.post("/processes/<key>/migrations")
@blp.arguments(MigrationArgs)
@blp.response(202, MigrationJobSchema, description="The job is queued; follow its Location")
@blp.alt_response(200, schema=MigrationDryRunSchema,
                  description="dry_run: the report, nothing written")
def start_migration(args: dict[str, Any], key: str) -> Any:
    """Dry run, or queue the migration of the chosen running instances of a version."""
    actor = _admin()
    filters = engine_filters(args["filters"])
    engine = services().engine
    if args["dry_run"]:
        result = dry_run(engine, read_session(), key, args["from_version"],
                         args["to_version"], filters,
                         throwaway=throwaway_of(services().db.write_session), actor=actor,
                         state=args["state"], page=args["page"], per_page=args["per_page"])
        # a Response passes the 202 schema by: the report has its own (documented above)
        return jsonify(MigrationDryRunSchema().dump(with_localized_reasons(result)))
    session = write_session()
    try:
        job_id = create_job(engine, session, actor, key, args["from_version"],
                            args["to_version"], filters, args["batch_size"])
        session.commit()
    except BaseException:
        session.rollback()
        raise
    return _queued(job_id)


@blp.get("/processes/<key>/migrations")
@blp.response(200, MigrationJobSummarySchema(many=True))
def list_migrations(key: str) -> Any:
    """The latest migration jobs of a process, newest first."""
    _admin()
    wake()
    return list_jobs(read_session(), key, limit=50)


@blp.get("/migrations/<int:job_id>")
@blp.arguments(MigrationJobArgs, location="query")
@blp.response(200, MigrationJobSchema)
def show_job(args: dict[str, Any], job_id: int) -> Any:
    """A job's progress (counters updated after every batch) and a page of its items."""
    _admin()
    wake()
    return with_localized_reasons(get_job(read_session(), job_id, args["state"], args["page"],
                                          args["per_page"]))


@blp.post("/migrations/<int:job_id>/rollback")
@blp.arguments(MigrationRollbackArgs)
@blp.response(202, MigrationJobSchema)
def rollback(args: dict[str, Any], job_id: int) -> Any:
    """Queue moving the instances this job moved back to their previous version."""
    actor = _admin()
    session = write_session()
    try:
        back_id = create_rollback(session, actor, job_id, args["batch_size"])
        session.commit()
    except BaseException:
        session.rollback()
        raise
    return _queued(back_id)


class MigrateBackSchema(Schema):
    instance_id = fields.Integer()
    from_version = fields.Integer()
    to_version = fields.Integer()
    move_back_of = fields.Integer(metadata={"description": "the job whose move is undone"})
    changes = fields.List(fields.Nested(MigrationChangeSchema))
    steps = fields.List(fields.String(), metadata={"description": "ready steps after"})


@blp.post("/instances/<int:instance_id>/migrate-back")
@blp.response(200, MigrateBackSchema)
def migrate_back(instance_id: int) -> Any:
    """Move one instance back to the version it was on before its last migration (admin;
    audited ``instance.migrated``). 404 ``migration.no_previous`` when it was never moved;
    409 ``migration.version_changed`` when it is no longer where that move took it,
    ``migration.refused`` (``details``: the reasons) when it cannot move back."""
    actor = _admin()
    return move_back(services().engine, write_session(), actor, instance_id)
