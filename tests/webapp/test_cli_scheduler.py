"""``tdkt scheduler``, run as a real process: one tick fires what is due."""

from __future__ import annotations

from pathlib import Path

from api_kit import add_units, add_user, make_app
from test_cli_commands import Cli, workdir  # noqa: F401  (fixture)
from test_pages_timers import ESCALATING, T0

from engine import clock
from engine.roles import SYSTEM


def _waiting_instance(url: str) -> int:
    app = make_app(url)
    svc = app.extensions["tdkt"]
    add_units(app, "A", "TCHCQT")
    add_user(app, "sub_a", ("submitter",), "A")
    add_user(app, "sec1", ("secretariat",), "TCHCQT")
    with svc.db.write_session() as s:
        svc.engine.deploy(s, ESCALATING, SYSTEM, "web_timer.bpmn")
    with svc.db.write_session() as s, clock.at(T0):
        from engine import identity

        actor = identity.actor_of(identity.find_user(s, "sub_a"))
        instance_id = int(svc.engine.start_instance(s, "web_timer", actor)["id"])
    svc.db.dispose()
    return instance_id


def test_scheduler_once_fires_what_is_due_at_the_given_moment(
        sqlite_url: str, workdir: Path) -> None:  # noqa: F811
    cli = Cli(sqlite_url, workdir)
    instance_id = _waiting_instance(sqlite_url)

    early = cli.ok("scheduler", "--once", "--at", "2026-02-15T08:59")  # Hà Nội time
    assert "Hẹn giờ: 0 hồ sơ chạy tiếp" in early
    assert cli.scalar("SELECT count(*) FROM timer") == 1

    out = cli.ok("scheduler", "--once", "--at", "2026-02-15T09:01")
    assert "Hẹn giờ: 1 hồ sơ chạy tiếp, 0 lỗi" in out
    assert cli.scalar("SELECT count(*) FROM timer") == 0
    assert cli.scalar(f"SELECT count(*) FROM audit_event WHERE instance_id = {instance_id} "
                      "AND event_type = 'timer.fired'") == 1
    assert cli.scalar("SELECT name FROM human_task WHERE state = 'ready'") == "escalate"
    assert cli.scalar("SELECT holder FROM scheduler_lease") is None  # released
    assert cli.ok("audit", "verify").startswith("Chuỗi nhật ký toàn vẹn")


def test_at_needs_once(sqlite_url: str, workdir: Path) -> None:  # noqa: F811
    r = Cli(sqlite_url, workdir)("scheduler", "--at", "2026-02-15T09:01")
    assert r.returncode == 2 and "--at chỉ dùng cùng --once" in r.stderr
