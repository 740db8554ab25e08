"""The award catalogue (danh mục khen thưởng): read by everyone, changed by admins.

``POST /catalogue`` adds a title or form; ``PATCH /catalogue/<code>`` changes one, and
``{"active": false}`` retires it (not offered for new nominations, the history keeps it;
409 ``catalogue.in_use`` while nominations for it are in progress). A retired one is
listed by ``GET /catalogue?all=1``.
"""

from __future__ import annotations

from typing import Any

from flask import request
from flask_smorest import Blueprint
from marshmallow import EXCLUDE, Schema, fields
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


class CatalogueArgs(Schema):
    class Meta:
        unknown = EXCLUDE

    all = fields.Boolean(load_default=False,
                         metadata={"description": "retired titles and forms too"})


@blp.get("")
@blp.arguments(CatalogueArgs, location="query")
@blp.response(200, AwardTypeSchema(many=True))
def catalogue(args: dict[str, Any]) -> Any:
    """Every active title and form (``?all=1``: retired ones too), in the catalogue's
    order, with its rules."""
    current_actor()
    session = read_session()
    rows = catalogue_admin.all_award_types(session) if args["all"] else award_types(session)
    return [_view(row) for row in rows]


@blp.get("/<code>")
@blp.response(200, AwardTypeSchema)
def catalogue_entry(code: str) -> Any:
    """One active title or form; 404 ``award.not_found`` (also for a retired one, which
    ``GET /catalogue?all=1`` still lists)."""
    current_actor()
    return _view(award_type(read_session(), code))


def _body() -> dict[str, Any]:
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise InvalidData("Cần một đối tượng JSON.", code="data.invalid")
    return body


@blp.post("")
@blp.response(201, AwardTypeSchema)
@blp.doc(requestBody={"content": {"application/json": {
    "schema": catalogue_admin.AwardTypeCreateSchema}}})
def catalogue_create() -> Any:
    """Add a title or form (role admin): ``code``, ``name``, ``subject_kind``, ``level``,
    ``decided_by`` and any value PATCH takes; ``copy_from`` starts from another's values.

    422 ``catalogue.invalid`` (details by field), 409 ``catalogue.exists``; nothing is
    written then. Audited ``catalogue.created``.
    """
    actor = current_actor()
    require_role(actor, "admin")
    session = write_session()
    try:
        row = catalogue_admin.create_award_type(session, actor, _body())
        session.commit()
    except BaseException:
        session.rollback()
        raise
    return _view(row, session)


@blp.patch("/<code>")
@blp.response(200, AwardTypeSchema)
@blp.doc(requestBody={"content": {"application/json": {
    "schema": catalogue_admin.AwardTypeEditSchema}}})
def catalogue_update(code: str) -> Any:
    """Change a title or form (role admin): thresholds, coefficient, rules by known key;
    ``active: false`` retires it, ``true`` brings it back.

    A rule set to null is removed. 422 ``catalogue.invalid`` (details by field, ``rules``
    nested) writes nothing; 404 ``award.not_found``; 409 ``catalogue.in_use`` when
    retiring a title whose nominations are still in progress.
    """
    actor = current_actor()
    require_role(actor, "admin")
    body = _body()
    session = write_session()
    try:
        row = catalogue_admin.update_award_type(session, actor, code, body)
        session.commit()
    except BaseException:
        session.rollback()
        raise
    return _view(row, session)  # the command's session sees the change just committed
