"""Fixtures for the web layer: an app on a fresh database, a test client, users with tokens.

``db_url`` / ``sqlite_url`` / ``pg_url`` come from ``tests/conftest.py``; helpers are in
``api_kit.py``. Tests talk to the app through HTTP only; users and tokens are made with
``engine.identity`` because the API has no endpoint for them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from api_kit import PEOPLE, Headers, add_units, add_user, deploy, fixture_bytes, make_app
from argon2 import PasswordHasher
from demo_kit import DemoOffice, make_demo_office
from flask import Flask
from flask.testing import FlaskClient

from engine import identity


@pytest.fixture(autouse=True)
def _cheap_password_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    """argon2's defaults cost ~80 ms a user; these tests create many."""
    monkeypatch.setattr(identity, "_HASHER",
                        PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))


@pytest.fixture
def app(db_url: str) -> Iterator[Flask]:
    """The app on a fresh database with units A, B and TCHCQT."""
    application = make_app(db_url)
    add_units(application, "A", "B", "TCHCQT")
    yield application
    application.extensions["tdkt"].db.dispose()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def make_user(app: Flask) -> Callable[..., Headers]:
    """``make_user(name, roles, unit=None)`` -> auth headers of a new user with a token."""
    def make(username: str, roles: tuple[str, ...] | list[str], unit: str | None = None
             ) -> Headers:
        return add_user(app, username, roles, unit)
    return make


@pytest.fixture
def people(app: Flask) -> dict[str, Headers]:
    """Auth headers of every user in ``api_kit.PEOPLE``."""
    return {name: add_user(app, name, roles, unit) for name, (roles, unit) in PEOPLE.items()}


@pytest.fixture
def two_lane(client: FlaskClient, people: dict[str, Headers]) -> str:
    """``api_two_lane.bpmn`` deployed by admin1 through the API; returns the process key."""
    r = deploy(client, people["admin1"], fixture_bytes("api_two_lane.bpmn"),
               "api_two_lane.bpmn")
    assert r.status_code == 201, r.get_json()
    return str(r.get_json()["key"])


@pytest.fixture
def demo(db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[DemoOffice]:
    """The demo office (``tdkt demo load``'s data) with a client and each person's token."""
    office = make_demo_office(db_url, tmp_path, monkeypatch)
    yield office
    office.app.extensions["tdkt"].db.dispose()
