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
