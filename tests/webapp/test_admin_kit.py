"""Helpers of the admin page tests: a signed-in admin with CSRF on, forms, audit events."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from api_kit import Headers
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from test_pages_auth import csrf_token, login

from engine.store.models import AuditEvent, Unit, User


@pytest.fixture
def admin(app: Flask, people: dict[str, Headers]) -> FlaskClient:
    """A client signed in as ``admin1`` (CSRF on, as in production)."""
    app.config["WTF_CSRF_ENABLED"] = True
    client = app.test_client()
    assert login(client, "admin1").status_code == 302
    return client


def signed_in(app: Flask, username: str) -> FlaskClient:
    app.config["WTF_CSRF_ENABLED"] = True
    client = app.test_client()
    assert login(client, username).status_code == 302
    return client


def post(client: FlaskClient, path: str, form: dict[str, Any], page: str = "/admin") -> Any:
    """Post ``form`` to ``path`` with the CSRF token of ``page``."""
    return client.post(path, data={"csrf_token": csrf_token(client, page), **form})


def field_errors(html: str) -> dict[str, str]:
    """The error shown beside each field: {field id: message}."""
    return dict(re.findall(r'<div class="invalid-feedback d-block" id="f-([\w-]+)-error">'
                           r'([^<]*)</div>', html))


def input_value(html: str, name: str) -> str | None:
    match = re.search(rf'name="{re.escape(name)}" value="([^"]*)"', html)
    return match.group(1) if match else None


def events(app: Flask, event_type: str) -> list[dict[str, Any]]:
    """Payloads of the audit events of one type, oldest first."""
    with app.extensions["tdkt"].db.session() as s:
        rows = s.scalars(select(AuditEvent).where(AuditEvent.event_type == event_type)
                         .order_by(AuditEvent.id)).all()
        return [dict(json.loads(r.payload), actor=r.actor_name) for r in rows]


def user_row(app: Flask, username: str) -> User:
    with app.extensions["tdkt"].db.session() as s:
        user = s.scalars(select(User).where(User.username == username)).one()
        s.expunge(user)
        return user


def unit_row(app: Flask, code: str) -> Unit | None:
    with app.extensions["tdkt"].db.session() as s:
        unit = s.get(Unit, code)
        if unit is not None:
            s.expunge(unit)
        return unit
