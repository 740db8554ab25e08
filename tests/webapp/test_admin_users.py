"""``/admin/users``: role checks, list and search, create, edit, lock, password reset."""

from __future__ import annotations

import re

from api_kit import API, PASSWORD, Headers
from flask import Flask
from flask.testing import FlaskClient
from test_admin_kit import (
    admin,  # noqa: F401  (fixture)
    events,
    field_errors,
    input_value,
    post,
    signed_in,
    user_row,
)
from test_pages_auth import login

ADMIN_PAGES = ("/admin", "/admin/users", "/admin/users/new", "/admin/users/1", "/admin/units",
               "/admin/units/A", "/admin/catalogue", "/admin/catalogue/LDTT", "/admin/settings")


def test_visitors_go_to_login_and_other_roles_get_403(
        app: Flask, people: dict[str, Headers]) -> None:
    anonymous = app.test_client()
    for path in ADMIN_PAGES:
        r = anonymous.get(path)
        assert r.status_code == 302 and r.location.startswith("/login"), path
    for username in ("sec1", "sub_a", "council1"):
        client = signed_in(app, username)
        for path in ADMIN_PAGES:
            r = client.get(path)
            assert r.status_code == 403, (username, path)
            assert "quản trị hệ thống" in r.get_data(as_text=True)
    posted = post(signed_in(app, "sec1"), "/admin/users/new",
                  {"username": "intruder", "full_name": "X", "roles": "admin",
                   "password": "longenough"}, page="/")
    assert posted.status_code == 403 and not events(app, "user.created")[6:]


def test_landing_page_links_every_admin_page(admin: FlaskClient) -> None:  # noqa: F811
    html = admin.get("/admin").get_data(as_text=True)
    main = html[html.index("<main"):html.index("</main>")]
    links = re.findall(r'href="([^"#]+)"', main)
    for path in ("/admin/users", "/admin/units", "/admin/catalogue", "/admin/settings",
                 "/admin/processes", "/admin/migrations", "/admin/templates", "/council/members"):
        assert path in links, path
    for path in links:  # every card opens for an admin
        assert admin.get(path).status_code == 200, path


def test_list_searches_filters_and_pages(app: Flask, admin: FlaskClient) -> None:  # noqa: F811
    html = admin.get("/admin/users").get_data(as_text=True)
    assert "6 tài khoản" in html and "sub_a" in html and "council1" in html
    # roles by the engine's role names: the chair role is the Chief of Office (the council
    # position «Chủ tịch Hội đồng» is set per member on the council pages)
    assert "Phòng TCHCQT" in html and "Thường trực" not in html
    form = admin.get("/admin/users/new").get_data(as_text=True)  # every role, by its label
    assert "Chánh Văn phòng" in form and "Chủ tịch Hội đồng" not in form
    html = admin.get("/admin/users?q=UB_").get_data(as_text=True)  # case-insensitive
    assert "2 tài khoản" in html and "sub_b" in html and "sec1" not in html
    html = admin.get("/admin/users?q=TCHCQT").get_data(as_text=True)  # by unit code
    assert "2 tài khoản" in html and "sec2" in html
    for n in range(25):
        assert post(admin, "/admin/users/new", {"username": f"user{n:02d}", "full_name":
                    f"Người {n}", "roles": "council", "password": "longenough"}).status_code == 302
    first = admin.get("/admin/users?q=user").get_data(as_text=True)
    second = admin.get("/admin/users?q=user&page=2").get_data(as_text=True)
    assert "25 tài khoản" in first and "user00" in first and "user20" not in first
    assert "user20" in second and "user00" not in second
    assert 'href="/admin/users?q=user&amp;page=2"' in first  # the search stays in the links
    assert post(admin, "/admin/users/3/active", {"active": "0"}).status_code == 302
    html = admin.get("/admin/users?status=disabled").get_data(as_text=True)
    assert "1 tài khoản" in html and "sec1" in html


def test_create_shows_errors_beside_fields_and_keeps_input(
        app: Flask, admin: FlaskClient) -> None:  # noqa: F811
    r = post(admin, "/admin/users/new", {"username": "a b", "full_name": "Nguyễn Văn Mới",
                                         "roles": "submitter", "password": "longenough"})
    html = r.get_data(as_text=True)
    assert r.status_code == 422
    assert "chữ không dấu" in field_errors(html)["username"]
    assert input_value(html, "full_name") == "Nguyễn Văn Mới"
    assert 'value="submitter" checked' in html
    assert "longenough" not in html  # a password is never sent back
    r = post(admin, "/admin/users/new", {"username": "moi", "full_name": "Mới",
                                         "roles": "submitter", "password": "short"})
    assert "ít nhất 8 ký tự" in field_errors(r.get_data(as_text=True))["password"]
    r = post(admin, "/admin/users/new", {"username": "moi", "full_name": "Mới",
                                         "roles": "submitter", "password": "longenough"})
    assert "phải thuộc một đơn vị" in field_errors(r.get_data(as_text=True))["unit-code"]
    r = post(admin, "/admin/users/new", {"username": "sub_a", "full_name": "Trùng",
                                         "roles": "council", "password": "longenough"})
    assert r.status_code == 422 and "đã có" in field_errors(r.get_data(as_text=True))["username"]
    r = post(admin, "/admin/users/new", {"username": "moi", "full_name": "Mới",
                                         "password": "longenough"})
    assert "ít nhất một vai trò" in field_errors(r.get_data(as_text=True))["roles"]
    assert not [e for e in events(app, "user.created") if e["username"] == "moi"]


def test_create_then_the_new_user_signs_in(app: Flask, admin: FlaskClient) -> None:  # noqa: F811
    r = post(admin, "/admin/users/new", {"username": "moi", "full_name": "Nguyễn Văn Mới",
                                         "unit_code": "A", "roles": ["submitter", "council"],
                                         "password": "longenough"})
    assert r.status_code == 302
    created = events(app, "user.created")[-1]
    assert created["username"] == "moi" and created["roles"] == ["council", "submitter"]
    assert created["unit_code"] == "A" and created["actor"] == "admin1"
    assert login(app.test_client(), "moi", "longenough").status_code == 302


def test_edit_roles_and_unit_is_audited_before_after(
        app: Flask, admin: FlaskClient) -> None:  # noqa: F811
    sub_a = user_row(app, "sub_a")
    r = post(admin, f"/admin/users/{sub_a.id}", {"full_name": "Đơn vị A", "unit_code": "B",
                                                  "roles": ["submitter", "council"]})
    assert r.status_code == 302
    after = user_row(app, "sub_a")
    assert after.unit_code == "B" and after.full_name == "Đơn vị A"
    event = events(app, "user.updated")[-1]
    assert event["before"]["unit_code"] == "A" and event["before"]["roles"] == ["submitter"]
    assert event["after"]["unit_code"] == "B"
    assert event["after"]["roles"] == ["council", "submitter"]
    r = post(admin, f"/admin/users/{sub_a.id}", {"full_name": "X", "unit_code": "NOPE",
                                                  "roles": "submitter"})
    html = r.get_data(as_text=True)
    assert r.status_code == 422 and "NOPE" in field_errors(html)["unit-code"]
    assert input_value(html, "full_name") == "X"
    assert user_row(app, "sub_a").full_name == "Đơn vị A"


def test_disabled_user_cannot_log_in_nor_use_a_token(
        app: Flask, admin: FlaskClient, people: dict[str, Headers]) -> None:  # noqa: F811
    sec1 = user_row(app, "sec1")
    session_of_sec1 = signed_in(app, "sec1")
    assert app.test_client().get(f"{API}/catalogue", headers=people["sec1"]).status_code == 200
    assert post(admin, f"/admin/users/{sec1.id}/active", {"active": "0"}).status_code == 302
    assert not user_row(app, "sec1").active
    assert login(app.test_client(), "sec1").status_code == 401
    assert session_of_sec1.get("/").status_code == 302  # the open session ends
    r = app.test_client().get(f"{API}/catalogue", headers=people["sec1"])
    assert r.status_code == 401 and r.get_json()["code"] == "auth.user_disabled"
    event = events(app, "user.disabled")[-1]
    assert event["before"] == {"active": True} and event["after"] == {"active": False}
    assert post(admin, f"/admin/users/{sec1.id}/active", {"active": "1"}).status_code == 302
    assert login(app.test_client(), "sec1").status_code == 302
    assert app.test_client().get(f"{API}/catalogue", headers=people["sec1"]).status_code == 200
    assert events(app, "user.enabled")[-1]["after"] == {"active": True}


def test_admin_cannot_disable_themself_nor_remove_the_last_admin(
        app: Flask, admin: FlaskClient) -> None:  # noqa: F811
    me = user_row(app, "admin1")
    r = post(admin, f"/admin/users/{me.id}/active", {"active": "0"})
    assert r.status_code == 422 and "tự khóa" in r.get_data(as_text=True)
    r = post(admin, f"/admin/users/{me.id}", {"full_name": "A", "roles": "council"})
    html = r.get_data(as_text=True)
    assert r.status_code == 422 and "quản trị viên cuối cùng" in field_errors(html)["roles"]
    assert user_row(app, "admin1").active and "admin" in user_row(app, "admin1").role_codes
    # With a second admin, the first may give up the role; the second cannot then lock
    # the first out of being the last one.
    post(admin, "/admin/users/new", {"username": "admin2", "full_name": "Admin 2",
                                     "roles": "admin", "password": "longenough"})
    assert post(admin, f"/admin/users/{me.id}", {"full_name": "A", "roles": "council"}
                ).status_code == 302
    second = signed_in_as(app, "admin2", "longenough")
    admin2 = user_row(app, "admin2")
    r = post(second, f"/admin/users/{admin2.id}", {"full_name": "B", "roles": "council"})
    assert r.status_code == 422 and "quản trị viên cuối cùng" in r.get_data(as_text=True)
    assert not events(app, "user.disabled")


def signed_in_as(app: Flask, username: str, password: str) -> FlaskClient:
    client = app.test_client()
    assert login(client, username, password).status_code == 302
    return client


def test_reset_password_generated_is_shown_once_and_works(
        app: Flask, admin: FlaskClient) -> None:  # noqa: F811
    sub_b = user_row(app, "sub_b")
    r = post(admin, f"/admin/users/{sub_b.id}/password", {"mode": "generate"})
    html = r.get_data(as_text=True)
    assert r.status_code == 200 and r.headers["Cache-Control"] == "no-store"
    password = re.search(r'id="one-time-password">([^<]+)<', html).group(1)  # type: ignore[union-attr]
    assert len(password) >= 8
    assert password not in admin.get(f"/admin/users/{sub_b.id}").get_data(as_text=True)
    assert login(app.test_client(), "sub_b", PASSWORD).status_code == 401
    assert login(app.test_client(), "sub_b", password).status_code == 302
    event = events(app, "user.password_reset")[-1]
    assert event["generated"] is True and password not in str(event)


def test_reset_password_set_by_admin_follows_the_strength_rule(
        app: Flask, admin: FlaskClient) -> None:  # noqa: F811
    sub_b = user_row(app, "sub_b")
    r = post(admin, f"/admin/users/{sub_b.id}/password", {"mode": "set", "new_password": "1234"})
    assert r.status_code == 422
    assert "8 ký tự" in field_errors(r.get_data(as_text=True))["new-password"]
    assert login(app.test_client(), "sub_b", PASSWORD).status_code == 302  # unchanged
    r = post(admin, f"/admin/users/{sub_b.id}/password",
             {"mode": "set", "new_password": "chosen-by-admin"})
    assert r.status_code == 302
    assert login(app.test_client(), "sub_b", "chosen-by-admin").status_code == 302
    assert events(app, "user.password_reset")[-1]["generated"] is False


def test_unknown_user_is_404(admin: FlaskClient) -> None:  # noqa: F811
    assert admin.get("/admin/users/999").status_code == 404
    assert post(admin, "/admin/users/999/active", {"active": "0"}).status_code == 404
