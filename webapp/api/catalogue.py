"""The award catalogue (danh mục khen thưởng): read by everyone, changed by admins."""

from __future__ import annotations

from typing import Any

from flask import request
from flask_smorest import Blueprint
from marshmallow import Schema, fields
from sqlalchemy.orm import Session

from engine.errors import InvalidData
from webapp.api.auth import current_actor, require_role
from webapp.services import read_session, write_session
from workflows import catalogue_admin
from workflows.catalogue import award_type, award_types, bonus_amount
from workflows.models import AwardType

blp = Blueprint("catalogue", __name__, url_prefix="/catalogue",
                description="Danh mục danh hiệu và hình thức khen thưởng")


class AwardTypeSchema(Schema):
    code = fields.String()
    name = fields.String()
    subject_kind = fields.String(metadata={"description": "individual|collective|both"})
    level = fields.String(metadata={"description": "office|province|national"})
    decided_by = fields.String()
    within_office_power = fields.Boolean()
    bonus_coefficient = fields.Float(allow_none=True)
    bonus_amount = fields.Integer(allow_none=True, metadata={
        "description": "hệ số × mức lương cơ sở hiện hành (đồng)"})
    secret_ballot = fields.Boolean()
    vote_threshold_pct = fields.Float(allow_none=True)
    vote_base = fields.String(metadata={"description": "members|present"})
    needs_disclosure = fields.Boolean()
    disclosure_working_days = fields.Integer()
    dossier_items = fields.List(fields.String())
    simplified_dossier_items = fields.List(fields.String())
    registration_required = fields.Boolean()
    kinds = fields.List(fields.String(), metadata={
        "description": "procedures it may be proposed in: annual|thematic|adhoc"})
    rules = fields.Dict(metadata={"description": "configurable values read by eligibility"})
    legal_basis = fields.String()
    sort_order = fields.Integer()
    active = fields.Boolean()


_ATTRIBUTES = tuple(n for n in AwardTypeSchema().fields if n != "bonus_amount")


def _view(row: AwardType, session: Session | None = None) -> dict[str, Any]:
    out = {name: getattr(row, name) for name in _ATTRIBUTES}
    out["bonus_amount"] = bonus_amount(session or read_session(), row)
    return out


@blp.get("")
@blp.response(200, AwardTypeSchema(many=True))
def catalogue() -> Any:
    """Every active title and form, in the catalogue's order, with its rules."""
    current_actor()
    return [_view(row) for row in award_types(read_session())]


@blp.get("/<code>")
@blp.response(200, AwardTypeSchema)
def catalogue_entry(code: str) -> Any:
    """One title or form; 404 ``award.not_found``."""
    current_actor()
    return _view(award_type(read_session(), code))


@blp.patch("/<code>")
@blp.response(200, AwardTypeSchema)
@blp.doc(requestBody={"content": {"application/json": {
    "schema": catalogue_admin.AwardTypeEditSchema}}})
def catalogue_update(code: str) -> Any:
    """Change a title or form (role admin): thresholds, coefficient, rules by known key.

    A rule set to null is removed. 422 ``catalogue.invalid`` (details by field, ``rules``
    nested) writes nothing; 404 ``award.not_found``.
    """
    actor = current_actor()
    require_role(actor, "admin")
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise InvalidData("Cần một đối tượng JSON.", code="data.invalid")
    session = write_session()
    row = catalogue_admin.update_award_type(session, actor, code, body)
    session.commit()
    return _view(row, session)  # the command's session sees the change just committed
