"""Bearer-token authentication for the API."""

from __future__ import annotations

from flask import g, request

from engine import identity
from engine.errors import Forbidden, Unauthorized
from engine.roles import Actor
from webapp.services import read_session


def current_actor() -> Actor:
    """The actor of the request's ``Authorization: Bearer`` token (cached per request)."""
    if "tdkt_actor" in g:
        actor: Actor = g.tdkt_actor
        return actor
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorized("Thiếu mã truy cập: gửi tiêu đề Authorization: Bearer <mã>.",
                           code="auth.required")
    actor = identity.authenticate_token(read_session(), token.strip())
    g.tdkt_actor = actor
    return actor


def require_role(actor: Actor, role: str) -> None:
    if role not in actor.roles:
        raise Forbidden(f"Thao tác này cần vai trò «{role}».", code="role.required")


def admin_actor() -> Actor:
    """The admin acting; 403 ``forbidden`` for anyone else (checked before the body is read)."""
    actor = current_actor()
    require_role(actor, "admin")
    return actor


def check_admin() -> None:
    """A blueprint's ``before_request``: admins only (returns nothing, so the view runs)."""
    admin_actor()
