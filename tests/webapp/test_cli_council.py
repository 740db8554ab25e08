"""``tdkt council``: members, meetings and the delivery of results, as a real process."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from test_cli_commands import Cli

from engine import identity
from engine.roles import SYSTEM
from engine.runtime.runner import run_command
from engine.store.db import Database
from workflows.council.models import CouncilMeeting


def test_council_members_meetings_and_deliver(sqlite_url: str, tmp_path: Path) -> None:
    workdir = tmp_path / "elsewhere"
    workdir.mkdir()
    cli = Cli(sqlite_url, workdir)
    db = Database(sqlite_url)
    with db.write_session() as s:
        for name in ("an", "binh"):
            identity.create_user(s, SYSTEM, name, "password1", ["council"],
                                 ("submitter", "secretariat", "council", "chair", "admin"))
        s.commit()
    db.dispose()
    saved = json.loads(cli.ok("council", "member", "an", "--position", "chair"))
    assert (saved["username"], saved["position"]) == ("an", "chair")
    cli.ok("council", "member", "binh")
    bad = cli("council", "member", "binh", "--position", "chair")
    assert bad.returncode == 1 and "council.position_taken" in bad.stderr
    unknown = cli("council", "member", "ghost")
    assert unknown.returncode == 1 and "council.invalid" in unknown.stderr
    listed = json.loads(cli.ok("council", "members"))
    assert [(m["username"], m["position"]) for m in listed] == [("an", "chair"),
                                                                  ("binh", "member")]
    assert json.loads(cli.ok("council", "meetings")) == []
    assert "Không có kết quả nào chờ gửi." in cli.ok("council", "deliver")
    missing = cli("council", "show", "42")
    assert missing.returncode == 1 and "council.meeting_not_found" in missing.stderr
    absent = cli("council", "scrub", "42")
    assert absent.returncode == 1 and "council.meeting_not_found" in absent.stderr


def test_council_scrub_of_a_closed_meeting(sqlite_url: str, tmp_path: Path) -> None:
    """``tdkt council scrub`` redoes the wipe of a closed meeting's counter versions; a
    meeting not closed is refused."""
    db = Database(sqlite_url)
    with db.write_session() as s:
        for status in ("voting", "closed"):
            s.add(CouncilMeeting(title="Họp", meeting_date=date(2026, 12, 1),
                                 mode="electronic", status=status))
        run_command(s, lambda: None)
    db.dispose()
    cli = Cli(sqlite_url, tmp_path)
    early = cli("council", "scrub", "1")
    assert early.returncode == 1 and "council.wrong_status" in early.stderr
    done = json.loads(cli.ok("council", "scrub", "2"))
    assert (done["ok"], done["method"]) == (True, "wal_checkpoint_truncate")
