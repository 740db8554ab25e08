"""The task page: a form rendered from the task's schema, completing, claiming, access rules."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from api_kit import Headers, one_task, start
from demo_kit import DemoOffice, make_demo_office
from flask import Flask
from flask.testing import FlaskClient
from test_demo_procedures import file_dossier
from test_pages_auth import csrf_token, login

from webapp.demo import DEMO_PASSWORD
from workflows.models import AwardType

People = dict[str, Headers]


@pytest.fixture(autouse=True)
def _csrf_on(app: Flask) -> None:
    app.config["WTF_CSRF_ENABLED"] = True


@pytest.fixture
def demo(db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
         ) -> Iterator[DemoOffice]:
    office = make_demo_office(db_url, tmp_path, monkeypatch)
    office.app.config["WTF_CSRF_ENABLED"] = True
    yield office
    office.app.extensions["tdkt"].db.dispose()


def _signed_in(app: Flask, username: str, password: str | None = None) -> FlaskClient:
    client = app.test_client()
    r = login(client, username) if password is None else login(client, username, password)
    assert r.status_code == 302, r.get_data(as_text=True)
    return client


def _post(client: FlaskClient, path: str, **form: Any) -> Any:
    return client.post(path, data={"csrf_token": csrf_token(client, "/"), **form})


def _appraise_task(client: FlaskClient, people: People, two_lane: str,
                   key: str = "HS-A-1") -> tuple[int, str]:
    """An instance of unit A waiting at the secretariat's decision; (instance id, task id)."""
    inst = start(client, people["sub_a"], two_lane, business_key=key).get_json()
    r = client.post(f"/api/v1/tasks/{one_task(inst, 'propose')['id']}/complete",
                    headers=people["sub_a"], json={})
    return inst["id"], one_task(r.get_json(), "appraise")["id"]


def _instance(client: FlaskClient, people: People, instance_id: int) -> dict[str, Any]:
    body: dict[str, Any] = client.get(f"/api/v1/instances/{instance_id}",
                                      headers=people["sec1"]).get_json()
    return body


def test_a_decision_form_shows_one_button_per_choice_and_the_context(
        app: Flask, client: FlaskClient, people: People, two_lane: str) -> None:
    instance_id, task_id = _appraise_task(client, people, two_lane)
    r = _signed_in(app, "sec1").get(f"/tasks/{task_id}")
    html = r.get_data(as_text=True)
    assert r.status_code == 200
    assert "Thẩm định" in html and "Two lanes (API)" in html and "Còn 10 ngày làm việc" in html
    for value, text in (("approve", "Đồng ý"), ("return", "Trả lại bổ sung"),
                        ("reject", "Không đồng ý")):
        assert f'name="decision" value="{value}"' in html and f">{text}</button>" in html
    assert "<select" not in html and 'for="f-comment"' in html and 'id="f-comment"' in html
    assert "Trường bắt buộc" not in html  # a comment and buttons: no field is required
    assert "HS-A-1" in html and f'href="/instances/{instance_id}"' in html
    assert html.count('name="csrf_token"') >= 3  # logout, claim, the form


def test_a_task_without_a_form_key_offers_an_optional_comment(
        app: Flask, client: FlaskClient, people: People, two_lane: str) -> None:
    inst = start(client, people["sub_a"], two_lane, business_key="HS-A-2").get_json()
    task_id = one_task(inst, "propose")["id"]
    page = _signed_in(app, "sub_a")
    html = page.get(f"/tasks/{task_id}").get_data(as_text=True)
    assert "Ý kiến (không bắt buộc)" in html and "Hoàn thành</button>" in html
    assert "Trường bắt buộc" not in html
    r = _post(page, f"/tasks/{task_id}", comment="Gửi hồ sơ")
    assert r.status_code == 302 and r.location == "/"
    assert "Đã hoàn thành: Đề nghị" in page.get("/").get_data(as_text=True)
    after = _instance(client, people, inst["id"])
    assert after["data"]["comment"] == "Gửi hồ sơ"
    assert [t["name"] for t in after["tasks"]] == ["appraise"]


def test_completing_moves_the_task_on_and_a_second_submit_is_told_it_is_done(
        app: Flask, client: FlaskClient, people: People, two_lane: str) -> None:
    instance_id, task_id = _appraise_task(client, people, two_lane)
    page = _signed_in(app, "sec1")
    r = _post(page, f"/tasks/{task_id}", decision="return", comment="Thiếu bản tóm tắt")
    assert r.status_code == 302 and r.location == "/"
    after = _instance(client, people, instance_id)
    assert after["data"]["decision"] == "return"
    assert [t["name"] for t in after["tasks"]] == ["propose"]  # back to the submitter

    again = _post(page, f"/tasks/{task_id}", decision="approve")
    assert again.status_code == 302 and again.location == "/"
    assert "Công việc đã được người khác hoàn thành" in page.get("/").get_data(as_text=True)
    assert [t["name"] for t in _instance(client, people, instance_id)["tasks"]] == ["propose"]


def test_another_units_task_is_404_and_another_roles_task_is_403(
        app: Flask, client: FlaskClient, people: People, two_lane: str) -> None:
    _, task_id = _appraise_task(client, people, two_lane)
    outsider = _signed_in(app, "sub_b")
    for r in (outsider.get(f"/tasks/{task_id}"),
              _post(outsider, f"/tasks/{task_id}", decision="approve")):
        assert r.status_code == 404 and "Không tìm thấy công việc." in r.get_data(as_text=True)
    for name in ("council1", "sub_a"):
        member = _signed_in(app, name)
        for r in (member.get(f"/tasks/{task_id}"),
                  _post(member, f"/tasks/{task_id}", decision="approve")):
            assert r.status_code == 403, name
            assert "không thuộc vai trò hoặc đơn vị của bạn" in r.get_data(as_text=True)
    assert _signed_in(app, "sec1").get("/tasks/no-such-task").status_code == 404


def test_claim_then_release(
        app: Flask, client: FlaskClient, people: People, two_lane: str) -> None:
    _, task_id = _appraise_task(client, people, two_lane)
    sec1, sec2 = _signed_in(app, "sec1"), _signed_in(app, "sec2")
    assert "Nhận xử lý</button>" in sec1.get(f"/tasks/{task_id}").get_data(as_text=True)
    r = _post(sec1, f"/tasks/{task_id}/claim")
    assert r.status_code == 302 and r.location == f"/tasks/{task_id}"
    html = sec1.get(f"/tasks/{task_id}").get_data(as_text=True)
    assert "Bạn đã nhận công việc này." in html and "Người nhận xử lý: sec1" in html
    assert "Bỏ nhận công việc</button>" in html
    other = sec2.get(f"/tasks/{task_id}").get_data(as_text=True)
    assert "Công việc đã được người khác nhận xử lý." in other
    assert 'name="decision"' not in other
    assert _post(sec2, f"/tasks/{task_id}", decision="approve").status_code == 403

    r = _post(sec1, f"/tasks/{task_id}/release")
    assert r.status_code == 302
    html = sec1.get(f"/tasks/{task_id}").get_data(as_text=True)
    assert "Bạn đã trả lại công việc này." in html and "Chưa ai nhận xử lý" in html
    assert 'name="decision"' in sec2.get(f"/tasks/{task_id}").get_data(as_text=True)


def test_posting_without_the_csrf_token_is_refused(
        app: Flask, client: FlaskClient, people: People, two_lane: str) -> None:
    instance_id, task_id = _appraise_task(client, people, two_lane)
    page = _signed_in(app, "sec1")
    assert page.post(f"/tasks/{task_id}", data={"decision": "approve"}).status_code == 400
    assert [t["name"] for t in _instance(client, people, instance_id)["tasks"]] == ["appraise"]


def _demo_task(demo: DemoOffice, key: str, business_key: str, name: str) -> str:
    inst = demo.start("donvi_kt", key, business_key)
    return str(one_task(inst, name)["id"])


def test_the_adhoc_proposal_form_and_its_errors_in_vietnamese(demo: DemoOffice) -> None:
    task_id = _demo_task(demo, "adhoc_award", "DX-2026-T1", "propose")
    page = _signed_in(demo.app, "donvi_kt", DEMO_PASSWORD)
    html = page.get(f"/tasks/{task_id}").get_data(as_text=True)
    for label in ("Tên cá nhân / tập thể được đề nghị", "Hình thức khen thưởng",
                  "Tóm tắt thành tích", "Ngày lập thành tích", "Giấy khen của Chánh Văn phòng"):
        assert label in html
    assert 'placeholder="dd/mm/yyyy"' in html and '<textarea class="form-control"' in html
    assert 'type="radio"' in html  # two or three choices

    r = _post(page, f"/tasks/{task_id}", nominee_name="Hoàng Minh Tuấn", award_code="GK",
              subject_kind="individual", deed_summary="ngắn", deed_date="31/02/2026")
    html = r.get_data(as_text=True)
    assert r.status_code == 422
    assert 'value="Hoàng Minh Tuấn"' in html and ">ngắn</textarea>" in html
    assert 'value="31/02/2026"' in html
    assert 'aria-describedby="f-deed_summary-help f-deed_summary-error"' in html
    assert 'id="f-deed_summary-error"' in html and "ký tự" in html  # Vietnamese length message
    assert 'id="f-deed_date-error"' in html and "Not a valid" not in html
    assert [t["name"] for t in demo.inbox("donvi_kt") if t["id"] == task_id] == ["propose"]

    instance_id = next(t["instance_id"] for t in demo.inbox("donvi_kt") if t["id"] == task_id)
    file_dossier(demo, {"id": instance_id}, "donvi_kt", "GK", simplified=True)
    r = _post(page, f"/tasks/{task_id}", nominee_name="Hoàng Minh Tuấn", award_code="GK",
              subject_kind="individual", deed_date="02/10/2026",
              deed_summary="Phát hiện, ngăn chặn kịp thời sai sót trong hồ sơ thanh toán.")
    assert r.status_code == 302, r.get_data(as_text=True)
    inst = demo.ok(demo.get("thuky", f"/instances/{demo.inbox('thuky')[0]['instance_id']}"))
    assert inst["data"]["deed_date"] == "2026-10-02"


def test_the_nomination_proposal_form(demo: DemoOffice) -> None:
    task_id = _demo_task(demo, "annual_title_nomination", "CN-2026-T1", "propose")
    page = _signed_in(demo.app, "donvi_kt", DEMO_PASSWORD)
    html = page.get(f"/tasks/{task_id}").get_data(as_text=True)
    for label in ("Năm xét khen thưởng", "Danh hiệu / hình thức khen thưởng",
                  "Cá nhân / tập thể được đề nghị", "Phong trào thi đua (nếu có)",
                  "Chiến sĩ thi đua cơ sở", "KT01 — Trần Quốc Khánh", "KT — Phòng Kinh tế"):
        assert label in html
    assert "VX01" not in html  # only the unit's own people and the unit are offered
    assert 'id="required-note"' in html and "Trường bắt buộc" in html
    assert '<select class="form-select"' in html and 'type="number"' in html
    assert html.count('type="checkbox"') == 9 and 'name="subjects" value="KT02"' in html
    r = page.post(f"/tasks/{task_id}", data={
        "csrf_token": csrf_token(page, "/"), "year": "abc", "award_code": "LDTT",
        "subjects": ["KT01", "KT02"]})
    html = r.get_data(as_text=True)
    assert r.status_code == 422 and 'id="f-year-error"' in html and 'value="abc"' in html
    assert re.findall(r'value="(KT0\d)" checked', html) == ["KT01", "KT02"]


def test_a_refusal_about_the_decision_is_labelled_in_words_not_by_its_key(
        demo: DemoOffice) -> None:
    inst = demo.start("donvi_kt", "annual_title_nomination", "CN-2026-T2")
    file_dossier(demo, inst, "donvi_kt", "LDTT")
    inst = demo.step(inst, "propose", "submitter", "donvi_kt", {
        "year": 2026, "award_code": "LDTT", "subjects": ["KT04"]})
    with demo.app.extensions["tdkt"].db.session() as s:  # the catalogue asks more meanwhile
        award = s.get(AwardType, "LDTT")
        assert award is not None
        award.dossier_items = [*award.dossier_items, "tom_tat_thanh_tich"]
        s.commit()
    task_id = one_task(inst, "receive_appraise")["id"]
    for lang, label in (("vi", "Kết quả thẩm định: Hồ sơ chưa đủ thành phần"),
                        ("en", "Appraisal result: ")):
        page = _signed_in(demo.app, "thuky", DEMO_PASSWORD)
        page.get(f"/?lang={lang}")
        r = _post(page, f"/tasks/{task_id}", decision="approve")
        html = r.get_data(as_text=True)
        assert r.status_code == 422 and f"<li>{label}" in html
        assert "decision:" not in html
