"""The ``tdkt`` command line, run as a real process from a folder outside the repository."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

import pytest
from api_kit import API, FIXTURES, add_units, add_user, deploy, make_app, one_task, start
from sqlalchemy import create_engine, text

PROJECT_ROOT = Path(__file__).resolve().parents[2]


class Cli:
    def __init__(self, url: str, workdir: Path) -> None:
        self.url = url
        self.workdir = workdir

    def __call__(self, *args: str) -> subprocess.CompletedProcess[str]:
        env = {**os.environ, "TDKT_DATABASE_URL": self.url,
               "TDKT_INSTANCE_DIR": str(self.workdir)}
        env.pop("TDKT_BPMN_DIR", None)
        return subprocess.run([sys.executable, "-m", "webapp.cli", *args], env=env,
                              cwd=self.workdir, capture_output=True, text=True, timeout=120)

    def ok(self, *args: str) -> str:
        r = self(*args)
        assert r.returncode == 0, (args, r.stdout, r.stderr)
        return r.stdout

    def scalar(self, sql: str) -> object:
        eng = create_engine(self.url)
        try:
            with eng.connect() as conn:
                return conn.execute(text(sql)).scalar()
        finally:
            eng.dispose()


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    path = tmp_path / "elsewhere"
    path.mkdir()
    assert not (path / "webapp").exists()
    return path


@pytest.fixture
def cli(sqlite_url: str, workdir: Path) -> Cli:
    return Cli(sqlite_url, workdir)


def test_db_upgrade_on_fresh_file(workdir: Path) -> None:
    db = workdir / "data" / "fresh.db"
    cli = Cli(f"sqlite:///{db}", workdir)
    cli.ok("db", "upgrade")
    assert db.exists()
    assert cli.scalar("SELECT count(*) FROM alembic_version") >= 1
    assert cli.scalar("SELECT count(*) FROM process_instance") == 0
    cli.ok("db", "upgrade")  # already there: nothing to do, still exit 0


def test_unit_user_token_work_against_the_api(cli: Cli) -> None:
    assert "TCHCQT" in cli.ok("unit", "create", "TCHCQT", "Phòng TCHCQT")
    dup = cli("unit", "create", "TCHCQT", "again")
    assert dup.returncode == 1 and "unit.exists" in dup.stderr
    cli.ok("user", "create", "thuky", "--role", "secretariat", "--unit", "TCHCQT",
           "--password", "password123")
    short = cli("user", "create", "weak", "--role", "secretariat", "--password", "short")
    assert short.returncode == 1 and "data.invalid" in short.stderr
    out = cli.ok("token", "create", "thuky", "--label", "script")
    token = out.strip().splitlines()[-1].strip()
    assert token.startswith("tdkt_")
    missing = cli("token", "create", "nobody")
    assert missing.returncode == 1 and "user.not_found" in missing.stderr

    app = make_app(cli.url)
    try:
        client = app.test_client()
        r = client.get(f"{API}/tasks", headers={"Authorization": f"Bearer {token}"})
        assert r.status_code == 200, r.get_json()
        assert r.get_json()["total"] == 0
        r = client.get(f"{API}/instances", headers={"Authorization": f"Bearer {token}x"})
        assert r.status_code == 401
    finally:
        app.extensions["tdkt"].db.dispose()


def test_process_deploy(cli: Cli, workdir: Path) -> None:
    good = workdir / "api_two_lane.bpmn"
    good.write_bytes((FIXTURES / "api_two_lane.bpmn").read_bytes())
    out = cli.ok("process", "deploy", str(good))
    assert "api_two_lane v1" in out
    assert hashlib.sha256(good.read_bytes()).hexdigest() in out
    assert "api_two_lane v1" in cli.ok("process", "deploy", good.name)  # relative to cwd
    assert cli.scalar("SELECT count(*) FROM process_model_version") == 1
    assert "api_two_lane" in cli.ok("process", "list")

    bad = workdir / "bad_lane.bpmn"
    bad.write_bytes(good.read_bytes().replace(b'name="Submitter"', b'name="Nobody"')
                    .replace(b'id="api_two_lane"', b'id="api_bad_lane"'))
    r = cli("process", "deploy", str(bad))
    assert r.returncode == 1
    assert "l1" in r.stderr and "bpmn.invalid" in r.stderr, r.stderr

    r = cli("process", "deploy", str(FIXTURES / "two_lane.bpmn"))
    assert r.returncode == 1 and "propose" in r.stderr, r.stderr
    assert cli.scalar("SELECT count(*) FROM process_model_version") == 1


def test_demo_load_is_idempotent(cli: Cli) -> None:
    first = cli.ok("demo", "load")
    assert "Không triển khai được" not in first, first
    counts = [cli.scalar(f"SELECT count(*) FROM {t}")
              for t in ("unit", "app_user", "process_model_version", "audit_event")]
    assert counts[0] >= 2 and counts[1] >= 5

    second = cli.ok("demo", "load")
    assert second.strip().splitlines() == ["Dữ liệu mẫu đã sẵn sàng."], second
    assert [cli.scalar(f"SELECT count(*) FROM {t}")
            for t in ("unit", "app_user", "process_model_version", "audit_event")] == counts

    # every diagram of bpmn/ is deployed, byte for byte
    listing = cli.ok("process", "list")
    diagrams = sorted((PROJECT_ROOT / "bpmn").glob("*.bpmn"))
    assert counts[2] == len(diagrams)
    for path in diagrams:
        assert hashlib.sha256(path.read_bytes()).hexdigest()[:12] in listing, path.name


def test_audit_verify_detects_tampering(cli: Cli) -> None:
    cli.ok("unit", "create", "A", "Unit A")
    cli.ok("unit", "create", "B", "Unit B")
    cli.ok("user", "create", "thuky", "--role", "secretariat", "--password", "password123")
    assert "3 bản ghi" in cli.ok("audit", "verify")

    eng = create_engine(cli.url)
    with eng.begin() as conn:
        conn.execute(text("UPDATE audit_event SET payload = :p WHERE id = 2"),
                     {"p": '{"code":"B","name":"Tampered","parent_code":null}'})
    eng.dispose()
    r = cli("audit", "verify")
    assert r.returncode == 1
    assert "bản ghi 2" in r.stderr, r.stderr


def test_instance_retry_refuses_instance_not_in_error(cli: Cli) -> None:
    app = make_app(cli.url)
    try:
        add_units(app, "A")
        admin = add_user(app, "admin1", ["admin"], None)
        sub = add_user(app, "sub_a", ["submitter"], "A")
        client = app.test_client()
        r = deploy(client, admin, (FIXTURES / "api_two_lane.bpmn").read_bytes())
        assert r.status_code == 201, r.get_json()
        inst = start(client, sub, "api_two_lane").get_json()
        one_task(inst, "propose")
    finally:
        app.extensions["tdkt"].db.dispose()

    r = cli("instance", "retry", str(inst["id"]))
    assert r.returncode == 1
    assert "instance.not_in_error" in r.stderr and "lỗi" in r.stderr, r.stderr
    assert cli.scalar(f"SELECT status FROM process_instance WHERE id = {inst['id']}") == \
        "running"
    r = cli("instance", "retry", "999999")
    assert r.returncode == 1 and "instance.not_found" in r.stderr, r.stderr
