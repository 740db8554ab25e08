"""``tdkt process migrate``: dry run, foreground job, rollback, errors — as a real process."""

from __future__ import annotations

from pathlib import Path

from api_kit import API, add_units, add_user, deploy, make_app, one_task, start
from test_admin_migrations import V1, WITHOUT_APPRAISE_ID
from test_cli_commands import Cli


def _office(url: str) -> dict[str, int]:
    app = make_app(url)
    add_units(app, "A")
    admin = add_user(app, "admin1", ("admin",), None)
    sub = add_user(app, "sub_a", ("submitter",), "A")
    client = app.test_client()
    assert deploy(client, admin, V1, "v1.bpmn").status_code == 201
    proposing = start(client, sub, "api_two_lane", business_key="DN-1").get_json()
    other = start(client, sub, "api_two_lane", business_key="DN-2").get_json()
    task = one_task(other, "propose")["id"]
    assert client.post(f"{API}/tasks/{task}/complete", headers=sub,
                       json={"data": {}}).status_code == 200
    assert deploy(client, admin, WITHOUT_APPRAISE_ID, "v2.bpmn").status_code == 201
    app.extensions["tdkt"].db.dispose()
    return {"proposing": proposing["id"], "appraising": other["id"]}


def test_migrate_dry_run_then_move_then_roll_back(sqlite_url: str, tmp_path: Path) -> None:
    ids = _office(sqlite_url)
    cli = Cli(sqlite_url, tmp_path)
    version = f"SELECT version FROM process_instance WHERE id = {ids['proposing']}"

    out = cli.ok("process", "migrate", "api_two_lane", "--from", "1", "--to", "2", "--dry-run")
    assert "2 hồ sơ, 1 di chuyển được, 1 không" in out
    assert f"#{ids['appraising']} DN-2: không di chuyển" in out
    assert "«Thẩm định» (appraise)" in out
    assert cli.scalar("SELECT count(*) FROM migration_job") == 0
    assert cli.scalar(version) == 1

    out = cli.ok("process", "migrate", "api_two_lane", "--from", "1", "--to", "2",
                 "--business-key-prefix", "DN-", "--batch-size", "1")
    assert f"#{ids['proposing']} DN-1: đã di chuyển" in out
    assert "2 hồ sơ, 1 đã di chuyển, 1 không di chuyển." in out
    assert cli.scalar(version) == 2
    assert cli.scalar("SELECT status FROM migration_job") == "done"

    out = cli.ok("process", "migrate", "--rollback", "1")
    assert "Hoàn tác #2" in out and "1 đã di chuyển" in out
    assert cli.scalar(version) == 1
    assert cli.scalar("SELECT count(*) FROM audit_event WHERE event_type = "
                      "'instance.migrated'") == 2


def test_migrate_errors_exit_1(sqlite_url: str, tmp_path: Path) -> None:
    _office(sqlite_url)
    cli = Cli(sqlite_url, tmp_path)
    r = cli("process", "migrate", "api_two_lane", "--from", "1", "--to", "7")
    assert r.returncode == 1 and "process.not_found" in r.stderr
    r = cli("process", "migrate", "api_two_lane", "--from", "1", "--to", "2",
            "--started-after", "hôm qua")
    assert r.returncode == 1 and "started_after" in r.stderr
    r = cli("process", "migrate", "api_two_lane")
    assert r.returncode == 2 and "--from" in r.stderr
    r = cli("process", "migrate", "--rollback", "5")
    assert r.returncode == 1 and "migration.not_found" in r.stderr
    assert cli.scalar("SELECT count(*) FROM migration_job") == 0
