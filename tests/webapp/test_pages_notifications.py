"""The bell, the notifications page and API, and the inbox counts in the navigation."""

from __future__ import annotations

import re
from typing import Any

import pytest
from api_kit import API, Headers, assert_error, complete, one_task, start
from flask import Flask
from flask.testing import FlaskClient
from test_pages_auth import csrf_token, login

import webapp.notifications_pages

People = dict[str, Headers]


@pytest.fixture(autouse=True)
def _csrf_on(app: Flask) -> None:
    app.config["WTF_CSRF_ENABLED"] = True


def _to_secretariat(client: FlaskClient, people: People, key: str, business_key: str
                    ) -> dict[str, Any]:
    """sub_a starts and proposes: the secretariat (sec1, sec2) get "Thẩm định"."""
    r = start(client, people["sub_a"], key, business_key=business_key)
    assert r.status_code == 201, r.get_json()
    r = complete(client, people["sub_a"], one_task(r.get_json(), "propose")["id"])
    assert r.status_code == 200, r.get_json()
    body: dict[str, Any] = r.get_json()
    return body


def _signed_in(app: Flask, username: str) -> FlaskClient:
    client = app.test_client()
    login(client, username)
    return client


def _main(html: str) -> str:
    """The page's content, without the bell's list of the latest in the navigation."""
    return html[html.index('<main'):]


def _notes(client: FlaskClient, headers: Headers, **query: Any) -> dict[str, Any]:
    r = client.get(f"{API}/notifications", headers=headers, query_string=query)
    assert r.status_code == 200, r.get_json()
    body: dict[str, Any] = r.get_json()
    return body


def test_the_bell_shows_the_unread_count_and_the_latest(
        app: Flask, client: FlaskClient, people: People, two_lane: str) -> None:
    _to_secretariat(client, people, two_lane, "HS-BELL-1")
    html = _signed_in(app, "sec1").get("/").get_data(as_text=True)
    assert 'aria-label="Thông báo: 1 chưa đọc"' in html
    assert "Công việc mới: Thẩm định" in html and "HS-BELL-1" in html
    assert 'href="/notifications"' in html
    # the starter proposed it themselves: nothing for them, the bell says 0
    html = _signed_in(app, "sub_a").get("/").get_data(as_text=True)
    assert 'aria-label="Thông báo: 0 chưa đọc"' in html and "Chưa có thông báo nào." in html


def test_opening_one_marks_it_read_and_goes_to_its_task_then_its_instance(
        app: Flask, client: FlaskClient, people: People, two_lane: str) -> None:
    inst = _to_secretariat(client, people, two_lane, "HS-OPEN-1")
    task_id = one_task(inst, "appraise")["id"]
    note = _notes(client, people["sec1"])["items"][0]
    sec1 = _signed_in(app, "sec1")
    token = csrf_token(sec1, "/notifications")
    r = sec1.post(f"/notifications/{note['id']}/open", data={"csrf_token": token})
    assert r.status_code == 302 and r.headers["Location"].endswith(f"/tasks/{task_id}")
    assert _notes(client, people["sec1"])["unread"] == 0
    assert _notes(client, people["sec2"])["unread"] == 1  # sec2's own stays unread

    complete(client, people["sec2"], task_id, {"decision": "approve"})
    theirs = _notes(client, people["sec2"])["items"][0]
    sec2 = _signed_in(app, "sec2")
    r = sec2.post(f"/notifications/{theirs['id']}/open",
                  data={"csrf_token": csrf_token(sec2, "/notifications")})
    assert r.status_code == 302
    assert r.headers["Location"].endswith(f"/instances/{inst['id']}")


def test_another_persons_notification_is_404_and_stays_unread(
        app: Flask, client: FlaskClient, people: People, two_lane: str) -> None:
    _to_secretariat(client, people, two_lane, "HS-404")
    note = _notes(client, people["sec1"])["items"][0]
    sub_b = _signed_in(app, "sub_b")
    r = sub_b.post(f"/notifications/{note['id']}/open",
                   data={"csrf_token": csrf_token(sub_b, "/notifications")})
    assert r.status_code == 404
    assert_error(client.post(f"{API}/notifications/{note['id']}/read",
                             headers=people["sub_b"]), 404, "notification.not_found")
    assert _notes(client, people["sec1"])["unread"] == 1


def test_opening_without_csrf_is_refused(app: Flask, client: FlaskClient, people: People,
                                         two_lane: str) -> None:
    _to_secretariat(client, people, two_lane, "HS-CSRF")
    note = _notes(client, people["sec1"])["items"][0]
    r = _signed_in(app, "sec1").post(f"/notifications/{note['id']}/open")
    assert r.status_code == 400
    assert _notes(client, people["sec1"])["unread"] == 1


def test_the_page_lists_pages_filters_unread_and_marks_all_read(
        monkeypatch: pytest.MonkeyPatch, app: Flask, client: FlaskClient, people: People,
        two_lane: str) -> None:
    monkeypatch.setattr(webapp.notifications_pages, "PER_PAGE", 2)
    for n in range(3):
        _to_secretariat(client, people, two_lane, f"HS-LIST-{n}")
    sec1 = _signed_in(app, "sec1")
    html = _main(sec1.get("/notifications").get_data(as_text=True))
    assert "3 thông báo · 3 chưa đọc" in html
    assert "HS-LIST-2" in html and "HS-LIST-1" in html and "HS-LIST-0" not in html
    assert 'href="/notifications?page=2"' in html
    assert "HS-LIST-0" in sec1.get("/notifications?page=2").get_data(as_text=True)

    first = _notes(client, people["sec1"])["items"][0]
    client.post(f"{API}/notifications/{first['id']}/read", headers=people["sec1"])
    html = _main(sec1.get("/notifications?unread=1").get_data(as_text=True))
    assert "HS-LIST-2" not in html and "HS-LIST-1" in html
    assert 'href="/notifications?unread=1&amp;page=2"' not in html  # 2 unread: one page

    r = sec1.post("/notifications/read-all",
                  data={"csrf_token": csrf_token(sec1, "/notifications")})
    assert r.status_code == 302 and r.headers["Location"].endswith("/notifications")
    html = sec1.get("/notifications").get_data(as_text=True)
    assert "3 thông báo · 0 chưa đọc" in html and "Đánh dấu tất cả đã đọc" not in html
    assert _notes(client, people["sec2"])["unread"] == 3


def test_api_lists_marks_one_and_all(client: FlaskClient, people: People,
                                     two_lane: str) -> None:
    inst = _to_secretariat(client, people, two_lane, "HS-API")
    body = _notes(client, people["sec1"], per_page=10)
    assert body["total"] == 1 and body["unread"] == 1 and body["page"] == 1
    note = body["items"][0]
    assert note["kind"] == "task.new" and note["instance_id"] == inst["id"]
    assert note["task_open"] is True and note["business_key"] == "HS-API"
    r = client.post(f"{API}/notifications/{note['id']}/read", headers=people["sec1"])
    assert r.status_code == 200 and r.get_json()["read_at"]
    assert _notes(client, people["sec1"], unread="true")["items"] == []
    r = client.post(f"{API}/notifications/read-all", headers=people["sec2"])
    assert r.get_json() == {"marked": 1, "unread": 0}
    assert_error(client.get(f"{API}/notifications"), 401, "auth.required")
    assert_error(client.get(f"{API}/notifications", headers=people["sec1"],
                            query_string={"per_page": 0}), 422)


def test_the_navigation_counts_ready_tasks_per_step(
        app: Flask, client: FlaskClient, people: People, two_lane: str) -> None:
    for n in range(2):
        _to_secretariat(client, people, two_lane, f"HS-NAV-{n}")
    start(client, people["sub_a"], two_lane, business_key="HS-NAV-P")
    html = _signed_in(app, "sec1").get("/notifications").get_data(as_text=True)
    nav = html[html.index('class="nav-item tdkt-nav-inbox"'):html.index("</details>",
                                                                     html.index("tdkt-nav-inbox"))]
    assert re.search(r"tdkt-count\">2<span class=\"visually-hidden\"> việc đang chờ", nav)
    assert 'href="/?step=Th%E1%BA%A9m+%C4%91%E1%BB%8Bnh"' in nav and "Thẩm định" in nav
    assert "Đề nghị" not in nav  # the unit's step is not the secretariat's
    html = _signed_in(app, "sub_a").get("/").get_data(as_text=True)
    assert re.search(r"tdkt-count\">1<", html)
    html = _signed_in(app, "council1").get("/").get_data(as_text=True)
    assert re.search(r"tdkt-count\">0<", html) and "Số việc theo bước" not in html


def test_the_api_is_documented(client: FlaskClient) -> None:
    paths = client.get(f"{API}/openapi.json").get_json()["paths"]
    assert {"/api/v1/notifications", "/api/v1/notifications/{notification_id}/read",
            "/api/v1/notifications/read-all"} <= set(paths)


def test_the_counts_are_asked_once_per_page(monkeypatch: pytest.MonkeyPatch, app: Flask,
                                            client: FlaskClient, people: People,
                                            two_lane: str) -> None:
    _to_secretariat(client, people, two_lane, "HS-ONCE")
    engine = app.extensions["tdkt"].engine
    calls: list[str] = []
    real = engine.inbox_counts

    def counted(*args: Any, **kwargs: Any) -> list[tuple[str, int]]:
        calls.append("inbox_counts")
        return real(*args, **kwargs)

    monkeypatch.setattr(engine, "inbox_counts", counted)
    sec1 = _signed_in(app, "sec1")
    for path in ("/", "/notifications", "/?step=Th%E1%BA%A9m+%C4%91%E1%BB%8Bnh"):
        calls.clear()
        assert "tdkt-count\">1<" in sec1.get(path).get_data(as_text=True)
        assert len(calls) == (2 if "step" in path else 1), path  # filtered: page + nav


def test_the_bell_s_json_follows_a_colleague_claiming_the_task(
        app: Flask, client: FlaskClient, people: People, two_lane: str) -> None:
    inst = _to_secretariat(client, people, two_lane, "HS-POLL")
    sec1 = _signed_in(app, "sec1")
    before = sec1.get("/notifications/bell.json").get_json()
    assert before["unread"] == 1 and before["label"] == "Thông báo: 1 chưa đọc"
    [note] = before["latest"]
    assert note["title"] == "Công việc mới: Thẩm định" and note["unread"] is True
    assert note["meta"].startswith("HS-POLL · ") and note["open"] == \
        f"/notifications/{note['id']}/open"
    sec2 = _signed_in(app, "sec2")
    r = sec2.post(f"/tasks/{one_task(inst, 'appraise')['id']}/claim",
                  data={"csrf_token": csrf_token(sec2, "/")})
    assert r.status_code == 302
    after = sec1.get("/notifications/bell.json").get_json()
    assert after["unread"] == 0 and after["latest"][0]["unread"] is False
    assert sec2.get("/notifications/bell.json").get_json()["unread"] == 1  # theirs to do
    english = sec1.get("/notifications/bell.json?lang=en").get_json()
    assert english["label"] == "Notifications: 0 unread"
    assert app.test_client().get("/notifications/bell.json").status_code == 302  # signed out


def test_titles_are_said_in_the_readers_language_when_shown(
        app: Flask, client: FlaskClient, people: People, two_lane: str) -> None:
    _to_secretariat(client, people, two_lane, "HS-LANG")
    sec1 = _signed_in(app, "sec1")
    english = sec1.get("/notifications/bell.json?lang=en").get_json()
    assert english["latest"][0]["title"].startswith("New task: ")
    html = sec1.get("/notifications").get_data(as_text=True)  # the switch stays on
    assert "New task: " in _main(html) and "Công việc mới" not in _main(html)
    vietnamese = sec1.get("/notifications/bell.json?lang=vi").get_json()
    assert vietnamese["latest"][0]["title"] == "Công việc mới: Thẩm định"
    stored = _notes(client, people["sec1"])["items"][0]  # the row itself is unchanged
    assert stored["title"] == "Công việc mới: Thẩm định"


def test_a_title_that_follows_no_template_is_shown_as_stored(app: Flask) -> None:
    with app.test_request_context("/?lang=en"):
        shown = webapp.notifications_pages.readable_title
        assert shown("task.new", "Một tiêu đề cũ") == "Một tiêu đề cũ"
        assert shown("diagram.kind", "Bước riêng") == "Bước riêng"
