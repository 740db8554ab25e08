"""Admin API (role ``admin``): users, units and the office settings.

``/api/v1/admin/users``, ``/api/v1/admin/units`` and ``/api/v1/settings``; the catalogue's
``PATCH /api/v1/catalogue/<code>`` lives with the catalogue (``webapp.api.catalogue``).
Every change goes through the same services as the admin pages and is audited there.
"""

from __future__ import annotations

from typing import Any

from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from engine import identity_admin
from engine import units as unit_service
from webapp.admin.schemas import (
    PasswordResetSchema,
    UnitCreateSchema,
    UnitOutSchema,
    UnitPatchSchema,
    UserCreateSchema,
    UserOutSchema,
    UserPatchSchema,
)
from webapp.api.auth import admin_actor, check_admin
from webapp.services import read_session, services, write_session
from workflows import settings_admin, units_admin

blp = Blueprint("admin_api", __name__, url_prefix="/admin",
                description="Quản trị người dùng và đơn vị")
settings_blp = Blueprint("settings_api", __name__, url_prefix="/settings",
                         description="Cấu hình của Văn phòng")


blp.before_request(check_admin)
settings_blp.before_request(check_admin)


def _roles() -> tuple[str, ...]:
    return tuple(services().engine.settings.roles)


class UserQuerySchema(Schema):
    q = fields.String(load_default=None)
    status = fields.String(load_default=None, validate=validate.OneOf(["active", "disabled"]))
    page = fields.Integer(load_default=1, validate=validate.Range(min=1))
    per_page = fields.Integer(load_default=20, validate=validate.Range(min=1, max=200))


class UserPageSchema(Schema):
    items = fields.List(fields.Nested(UserOutSchema))
    total = fields.Integer()
    page = fields.Integer()
    per_page = fields.Integer()


class PasswordOutSchema(Schema):
    password = fields.String(allow_none=True, metadata={
        "description": "the generated one-time password, returned once; null when set"})


@blp.get("/users")
@blp.arguments(UserQuerySchema, location="query")
@blp.response(200, UserPageSchema)
def list_users(args: dict[str, Any]) -> Any:
    """Users matching ``q`` (username, full name, unit code), paged."""
    admin_actor()
    return identity_admin.list_users(read_session(), args["q"], args["status"], args["page"],
                                     args["per_page"])


@blp.post("/users")
@blp.arguments(UserCreateSchema)
@blp.response(201, UserOutSchema)
def create_user(data: dict[str, Any]) -> Any:
    """Create an account; 409 ``user.exists``, 422 with details by field."""
    actor, session = admin_actor(), write_session()
    user = identity_admin.create_user(session, actor, **data, known_roles=_roles())
    session.commit()
    return user


@blp.get("/users/<int:user_id>")
@blp.response(200, UserOutSchema)
def get_user(user_id: int) -> Any:
    admin_actor()
    return identity_admin.get_user(read_session(), user_id)


@blp.patch("/users/<int:user_id>")
@blp.arguments(UserPatchSchema)
@blp.response(200, UserOutSchema)
def patch_user(changes: dict[str, Any], user_id: int) -> Any:
    """Change name, unit, roles or ``active``; 409 ``user.self_disable`` / ``user.last_admin``."""
    actor, session = admin_actor(), write_session()
    user = identity_admin.patch_user(session, actor, user_id, changes, _roles())
    session.commit()
    return user


@blp.post("/users/<int:user_id>/password")
@blp.arguments(PasswordResetSchema)
@blp.response(200, PasswordOutSchema)
def reset_password(data: dict[str, Any], user_id: int) -> Any:
    """Reset a password: ``generate`` returns a one-time password once; ``set`` returns null."""
    actor, session = admin_actor(), write_session()
    chosen = data["new_password"] if data["mode"] == "set" else None
    if data["mode"] == "set" and not chosen:
        identity_admin.check_strength("", "new_password")
    password = identity_admin.reset_password(session, actor, user_id, chosen)
    session.commit()
    return {"password": password}


@blp.get("/units")
@blp.response(200, UnitOutSchema(many=True))
def list_units() -> Any:
    """The unit tree in depth-first order (``depth`` 0 at the top)."""
    admin_actor()
    return unit_service.unit_tree(read_session())


def _node(session: Any, code: str) -> Any:
    """The unit as the tree shows it, read in the command's session (it sees the change)."""
    return next(n for n in unit_service.unit_tree(session) if n.code == code)


@blp.post("/units")
@blp.arguments(UnitCreateSchema)
@blp.response(201, UnitOutSchema)
def create_unit(data: dict[str, Any]) -> Any:
    actor, session = admin_actor(), write_session()
    unit = unit_service.create_unit(session, actor, **data)
    session.commit()
    return _node(session, unit.code)


@blp.patch("/units/<code>")
@blp.arguments(UnitPatchSchema)
@blp.response(200, UnitOutSchema)
def patch_unit(changes: dict[str, Any], code: str) -> Any:
    """Rename, move (422 ``unit.cycle``) or (de)activate (409 ``unit.in_use``)."""
    actor, session = admin_actor(), write_session()
    units_admin.patch_unit(session, actor, code, changes)
    session.commit()
    return _node(session, code)


class SettingsPatchSchema(settings_admin.SettingsSchema):
    """Any settings to change (types and ranges as on the page)."""

    smtp_password_clear = fields.Boolean(metadata={"description": "remove the SMTP password"})


@settings_blp.get("")
def get_settings() -> Any:
    """Every setting; the SMTP password is never returned (``smtp_password_set`` says if set)."""
    admin_actor()
    return settings_admin.current_settings(read_session())


@settings_blp.patch("")
@settings_blp.arguments(SettingsPatchSchema(partial=True))
def patch_settings(data: dict[str, Any]) -> Any:
    """Change settings; a bad value is 422 with details by key and nothing is written."""
    actor, session = admin_actor(), write_session()
    changed = settings_admin.update_settings(session, actor, dict(data))
    session.commit()
    return {"changed": changed, "settings": settings_admin.current_settings(session)}
