"""E-mail addresses on the admin's user pages and each person's own choice to get e-mail."""

from __future__ import annotations

from api_kit import Headers, complete, one_task, start
from flask import Flask
from flask.testing import FlaskClient
from test_admin_kit import (
    admin,  # noqa: F401  (fixture)
    events,
    field_errors,
    form_of,
    input_value,
    post,
    signed_in,
    user_row,
)
from test_admin_mail import rows, set_email


def test_admins_give_and_change_an_address(app: Flask, admin: FlaskClient) -> None:  # noqa: F811
    form = {"username": "vanthu", "full_name": "Văn thư", "roles": "secretariat",
            "unit_code": "TCHCQT", "password": "longenough", "email": "không-hợp-lệ"}
    r = post(admin, "/admin/users/new", form)
    assert r.status_code == 422
    assert field_errors(r.get_data(as_text=True))["email"] == "Địa chỉ thư điện tử không hợp lệ."
    assert input_value(r.get_data(as_text=True), "email") == "không-hợp-lệ"  # kept as typed
    r = post(admin, "/admin/users/new", {**form, "email": " vanthu@tinh.gov.vn "})
    assert r.status_code == 302
    user = user_row(app, "vanthu")
    assert user.email == "vanthu@tinh.gov.vn" and user.email_notifications is True
    assert events(app, "user.created")[-1]["email"] == "vanthu@tinh.gov.vn"

    shown = form_of(admin.get(f"/admin/users/{user.id}").get_data(as_text=True))
    edit = {k: shown[k] for k in ("full_name", "email", "unit_code", "roles")}
    assert edit["email"] == "vanthu@tinh.gov.vn"
    r = post(admin, f"/admin/users/{user.id}", {**edit, "email": "van.thu@tinh.gov.vn"})
    assert r.status_code == 302 and user_row(app, "vanthu").email == "van.thu@tinh.gov.vn"
    changed = events(app, "user.updated")[-1]
    assert (changed["before"]["email"], changed["after"]["email"]) == (
        "vanthu@tinh.gov.vn", "van.thu@tinh.gov.vn")
    listed = admin.get("/admin/users?q=van.thu@").get_data(as_text=True)
    assert "1 tài khoản" in listed and "van.thu@tinh.gov.vn" in listed
    post(admin, f"/admin/users/{user.id}", {**edit, "email": ""})
    assert user_row(app, "vanthu").email is None


def test_a_person_turns_mail_off_and_gets_no_more(app: Flask, people: dict[str, Headers],
                                                  two_lane: str) -> None:
    set_email(app, "sec1", "sec1@tinh.gov.vn")
    sec1 = signed_in(app, "sec1")
    page = sec1.get("/password").get_data(as_text=True)
    assert "sec1@tinh.gov.vn" in page and form_of(page)["email_notifications"] == "1"
    r = post(sec1, "/account/email-notifications", {}, "/password")  # the box unticked
    assert r.status_code == 302 and r.location == "/password"
    page = sec1.get("/password").get_data(as_text=True)
    assert "Đã tắt thư thông báo" in page and "email_notifications" not in form_of(page)
    assert user_row(app, "sec1").email_notifications is False
    [event] = events(app, "user.email_notifications")
    assert (event["before"], event["after"], event["actor"]) == (True, False, "sec1")

    client = app.test_client()
    inst = start(client, people["sub_a"], two_lane).get_json()
    complete(client, people["sub_a"], one_task(inst, "propose")["id"])
    assert rows(app) == []  # sec2 has no address, sec1 turned e-mail off
    post(sec1, "/account/email-notifications", {"email_notifications": "1"}, "/password")
    assert user_row(app, "sec1").email_notifications is True


def test_without_an_address_the_page_says_whom_to_ask(app: Flask,
                                                      people: dict[str, Headers]) -> None:
    page = signed_in(app, "sub_a").get("/password").get_data(as_text=True)
    assert "Tài khoản chưa có địa chỉ thư điện tử; nhờ quản trị viên thêm" in page
    assert "Đổi mật khẩu" in page and "Tài khoản của tôi" in page
