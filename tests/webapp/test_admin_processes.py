"""Admin pages of process models: list, export, modeler, drafts, validate, deploy, import,
diff, DMN tables; admins only (others 403, visitors to the login page)."""

from __future__ import annotations

import re
import shutil
from io import BytesIO
from pathlib import Path
from typing import Any

import pytest
from api_kit import Headers, complete, fixture_bytes, one_task, start
from flask import Flask
from flask.testing import FlaskClient
from test_pages_auth import login

from workflows.eligibility_dmn import load_table

People = dict[str, Headers]
BASE = "/admin/processes"
REPO_DMN = Path(__file__).resolve().parents[2] / "bpmn" / "dmn"
TWO_LANE = fixture_bytes("api_two_lane.bpmn")


@pytest.fixture(autouse=True)
def _csrf_on(app: Flask) -> None:
    """The editors' JSON calls carry the page's CSRF token: prove it is required."""
    app.config["WTF_CSRF_ENABLED"] = True


@pytest.fixture
def dmn_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the decision tables (deploys must leave it untouched)."""
    target = tmp_path / "bpmn" / "dmn"
    shutil.copytree(REPO_DMN, target)
    monkeypatch.setenv("TDKT_BPMN_DIR", str(tmp_path / "bpmn"))
    return target


def signed_in(app: Flask, username: str) -> FlaskClient:
    client = app.test_client()
    assert login(client, username).status_code == 302
    return client


def token_of(client: FlaskClient, path: str) -> str:
    html = client.get(path).get_data(as_text=True)
    found = re.search(r'data-csrf="([^"]+)"', html)
    assert found, html
    return found.group(1)


def send(client: FlaskClient, method: str, path: str, token: str, **body: Any) -> Any:
    return client.open(path, method=method, json=body, headers={"X-CSRFToken": token})


def test_non_admins_get_403_and_visitors_the_login_page(
        app: Flask, people: People, two_lane: str) -> None:
    sec = signed_in(app, "sec1")
    for path in (BASE, f"{BASE}/{two_lane}/v1", f"{BASE}/{two_lane}/v1.bpmn",
                 f"{BASE}/modeler-config.json", f"{BASE}/{two_lane}/diff",
                 f"{BASE}/dmn/CSTD_CS"):
        assert sec.get(path).status_code == 403, path
    app.config["WTF_CSRF_ENABLED"] = False  # past the CSRF check, the role check answers
    for method, path in (("POST", f"{BASE}/drafts"), ("PUT", f"{BASE}/drafts/1"),
                         ("POST", f"{BASE}/drafts/1/validate"),
                         ("POST", f"{BASE}/drafts/1/deploy")):
        r = sec.open(path, method=method, json={"xml": TWO_LANE.decode()})
        assert (r.status_code, r.get_json()["code"]) == (403, "forbidden"), path
    anonymous = app.test_client().get(BASE)
    assert anonymous.status_code == 302 and "/login" in anonymous.headers["Location"]


def test_list_shows_versions_with_who_when_checksum_and_instance_counts(
        app: Flask, client: FlaskClient, people: People, two_lane: str) -> None:
    first = start(client, people["sub_a"], two_lane).get_json()
    start(client, people["sub_a"], two_lane)
    complete(client, people["sub_a"], one_task(first, "propose")["id"])
    html = signed_in(app, "admin1").get(BASE).get_data(as_text=True)
    row = re.search(r"<tr>\s*<td>1</td>(.*?)</tr>", html, re.S)
    assert row, html
    cells = re.findall(r"<td[^>]*>(.*?)</td>", row.group(1), re.S)
    assert cells[0].strip() == "admin1"  # who deployed (full name, else username)
    assert re.fullmatch(r"\d\d/\d\d/\d{4} \d\d:\d\d", cells[1].strip())
    assert cells[3:5] == ["2", "0"]  # running, completed
    assert f'href="/admin/migrations?process={two_lane}"' in html


def test_export_is_the_deployed_file(app: Flask, people: People, two_lane: str) -> None:
    r = signed_in(app, "admin1").get(f"{BASE}/{two_lane}/v1.bpmn")
    assert r.status_code == 200
    assert r.headers["Content-Disposition"] == f'attachment; filename="{two_lane}-v1.bpmn"'
    assert r.data == TWO_LANE
    admin = signed_in(app, "admin1")
    assert admin.get(f"{BASE}/{two_lane}/v9.bpmn").status_code == 404
    missing = admin.get(f"{BASE}/nope/diff")
    assert missing.status_code == 404 and "Không có quy trình «nope»." in missing.get_data(True)
    only_one = admin.get(f"{BASE}/{two_lane}/diff").get_data(as_text=True)
    assert "Hai phiên bản giống nhau." in only_one  # v1 against itself


def test_config_lists_roles_form_keys_and_handlers(app: Flask, people: People) -> None:
    data = signed_in(app, "admin1").get(f"{BASE}/modeler-config.json").get_json()
    engine = app.extensions["tdkt"].engine
    assert [r["code"] for r in data["roles"]] == list(engine.settings.roles)
    assert data["form_keys"] == engine.forms.keys() and "nomination_proposal" in data["form_keys"]
    assert {h["name"] for h in data["handlers"]} == set(engine.handlers.describe())


def test_draft_save_validate_deploy_makes_version_two(
        app: Flask, people: People, two_lane: str) -> None:
    admin = signed_in(app, "admin1")
    token = token_of(admin, f"{BASE}/{two_lane}/v1")
    xml = TWO_LANE.decode().replace('name="Thẩm định"', 'name="Thẩm định lại"')
    assert admin.post(f"{BASE}/drafts", json={"xml": xml}).status_code == 400  # no CSRF
    r = send(admin, "POST", f"{BASE}/drafts", token, xml=xml, base_version_id=1)
    assert r.status_code == 201, r.get_json()
    draft = r.get_json()
    assert draft["key"] == two_lane and draft["url"] == f"{BASE}/drafts/{draft['id']}"
    broken = xml.replace('camunda:formKey="decision"', 'camunda:formKey="nope"')
    r = send(admin, "PUT", f"{BASE}/drafts/{draft['id']}", token, xml=broken)
    assert r.status_code == 200, r.get_json()
    problems = send(admin, "POST", f"{BASE}/drafts/{draft['id']}/validate", token)
    assert [(p["element_id"], p["code"], p["severity"]) for p in
            problems.get_json()["problems"]] == [("appraise", "form.unknown", "error")]
    refused = send(admin, "POST", f"{BASE}/drafts/{draft['id']}/deploy", token)
    assert refused.status_code == 422 and refused.get_json()["code"] == "bpmn.invalid"
    send(admin, "PUT", f"{BASE}/drafts/{draft['id']}", token, xml=xml)
    r = send(admin, "POST", f"{BASE}/drafts/{draft['id']}/deploy", token)
    assert r.status_code == 201, r.get_json()
    assert (r.get_json()["deployed_version"], r.get_json()["url"]) == (
        2, f"{BASE}/{two_lane}/v2")
    again = send(admin, "PUT", f"{BASE}/drafts/{draft['id']}", token, xml=xml)
    assert again.status_code == 409 and again.get_json()["code"] == "draft.deployed"
    html = admin.get(BASE).get_data(as_text=True)
    assert f"{BASE}/{two_lane}/v2" in html and f"{BASE}/{two_lane}/diff?a=1&amp;b=2" in html


def test_diff_page_embeds_the_changes(app: Flask, people: People, two_lane: str) -> None:
    admin = signed_in(app, "admin1")
    token = token_of(admin, f"{BASE}/{two_lane}/v1")
    xml = TWO_LANE.decode().replace('name="Thẩm định"', 'name="Thẩm định lại"')
    draft = send(admin, "POST", f"{BASE}/drafts", token, xml=xml).get_json()
    send(admin, "POST", f"{BASE}/drafts/{draft['id']}/deploy", token)
    html = admin.get(f"{BASE}/{two_lane}/diff").get_data(as_text=True)
    assert 'data-old-url="/admin/processes/api_two_lane/v1.bpmn?inline=1"' in html
    assert '<tr data-element-id="appraise" class="tdkt-change-changed">' in html
    assert "Thẩm định lại" in html and "/static/dist/diff.js" in html


def test_diff_page_says_the_changes_in_words(app: Flask, people: People, two_lane: str
                                             ) -> None:
    admin = signed_in(app, "admin1")
    token = token_of(admin, f"{BASE}/{two_lane}/v1")
    xml = TWO_LANE.decode().replace('name="dueWorkingDays" value="10"',
                                    'name="dueWorkingDays" value="5"')
    xml = xml.replace('name="Thẩm định"', 'name="Thẩm định lại"')
    draft = send(admin, "POST", f"{BASE}/drafts", token, xml=xml).get_json()
    send(admin, "POST", f"{BASE}/drafts/{draft['id']}/deploy", token)
    html = admin.get(f"{BASE}/{two_lane}/diff").get_data(as_text=True)
    row = re.search(r'<tr data-element-id="appraise".*?</tr>', html, re.S)
    assert row, html
    text = re.sub(r"<[^>]+>", "", row.group(0))
    assert "bước người xử lý" in text and "Thẩm định lại" in text
    assert "thời hạn xử lý (ngày làm việc): 10 → 5" in " ".join(text.split())
    assert "tên: Thẩm định → Thẩm định lại" in " ".join(text.split())
    assert "{" not in text and "userTask" not in text  # no raw JSON, no BPMN type name
    english = admin.get(f"{BASE}/{two_lane}/diff?lang=en").get_data(as_text=True)
    row = re.search(r'<tr data-element-id="appraise".*?</tr>', english, re.S)
    assert row and "user task" in row.group(0) and "deadline" in row.group(0)


def test_import_from_camunda_makes_a_draft_with_notes(
        app: Flask, people: People, two_lane: str) -> None:
    admin = signed_in(app, "admin1")
    token = token_of(admin, f"{BASE}/{two_lane}/v1")
    camunda = TWO_LANE.replace(b'<bpmn:userTask id="propose"',
                               b'<bpmn:userTask camunda:assignee="x" id="propose"')
    r = admin.post(f"{BASE}/import", data={"csrf_token": token,
                                           "file": (BytesIO(camunda), "tu_camunda.bpmn")})
    assert r.status_code == 302 and "/admin/processes/drafts/" in r.headers["Location"]
    html = admin.get(r.headers["Location"]).get_data(as_text=True)
    assert "camunda:formKey «decision» → biểu mẫu (formKey)." in html
    assert "camunda:assignee=«x»" in html
    draft_xml = admin.get(r.headers["Location"] + ".xml").get_data(as_text=True)
    assert "camunda:" not in draft_xml and 'name="formKey" value="decision"' in draft_xml
    bad = admin.post(f"{BASE}/import", data={"csrf_token": token,
                                             "file": (BytesIO(b"<oops"), "x.bpmn")})
    assert bad.status_code == 302 and bad.headers["Location"].endswith(BASE)


def test_dmn_table_opens_and_a_deployed_draft_is_version_one(
        app: Flask, people: People, dmn_dir: Path) -> None:
    admin = signed_in(app, "admin1")
    page = admin.get(f"{BASE}/dmn/CSTD_CS")
    assert page.status_code == 200 and "/static/dist/dmn_editor.js" in page.get_data(True)
    token = token_of(admin, f"{BASE}/dmn/CSTD_CS")
    original = admin.get(f"{BASE}/dmn/CSTD_CS.dmn").get_data(as_text=True)
    changed = original.replace("<description>Đạt danh hiệu", "<description>Sửa: Đạt danh hiệu", 1)
    assert changed != original
    r = send(admin, "POST", f"{BASE}/drafts", token, xml=changed, kind="dmn", name="CSTD_CS")
    assert r.status_code == 201, r.get_json()
    r = send(admin, "POST", f"{BASE}/drafts/{r.get_json()['id']}/deploy", token)
    assert r.status_code == 201, r.get_json()
    assert r.get_json()["deployed_version"] == 1
    assert (dmn_dir / "CSTD_CS.dmn").read_text(encoding="utf-8") == original  # file kept
    assert admin.get(f"{BASE}/dmn/CSTD_CS.dmn?version=1").get_data(as_text=True) == changed
    assert admin.get(f"{BASE}/dmn/CSTD_CS.dmn").get_data(as_text=True) == changed
    with app.extensions["tdkt"].db.session() as session:  # what eligibility now runs
        table = load_table("CSTD_CS", session)
    labels = [row.label for rows in table.rules.values() for row in rows]
    original_table = load_table("CSTD_CS")  # without a session: the shipped file
    assert labels != [r.label for rows in original_table.rules.values() for r in rows]
    assert "Sửa: Đạt danh hiệu cần có cùng năm (đã ghi sổ khen thưởng)" in labels
    unique = changed.replace('hitPolicy="COLLECT"', 'hitPolicy="UNIQUE"')
    assert unique != changed
    r = send(admin, "POST", f"{BASE}/drafts", token, xml=unique, kind="dmn", name="CSTD_CS")
    r = send(admin, "POST", f"{BASE}/drafts/{r.get_json()['id']}/deploy", token)
    assert r.status_code == 422 and r.get_json()["code"] == "dmn.invalid", r.get_json()
    assert "COLLECT" in r.get_json()["message"]
    assert admin.get(f"{BASE}/dmn/CSTD_CS.dmn").get_data(as_text=True) == changed
    bad = send(admin, "POST", f"{BASE}/drafts", token, xml=changed, kind="dmn",
               name="../etc")
    assert bad.status_code == 422 and bad.get_json()["code"] == "dmn.bad_name"


def test_only_the_dmn_editor_allows_inline_styles(app: Flask, people: People) -> None:
    """dmn-js's FEEL cell editor (CodeMirror) injects <style> elements: its page, and only
    its page, allows inline style elements; scripts stay the bundle's everywhere."""
    from webapp.security import CSP, EDITOR_CSP

    admin = signed_in(app, "admin1")
    editor = admin.get(f"{BASE}/dmn/CSTD_CS").headers["Content-Security-Policy"]
    assert editor == EDITOR_CSP and "style-src 'self' 'unsafe-inline'" in editor
    assert "script-src 'self';" in editor and "unsafe-eval" not in editor
    for path in (BASE, f"{BASE}/dmn/CSTD_CS/diff?a=0&b=0", "/"):
        assert admin.get(path).headers["Content-Security-Policy"] == CSP, path


def test_deploy_is_previewed_reuses_the_open_draft_and_lands_on_the_new_version(
        app: Flask, client: FlaskClient, people: People, two_lane: str) -> None:
    """Saving twice from version 1 keeps one draft; the preview says «version 2» and how
    many instances stay on version 1; after the deploy the version's page says so."""
    for _ in range(2):
        start(client, people["sub_a"], two_lane)
    admin = signed_in(app, "admin1")
    token = token_of(admin, f"{BASE}/{two_lane}/v1")
    xml = TWO_LANE.decode().replace('name="Thẩm định"', 'name="Thẩm định lại"')
    first = send(admin, "POST", f"{BASE}/drafts", token, xml=xml, base_version_id=1)
    again = send(admin, "POST", f"{BASE}/drafts", token, xml=xml, base_version_id=1)
    assert (first.status_code, again.status_code) == (201, 200)
    draft = again.get_json()["id"]
    assert draft == first.get_json()["id"] and again.get_json()["reused"] is True
    assert admin.get(BASE).get_data(as_text=True).count("Bản nháp #") == 1
    page = admin.get(f"{BASE}/{two_lane}/v1").get_data(as_text=True)
    assert f'href="{BASE}/drafts/{draft}"' in page and "sẽ ghi đè bản nháp đó" in page

    summary = admin.get(f"{BASE}/drafts/{draft}/deploy-preview.json").get_json()
    assert summary["title"] == "Triển khai phiên bản 2?"
    assert summary["confirm"] == "Triển khai phiên bản 2"
    assert "sẽ có phiên bản 2" in summary["sentences"][0]
    assert summary["sentences"][1].startswith(
        "2 hồ sơ đang chạy vẫn giữ phiên bản đã bắt đầu (phiên bản 1: 2)")
    assert summary["changes_title"] == "Thay đổi so với phiên bản 1 (1):"
    assert "Thẩm định → Thẩm định lại" in summary["changes"][0]

    deployed = send(admin, "POST", f"{BASE}/drafts/{draft}/deploy", token)
    assert deployed.get_json()["url"] == f"{BASE}/{two_lane}/v2"
    landed = admin.get(f"{BASE}/{two_lane}/v2").get_data(as_text=True)
    assert f"Đã triển khai bản nháp #{draft} thành phiên bản 2." in landed
    assert 'id="tdkt-crumb">Phiên bản 2<' in landed and "Đang dùng cho hồ sơ mới" in landed
    old = admin.get(f"{BASE}/{two_lane}/v1").get_data(as_text=True)
    assert "Đây là phiên bản cũ; hồ sơ mới theo phiên bản 2." in old
    assert "Đang dùng cho hồ sơ mới" not in old and "tdkt-open-draft" not in old
    frozen = admin.get(f"{BASE}/drafts/{draft}").get_data(as_text=True)
    assert "đã được triển khai thành phiên bản 2" in frozen
    assert "Bản nháp #" not in admin.get(BASE).get_data(as_text=True)  # none left open
    gone = admin.get(f"{BASE}/drafts/{draft}/deploy-preview.json")
    assert (gone.status_code, gone.get_json()["code"]) == (409, "draft.deployed")
    same = send(admin, "POST", f"{BASE}/drafts", token, xml=xml, base_version_id=2)
    summary = admin.get(f"{BASE}/drafts/{same.get_json()['id']}/deploy-preview.json").get_json()
    assert "giống hệt phiên bản 2" in summary["sentences"][0]
