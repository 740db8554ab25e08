"""Comments on a dossier from the instance page and the task page (webapp/comments_view.py).

A comment goes into the timeline (and the task page's history) with its author, the step
the dossier was at and the time; it is audited; the form is CSRF-protected, takes at most
2000 characters and answers in Vietnamese beside the text area, keeping what was typed.
Whoever may not see the dossier gets 404; an internal note stays in the office.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from api_kit import Headers, complete, one_task, start
from flask import Flask
from flask.testing import FlaskClient
from test_pages_auth import csrf_token, login

People = dict[str, Headers]


@pytest.fixture(autouse=True)
def _csrf_on(app: Flask) -> None:
    app.config["WTF_CSRF_ENABLED"] = True


def _signed_in(app: Flask, username: str) -> FlaskClient:
    client = app.test_client()
    assert login(client, username).status_code == 302
    return client


def _at_appraisal(client: FlaskClient, people: People, key: str) -> dict[str, Any]:
    """An instance of unit A proposed and waiting at the secretariat's appraisal."""
    inst = start(client, people["sub_a"], key, business_key="HS-CMT-1").get_json()
    r = complete(client, people["sub_a"], one_task(inst, "propose")["id"])
    assert r.status_code == 200, r.get_json()
    after: dict[str, Any] = r.get_json()
    return after


def _post(page: FlaskClient, path: str, **form: Any) -> Any:
    return page.post(path, data={"csrf_token": csrf_token(page, "/"), **form})


def _events(client: FlaskClient, people: People, instance_id: int) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = client.get(
        f"/api/v1/instances/{instance_id}/history?per_page=100",
        headers=people["sec1"]).get_json()["items"]
    return [e for e in items if e["type"] == "comment.added"]


def _timeline(html: str) -> str:
    return html[html.index('id="timeline-title"'):html.index('id="files-title"')]


def test_a_comment_from_the_instance_page_goes_into_the_timeline(
        app: Flask, client: FlaskClient, people: People, two_lane: str) -> None:
    inst = _at_appraisal(client, people, two_lane)
    page = _signed_in(app, "sub_a")
    r = _post(page, f"/instances/{inst['id']}/comments",
              text="Đơn vị gửi bổ sung\nbản gốc qua bưu điện.")
    assert r.status_code == 302 and r.location == f"/instances/{inst['id']}#timeline-title"
    html = page.get(f"/instances/{inst['id']}").get_data(as_text=True)
    assert "Đã gửi ý kiến vào hồ sơ." in html
    timeline = _timeline(html)
    assert "Cho ý kiến" in timeline and "Đơn vị gửi bổ sung\nbản gốc qua bưu điện." in timeline
    assert "sub_a" in timeline  # who (the user's name, here the username)
    [event] = _events(client, people, inst["id"])
    assert event["actor"] == "sub_a" and event["payload"]["steps"] == ["Thẩm định"]
    assert event["payload"]["internal"] is False


def test_the_task_page_takes_a_comment_without_completing_the_task(
        app: Flask, client: FlaskClient, people: People, two_lane: str) -> None:
    inst = _at_appraisal(client, people, two_lane)
    task_id = one_task(inst, "appraise")["id"]
    page = _signed_in(app, "sec1")
    r = _post(page, f"/tasks/{task_id}/comments", text="Chờ đơn vị xác nhận số liệu.")
    assert r.status_code == 302 and r.location == f"/tasks/{task_id}#comments-title"
    html = page.get(f"/tasks/{task_id}").get_data(as_text=True)
    history = html[html.index('id="comments-title"'):]
    assert "Chờ đơn vị xác nhận số liệu." in history and "Thẩm định" in history
    after = client.get(f"/api/v1/instances/{inst['id']}", headers=people["sec1"]).get_json()
    assert [t["name"] for t in after["tasks"]] == ["appraise"]  # still to do
    assert "comment" not in after["data"]  # a comment is not the step's answer


@pytest.mark.parametrize(("text", "message"), [
    ("   ", "Vui lòng nhập nội dung ý kiến."),
    ("ý" * 2001, "Ý kiến không được quá 2000 ký tự (hiện có 2001 ký tự)."),
])
def test_a_bad_comment_is_refused_beside_the_box_keeping_the_text(
        app: Flask, client: FlaskClient, people: People, two_lane: str, text: str,
        message: str) -> None:
    inst = _at_appraisal(client, people, two_lane)
    task_id = one_task(inst, "appraise")["id"]
    page = _signed_in(app, "sec1")
    for path in (f"/instances/{inst['id']}/comments", f"/tasks/{task_id}/comments"):
        r = _post(page, path, text=text)
        html = r.get_data(as_text=True)
        assert r.status_code == 422, path
        assert f'<div class="invalid-feedback d-block" id="comment-error">{message}</div>' \
            in html
        assert 'aria-invalid="true"' in html and 'maxlength="2000"' in html
        assert re.search(r'id="comment-text"[^>]*>' + re.escape(text) + "</textarea>", html,
                         re.S)
    assert _events(client, people, inst["id"]) == []


def test_a_comment_needs_the_forms_csrf_token(app: Flask, client: FlaskClient,
                                             people: People, two_lane: str) -> None:
    inst = _at_appraisal(client, people, two_lane)
    page = _signed_in(app, "sub_a")
    r = page.post(f"/instances/{inst['id']}/comments", data={"text": "Không có mã CSRF"})
    assert r.status_code == 400 and _events(client, people, inst["id"]) == []


def test_who_may_not_see_the_dossier_gets_404_and_writes_nothing(
        app: Flask, client: FlaskClient, people: People, two_lane: str) -> None:
    inst = _at_appraisal(client, people, two_lane)
    task_id = one_task(inst, "appraise")["id"]
    outsider = _signed_in(app, "sub_b")  # a submitter of another unit
    for path in (f"/instances/{inst['id']}/comments", f"/tasks/{task_id}/comments",
                 "/instances/999999/comments"):
        assert _post(outsider, path, text="Ý kiến lạ").status_code == 404, path
    assert _events(client, people, inst["id"]) == []
    anonymous = app.test_client()
    r = anonymous.post(f"/instances/{inst['id']}/comments", data={"text": "x"})
    assert r.status_code in (302, 400) and _events(client, people, inst["id"]) == []
    # a council member sees the dossier: may comment on it, not on another role's task page
    member = _signed_in(app, "council1")
    assert _post(member, f"/tasks/{task_id}/comments", text="x").status_code == 403
    assert _post(member, f"/instances/{inst['id']}/comments",
                 text="Hội đồng đã xem.").status_code == 302
    assert [e["actor"] for e in _events(client, people, inst["id"])] == ["council1"]


def test_an_internal_note_stays_in_the_office(app: Flask, client: FlaskClient,
                                             people: People, two_lane: str) -> None:
    inst = _at_appraisal(client, people, two_lane)
    path = f"/instances/{inst['id']}"
    office = _signed_in(app, "sec1")
    assert 'name="internal"' in office.get(path).get_data(as_text=True)
    assert _post(office, f"{path}/comments", text="Xếp loại 2024 cần kiểm tra lại.",
                 internal="1").status_code == 302
    assert "Xếp loại 2024 cần kiểm tra lại." in _timeline(office.get(path).get_data(True))
    unit = _signed_in(app, "sub_a")
    html = unit.get(path).get_data(as_text=True)
    assert "Xếp loại 2024" not in html and 'name="internal"' not in html
    r = _post(unit, f"{path}/comments", text="Ghi chú của đơn vị", internal="1")
    assert r.status_code == 422
    assert "Bạn không được ghi chú nội bộ trên hồ sơ này." in r.get_data(as_text=True)
    history = client.get(f"/api/v1/instances/{inst['id']}/history?per_page=100",
                         headers=people["sub_a"]).get_json()["items"]
    notes = [e["payload"] for e in history if e["type"] == "comment.added"]
    assert notes == [{"internal": True, "steps": ["Thẩm định"]}]  # not its words
