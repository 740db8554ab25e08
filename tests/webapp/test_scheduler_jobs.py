"""The application's scheduler tick (``webapp.cli_scheduler.tick_jobs``): a timer fires,
the escalation step's people are notified and the e-mail outbox goes out in the same
tick; council results not yet delivered are tried again every five minutes."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from api_kit import Headers
from flask import Flask
from flask.testing import FlaskClient
from smtp_kit import SmtpServer, smtp_server  # noqa: F401  (fixture)
from test_admin_mail import configure, local, rows, set_email
from test_pages_timers import T0, _waiting

from webapp import cli_scheduler
from webapp.cli_scheduler import make_scheduler


def test_a_tick_fires_the_timer_and_mails_the_escalation_step(
        app: Flask, client: FlaskClient, people: dict[str, Headers],
        smtp_server: SmtpServer) -> None:  # noqa: F811
    set_email(app, "sec1", "sec1@tinh.gov.vn")
    instance_id = _waiting(client, people)
    configure(app, **local(smtp_server))
    scheduler = make_scheduler(app, interval_s=30)

    early = scheduler.tick(T0 + timedelta(days=2))
    assert early.timers.fired == [] and early.jobs["Thư"] == "0 thư đã gửi"
    assert smtp_server.inbox.to("sec1@tinh.gov.vn") == []

    report = scheduler.tick(T0 + timedelta(days=3, minutes=1))
    assert report.timers.fired == [instance_id]
    assert report.jobs["Thư"] == "1 thư đã gửi"
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
    assert report.jobs["Thư"] == "chưa cấu hình SMTP"
    assert [r.status for r in rows(app) if r.recipient == "sec1@tinh.gov.vn"] == ["queued"]


def test_undelivered_council_results_are_retried_every_five_minutes(
        app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    runs: list[Any] = []

    def retry(session: Any, engine: Any) -> list[dict[str, Any]]:
        runs.append(engine)
        return [{"meeting_id": 1, "instance_id": 7, "status": "delivered", "error": None},
                {"meeting_id": 1, "instance_id": 8, "status": "pending", "error": "mạng"}]

    monkeypatch.setattr(cli_scheduler, "retry_pending_deliveries", retry)
    scheduler = make_scheduler(app)
    first = scheduler.tick(T0)
    assert first.jobs["Kết quả Hội đồng"] == "1/2 kết quả đã chuyển"
    assert "Kết quả Hội đồng: 1/2 kết quả đã chuyển." in first.summary()
    assert scheduler.tick(T0 + timedelta(minutes=4)).jobs["Kết quả Hội đồng"] is None
    assert len(runs) == 1 and runs[0] is app.extensions["tdkt"].engine
    scheduler.tick(T0 + timedelta(minutes=5))
    assert len(runs) == 2


def test_secret_ballots_not_yet_wiped_are_tried_every_ten_minutes(
        app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    runs: list[int] = []

    def retry(session: Any) -> list[dict[str, Any]]:
        runs.append(1)
        return [{"meeting_id": 3, "ok": True}] if len(runs) == 1 else []

    monkeypatch.setattr(cli_scheduler, "retry_pending_scrubs", retry)
    scheduler = make_scheduler(app)
    assert scheduler.tick(T0).jobs["Phiếu kín"] == "1/1 phiên họp đã xóa vết"
    assert scheduler.tick(T0 + timedelta(minutes=9)).jobs["Phiếu kín"] is None
    assert len(runs) == 1
    assert scheduler.tick(T0 + timedelta(minutes=10)).jobs["Phiếu kín"] is None  # nothing left
    assert len(runs) == 2
