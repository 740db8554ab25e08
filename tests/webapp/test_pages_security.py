"""The session cookie follows HTTPS (also behind a trusted proxy, or forced), every page
says it may not be framed nor sniffed, and the limits of a request are aligned."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask

from webapp import create_app
from webapp.config import load_config
from webapp.security import CSP

MB = 1024 * 1024


@pytest.fixture
def make(sqlite_url: str, tmp_path: Any) -> Iterator[Any]:
    made: list[Flask] = []

    def build(**config: Any) -> Flask:
        app = create_app({"DATABASE_URL": sqlite_url, "SECRET_KEY": "x",
                          "INSTANCE_DIR": str(tmp_path), **config})
        made.append(app)
        return app

    yield build
    for app in made:
        app.extensions["tdkt"].db.dispose()


def _session_cookie(app: Flask, **request: Any) -> str:
    """The Set-Cookie header of the session that /login starts (its CSRF token)."""
    response = app.test_client().get("/login", **request)
    assert response.status_code == 200
    cookies = [c for c in response.headers.getlist("Set-Cookie") if c.startswith("session=")]
    assert len(cookies) == 1, response.headers
    return cookies[0]


def test_the_cookie_is_secure_over_https_only(make: Any) -> None:
    app = make()
    plain = _session_cookie(app)
    assert "HttpOnly" in plain and "SameSite=Lax" in plain and "Secure" not in plain
    assert "Secure" in _session_cookie(app, base_url="https://tdkt.example.vn")
    # without a trusted proxy, a forwarded scheme is only a claim: ignored
    assert "Secure" not in _session_cookie(app, headers={"X-Forwarded-Proto": "https"})


def test_behind_a_trusted_proxy_the_forwarded_scheme_counts(make: Any) -> None:
    app = make(PROXY_FIX=1)
    https = _session_cookie(app, headers={"X-Forwarded-Proto": "https",
                                          "X-Forwarded-Host": "tdkt.example.vn"})
    assert "Secure" in https and "HttpOnly" in https
    assert "Secure" not in _session_cookie(app, headers={"X-Forwarded-Proto": "http"})


def test_forced_secure_cookie_even_over_plain_http(make: Any,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TDKT_SESSION_COOKIE_SECURE", "true")
    assert "Secure" in _session_cookie(make())


def test_pages_and_answers_carry_the_safety_headers(make: Any) -> None:
    client = make().test_client()
    for path in ("/login", "/healthz", "/api/v1/openapi.json", "/no-such-page"):
        headers = client.get(path).headers
        assert headers["X-Frame-Options"] == "DENY", path
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["Referrer-Policy"] == "same-origin"
        assert headers["Content-Security-Policy"] == CSP
    assert "frame-ancestors 'none'" in CSP and "script-src 'self'" in CSP
    assert "unsafe-eval" not in CSP and "script-src 'self' 'unsafe-inline'" not in CSP


def test_request_limit_defaults_to_a_full_start_form(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("TDKT_MAX_REQUEST_BYTES", "TDKT_MAX_CONTENT_LENGTH", "TDKT_MAX_UPLOAD_BYTES"):
        monkeypatch.delenv(name, raising=False)
    config = load_config({"SECRET_KEY": "x"})
    assert config["MAX_UPLOAD_BYTES"] == 20 * MB
    assert config["MAX_CONTENT_LENGTH"] == config["MAX_REQUEST_BYTES"] == 81 * MB
    assert load_config({"SECRET_KEY": "x", "MAX_UPLOAD_BYTES": MB})["MAX_CONTENT_LENGTH"] \
        == 5 * MB
    monkeypatch.setenv("TDKT_MAX_REQUEST_BYTES", str(30 * MB))
    assert load_config({"SECRET_KEY": "x"})["MAX_CONTENT_LENGTH"] == 30 * MB
    monkeypatch.delenv("TDKT_MAX_REQUEST_BYTES")
    monkeypatch.setenv("TDKT_MAX_CONTENT_LENGTH", str(7 * MB))  # the older name still works
    assert load_config({"SECRET_KEY": "x"})["MAX_REQUEST_BYTES"] == 7 * MB
    monkeypatch.setenv("TDKT_PROXY_FIX", "2")
    assert load_config({"SECRET_KEY": "x"})["PROXY_FIX"] == 2
