"""The instance page: diagram with the route taken, ready tasks, timeline, dossier, data."""

from __future__ import annotations

import io
import json
import re
from typing import Any

from api_kit import Headers, complete, one_task, start
from demo_kit import DemoOffice
from flask import Flask
from flask.testing import FlaskClient
from test_demo_procedures import adhoc_award_for_kt05
from test_pages_auth import login

from webapp.demo import DEMO_PASSWORD
from webapp.labels import INSTANCE_STATUS_LABELS

People = dict[str, Headers]


def _walked(client: FlaskClient, people: People, key: str) -> dict[str, Any]:
    """An instance of ``api_two_lane`` started by sub_a (unit A), proposed, now at appraise."""
    r = start(client, people["sub_a"], key, business_key="HS-A-7",
              data={"nominee_name": "Nguyễn Văn Á", "flags": {"x": 1}})
    assert r.status_code == 201, r.get_json()
    inst: dict[str, Any] = r.get_json()
    r = complete(client, people["sub_a"], one_task(inst, "propose")["id"])
    assert r.status_code == 200, r.get_json()
    after: dict[str, Any] = r.get_json()
    return after


def _signed_in(app: Flask, username: str, password: str | None = None) -> FlaskClient:
    client = app.test_client()
    r = login(client, username) if password is None else login(client, username, password)
    assert r.status_code == 302, r.get_data(as_text=True)
    return client


def _trail(html: str) -> dict[str, Any]:
    found = re.search(r'<script type="application/json" id="tdkt-trail">(.*?)</script>',
                      html, re.S)
    assert found, "the page embeds the trail for the diagram"
    data: dict[str, Any] = json.loads(found.group(1))
    return data


def test_the_page_shows_the_diagram_trail_tasks_timeline_and_data(
        app: Flask, client: FlaskClient, people: People, two_lane: str) -> None:
    inst = _walked(client, people, two_lane)
    r = _signed_in(app, "sub_a").get(f"/instances/{inst['id']}")
    assert r.status_code == 200
    html = r.get_data(as_text=True)
    assert _trail(html) == {"completed": ["start", "propose"], "current": ["appraise"],
                            "error": [], "flows": ["f1", "f2"]}
    assert f'data-xml-url="/instances/{inst["id"]}/diagram.xml"' in html
    assert "/static/dist/diagram.js" in html and "/static/dist/diagram.css" in html
    assert "Bước đã hoàn thành" in html and "Đường đi đã qua" in html  # the legend
    assert "Two lanes (API)" in html and "phiên bản 1" in html and "HS-A-7" in html
    assert "Unit A (A)" in html and "Đang xử lý" in html
    appraise = one_task(inst, "appraise")
    # the secretariat's step, which a unit cannot open: named, not linked (no 403 behind it)
    assert f'href="/tasks/{appraise["id"]}"' not in html
    assert '<span class="fw-semibold">Thẩm định</span>' in html
    assert _signed_in(app, "sub_a").get(f"/tasks/{appraise['id']}").status_code == 403
    assert "Phòng TCHCQT" in html and "Thường trực" not in html and "Hạn xử lý" in html
    assert "Khởi tạo hồ sơ" in html and "Hoàn thành bước «Đề nghị»" in html
    assert re.search(r"\d\d/\d\d/\d{4} \d\d:\d\d", html)  # dd/mm/yyyy HH:MM
    # data: named by the forms' labels; what has no plain text is folded as JSON
    assert "Tên cá nhân / tập thể được đề nghị" in html and "Nguyễn Văn Á" in html
    assert "<code>flags</code>" not in html  # keys no section names: not for a unit
    office = _signed_in(app, "sec1").get(f"/instances/{inst['id']}").get_data(as_text=True)
    assert "Chi tiết kỹ thuật (1 mục)" in office and "<code>flags</code>" in office
    assert f'href="/tasks/{appraise["id"]}" class="fw-semibold">Thẩm định</a>' in office
    council = _signed_in(app, "council1").get(f"/instances/{inst['id']}").get_data(True)
    assert "Thẩm định" in council and f'href="/tasks/{appraise["id"]}"' not in council
    claimed = client.post(f"/api/v1/tasks/{one_task(inst, 'appraise')['id']}/claim",
                          headers=people["sec1"])
    assert claimed.status_code == 200, claimed.get_json()
    html = _signed_in(app, "sub_a").get(f"/instances/{inst['id']}").get_data(as_text=True)
    assert "Nhận xử lý bước «Thẩm định»" in html  # the step's name, not its BPMN id


def test_english_switch(app: Flask, client: FlaskClient, people: People, two_lane: str) -> None:
    inst = _walked(client, people, two_lane)
    html = _signed_in(app, "sec1").get(f"/instances/{inst['id']}?lang=en").get_data(True)
    assert "Process diagram" in html and "Instance started" in html
    # the step's title too, where the English catalogue has it
    assert "Completed step «Nominations»" in html and "Khởi tạo hồ sơ" not in html


def test_visibility_is_the_apis(app: Flask, client: FlaskClient, people: People,
                                two_lane: str) -> None:
    inst = _walked(client, people, two_lane)
    page, xml = f"/instances/{inst['id']}", f"/instances/{inst['id']}/diagram.xml"
    r = client.get(page)
    assert r.status_code == 302 and r.location.startswith("/login")
    assert client.get(xml).status_code == 302
    other = _signed_in(app, "sub_b")
    assert other.get(page).status_code == 404
    assert other.get(xml).status_code == 404
    assert _signed_in(app, "sub_a").get("/instances/999999").status_code == 404
    for user in ("sec1", "council1"):
        assert _signed_in(app, user).get(page).status_code == 200


def test_the_diagram_xml_is_the_instances_version(
        app: Flask, client: FlaskClient, people: People, two_lane: str) -> None:
    inst = _walked(client, people, two_lane)
    r = _signed_in(app, "sub_a").get(f"/instances/{inst['id']}/diagram.xml")
    assert r.status_code == 200 and r.mimetype == "application/xml"
    body = r.get_data(as_text=True)
    assert 'id="api_two_lane"' in body and '<bpmn:sequenceFlow id="f2"' in body


def test_the_adhoc_award_trail_and_its_dossier_files(demo: DemoOffice) -> None:
    inst, _award = adhoc_award_for_kt05(demo)
    kt = _signed_in(demo.app, "donvi_kt", DEMO_PASSWORD)
    html = kt.get(f"/instances/{inst['id']}").get_data(as_text=True)
    trail = _trail(html)
    assert trail["current"] == [] and trail["error"] == []
    assert {"start", "propose", "list_dossier_gaps", "appraise", "gw_appraise",
            "check_nominee", "decide", "end_decided"} <= set(trail["completed"])
    assert not {"supplement", "mark_rejected", "end_rejected"} & set(trail["completed"])
    assert {"flow_start_propose", "flow_propose_dossier", "flow_appraise_approve"} <= set(
        trail["flows"])
    assert "flow_appraise_return" not in trail["flows"]
    assert "Đã kết thúc" in html and "Tờ trình đề nghị khen thưởng" in html

    links = re.findall(r'href="/attachments/(\d+)"', html)
    assert links, "the dossier files link to the page download route"
    r = kt.get(f"/attachments/{links[0]}")
    assert r.status_code == 200 and r.get_data().startswith(b"%PDF-1.4")
    assert "attachment" in r.headers["Content-Disposition"]
    outsider = _signed_in(demo.app, "donvi_vx", DEMO_PASSWORD)
    assert outsider.get(f"/attachments/{links[0]}").status_code == 404
    assert outsider.get(f"/instances/{inst['id']}").status_code == 404
    assert kt.get("/attachments/999999").status_code == 404


def _upload(client: FlaskClient, headers: Headers, instance_id: int, name: str,
            content: bytes) -> int:
    r = client.post(f"/api/v1/instances/{instance_id}/attachments", headers=headers,
                    data={"item": "to_trinh", "file": (io.BytesIO(content), name)})
    assert r.status_code == 201, r.get_json()
    attachment_id: int = r.get_json()["id"]
    return attachment_id


def test_every_version_of_a_file_is_listed_and_downloadable_by_those_allowed(
        app: Flask, client: FlaskClient, people: People, two_lane: str) -> None:
    inst = start(client, people["sub_a"], two_lane, business_key="HS-A-9").get_json()
    first = _upload(client, people["sub_a"], inst["id"], "to-trinh.pdf", b"%PDF-1.4 v1")
    second = _upload(client, people["sub_a"], inst["id"], "to-trinh-ky.pdf", b"%PDF-1.4 v2")
    unit = _signed_in(app, "sub_a")
    html = unit.get(f"/instances/{inst['id']}").get_data(as_text=True)
    files = html[html.index('id="files-title"'):html.index('id="data-title"')]
    rows = re.findall(r'<tr class="([^"]*)">(.*?)</tr>', files, re.S)
    assert len(rows) == 2  # both versions, the newest first
    (new_class, new_row), (old_class, old_row) = rows
    assert f'href="/attachments/{second}">to-trinh-ky.pdf' in new_row and "hiện hành" in new_row
    assert f'href="/attachments/{first}">to-trinh.pdf' in old_row and "(cũ)" in old_row
    assert "tdkt-old-version" in old_class and "tdkt-old-version" not in new_class
    for user in ("sub_a", "sec1", "council1"):
        page = unit if user == "sub_a" else _signed_in(app, user)
        for attachment_id, body in ((first, b"%PDF-1.4 v1"), (second, b"%PDF-1.4 v2")):
            r = page.get(f"/attachments/{attachment_id}")
            assert r.status_code == 200 and r.get_data() == body, (user, attachment_id)
    outsider = _signed_in(app, "sub_b")
    assert outsider.get(f"/attachments/{first}").status_code == 404
    assert outsider.get(f"/attachments/{second}").status_code == 404


def test_the_breadcrumb_and_the_status_speak_the_pages_language(
        app: Flask, client: FlaskClient, people: People, two_lane: str) -> None:
    inst = _walked(client, people, two_lane)
    page = _signed_in(app, "sub_a")
    html = page.get(f"/instances/{inst['id']}").get_data(as_text=True)
    assert '<nav aria-label="Đường dẫn">' in html and 'aria-label="breadcrumb"' not in html
    english = page.get(f"/instances/{inst['id']}?lang=en").get_data(as_text=True)
    assert '<nav aria-label="Breadcrumb">' in english and ">Running</span>" in english
    r = client.post(f"/api/v1/instances/{inst['id']}/cancel", headers=people["admin1"],
                    json={"reason": "Nhập trùng"})
    assert r.status_code == 200, r.get_json()
    html = page.get(f"/instances/{inst['id']}?lang=vi").get_data(as_text=True)
    assert f">{INSTANCE_STATUS_LABELS['cancelled'][0]}</span>" in html  # as on /nominations
    assert ">Đã hủy</span>" in html
