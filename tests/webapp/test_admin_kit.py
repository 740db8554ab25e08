"""Helpers of the admin page tests: a signed-in admin with CSRF on, forms, audit events."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
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


class _FormReader(HTMLParser):
    """What a browser would submit for the forms of a page (fields by name, lists kept)."""

    def __init__(self) -> None:
        super().__init__()
        self.fields: dict[str, list[str]] = {}
        self._select: str | None = None
        self._textarea: str | None = None

    def _add(self, name: str | None, value: str) -> None:
        if name and name != "csrf_token":
            self.fields.setdefault(name, []).append(value)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "input":
            kind = a.get("type") or "text"
            if kind in ("checkbox", "radio"):
                if "checked" in a:
                    self._add(a.get("name"), a.get("value") or "on")
            elif kind != "submit":
                self._add(a.get("name"), a.get("value") or "")
        elif tag == "select":
            self._select = a.get("name")
            self.fields.setdefault(self._select or "", [])
        elif tag == "option" and self._select is not None and "selected" in a:
            self._add(self._select, a.get("value") or "")
        elif tag == "textarea":
            self._textarea = a.get("name")
            self._add(self._textarea, "")

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            if self._select and not self.fields.get(self._select):
                self.fields[self._select] = [""]  # the first option: "" in these forms
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data: str) -> None:
        if self._textarea:
            self.fields[self._textarea][-1] += data


def form_of(html: str) -> dict[str, Any]:
    """The submitted values of the page's forms: one string, or a list when several."""
    reader = _FormReader()
    reader.feed(html)
    return {k: (v[0] if len(v) == 1 else v) for k, v in reader.fields.items() if k}


def settings_form(html: str) -> dict[str, Any]:
    """The settings form as a browser submits it (the page's test-mail form is another)."""
    form = form_of(html)
    form.pop("test_address", None)
    return form
