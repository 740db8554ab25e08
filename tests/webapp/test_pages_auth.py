"""Signing in and out of the pages, changing a password, CSRF and the language switch."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from api_kit import API, PASSWORD, Headers, assert_error
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from engine.store.models import User

TRANSLATIONS = Path(__file__).resolve().parents[2] / "webapp" / "translations"
WRONG = "Tên đăng nhập hoặc mật khẩu không đúng."


@pytest.fixture(autouse=True)
def _csrf_on(app: Flask) -> None:
    """These tests prove CSRF protection, so it stays on whatever TESTING says."""
    app.config["WTF_CSRF_ENABLED"] = True


def csrf_token(client: FlaskClient, path: str = "/login") -> str:
    """The CSRF token of the form at ``path`` (fetching it starts the session)."""
    html = client.get(path).get_data(as_text=True)
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html) \
        or re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, html
    return match.group(1)


def login(client: FlaskClient, username: str, password: str = PASSWORD):  # type: ignore[no-untyped-def]
    return client.post("/login", data={"username": username, "password": password,
                                       "csrf_token": csrf_token(client)})


def _disable(app: Flask, username: str) -> None:
    with app.extensions["tdkt"].db.write_session() as s:
        s.scalars(select(User).where(User.username == username)).one().active = False
        s.commit()


def test_login_shows_the_name_role_and_unit_then_logout(
        client: FlaskClient, people: dict[str, Headers]) -> None:
    r = client.get("/")
    assert r.status_code == 302 and r.location.startswith("/login")
    r = login(client, "sub_a")
    assert r.status_code == 302 and r.location == "/"
    html = client.get("/").get_data(as_text=True)
    assert "sub_a" in html and "Đơn vị đề nghị" in html and "Unit A" in html
    assert "Hộp công việc" in html and 'lang="vi"' in html
    cookie = client.get_cookie("session")
    assert cookie is not None and cookie.http_only and cookie.same_site == "Lax"
    assert not cookie.secure

    r = client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
    assert r.status_code == 302 and r.location == "/login"
    assert client.get("/").status_code == 302


def test_wrong_password_and_unknown_user_get_the_same_answer(
        client: FlaskClient, people: dict[str, Headers]) -> None:
    wrong = login(client, "sub_a", "not-the-password")
    unknown = login(client, "nobody", "not-the-password")
    for r in (wrong, unknown):
        assert r.status_code == 401
        assert WRONG in r.get_data(as_text=True)
    assert client.get("/").status_code == 302


def test_a_disabled_user_cannot_log_in_and_loses_the_session(
        app: Flask, client: FlaskClient, people: dict[str, Headers]) -> None:
    assert login(client, "sec1").status_code == 302
    _disable(app, "sec1")
    assert client.get("/").status_code == 302  # the open session no longer counts
    r = login(client, "sec1")
    assert r.status_code == 401 and WRONG in r.get_data(as_text=True)


def test_next_goes_only_to_local_paths(client: FlaskClient,
                                       people: dict[str, Headers]) -> None:
    token = csrf_token(client)
    data = {"username": "sub_a", "password": PASSWORD, "csrf_token": token}
    r = client.post("/login?next=//evil.example/x", data=data)
    assert r.status_code == 302 and r.location == "/"


def test_forms_without_csrf_token_are_refused(client: FlaskClient,
                                              people: dict[str, Headers]) -> None:
    r = client.post("/login", data={"username": "sub_a", "password": PASSWORD})
    assert r.status_code == 400
    assert login(client, "sub_a").status_code == 302
    assert client.post("/logout").status_code == 400
    assert client.get("/").status_code == 200  # still signed in


def test_api_posts_need_no_csrf_token(client: FlaskClient, people: dict[str, Headers],
                                      two_lane: str) -> None:
    r = client.post(f"{API}/processes/{two_lane}/instances", headers=people["sub_a"],
                    json={"data": {}})
    assert r.status_code == 201, r.get_json()
    assert_error(client.post(f"{API}/processes/{two_lane}/instances", json={}), 401)


def test_password_change(client: FlaskClient, people: dict[str, Headers]) -> None:
    login(client, "sub_a")
    token = csrf_token(client, "/password")
    r = client.post("/password", data={"current": "wrong-one", "new": "new-password-9",
                                       "confirm": "new-password-9", "csrf_token": token})
    assert r.status_code == 422 and "Mật khẩu hiện tại không đúng." in r.get_data(True)
    r = client.post("/password", data={"current": PASSWORD, "new": "new-password-9",
                                       "confirm": "other-password", "csrf_token": token})
    assert r.status_code == 422 and "Hai mật khẩu không khớp." in r.get_data(True)
    r = client.post("/password", data={"current": PASSWORD, "new": "new-password-9",
                                       "confirm": "new-password-9", "csrf_token": token})
    assert r.status_code == 302
    client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
    assert login(client, "sub_a").status_code == 401
    assert login(client, "sub_a", "new-password-9").status_code == 302


def test_english_switch_stays_in_the_session(client: FlaskClient,
                                             people: dict[str, Headers]) -> None:
    html = client.get("/login?lang=en").get_data(as_text=True)
    assert "Sign in" in html and "Username" in html and 'lang="en"' in html
    login(client, "sub_a")
    html = client.get("/").get_data(as_text=True)
    assert "Inbox" in html and "Submitting unit" in html and "Hộp công việc" not in html
    html = client.get("/?lang=vi").get_data(as_text=True)
    assert "Hộp công việc" in html


def test_pages_load_nothing_from_a_cdn(client: FlaskClient,
                                       people: dict[str, Headers]) -> None:
    pages = [client.get("/login").get_data(as_text=True)]
    login(client, "sec1")
    pages += [client.get(p).get_data(as_text=True) for p in ("/", "/password")]
    for html in pages:
        urls = re.findall(r'(?:src|href)="([^"]+)"', html)
        assert urls and all(u.startswith(("/", "?", "#")) and "//" not in u
                            for u in urls), urls
        assert "http://" not in html and "https://" not in html


def test_compiled_catalogue_matches_its_source() -> None:
    for po_path in TRANSLATIONS.glob("*/LC_MESSAGES/messages.po"):
        with po_path.open("rb") as po, po_path.with_suffix(".mo").open("rb") as mo:
            source = {_key(m.id): _key(m.string) for m in read_po(po) if m.id}
            compiled = {_key(m.id): _key(m.string) for m in read_mo(mo) if m.id}
        assert compiled == source, f"run pybabel compile -d webapp/translations ({po_path})"
        assert all(all(v) if isinstance(v, tuple) else v for v in source.values()), \
            "untranslated strings"
        assert any(isinstance(k, tuple) for k in source)  # plural entries are compared too


def _key(value: object) -> object:
    """A message's id or string; a plural one (singular and plural forms) as a tuple."""
    return tuple(value) if isinstance(value, (list, tuple)) else value


@pytest.mark.parametrize("target", ["/\t/evil.example", "/\n/evil.example", "/\\evil.example",
                                    "https://evil.example/", "//evil.example", "evil.example"])
def test_no_next_leads_to_another_site(app: Flask, target: str) -> None:
    from webapp.auth import local_path, safe_next

    assert local_path(target) is None
    with app.test_request_context():
        assert safe_next(target) == "/"
        assert safe_next("/tasks/1?x=//y") == "/tasks/1?x=//y"
