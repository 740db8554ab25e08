"""Migration of running instances over the API and on /admin/migrations (admin only)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from api_kit import API, Headers, deploy, fixture_bytes, one_task, start
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from test_pages_auth import csrf_token, login

from engine.store.models import AuditEvent, MigrationItem, MigrationJob, ProcessInstance
from webapp.migration_worker import migration_worker

V1 = fixture_bytes("api_two_lane.bpmn")
RENAMED = V1.replace('name="Thẩm định"'.encode(), 'name="Thẩm định lại"'.encode())
WITHOUT_APPRAISE_ID = V1.replace(b"appraise", b"review")  # the step's id changed


@pytest.fixture
def setup(app: Flask, client: FlaskClient, people: dict[str, Headers]) -> dict[str, Any]:
    """v1 with one instance at propose and one at appraise; v2 with appraise renamed."""
    admin, sub = people["admin1"], people["sub_a"]
    assert deploy(client, admin, V1, "v1.bpmn").status_code == 201
    proposing = start(client, sub, "api_two_lane", business_key="DN-1").get_json()
    other = start(client, sub, "api_two_lane", business_key="DN-2").get_json()
    task = one_task(other, "propose")["id"]
    r = client.post(f"{API}/tasks/{task}/complete", headers=sub, json={"data": {}})
    assert r.status_code == 200, r.get_json()
    return {"proposing": proposing["id"], "appraising": other["id"]}


def count(app: Flask, model: Any, *where: Any) -> int:
    with app.extensions["tdkt"].db.session() as s:
        return int(s.scalar(select(func.count()).select_from(model).where(*where)) or 0)


def versions(app: Flask) -> dict[int, int]:
    with app.extensions["tdkt"].db.session() as s:
        return dict(s.execute(select(ProcessInstance.id, ProcessInstance.version)).all())


def finish_jobs(app: Flask) -> None:
    migration_worker(app).join(60)


def post(client: FlaskClient, headers: Headers, **body: Any) -> Any:
    return client.post(f"{API}/processes/api_two_lane/migrations", headers=headers, json=body)


def test_api_is_for_admins_only(app: Flask, client: FlaskClient, people: dict[str, Headers],
                                setup: dict[str, Any]) -> None:
    body = {"from_version": 1, "to_version": 2, "dry_run": True}
    assert post(client, {}, **body).status_code == 401
    for who in ("sec1", "sub_a", "council1"):
        r = post(client, people[who], **body)
        assert (r.status_code, r.get_json()["code"]) == (403, "role.required")
        assert client.get(f"{API}/migrations/1", headers=people[who]).status_code == 403
        assert client.post(f"{API}/migrations/1/rollback", headers=people[who],
                           json={}).status_code == 403
    assert count(app, MigrationJob) == 0


def test_api_dry_run_job_and_rollback(app: Flask, client: FlaskClient,
                                      people: dict[str, Headers], setup: dict[str, Any]) -> None:
    admin = people["admin1"]
    assert deploy(client, admin, WITHOUT_APPRAISE_ID, "v2.bpmn").status_code == 201
    audits = count(app, AuditEvent)

    r = post(client, admin, from_version=1, to_version=2, dry_run=True)
    assert r.status_code == 200, r.get_json()
    report = r.get_json()
    assert (report["total"], report["movable"], report["refused"]) == (2, 1, 1)
    refused = [i for i in report["items"] if not i["can_move"]][0]
    assert refused["instance_id"] == setup["appraising"]
    assert refused["reasons"][0]["element_id"] == "appraise"
    assert (count(app, MigrationJob), count(app, AuditEvent)) == (0, audits)

    r = post(client, admin, from_version=1, to_version=2, batch_size=1)
    assert r.status_code == 202, r.get_json()
    job_url = r.headers["Location"]
    assert job_url.endswith(f"/api/v1/migrations/{r.get_json()['id']}")
    finish_jobs(app)
    job = client.get(job_url, headers=admin).get_json()
    assert (job["status"], job["moved"], job["refused"], job["percent"]) == ("done", 1, 1, 100)
    refused_items = client.get(job_url + "?state=refused", headers=admin).get_json()["items"]
    assert [i["instance_id"] for i in refused_items] == [setup["appraising"]]
    assert versions(app)[setup["proposing"]] == 2
    assert versions(app)[setup["appraising"]] == 1

    r = client.post(f"{job_url}/rollback", headers=admin, json={})
    assert r.status_code == 202, r.get_json()
    finish_jobs(app)
    back = client.get(r.headers["Location"], headers=admin).get_json()
    assert (back["status"], back["moved"], back["rollback_of"]) == ("done", 1, job["id"])
    assert versions(app)[setup["proposing"]] == 1
    again = client.post(f"{job_url}/rollback", headers=admin, json={})
    assert (again.status_code, again.get_json()["code"]) == (
        409, "migration.already_rolled_back")


def test_api_bad_input(client: FlaskClient, people: dict[str, Headers],
                       setup: dict[str, Any]) -> None:
    admin = people["admin1"]
    r = post(client, admin, from_version=1, to_version="x", filters={"started_after": "hôm"})
    assert r.status_code == 422
    assert {"to_version", "filters"} <= set(r.get_json()["details"])
    r = post(client, admin, from_version=1, to_version=9, dry_run=True)
    assert (r.status_code, r.get_json()["code"]) == (404, "process.not_found")
    r = post(client, admin, from_version=1, to_version=1)
    assert (r.status_code, r.get_json()["code"]) == (422, "migration.same_version")
    assert client.get(f"{API}/migrations/999", headers=admin).status_code == 404


# -- the page --------------------------------------------------------------------------
@pytest.fixture
def admin_client(app: Flask, setup: dict[str, Any]) -> FlaskClient:
    app.config["WTF_CSRF_ENABLED"] = True
    web = app.test_client()
    assert login(web, "admin1").status_code == 302
    return web


def submit(web: FlaskClient, action: str, **fields: Any) -> Any:
    data = {"process": "api_two_lane", "from_version": "1", "to_version": "2",
            "action": action, "csrf_token": csrf_token(web, "/admin/migrations?process=x"),
            **fields}
    return web.post("/admin/migrations", data=data)


def test_page_is_for_admins_only(app: Flask, setup: dict[str, Any]) -> None:
    anonymous = app.test_client()
    r = anonymous.get("/admin/migrations")
    assert r.status_code == 302 and "/login" in r.headers["Location"]
    web = app.test_client()
    assert login(web, "sec1").status_code == 302
    assert web.get("/admin/migrations").status_code == 403
    assert web.get("/admin/migrations/1").status_code == 403
    assert web.get("/admin/migrations/1/progress.json").status_code == 403
    assert web.post("/admin/migrations", data={}).status_code in (400, 403)


def test_page_dry_run_then_move_then_roll_back(app: Flask, client: FlaskClient,
                                               people: dict[str, Headers],
                                               admin_client: FlaskClient,
                                               setup: dict[str, Any]) -> None:
    assert deploy(client, people["admin1"], RENAMED, "v2.bpmn").status_code == 201
    page = admin_client.get("/admin/migrations?process=api_two_lane").get_data(as_text=True)
    assert "Chạy thử" in page and "Di chuyển" in page and 'for="started_after"' in page

    r = submit(admin_client, "dry_run")
    html = r.get_data(as_text=True)
    assert r.status_code == 200
    assert "2 hồ sơ: 2 di chuyển được, 0 không di chuyển được" in html
    assert "Thẩm định lại" in html  # the renamed ready step is reported
    assert count(app, MigrationJob) == 0

    r = submit(admin_client, "start", business_key_prefix="DN-")
    assert r.status_code == 302
    job_id = int(re.search(r"/admin/migrations/(\d+)$", r.headers["Location"]).group(1))
    finish_jobs(app)
    progress = admin_client.get(f"/admin/migrations/{job_id}/progress.json").get_json()
    assert (progress["status"], progress["moved"], progress["percent"]) == ("done", 2, 100)
    html = admin_client.get(f"/admin/migrations/{job_id}").get_data(as_text=True)
    assert "Hồ sơ đã chuyển (2)" in html and 'role="progressbar"' in html
    assert "Hoàn tác" in html and set(versions(app).values()) == {2}

    token = csrf_token(admin_client, f"/admin/migrations/{job_id}")
    r = admin_client.post(f"/admin/migrations/{job_id}/rollback", data={"csrf_token": token})
    assert r.status_code == 302
    finish_jobs(app)
    assert set(versions(app).values()) == {1}
    assert count(app, MigrationItem, MigrationItem.state == "moved") == 4


def test_page_shows_errors_beside_fields_and_writes_nothing(
        app: Flask, client: FlaskClient, people: dict[str, Headers],
        admin_client: FlaskClient) -> None:
    assert deploy(client, people["admin1"], RENAMED, "v2.bpmn").status_code == 201
    r = submit(admin_client, "start", instance_ids="1, hai", started_after="31/02/2026")
    html = r.get_data(as_text=True)
    assert r.status_code == 422
    assert 'id="instance_ids-error"' in html and 'id="started_after-error"' in html
    assert count(app, MigrationJob) == 0
    r = submit(admin_client, "start", to_version="1")
    assert r.status_code == 422 and "Phiên bản đích phải khác" in r.get_data(as_text=True)


def test_page_dry_run_names_elements_in_words(app: Flask, client: FlaskClient,
                                              people: dict[str, Headers],
                                              admin_client: FlaskClient,
                                              setup: dict[str, Any]) -> None:
    assert deploy(client, people["admin1"], WITHOUT_APPRAISE_ID, "v2.bpmn").status_code == 201
    html = submit(admin_client, "dry_run").get_data(as_text=True)
    added = re.search(r"Sơ đồ thêm:(.*?)</p>", html, re.S)
    assert added, html
    text = " ".join(re.sub(r"<[^>]+>", " ", added.group(1)).split())
    # the step whose id changed: its name and kind, in both lists, the id only beside
    assert "«Thẩm định» (bước người xử lý) review" in text, text
    assert "bỏ: «Thẩm định» (bước người xử lý) appraise" in text, text
    waiting = " ".join(re.sub(r"<[^>]+>", " ", html).split())
    assert "«Đề nghị» (bước người xử lý)" in waiting  # the step an instance waits at
