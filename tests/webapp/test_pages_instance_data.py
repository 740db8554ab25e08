"""The instance page shows the data a person of this role may see (workflows/visibility.py):
a submitter and the secretariat look at the same instance."""

from __future__ import annotations

from typing import Any

from api_kit import Headers, complete, one_task, start
from flask import Flask
from flask.testing import FlaskClient
from test_pages_auth import login

DATA = {
    "nominee_name": "Nguyễn Văn Á", "award_code": "CSTD_CS",
    "eligibility": {"eligible": True, "reasons": ["Ghi chú thẩm định nội bộ"]},
    "votes": [{"subject_code": "KT01", "agree": 7, "disagree": 2}],
    "complaints": [{"summary": "Kiến nghị của người dân"}], "scratch": "nháp-nội-bộ",
}


def _instance(client: FlaskClient, people: dict[str, Headers], key: str) -> dict[str, Any]:
    r = start(client, people["sub_a"], key, business_key="HS-VIS-1", data=DATA)
    assert r.status_code == 201, r.get_json()
    r = complete(client, people["sub_a"], one_task(r.get_json(), "propose")["id"])
    assert r.status_code == 200, r.get_json()
    r = complete(client, people["sec1"], one_task(r.get_json(), "appraise")["id"],
                 {"decision": "return", "comment": "Bổ sung biên bản họp bình xét"})
    assert r.status_code == 200, r.get_json()
    body: dict[str, Any] = r.get_json()
    return body


def _page(app: Flask, username: str, instance_id: int) -> str:
    client = app.test_client()
    login(client, username)
    return client.get(f"/instances/{instance_id}").get_data(as_text=True)


def _data_section(app: Flask, username: str, instance_id: int) -> str:
    html = _page(app, username, instance_id)
    return html[html.index('id="data-title"'):]


def _timeline(app: Flask, username: str, instance_id: int) -> str:
    html = _page(app, username, instance_id)
    return html[html.index('id="timeline-title"'):html.index('id="files-title"')]


def test_a_submitter_sees_their_dossier_and_the_comment_not_internal_notes_or_votes(
        app: Flask, client: FlaskClient, people: dict[str, Headers], two_lane: str) -> None:
    inst = _instance(client, people, two_lane)
    html = _data_section(app, "sub_a", inst["id"])
    assert "Hồ sơ đề nghị" in html and "Nguyễn Văn Á" in html
    assert "Chiến sĩ thi đua cơ sở" in html and "CSTD_CS" not in html  # the title's name
    # the secretariat's comment and decision are in the timeline, with who and which step
    timeline = _timeline(app, "sub_a", inst["id"])
    assert "Bổ sung biên bản họp bình xét" in timeline and "Trả lại bổ sung" in timeline
    for hidden in ("Ghi chú thẩm định nội bộ", "eligibility", "votes", "disagree",
                   "Kiến nghị của người dân", "nháp-nội-bộ", "Thẩm định nội bộ"):
        assert hidden not in html, hidden


def test_the_secretariat_sees_everything_on_the_same_instance(
        app: Flask, client: FlaskClient, people: dict[str, Headers], two_lane: str) -> None:
    inst = _instance(client, people, two_lane)
    html = _data_section(app, "sec1", inst["id"])
    for shown in ("Nguyễn Văn Á", "Thẩm định nội bộ",
                  "Ghi chú thẩm định nội bộ", "Hội đồng Thi đua - Khen thưởng",
                  "Số phiếu của từng đối tượng", "Kiến nghị của người dân", "Dữ liệu khác",
                  "nháp-nội-bộ"):
        assert shown in html, shown
    assert "Bổ sung biên bản họp bình xét" in _timeline(app, "sec1", inst["id"])
    council = _data_section(app, "council1", inst["id"])
    assert "Số phiếu của từng đối tượng" in council and "Ghi chú thẩm định nội bộ" in council
    assert "nháp-nội-bộ" not in council
