"""The settings page's "Gửi thư thử" against a real SMTP server, and the outbox page."""

from __future__ import annotations

from typing import Any

import pytest
from api_kit import API, Headers, complete, one_task, start
from flask import Flask
from flask.testing import FlaskClient
from smtp_kit import ANSWER, PASSWORD, USER, SmtpServer, closed_port, smtp_server  # noqa: F401
from sqlalchemy import select, update
from test_admin_kit import admin, events, field_errors, post  # noqa: F401  (fixture)

from engine.roles import SYSTEM
from engine.store.models import EmailOutbox, User
from workflows import mail, settings_admin


def configure(app: Flask, **values: Any) -> None:
    with app.extensions["tdkt"].db.write_session() as s:
        settings_admin.update_settings(s, SYSTEM, dict(values))
        s.commit()


def local(server: SmtpServer, **values: Any) -> dict[str, Any]:
    return {"smtp_host": server.host, "smtp_port": server.port, "smtp_tls": "none",
            "smtp_sender": "tdkt@tinh.gov.vn", **values}


def set_email(app: Flask, username: str, email: str | None) -> None:
    with app.extensions["tdkt"].db.write_session() as s:
        s.execute(update(User).where(User.username == username).values(email=email))
        s.commit()


def rows(app: Flask) -> list[EmailOutbox]:
    with app.extensions["tdkt"].db.session() as s:
        found = list(s.scalars(select(EmailOutbox).order_by(EmailOutbox.id)))
        s.expunge_all()
        return found


def send_test(admin: FlaskClient, address: str = "quantri@tinh.gov.vn") -> tuple[int, str]:  # noqa: F811
    r = post(admin, "/admin/settings/test-mail", {"test_address": address}, "/admin/settings")
    return r.status_code, r.get_data(as_text=True)


def test_the_test_mail_is_sent_and_the_servers_answer_shown(
        app: Flask, admin: FlaskClient, smtp_server: SmtpServer) -> None:  # noqa: F811
    configure(app, **local(smtp_server, smtp_user=USER, smtp_password=PASSWORD))
    status, html = send_test(admin)
    assert status == 200
    assert "Đã gửi thư thử đến quantri@tinh.gov.vn." in html and ANSWER in html
    [got] = smtp_server.inbox.to("quantri@tinh.gov.vn")
    assert got.message["Subject"] == mail.TEST_SUBJECT
    assert "cấu hình SMTP đã đúng" in got.part("plain")
    [event] = events(app, "mail.test")
    assert event["ok"] is True and event["answer"] == ANSWER and event["actor"] == "admin1"


@pytest.mark.parametrize(("values", "code", "says"), [
    ({"smtp_port": "closed"}, "smtp.connection_refused", "từ chối kết nối"),
    ({"smtp_user": USER, "smtp_password": "sai-mat-khau"}, "smtp.auth_failed",
     "Đăng nhập SMTP thất bại: sai tài khoản hoặc mật khẩu"),
    ({"smtp_tls": "starttls"}, "smtp.starttls_unsupported", "không hỗ trợ STARTTLS"),
    ({"smtp_tls": "ssl"}, "smtp.tls_failed", "Lỗi TLS khi kết nối"),
])
def test_a_failed_test_mail_says_why_in_vietnamese(
        app: Flask, admin: FlaskClient, smtp_server: SmtpServer,  # noqa: F811
        values: dict[str, Any], code: str, says: str) -> None:
    if values.get("smtp_port") == "closed":
        values = {**values, "smtp_port": closed_port()}
    configure(app, **local(smtp_server, **values))
    status, html = send_test(admin)
    assert status == 200 and "Không gửi được thư thử đến quantri@tinh.gov.vn." in html
    assert says in html and 'role="alert"' in html
    assert smtp_server.inbox.received == []
    [event] = events(app, "mail.test")
    assert event["ok"] is False and event["error"] == code


def test_a_bad_test_address_is_refused_beside_its_field(app: Flask,
                                                        admin: FlaskClient) -> None:  # noqa: F811
    status, html = send_test(admin, "không phải thư")
    assert status == 422
    assert field_errors(html) == {"test-address": "Địa chỉ thư điện tử không hợp lệ."}
    assert events(app, "mail.test") == []


def _two_tasks(client: FlaskClient, people: dict[str, Headers], key: str) -> None:
    for n in (1, 2):
        inst = start(client, people["sub_a"], key, business_key=f"HS-W-{n}").get_json()
        r = complete(client, people["sub_a"], one_task(inst, "propose")["id"])
        assert r.status_code == 200, r.get_json()


def test_not_configured_the_mails_wait_and_the_pages_say_so(
        app: Flask, admin: FlaskClient, people: dict[str, Headers], two_lane: str) -> None:  # noqa: F811
    set_email(app, "sec1", "sec1@tinh.gov.vn")
    _two_tasks(app.test_client(), people, two_lane)
    assert [(r.recipient, r.status) for r in rows(app)] == [("sec1@tinh.gov.vn", "queued")] * 2
    assert "Chưa cấu hình SMTP." in admin.get("/admin/settings").get_data(as_text=True)
    page = admin.get("/admin/mail").get_data(as_text=True)
    assert "Chưa cấu hình SMTP." in page and "(2 thư đang chờ)" in page
    r = post(admin, "/admin/mail/send", {}, "/admin/mail")
    assert "Chưa cấu hình SMTP: chưa gửi thư nào." in admin.get(r.location).get_data(True)
    assert [(r.status, r.attempts) for r in rows(app)] == [("queued", 0)] * 2
    status, html = send_test(admin)
    assert status == 200 and "Chưa cấu hình SMTP: cần máy chủ SMTP và địa chỉ gửi thư" in html


def test_the_outbox_lists_sends_now_and_retries_a_failed_mail(
        app: Flask, admin: FlaskClient, people: dict[str, Headers], two_lane: str,  # noqa: F811
        smtp_server: SmtpServer) -> None:  # noqa: F811
    set_email(app, "sec1", "sec1@tinh.gov.vn")
    set_email(app, "sec2", "nobody@tinh.gov.vn")  # the server refuses it for good
    _two_tasks(app.test_client(), people, two_lane)
    configure(app, **local(smtp_server))
    r = post(admin, "/admin/mail/send", {}, "/admin/mail")
    flashed = admin.get(r.location).get_data(as_text=True)
    assert "Đã gửi 1 thư (2 thông báo); 0 sẽ thử lại, 2 lỗi, 0 hủy." in flashed
    [letter] = smtp_server.inbox.received
    assert letter.message["Subject"] == "[TĐKT] Anh/chị có 2 thông báo mới"
    assert "Hạn xử lý: " in letter.part("plain")  # the appraisal is due in 10 working days
    assert [e["sent"] for e in events(app, "mail.sent_now")] == [2]

    failed = admin.get("/admin/mail?status=failed").get_data(as_text=True)
    assert failed.count("nobody@tinh.gov.vn") >= 2 and "550" in failed
    assert "sec1@tinh.gov.vn" not in failed and "Gửi lại mọi thư lỗi (2)" in failed
    first_failed = next(r for r in rows(app) if r.status == "failed")
    r = post(admin, f"/admin/mail/{first_failed.id}/retry", {"status": "failed"}, "/admin/mail")
    assert r.status_code == 302 and r.location.endswith("/admin/mail?status=failed")
    again = {r.id: (r.status, r.attempts) for r in rows(app)}
    assert again[first_failed.id] == ("queued", 0)
    assert events(app, "mail.retried")[-1]["outbox_id"] == first_failed.id
    sent = next(r for r in rows(app) if r.status == "sent")
    r = post(admin, f"/admin/mail/{sent.id}/retry", {}, "/admin/mail")
    assert "Chỉ gửi lại được thư bị lỗi hoặc đã hủy." in admin.get(r.location).get_data(True)
    assert post(admin, "/admin/mail/999999/retry", {}, "/admin/mail").status_code == 404
    r = post(admin, "/admin/mail/retry-failed", {}, "/admin/mail")
    assert {r.status for r in rows(app)} == {"sent", "queued"}


def test_the_admin_api_reads_and_writes_the_address(app: Flask, client: FlaskClient,
                                                    people: dict[str, Headers]) -> None:
    h = people["admin1"]
    r = client.post(f"{API}/admin/users", headers=h, json={
        "username": "vanthu", "full_name": "Văn thư", "roles": ["secretariat"],
        "unit_code": "TCHCQT", "password": "mat-khau-9", "email": "vanthu@tinh.gov.vn"})
    assert r.status_code == 201, r.get_json()
    body = r.get_json()
    assert body["email"] == "vanthu@tinh.gov.vn" and body["email_notifications"] is True
    r = client.patch(f"{API}/admin/users/{body['id']}", headers=h, json={"email": "sai"})
    assert r.status_code == 422 and r.get_json()["code"] == "user.email_invalid"
    assert "email" in r.get_json()["details"]
    r = client.patch(f"{API}/admin/users/{body['id']}", headers=h, json={"email": ""})
    assert r.status_code == 200 and r.get_json()["email"] is None
    assert events(app, "user.updated")[-1]["before"]["email"] == "vanthu@tinh.gov.vn"


def test_the_api_sends_a_test_mail_lists_and_retries(
        app: Flask, client: FlaskClient, people: dict[str, Headers], two_lane: str,
        smtp_server: SmtpServer) -> None:  # noqa: F811
    h = people["admin1"]
    assert client.post(f"{API}/mail/test", headers=people["sec1"],
                       json={"address": "a@tinh.gov.vn"}).status_code == 403
    r = client.post(f"{API}/mail/test", headers=h, json={"address": "a@tinh.gov.vn"})
    assert r.status_code == 200 and r.get_json()["code"] == "smtp.not_configured"
    assert r.get_json()["ok"] is False
    configure(app, **local(smtp_server))
    r = client.post(f"{API}/mail/test", headers=h, json={"address": "a@tinh.gov.vn"})
    assert r.get_json() == {"ok": True, "recipient": "a@tinh.gov.vn", "answer": ANSWER,
                            "code": "", "message": ""}
    r = client.post(f"{API}/mail/test", headers=h, json={"address": "sai"})
    assert r.status_code == 422 and r.get_json()["code"] == "user.email_invalid"

    set_email(app, "sec1", "nobody@tinh.gov.vn")
    _two_tasks(app.test_client(), people, two_lane)
    r = client.post(f"{API}/mail/send", headers=h)
    assert r.status_code == 200 and r.get_json()["failed"] == 2
    page = client.get(f"{API}/mail/outbox?status=failed", headers=h).get_json()
    assert page["total"] == 2 and page["items"][0]["recipient"] == "nobody@tinh.gov.vn"
    failed_id = page["items"][0]["id"]
    r = client.post(f"{API}/mail/outbox/{failed_id}/retry", headers=h)
    assert r.status_code == 200 and r.get_json()["status"] == "queued"
    r = client.post(f"{API}/mail/outbox/{failed_id}/retry", headers=h)
    assert r.status_code == 409 and r.get_json()["code"] == "mail.not_failed"
    assert client.get(f"{API}/mail/outbox?status=nope", headers=h).status_code == 422


def test_the_api_account_turns_mail_off(app: Flask, client: FlaskClient,
                                        people: dict[str, Headers]) -> None:
    set_email(app, "sec1", "sec1@tinh.gov.vn")
    r = client.get(f"{API}/account", headers=people["sec1"])
    assert r.get_json() == {"username": "sec1", "full_name": "sec1",
                            "email": "sec1@tinh.gov.vn", "email_notifications": True}
    r = client.patch(f"{API}/account", headers=people["sec1"],
                     json={"email_notifications": False})
    assert r.status_code == 200 and r.get_json()["email_notifications"] is False
    r = client.patch(f"{API}/account", headers=people["sec1"], json={"email": "x@y.vn"})
    assert r.status_code == 422  # the address is the admin's to set
    assert events(app, "user.email_notifications")[-1]["after"] is False


def test_the_test_mail_holds_no_database_connection_while_it_talks_to_the_server(
        app: Flask, admin: FlaskClient, smtp_server: SmtpServer,  # noqa: F811
        monkeypatch: pytest.MonkeyPatch) -> None:
    """A slow SMTP server must not hold a transaction (on SQLite: the write lock)."""
    configure(app, **local(smtp_server))
    pool = app.extensions["tdkt"].db.engine.pool
    held: list[int] = []
    real = mail.SmtpConnection.send

    def send(self: Any, recipient: str, content: Any) -> Any:
        held.append(pool.checkedout())
        return real(self, recipient, content)
    monkeypatch.setattr(mail.SmtpConnection, "send", send)
    assert send_test(admin)[0] == 200
    assert held == [0]
    assert events(app, "mail.test")[0]["ok"] is True
