"""Timers on the web: the API's instance, the instance page, the settings of reminders."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from api_kit import API, Headers, deploy, fixture_bytes, start
from flask import Flask
from flask.testing import FlaskClient
from test_admin_kit import (
    admin,  # noqa: F401  (fixture)
    field_errors,
    post,
    settings_form,
)
from test_pages_auth import login

from engine import clock
from engine.scheduler import Scheduler
from workflows import settings_admin

T0 = datetime(2026, 2, 12, 2, 0, tzinfo=UTC)  # Thursday 12/02/2026 09:00 in Hà Nội
# review (submitter) with an interrupting boundary timer "P3D" -> escalate (secretariat)
ESCALATING = fixture_bytes("timer_escalation.bpmn")


def _waiting(client: FlaskClient, people: dict[str, Headers]) -> int:
    assert deploy(client, people["admin1"], ESCALATING).status_code == 201
    with clock.at(T0):
        r = start(client, people["sub_a"], "web_timer", business_key="HS-HG-1")
    assert r.status_code == 201, r.get_json()
    return int(r.get_json()["id"])


def _page(app: Flask, instance_id: int, lang: str = "") -> str:
    client = app.test_client()
    assert login(client, "sub_a").status_code == 302
    return client.get(f"/instances/{instance_id}{lang}").get_data(as_text=True)


def test_the_api_and_the_page_show_the_waiting_timer_then_its_firing(
        app: Flask, client: FlaskClient, people: dict[str, Headers]) -> None:
    instance_id = _waiting(client, people)
    body = client.get(f"{API}/instances/{instance_id}", headers=people["sub_a"]).get_json()
    assert body["timers"] == [{
        "id": body["timers"][0]["id"], "element_id": "late", "title": "Quá hạn xem xét",
        "kind": "boundary", "attached_to": "review", "interrupting": True,
        "due_at": (T0 + timedelta(days=3)).isoformat()}]
    html = _page(app, instance_id)
    assert "Hẹn giờ đang chờ" in html and "Quá hạn xem xét" in html
    assert '<time datetime="2026-02-15T02:00:00+00:00">15/02/2026 09:00</time>' in html
    assert "Gắn trên bước «Xem xét»: đến hạn mà bước chưa xong thì bước dừng lại" in html

    report = Scheduler(app.extensions["tdkt"].engine, app.extensions["tdkt"].db).tick(
        T0 + timedelta(days=3, minutes=1))

    assert report.timers.fired == [instance_id]
    html = _page(app, instance_id)
    assert "Hẹn giờ đang chờ" not in html
    assert "Đến hạn hẹn giờ «Quá hạn xem xét»" in html and "Đôn đốc" in html
    assert "Timer «Quá hạn xem xét» fired" in _page(app, instance_id, "?lang=en")
    body = client.get(f"{API}/instances/{instance_id}", headers=people["sec1"]).get_json()
    assert body["timers"] == [] and [t["name"] for t in body["tasks"]] == ["escalate"]


def test_reminder_settings_are_edited_and_read_by_the_scheduler(
        app: Flask, admin: FlaskClient) -> None:  # noqa: F811
    html = admin.get("/admin/settings").get_data(as_text=True)
    form = settings_form(html)
    assert form["reminder_working_days"] == "2"
    assert form["supervisor_of_submitter"] == "secretariat"
    assert form["supervisor_of_chair"] == ""
    assert "Nhắc hạn và báo quá hạn" in html and "Không báo thêm ai" in html

    bad = post(admin, "/admin/settings", {**form, "reminder_working_days": "31",
                                          "supervisor_of_council": "nobody"})
    assert bad.status_code == 422
    errors = field_errors(bad.get_data(as_text=True))
    assert set(errors) >= {"reminder-working-days", "supervisor-of-council"}

    ok = post(admin, "/admin/settings", {**form, "reminder_working_days": "0",
                                         "supervisor_of_submitter": "council",
                                         "supervisor_of_secretariat": ""})
    assert ok.status_code == 302, field_errors(ok.get_data(as_text=True))
    with app.extensions["tdkt"].db.session() as s:
        policy = settings_admin.reminder_policy(s)
        assert app.extensions["tdkt"].engine.reminder_policy(s) == policy
    assert policy.remind_days == 0
    assert dict(policy.supervisors) == {"submitter": "council", "council": "chair"}
