"""The award registry: award lists, a subject's history, importing a workbook."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from flask_smorest import Blueprint
from flask_smorest.fields import Upload
from marshmallow import Schema, fields

from webapp.api.auth import current_actor
from webapp.api.schemas import PagingArgs, page_schema
from webapp.services import read_session, services, write_session
from workflows.registry_import import check_may_import, import_registry
from workflows.registry_views import list_awards, subject_history

blp = Blueprint("registry", __name__, url_prefix="/registry",
                description="Sổ theo dõi khen thưởng")


class AwardListArgs(PagingArgs):
    subject_code = fields.String(load_default=None)
    year = fields.Integer(load_default=None)
    award_code = fields.String(load_default=None)


class ImportArgs(Schema):
    file = Upload(required=True, metadata={"description": "Tệp .xlsx theo mẫu sổ khen thưởng"})


class AwardSchema(Schema):
    id = fields.Integer()
    year = fields.Integer()
    subject_code = fields.String()
    subject_name = fields.String(allow_none=True)
    award_code = fields.String()
    award_name = fields.String(allow_none=True)
    kind = fields.String(metadata={"description": "annual|thematic|adhoc"})
    decision_no = fields.String()
    decision_date = fields.String()
    bonus_amount = fields.Integer(allow_none=True, metadata={"description": "đồng"})
    source = fields.String(metadata={"description": "workflow|import"})
    movement_id = fields.Integer(allow_none=True)
    instance_id = fields.Integer(allow_none=True)
    revoked = fields.Boolean()
    revoked_decision_no = fields.String(allow_none=True)
    revoked_date = fields.String(allow_none=True)
    revoked_reason = fields.String(allow_none=True)


class SubjectSchema(Schema):
    code = fields.String()
    kind = fields.String(metadata={"description": "individual|collective"})
    name = fields.String()
    unit_code = fields.String()
    unit_name = fields.String(allow_none=True)
    position = fields.String()
    is_leader = fields.Boolean()
    gender = fields.String(allow_none=True)
    birth_year = fields.Integer(allow_none=True)
    education = fields.String(allow_none=True)
    tdkt_since = fields.Integer(allow_none=True)
    active = fields.Boolean()
    ratings = fields.List(fields.Dict())
    awards = fields.List(fields.Nested(AwardSchema))
    initiatives = fields.List(fields.Dict())
    discipline = fields.List(fields.Dict())


class ImportReportSchema(Schema):
    sha256 = fields.String()
    sheets = fields.Dict(keys=fields.String(), values=fields.Dict(),
                         metadata={"description": "per sheet: {created, updated, unchanged}"})
    totals = fields.Dict()


AwardPage = page_schema(AwardSchema, "AwardPage")


@blp.get("/awards")
@blp.arguments(AwardListArgs, location="query")
@blp.response(200, AwardPage)
def awards(args: dict[str, Any]) -> Any:
    """Award records, newest first; a submitter sees only their unit and its people."""
    return list_awards(read_session(), current_actor(), services().engine.policy,
                       subject_code=args["subject_code"], year=args["year"],
                       award_code=args["award_code"], page=args["page"],
                       per_page=args["per_page"]).to_dict()


@blp.get("/subjects/<code>")
@blp.response(200, SubjectSchema)
def subject(code: str) -> Any:
    """A person or unit with its ratings, awards, initiatives and discipline."""
    return subject_history(read_session(), current_actor(), services().engine.policy, code)


def _role_before_body(view: Callable[..., Any]) -> Callable[..., Any]:
    """Refuse a caller without the role before the upload is parsed (403 before 422)."""
    @functools.wraps(view)
    def checked(*args: Any, **kwargs: Any) -> Any:
        check_may_import(current_actor())
        return view(*args, **kwargs)
    return checked


@blp.post("/import")
@_role_before_body
@blp.arguments(ImportArgs, location="files")
@blp.response(200, ImportReportSchema)
def import_workbook(args: dict[str, Any]) -> Any:
    """Import a registry workbook (admin, secretariat): all rows or, on any problem, none.

    422 ``registry.invalid`` lists the problems as ``details: [{sheet, row, column, message}]``.
    """
    actor = current_actor()
    upload = args["file"]
    session = write_session()  # on an error nothing was written; teardown closes it
    report = import_registry(session, actor, upload.read(), upload.filename)
    session.commit()
    return report.to_dict()
