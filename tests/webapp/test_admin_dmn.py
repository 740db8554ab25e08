"""Decision tables on /admin/processes: who deployed each version, two versions compared
as a table, the editor's statement that a deployed table applies to every check from then
on — and it does, for any subject, at once."""

from __future__ import annotations

from pathlib import Path

from api_kit import Headers
from flask import Flask
from flask.testing import FlaskClient
from test_admin_processes import BASE, People, dmn_dir, send, signed_in, token_of  # noqa: F401
from test_api_eligibility import URL, Y, add_history


def deploy_dmn(admin: FlaskClient, token: str, name: str, xml: str) -> int:
    r = send(admin, "POST", f"{BASE}/drafts", token, xml=xml, kind="dmn", name=name)
    assert r.status_code == 201, r.get_json()
    r = send(admin, "POST", f"{BASE}/drafts/{r.get_json()['id']}/deploy", token)
    assert r.status_code == 201, r.get_json()
    return int(r.get_json()["deployed_version"])


def test_versions_name_their_deployer_and_compare_as_a_table(
        app: Flask, people: People, dmn_dir: Path) -> None:  # noqa: F811
    admin = signed_in(app, "admin1")
    token = token_of(admin, f"{BASE}/dmn/LDTT")
    original = (dmn_dir / "LDTT.dmn").read_text(encoding="utf-8")
    changed = original.replace(
        '<inputEntry id="no_discipline_1_discipline_rank"><text>0</text>',
        '<inputEntry id="no_discipline_1_discipline_rank"><text>&lt;= 1</text>')
    assert deploy_dmn(admin, token, "LDTT", changed) == 1

    html = admin.get(BASE).get_data(as_text=True)
    row = html[html.index(f'href="{BASE}/dmn/LDTT"'):]
    row = row[:row.index("</tr>")]
    assert "v1</a>" in row and "admin1" in row  # who deployed it
    assert f"{BASE}/dmn/LDTT/diff?a=0&amp;b=1" in row

    page = admin.get(f"{BASE}/dmn/LDTT/diff?a=0&b=1")
    assert page.status_code == 200
    diff = page.get_data(as_text=True)
    assert "0 quy tắc thêm mới, 0 bị xoá, 1 thay đổi" in diff
    changed_row = diff[diff.index('data-rule-id="no_discipline_1"'):]
    changed_row = changed_row[:changed_row.index("</tr>")]
    assert 'data-status="changed"' in changed_row
    assert "<del" in changed_row and ">0</del>" in changed_row and "&lt;= 1</ins>" in changed_row
    assert 'data-rule-id="rating_1" data-status="same"' in diff
    assert admin.get(f"{BASE}/dmn/LDTT/diff?a=7&b=1").status_code == 404
    editor = admin.get(f"{BASE}/dmn/LDTT").get_data(as_text=True)
    assert "áp dụng ngay cho mọi lần xét điều kiện từ lúc đó, kể cả các hồ sơ đang chạy" in editor


def test_a_deployed_table_applies_to_the_next_check_at_once(
        app: Flask, client: FlaskClient, people: dict[str, Headers],
        dmn_dir: Path) -> None:  # noqa: F811
    add_history(app.extensions["tdkt"].db)
    body = {"subject_code": "P1", "award_code": "LDTT", "year": Y}
    before = client.post(URL, headers=people["sec1"], json=body).get_json()
    assert before["eligible"] is True
    admin = signed_in(app, "admin1")
    token = token_of(admin, f"{BASE}/dmn/LDTT")
    stricter = (dmn_dir / "LDTT.dmn").read_text(encoding="utf-8").replace(
        "<text>&gt;= min_rating_rank</text>", "<text>&gt;= 4</text>")  # HTXSNV only
    deploy_dmn(admin, token, "LDTT", stricter)
    after = client.post(URL, headers=people["sec1"], json=body).get_json()
    assert after["eligible"] is False
    assert [r["ok"] for r in after["reasons"] if r["rule"] == "rating"] == [False]
