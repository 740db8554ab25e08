# ruff: noqa: F811  (pytest fixtures imported from test_admin_migrations)
"""Moving one instance back (job page, API, CLI with --as), the dry run's pages, and a job
run end to end by the web application's own worker thread."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

from api_kit import API, Headers, deploy, one_task
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from test_admin_migrations import (  # noqa: F401  (fixtures)
    RENAMED,
    WITHOUT_APPRAISE_ID,
    admin_client,
    finish_jobs,
    post,
    setup,
    submit,
    versions,
)
from test_migration_cli import _office
from test_pages_auth import csrf_token, login

from engine.store.models import AuditEvent, MigrationJob
from webapp.migration_worker import migration_worker


def moved_job(app: Flask, client: FlaskClient, admin: Headers) -> dict[str, Any]:
    assert deploy(client, admin, RENAMED, "v2.bpmn").status_code == 201
    r = post(client, admin, from_version=1, to_version=2)
    assert r.status_code == 202
    finish_jobs(app)
    return dict(client.get(r.headers["Location"], headers=admin).get_json())


def test_the_web_worker_thread_runs_a_queued_job_end_to_end(
        app: Flask, client: FlaskClient, people: dict[str, Headers],
        admin_client: FlaskClient, setup: dict[str, Any]) -> None:  # noqa: F811
    assert deploy(client, people["admin1"], RENAMED, "v2.bpmn").status_code == 201
    r = submit(admin_client, "start")
    assert r.status_code == 302
    worker = migration_worker(app)
    thread = worker._thread
    assert thread is not None and thread.name == "tdkt-migration"
    assert thread is not threading.current_thread()
    worker.join(60)
    assert not thread.is_alive()  # it ends when no job is left
    with app.extensions["tdkt"].db.session() as s:
        job = s.scalars(select(MigrationJob)).one()
        assert (job.status, job.moved, job.worker) == ("done", 2, worker.name)
    assert set(versions(app).values()) == {2}
    appraising = client.get(f"{API}/instances/{setup['appraising']}",
                            headers=people["sub_a"]).get_json()
    task = one_task(appraising, "appraise")
    assert task["title"] == "Thẩm định lại"  # the moved instance goes on on v2
    r = client.post(f"{API}/tasks/{task['id']}/complete", headers=people["sec1"],
                    json={"data": {"decision": "approve"}})
    assert r.status_code == 200 and r.get_json()["version"] == 2


def test_job_page_moves_one_instance_back(app: Flask, client: FlaskClient,
                                          people: dict[str, Headers],
                                          admin_client: FlaskClient,
                                          setup: dict[str, Any]) -> None:
    job = moved_job(app, client, people["admin1"])
    page = f"/admin/migrations/{job['id']}"
    items = {i["instance_id"]: i["id"] for i in job["items"]}
    html = admin_client.get(page).get_data(as_text=True)
    action = f"/admin/migrations/{job['id']}/items/{items[setup['proposing']]}/back"
    assert html.count("Chuyển hồ sơ này về phiên bản 1") == 2 and f'action="{action}"' in html
    r = admin_client.post(action, data={"csrf_token": csrf_token(admin_client, page)})
    assert r.status_code == 302 and r.headers["Location"] == page
    html = admin_client.get(page).get_data(as_text=True)
    assert f"Đã chuyển hồ sơ #{setup['proposing']} về phiên bản 1." in html
    assert f'action="{action}"' not in html
    assert html.count("Chuyển hồ sơ này về phiên bản 1") == 1
    assert versions(app)[setup["proposing"]] == 1
    assert versions(app)[setup["appraising"]] == 2
    admin_client.post(action, data={"csrf_token": csrf_token(admin_client, page)})
    assert "không quay về được" in admin_client.get(page).get_data(as_text=True)
    admin_client.post(action + "?lang=en", data={"csrf_token": csrf_token(admin_client, page)})
    english = admin_client.get(page + "?lang=en").get_data(as_text=True)
    assert f"The dossier is no longer on the version batch #{job['id']} moved it to (it is " \
           "on version 1); it cannot go back." in english
    admin_client.get(page + "?lang=vi")
    wrong = f"/admin/migrations/{job['id'] + 1}/items/{items[setup['appraising']]}/back"
    r = admin_client.post(wrong, data={"csrf_token": csrf_token(admin_client, page)})
    assert r.status_code == 404
    sec = app.test_client()
    assert login(sec, "sec1").status_code == 302
    other = f"/admin/migrations/{job['id']}/items/{items[setup['appraising']]}/back"
    assert sec.post(other, data={}).status_code in (400, 403)
    assert versions(app)[setup["appraising"]] == 2


def test_api_migrate_back(app: Flask, client: FlaskClient, people: dict[str, Headers],
                          setup: dict[str, Any]) -> None:  # noqa: F811
    admin = people["admin1"]
    job = moved_job(app, client, admin)
    url = f"{API}/instances/{setup['appraising']}/migrate-back"
    r = client.post(url, headers=people["sec1"])
    assert (r.status_code, r.get_json()["code"]) == (403, "role.required")
    r = client.post(url, headers=admin)
    assert r.status_code == 200, r.get_json()
    body = r.get_json()
    assert (body["from_version"], body["to_version"], body["move_back_of"]) == (2, 1, job["id"])
    assert body["steps"] == ["appraise"]
    assert versions(app)[setup["appraising"]] == 1
    again = client.post(url, headers=admin)
    assert (again.status_code, again.get_json()["code"]) == (409, "migration.version_changed")
    r = client.post(f"{API}/instances/999999/migrate-back", headers=admin)
    assert (r.status_code, r.get_json()["code"]) == (404, "instance.not_found")
    with app.extensions["tdkt"].db.session() as s:
        event = s.scalars(select(AuditEvent).where(AuditEvent.event_type == "instance.migrated")
                          .order_by(AuditEvent.id.desc())).first()
        assert event is not None and event.instance_id == setup["appraising"]
        assert '"move_back_of": ' + str(job["id"]) in event.payload.replace('":', '": ')


def test_dry_run_report_is_paged(app: Flask, client: FlaskClient, people: dict[str, Headers],
                                 admin_client: FlaskClient, setup: dict[str, Any],
                                 monkeypatch: Any) -> None:  # noqa: F811
    import webapp.admin_migrations as pages

    monkeypatch.setattr(pages, "REPORT_PER_PAGE", 1)
    assert deploy(client, people["admin1"], WITHOUT_APPRAISE_ID, "v2.bpmn").status_code == 201
    html = submit(admin_client, "dry_run").get_data(as_text=True)
    assert "2 hồ sơ: 1 di chuyển được, 1 không di chuyển được" in html
    assert "Trang 1/2" in html and 'aria-label="Phân trang"' in html
    assert f"#{setup['proposing']}</a>" in html and f"#{setup['appraising']}</a>" not in html
    base = ("/admin/migrations?process=api_two_lane&from_version=1&to_version=2&dry_run=1")
    second = admin_client.get(base + "&page=2").get_data(as_text=True)
    assert f"#{setup['appraising']}</a>" in second and "Trang 2/2" in second
    refused = admin_client.get(base + "&state=refused").get_data(as_text=True)
    assert f"#{setup['appraising']}</a>" in refused and f"#{setup['proposing']}</a>" not in refused
    assert 'aria-current="page">Không di chuyển (1)' in refused
    assert app.extensions["tdkt"].db.session().scalar(select(MigrationJob.id)) is None


def test_cli_move_back_and_operator(sqlite_url: str, tmp_path: Path) -> None:
    from test_cli_commands import Cli

    ids = _office(sqlite_url)
    cli = Cli(sqlite_url, tmp_path)
    moved = cli("process", "migrate", "api_two_lane", "--from", "1", "--to", "2")
    assert moved.returncode == 0 and "Cảnh báo: không có --as USERNAME" in moved.stderr
    assert cli.scalar("SELECT actor_id FROM audit_event WHERE event_type = "
                      "'migration.queued'") is None  # SYSTEM
    r = cli("process", "migrate", "--back", str(ids["proposing"]), "--as", "sub_a")
    assert r.returncode == 1 and "migration.operator_not_admin" in r.stderr
    out = cli.ok("process", "migrate", "--back", str(ids["proposing"]), "--as", "admin1")
    assert f"#{ids['proposing']}: đã chuyển từ phiên bản 2 về phiên bản 1" in out
    admin_id = cli.scalar("SELECT id FROM app_user WHERE username = 'admin1'")
    assert cli.scalar("SELECT actor_id FROM audit_event WHERE event_type = 'instance.migrated' "
                      "ORDER BY id DESC LIMIT 1") == admin_id
    r = cli("process", "migrate", "--back", str(ids["proposing"]), "--as", "admin1")
    assert r.returncode == 1 and "migration.version_changed" in r.stderr
