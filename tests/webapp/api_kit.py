"""Helpers shared by the web-layer tests (plain functions; fixtures are in conftest.py)."""

from __future__ import annotations

from io import BytesIO
from pathlib import Path
from typing import Any

from flask import Flask
from flask.testing import FlaskClient

from engine import identity
from engine.roles import DEFAULT_ROLES, SYSTEM

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
PASSWORD = "password1"
API = "/api/v1"
Headers = dict[str, str]

# username -> (roles, unit); units A, B and TCHCQT exist in every app the fixtures make.
PEOPLE: dict[str, tuple[tuple[str, ...], str | None]] = {
    "sub_a": (("submitter",), "A"),
    "sub_b": (("submitter",), "B"),
    "sec1": (("secretariat",), "TCHCQT"),
    "sec2": (("secretariat",), "TCHCQT"),
    "council1": (("council",), None),
    "admin1": (("admin",), None),
}


def fixture_bytes(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def make_app(url: str) -> Flask:
    from webapp import create_app

    return create_app({"DATABASE_URL": url, "TESTING": True, "SECRET_KEY": "x"})


def add_units(app: Flask, *codes: str) -> None:
    with app.extensions["tdkt"].db.write_session() as s:
        for code in codes:
            identity.create_unit(s, SYSTEM, code, f"Unit {code}")
        s.commit()


def add_user(app: Flask, username: str, roles: tuple[str, ...] | list[str],
             unit: str | None) -> Headers:
    """Create ``username`` with a token; return its ``Authorization`` headers."""
    with app.extensions["tdkt"].db.write_session() as s:
        user = identity.create_user(s, SYSTEM, username, PASSWORD, list(roles),
                                    DEFAULT_ROLES, unit)
        token = identity.create_token(s, SYSTEM, user)
        s.commit()
    return {"Authorization": f"Bearer {token}"}


def deploy(client: FlaskClient, headers: Headers, xml: bytes,
           filename: str = "diagram.bpmn") -> Any:
    return client.post(f"{API}/processes", headers=headers,
                       data={"file": (BytesIO(xml), filename)},
                       content_type="multipart/form-data")


def start(client: FlaskClient, headers: Headers, key: str, **body: Any) -> Any:
    return client.post(f"{API}/processes/{key}/instances", headers=headers, json=body)


def complete(client: FlaskClient, headers: Headers, task_id: str, data: Any = None) -> Any:
    return client.post(f"{API}/tasks/{task_id}/complete", headers=headers,
                       json={} if data is None else {"data": data})


def one_task(instance: dict[str, Any], name: str) -> dict[str, Any]:
    """The one ready task called ``name`` of an instance body."""
    found = [t for t in instance["tasks"] if t["name"] == name]
    assert len(found) == 1, f"expected one ready {name!r}, got {instance['tasks']}"
    return found[0]


def assert_error(response: Any, status: int, code: str | None = None) -> dict[str, Any]:
    """Check the ``{code, message}`` error shape and status; return the body."""
    assert response.status_code == status, (response.status_code, response.get_data(True))
    assert response.is_json, response.get_data(True)
    body: dict[str, Any] = response.get_json()
    assert isinstance(body.get("code"), str) and body["code"], body
    assert isinstance(body.get("message"), str) and body["message"], body
    if code is not None:
        assert body["code"] == code, body
    return body
