"""The inbox page: each person sees the ready tasks of their role (and unit) only."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from api_kit import Headers, complete, one_task, start
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import update
from test_pages_auth import login

import webapp.inbox
from engine.store.models import HumanTask

People = dict[str, Headers]


@pytest.fixture(autouse=True)
def _csrf_on(app: Flask) -> None:
    app.config["WTF_CSRF_ENABLED"] = True


def _started(client: FlaskClient, headers: Headers, key: str, business_key: str,
             **data: object) -> dict[str, object]:
    r = start(client, headers, key, data=data, business_key=business_key)
    assert r.status_code == 201, r.get_json()
    body: dict[str, object] = r.get_json()
    return body


def _page(app: Flask, username: str, query: str = "") -> str:
    """The inbox of ``username``, signed in on a client of their own."""
    client = app.test_client()
    login(client, username)
    r = client.get(f"/{query}")
    assert r.status_code == 200
    return r.get_data(as_text=True)


def test_a_submitter_sees_their_own_units_tasks_only(
        app: Flask, client: FlaskClient, people: People, two_lane: str) -> None:
    a = _started(client, people["sub_a"], two_lane, "HS-A-1", nominee_name="Nguyễn Văn Á")
    b = _started(client, people["sub_b"], two_lane, "HS-B-1")
    html = _page(app, "sub_a")
    assert "Nguyễn Văn Á" in html and f'href="/instances/{a["id"]}"' in html
    assert "Two lanes (API)" in html and "Đề nghị" in html
    assert "HS-B-1" not in html and f'/instances/{b["id"]}"' not in html
    assert "Không có hạn" in html


def test_the_secretariat_sees_due_dates_in_working_days(
        app: Flask, client: FlaskClient, people: People, two_lane: str) -> None:
    inst = _started(client, people["sub_a"], two_lane, "HS-A-2")
    propose = one_task(inst, "propose")  # type: ignore[arg-type]
    assert complete(client, people["sub_a"], propose["id"]).status_code == 200
    html = _page(app, "sec1")
    assert "HS-A-2" in html and "Thẩm định" in html
    assert "Còn 10 ngày làm việc" in html and "tdkt-late" not in html
    assert "HS-A-2" not in _page(app, "sub_b")

    # a deadline a week ago shows late, in red, as dd/mm/yyyy in Vietnam's time zone
    past = datetime.now(UTC) - timedelta(days=7)
    with app.extensions["tdkt"].db.write_session() as s:
        s.execute(update(HumanTask).where(HumanTask.name == "appraise").values(due_at=past))
        s.commit()
    html = _page(app, "sec1")
    local = past.astimezone(app.extensions["tdkt"].engine.calendar.tz)
    assert local.strftime("%d/%m/%Y") in html
    assert "tdkt-late" in html and "Quá hạn" in html


def test_filter_by_process_and_paging(monkeypatch: pytest.MonkeyPatch, client: FlaskClient,
                                      people: People, two_lane: str) -> None:
    login(client, "sub_a")
    monkeypatch.setattr(webapp.inbox, "PER_PAGE", 1)
    for n in (1, 2):
        _started(client, people["sub_a"], two_lane, f"HS-P-{n}")
    first = client.get(f"/?process={two_lane}").get_data(as_text=True)
    assert f'<option value="{two_lane}" selected>' in first
    assert 'aria-label="Phân trang"' in first and "2 việc đang chờ" in first
    second = client.get(f"/?process={two_lane}&page=2").get_data(as_text=True)
    shown = [k for k in ("HS-P-1", "HS-P-2") if k in first] + \
        [k for k in ("HS-P-1", "HS-P-2") if k in second]
    assert sorted(shown) == ["HS-P-1", "HS-P-2"]
    assert client.get("/?page=abc").status_code == 200


def test_an_empty_inbox_says_so_in_both_languages(client: FlaskClient,
                                                  people: People) -> None:
    login(client, "council1")
    assert "Không có công việc nào đang chờ bạn." in client.get("/").get_data(True)
    assert "No tasks are waiting for you." in client.get("/?lang=en").get_data(True)
