"""The inbox page: each person sees the ready tasks of their role (and unit) only."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from api_kit import Headers, complete, one_task, start
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import update
from test_demo_procedures import file_dossier
from test_pages_auth import login

import webapp.inbox
from engine.store.models import HumanTask
from workflows.models import Person

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
    """The inbox of ``username``, signed in on a client of their own (the page's content:
    the navigation's bell lists the latest notifications, which may name other dossiers)."""
    client = app.test_client()
    login(client, username)
    r = client.get(f"/{query}")
    assert r.status_code == 200
    html = r.get_data(as_text=True)
    return html[html.index("<main"):]


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
    assert f"process={two_lane}" in first.split('aria-label="Phân trang"')[1]  # filter kept
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


def _at_appraise(client: FlaskClient, people: People, key: str, who: str, business_key: str,
                 **data: object) -> dict[str, object]:
    inst = _started(client, people[who], key, business_key, **data)
    propose = one_task(inst, "propose")  # type: ignore[arg-type]
    r = complete(client, people[who], propose["id"])
    assert r.status_code == 200, r.get_json()
    body: dict[str, object] = r.get_json()
    return body


@pytest.fixture
def three(client: FlaskClient, people: People, two_lane: str) -> str:
    """Two dossiers of unit A and one of unit B at «Thẩm định», one of A at «Đề nghị»."""
    _at_appraise(client, people, two_lane, "sub_a", "HS-A-1", nominee_name="Nguyễn Văn Án")
    _at_appraise(client, people, two_lane, "sub_a", "HS-A-2", nominee_name="Lê Thị Bình")
    _at_appraise(client, people, two_lane, "sub_b", "HS-B-1", nominee_name="Phạm Văn Cường")
    _started(client, people["sub_a"], two_lane, "HS-A-3", nominee_name="Đỗ Thị Dung")
    return two_lane


NOMINEES = {"HS-A-1": "Nguyễn Văn Án", "HS-A-2": "Lê Thị Bình", "HS-A-3": "Đỗ Thị Dung",
            "HS-B-1": "Phạm Văn Cường"}


def _shown(html: str) -> list[str]:
    """The dossiers listed as rows (the subject cell holds the nominee's name)."""
    return sorted(k for k, name in NOMINEES.items()
                  if f'data-label="Đối tượng">{name}</td>' in html)


def test_counts_per_step_and_the_step_filter(app: Flask, three: str) -> None:
    html = _page(app, "sec1")
    assert "Thẩm định (3)" in html and "Đề nghị (" not in html
    assert _shown(html) == ["HS-A-1", "HS-A-2", "HS-B-1"]
    sub_a = _page(app, "sub_a")
    assert "Đề nghị (1)" in sub_a and "Thẩm định (" not in sub_a
    assert _shown(sub_a) == ["HS-A-3"]
    filtered = _page(app, "sec1", "?step=Th%E1%BA%A9m+%C4%91%E1%BB%8Bnh")
    assert '<option value="Thẩm định" selected>' in filtered
    assert _shown(filtered) == ["HS-A-1", "HS-A-2", "HS-B-1"]
    assert _shown(_page(app, "sec1", "?step=%C4%90%E1%BB%81+ngh%E1%BB%8B")) == []


def test_unit_and_year_filters(app: Flask, three: str) -> None:
    by_unit = _page(app, "sec1", "?unit=B")
    assert _shown(by_unit) == ["HS-B-1"] and "Thẩm định (1)" in by_unit
    assert '<option value="B" selected>' in by_unit
    # a unit's submitter has no unit list and cannot widen their inbox with ?unit=
    sub_a = _page(app, "sub_a", "?unit=B")
    assert 'id="unit"' not in sub_a and _shown(sub_a) == ["HS-A-3"]
    this_year = datetime.now(UTC).year
    assert _shown(_page(app, "sec1", f"?year={this_year}")) == ["HS-A-1", "HS-A-2", "HS-B-1"]
    with app.extensions["tdkt"].db.write_session() as s:
        s.execute(update(HumanTask).where(HumanTask.unit_code == "B")
                  .values(created_at=datetime(2020, 6, 1, tzinfo=UTC)))
        s.commit()
    old = _page(app, "sec1", "?year=2020")
    assert 'value="2020"' in old and _shown(old) == ["HS-B-1"]
    assert "năm xét khen thưởng của hồ sơ; hồ sơ chưa ghi năm xét thì theo năm tạo" in old
    assert _shown(_page(app, "sec1", "?year=abc")) == ["HS-A-1", "HS-A-2", "HS-B-1"]


def test_the_year_is_the_dossier_s_year_where_its_data_has_one(
        app: Flask, client: FlaskClient, people: People, two_lane: str) -> None:
    _at_appraise(client, people, two_lane, "sub_a", "HS-Y-1", nominee_name="Nguyễn Văn Án",
                 year=2019)
    _at_appraise(client, people, two_lane, "sub_a", "HS-Y-2", nominee_name="Lê Thị Bình")
    this_year = datetime.now(UTC).year
    assert _shown(_page(app, "sec1", "?year=2019")) == ["HS-A-1"]  # created this year
    assert _shown(_page(app, "sec1", f"?year={this_year}")) == ["HS-A-2"]


def test_an_office_role_sees_its_own_unit_s_work_as_a_view(
        app: Flask, client: FlaskClient, people: People, make_user: Any, three: str) -> None:
    make_user("sec_a", ("secretariat",), "A")
    everything = _page(app, "sec_a")
    assert _shown(everything) == ["HS-A-1", "HS-A-2", "HS-B-1"]
    assert '<option value="mine">Đơn vị của tôi (Unit A)</option>' in everything
    mine = _page(app, "sec_a", "?unit=mine")
    assert _shown(mine) == ["HS-A-1", "HS-A-2"] and "Thẩm định (2)" in mine
    assert '<option value="mine" selected>' in mine
    assert "unit=mine" in mine.split('aria-label="Số việc theo bước"')[1]  # kept by the steps
    # a person without a unit has no such choice, and ?unit=mine narrows nothing
    make_user("sec_none", ("secretariat",), None)
    assert 'value="mine"' not in _page(app, "sec_none")
    assert _shown(_page(app, "sec_none", "?unit=mine")) == ["HS-A-1", "HS-A-2", "HS-B-1"]


def test_search_by_nominee_name_and_business_key(app: Flask, three: str) -> None:
    assert _shown(_page(app, "sec1", "?q=V%C4%83n")) == ["HS-A-1", "HS-B-1"]
    by_name = _page(app, "sec1", "?q=l%C3%AA+th%E1%BB%8B")
    assert _shown(by_name) == ["HS-A-2"] and "Thẩm định (1)" in by_name
    assert _shown(_page(app, "sec1", "?q=hs-b")) == ["HS-B-1"]
    assert _shown(_page(app, "sec1", "?q=%25")) == []
    # another unit's tasks never appear, whatever is searched
    assert _shown(_page(app, "sub_a", "?q=HS-B-1")) == []
    assert _shown(_page(app, "sub_b", "?q=HS-A")) == []
    assert _shown(_page(app, "sub_b")) == []


def _form_action(html: str, kind: str) -> tuple[str, dict[str, str]]:
    match = re.search(rf'<form method="post" action="(/tasks/[^"]+/{kind})"[^>]*>\s*'
                      r'<input type="hidden" name="csrf_token" value="([^"]+)">\s*'
                      r'<input type="hidden" name="next" value="([^"]*)">', html)
    assert match, f"no {kind} form"
    return match[1], {"csrf_token": match[2], "next": match[3].replace("&amp;", "&")}


def test_claim_then_release_from_the_inbox(app: Flask, client: FlaskClient, people: People,
                                           two_lane: str) -> None:
    _at_appraise(client, people, two_lane, "sub_a", "HS-C-1")
    sec1 = app.test_client()
    login(sec1, "sec1")
    html = sec1.get("/?unit=A").get_data(as_text=True)
    action, form = _form_action(html, "claim")
    assert form["next"] == "/?unit=A"
    assert sec1.post(action, data={"next": form["next"]}).status_code == 400  # no CSRF token
    r = sec1.post(action, data=form)
    assert r.status_code == 302
    html = sec1.get("/?unit=A").get_data(as_text=True)
    assert "/claim" not in html and "Bỏ nhận" in html
    assert "HS-C-1" not in _page(app, "sec2")  # claimed by someone else
    action, form = _form_action(html, "release")
    assert sec1.post(action, data=form).status_code == 302
    html = sec1.get("/").get_data(as_text=True)
    assert "/claim" in html and "/release" not in html
    assert "HS-C-1" in _page(app, "sec2")
    english = sec1.get("/?lang=en").get_data(as_text=True)
    assert "the dossier's award year" in english and ">Claim<" in english


def test_claim_from_the_inbox_returns_to_the_filtered_inbox(
        app: Flask, client: FlaskClient, people: People, two_lane: str) -> None:
    _at_appraise(client, people, two_lane, "sub_a", "HS-C-2")
    sec1 = app.test_client()
    login(sec1, "sec1")
    action, form = _form_action(sec1.get("/?unit=A").get_data(as_text=True), "claim")
    assert sec1.post(action, data=form).location == "/?unit=A"


def test_the_inbox_links_the_step_to_its_form_and_names_the_proposals_subjects(
        db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from demo_kit import make_demo_office

    from webapp.demo import DEMO_PASSWORD

    office = make_demo_office(db_url, tmp_path, monkeypatch)
    try:
        inst = office.start("donvi_kt", "annual_title_nomination", "")
        file_dossier(office, inst, "donvi_kt", "LDTT")
        office.step(inst, "propose", "submitter", "donvi_kt", {
            "year": 2026, "award_code": "LDTT", "subjects": ["KT02", "KT04", "KT05", "KT06"],
            "summary": "Hoàn thành tốt nhiệm vụ."})
        client = office.app.test_client()
        assert login(client, "thuky", DEMO_PASSWORD).status_code == 302
        html = client.get("/").get_data(as_text=True)
        task = office.inbox("thuky", inst["id"])[0]
        assert f'href="/tasks/{task["id"]}"' in html and "Xem hồ sơ" in html
        with office.app.extensions["tdkt"].db.session() as s:
            names = [s.get(Person, c).full_name for c in ("KT02", "KT04", "KT05")]
        assert ", ".join(names) + " và 1 đối tượng khác" in html
    finally:
        office.app.extensions["tdkt"].db.dispose()


def test_search_finds_a_proposal_by_any_subject_s_name_or_code(
        db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The row names the first subjects; the search finds every one of them, by code or by
    name, with or without accents, in any case (on SQLite and PostgreSQL alike)."""
    from demo_kit import make_demo_office

    from webapp.demo import DEMO_PASSWORD

    office = make_demo_office(db_url, tmp_path, monkeypatch)
    try:
        one = office.start("donvi_kt", "annual_title_nomination", "DN-S-1")
        file_dossier(office, one, "donvi_kt", "LDTT")
        office.step(one, "propose", "submitter", "donvi_kt", {
            "year": 2026, "award_code": "LDTT", "subjects": ["KT04", "KT05", "KT06", "KT02"],
            "summary": "Hoàn thành tốt nhiệm vụ."})
        two = office.start("donvi_kt", "annual_title_nomination", "DN-S-2")
        file_dossier(office, two, "donvi_kt", "LDTT")
        office.step(two, "propose", "submitter", "donvi_kt", {
            "year": 2026, "award_code": "LDTT", "subjects": ["KT03"],
            "summary": "Hoàn thành tốt nhiệm vụ."})
        client = office.app.test_client()
        assert login(client, "thuky", DEMO_PASSWORD).status_code == 302

        def found(query: str) -> list[str]:
            html = client.get("/", query_string={"q": query}).get_data(as_text=True)
            return sorted(k for k, inst in (("DN-S-1", one), ("DN-S-2", two))
                          if f'/instances/{inst["id"]}"' in html)

        assert found("Nguyễn Thị Minh Hằng") == ["DN-S-1"]  # the 4th subject, not shown
        assert found("hang") == ["DN-S-1"] and found("HẰNG") == ["DN-S-1"]
        assert found("KT02") == ["DN-S-1"] and found("kt03") == ["DN-S-2"]
        assert found("phuc") == ["DN-S-2"] and found("dn-s") == ["DN-S-1", "DN-S-2"]
        assert found("minh hang kt05") == ["DN-S-1"] and found("hang phuc") == []
    finally:
        office.app.extensions["tdkt"].db.dispose()


def test_the_language_switch_keeps_the_filters(app: Flask, three: str) -> None:
    html = _page(app, "sec1", "?unit=B&q=c%C6%B0%E1%BB%9Dng&page=1")
    client = app.test_client()
    login(client, "sec1")
    full = client.get("/?unit=B&q=c%C6%B0%E1%BB%9Dng&page=1&lang=vi").get_data(as_text=True)
    assert 'href="/?unit=B&amp;q=c%C6%B0%E1%BB%9Dng&amp;page=1&amp;lang=en"' in full
    english = client.get("/?unit=B&q=c%C6%B0%E1%BB%9Dng&page=1&lang=en").get_data(as_text=True)
    assert 'href="/?unit=B&amp;q=c%C6%B0%E1%BB%9Dng&amp;page=1&amp;lang=vi"' in english
    assert _shown(html) == ["HS-B-1"] and "Phạm Văn Cường" in english
    login_page = app.test_client().get("/login?next=%2F%3Funit%3DB").get_data(as_text=True)
    assert 'href="/login?next=%2F%3Funit%3DB&amp;lang=en"' in login_page
