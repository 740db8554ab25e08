"""Emulation movements (phong trào thi đua): list, read, create, change."""

from __future__ import annotations

from typing import Any

from flask import request
from flask_smorest import Blueprint
from marshmallow import Schema, fields

from engine.errors import InvalidData
from webapp.api.auth import current_actor
from webapp.services import read_session, services, write_session
from workflows.movements import (
    MovementInput,
    MovementUpdate,
    create_movement,
    get_movement,
    list_movements,
    update_movement,
)

blp = Blueprint("api_movements", __name__, url_prefix="/movements",
                description="Phong trào thi đua")


class MovementListArgs(Schema):
    year = fields.Integer(load_default=None)
    kind = fields.String(load_default=None)


class MovementSchema(Schema):
    id = fields.Integer()
    code = fields.String()
    name = fields.String()
    kind = fields.String(metadata={"description": "annual|thematic"})
    year = fields.Integer()
    launch_level = fields.String(metadata={"description": "office|province|central"})
    scope = fields.String(metadata={"description": "office|local|bloc|national"})
    start_date = fields.String()
    end_date = fields.String(allow_none=True)
    target_units = fields.List(fields.String())
    description = fields.String()
    status = fields.String(metadata={"description": "upcoming|running|ended"})
    registrations = fields.Raw(metadata={"description": "count on the list, rows on one"})
    nominations = fields.Raw(metadata={"description": "count on the list, rows on one"})


def _json_body() -> dict[str, Any]:
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise InvalidData("Nội dung phải là một đối tượng JSON.", code="movement.invalid")
    return body


@blp.get("")
@blp.arguments(MovementListArgs, location="query")
@blp.response(200, MovementSchema(many=True))
def movements(args: dict[str, Any]) -> Any:
    """Every movement, newest year first, with registration and nomination counts."""
    return list_movements(read_session(), current_actor(), year=args["year"], kind=args["kind"])


@blp.get("/<code>")
@blp.response(200, MovementSchema)
def movement(code: str) -> Any:
    """One movement with the registrations and nominations the caller may see."""
    return get_movement(read_session(), current_actor(), code, services().engine.policy)


@blp.post("")
@blp.doc(requestBody={"content": {"application/json": {"schema": MovementInput}}})
@blp.response(201, MovementSchema)
def create(**_: Any) -> Any:
    """Create a movement (secretariat, admin). 409 ``movement.exists``, 422 ``movement.invalid``."""
    actor = current_actor()
    session = write_session()
    out = create_movement(session, actor, _json_body())
    session.commit()
    return out


@blp.patch("/<code>")
@blp.doc(requestBody={"content": {"application/json": {"schema": MovementUpdate}}})
@blp.response(200, MovementSchema)
def change(code: str) -> Any:
    """Change some fields of a movement (secretariat, admin); the code stays."""
    actor = current_actor()
    session = write_session()
    out = update_movement(session, actor, code, _json_body())
    session.commit()
    return out
