"""One scheduler tick of the application: a timer fires, the escalation step's people
are notified, and the e-mail outbox goes out in the same tick (``tick_jobs``)."""

from __future__ import annotations

from datetime import timedelta

from api_kit import Headers
from flask import Flask
from flask.testing import FlaskClient
from smtp_kit import SmtpServer, smtp_server  # noqa: F401  (fixture)
from test_admin_mail import configure, local, rows, set_email
from test_pages_timers import T0, _waiting

from webapp.cli_scheduler import make_scheduler


def test_a_tick_fires_the_timer_and_mails_the_escalation_step(
        app: Flask, client: FlaskClient, people: dict[str, Headers],
        smtp_server: SmtpServer) -> None:  # noqa: F811
    set_email(app, "sec1", "sec1@tinh.gov.vn")
    instance_id = _waiting(client, people)
    configure(app, **local(smtp_server))
    scheduler = make_scheduler(app, interval_s=30)

    early = scheduler.tick(T0 + timedelta(days=2))
    assert early.timers.fired == [] and early.jobs == {"Thư": "0 thư đã gửi"}
    assert smtp_server.inbox.to("sec1@tinh.gov.vn") == []

    report = scheduler.tick(T0 + timedelta(days=3, minutes=1))
    assert report.timers.fired == [instance_id]
    assert report.jobs == {"Thư": "1 thư đã gửi"}
    [letter] = smtp_server.inbox.to("sec1@tinh.gov.vn")
    assert "Đôn đốc" in str(letter.message["Subject"])
    assert "/tasks/" in letter.part("plain")
    assert [r.status for r in rows(app) if r.recipient == "sec1@tinh.gov.vn"] == ["sent"]
    assert "Thư: 1 thư đã gửi." in report.summary()


def test_a_tick_without_smtp_keeps_the_mail_waiting(
        app: Flask, client: FlaskClient, people: dict[str, Headers]) -> None:
    set_email(app, "sec1", "sec1@tinh.gov.vn")
    _waiting(client, people)
    report = make_scheduler(app).tick(T0 + timedelta(days=3, minutes=1))
    assert report.jobs == {"Thư": "chưa cấu hình SMTP"}
    assert [r.status for r in rows(app) if r.recipient == "sec1@tinh.gov.vn"] == ["queued"]
