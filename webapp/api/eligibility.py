"""Eligibility check (kiểm tra điều kiện khen thưởng): may this person or unit get this title?"""

from __future__ import annotations

from typing import Any

from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from webapp.api.auth import current_actor
from webapp.services import read_session
from workflows.eligibility import evaluate_for
from workflows.models import AWARD_KINDS

blp = Blueprint("eligibility", __name__, url_prefix="/eligibility",
                description="Kiểm tra điều kiện khen thưởng, kèm lý do từng điều kiện")


class EligibilityArgs(Schema):
    subject_code = fields.String(required=True, validate=validate.Length(min=1, max=64),
                                 metadata={"description": "Mã cá nhân hoặc mã đơn vị"})
    award_code = fields.String(required=True, validate=validate.Length(min=1, max=32),
                               metadata={"description": "Mã danh hiệu (LDTT, CSTD_CS, …)"})
    year = fields.Integer(required=True, strict=True,
                          validate=validate.Range(min=1945, max=2100))
    kind = fields.String(load_default="annual", validate=validate.OneOf(AWARD_KINDS),
                         metadata={"description": "annual, thematic hoặc adhoc"})


class ReasonSchema(Schema):
    rule = fields.String()
    ok = fields.Boolean()
    detail = fields.String()
    rows = fields.List(fields.Dict(), metadata={"description": "Các dòng lịch sử đã dùng"})


class VerdictSchema(Schema):
    eligible = fields.Boolean()
    reasons = fields.List(fields.Nested(ReasonSchema))
    subject = fields.Dict()
    award_code = fields.String()
    year = fields.Integer()
    warnings = fields.List(fields.Dict())


@blp.post("")
@blp.arguments(EligibilityArgs)
@blp.response(200, VerdictSchema)
def check(args: dict[str, Any]) -> Any:
    """Every rule of the title with pass/fail and the history rows it used.

    Any signed-in user; a submitter only about their own unit and its people (404 otherwise).
    """
    verdict = evaluate_for(read_session(), current_actor(), args["subject_code"],
                           args["award_code"], args["year"], kind=args["kind"])
    return verdict.to_dict()
