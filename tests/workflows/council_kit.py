"""The council for workflow tests: members, and a whole meeting in a few calls.

Every service call runs in its own write session (one transaction, like a request), so
the instances are saved and restored between the steps. ``walk_council`` is what the
procedure kits call in place of the old paper-result step: it runs a paper meeting for
the instance's candidates with the given counts (biên bản kiểm phiếu) and delivers the
result, which the instance receives on its message event.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import select

from engine import identity
from engine.roles import SYSTEM, Actor
from engine.runtime.runner import run_command
from engine.service import ProcessEngine
from engine.store.db import Database
from workflows.council import closing, meetings, members, voting
from workflows.models import Nomination

PDF = b"%PDF-1.4\n% scanned minutes\n"
POSITIONS = ("chair", "secretary")


LETTERHEAD = {"document_parent_body": "UBND tỉnh Ninh Bình",
              "document_issuer_full": "Văn phòng UBND tỉnh Ninh Bình",
              "document_place": "Ninh Bình"}


def fill_letterhead(db: Database) -> None:
    """The office's letterhead settings, without which no document (minutes, decision) is
    issued: every office of the tests has filled them in, as a real one has."""
    from workflows.settings_admin import update_settings
    call(db, update_settings, SYSTEM, dict(LETTERHEAD))


def add_council(db: Database, eng: ProcessEngine, n: int = 9, *,
                persons: dict[int, str] | None = None, prefix: str = "hd") -> list[Actor]:
    """``n`` council members (users ``hd1``… with role council): the first chairs, the second
    is the secretary. ``persons`` links member i (1-based) to a person code. The office's
    letterhead is filled in too (the tally minutes need it)."""
    fill_letterhead(db)
    actors = []
    with db.write_session() as s:
        for i in range(1, n + 1):
            user = identity.create_user(s, SYSTEM, f"{prefix}{i}", "password1", ["council"],
                                        eng.settings.roles, None)
            s.flush()
            actors.append(identity.actor_of(user))
        s.commit()
    for i, actor in enumerate(actors, start=1):
        position = POSITIONS[i - 1] if i <= len(POSITIONS) else "member"
        person = (persons or {}).get(i)
        call(db, members.save_member, SYSTEM, actor.username, position=position,
             person_code=person, sort_order=i)
    return actors


def call(db: Database, fn: Any, *args: Any, **kwargs: Any) -> Any:
    """One service call, one transaction (committed, or rolled back on error)."""
    with db.write_session() as s:
        return run_command(s, lambda: fn(s, *args, **kwargs))


def member_ids(db: Database) -> dict[str, int]:
    """username → member id."""
    with db.session() as s:
        return {v["username"]: k for k, v in members.members_by_id(s).items()}


def candidates(db: Database, meeting_id: int) -> dict[str, int]:
    """subject code → candidate id of a meeting."""
    from workflows.council.models import CouncilCandidate
    with db.session() as s:
        return dict(s.execute(select(CouncilCandidate.subject_code, CouncilCandidate.id)
                              .where(CouncilCandidate.meeting_id == meeting_id)).all())


def open_meeting(db: Database, manager: Actor, *, mode: str = "paper",
                 nomination_ids: list[int] | None = None, present: int | None = None,
                 absent: tuple[str, ...] = ()) -> int:
    """Create and open a meeting of the pool (or the given nominations); record that the
    first ``present`` members (default all invited, less ``absent``) came."""
    made = call(db, meetings.create_meeting, manager, title="Phiên họp Hội đồng TĐKT",
                meeting_date=date(2025, 12, 1), mode=mode, nomination_ids=nomination_ids)
    call(db, meetings.open_meeting, manager, made["id"])
    ids = list(member_ids(db).items())
    if present is not None:
        attending = {mid: i < present for i, (_, mid) in enumerate(ids)}
    else:
        attending = {mid: name not in absent for name, mid in ids}
    call(db, meetings.record_attendance, manager, made["id"], attending)
    return int(made["id"])


def paper_close(db: Database, eng: ProcessEngine, manager: Actor, meeting_id: int,
                counts: dict[str, tuple[int, int, int]], files: Path,
                voting_started: bool = False) -> dict[str, Any]:
    """Voting with paper ballots: enter ``counts`` per subject code, attach the scan,
    close and deliver."""
    if not voting_started:
        call(db, meetings.start_voting, manager, meeting_id)
    ids = candidates(db, meeting_id)
    lines = [{"candidate_id": ids[code], "agree": a, "disagree": d, "abstain": x}
             for code, (a, d, x) in counts.items()]
    call(db, voting.enter_paper_counts, manager, meeting_id, lines)
    call(db, voting.attach_scan, manager, meeting_id, "bien_ban.pdf", PDF, files)
    closed = call(db, closing.close_meeting, manager, meeting_id)
    with db.write_session() as s:
        closed["deliveries"] = closing.deliver_pending(s, eng, manager, meeting_id)
    return dict(closed)


def member_actor(db: Database, username: str) -> Actor:
    with db.session() as s:
        return identity.actor_of(identity.find_user(s, username))


def cast(db: Database, username: str, meeting_id: int, candidate_id: int, choice: str
         ) -> dict[str, Any]:
    """One member's electronic vote, in its own transaction."""
    return dict(call(db, voting.cast_vote, member_actor(db, username), meeting_id,
                     candidate_id, choice))


def in_council(db: Database, instance_id: int) -> list[Nomination]:
    with db.session() as s:
        return list(s.scalars(select(Nomination).where(
            Nomination.instance_id == instance_id, Nomination.status == "in_council")).all())


def walk_council(db: Database, eng: ProcessEngine, manager: Actor, instance_id: int,
                 tally: dict[str, Any], files: Path) -> dict[str, Any]:
    """Run a paper meeting for one instance from the old step's data (``votes``,
    ``members_total`` = the council's size, ``members_present``); return the instance."""
    noms = in_council(db, instance_id)
    assert noms, "the instance has no candidate before the council"
    present = int(tally["members_present"])
    meeting_id = open_meeting(db, manager, nomination_ids=[n.id for n in noms],
                              present=present)
    counts = {v["subject_code"]: (v["agree"], v["disagree"], v["abstain"])
              for v in tally["votes"]}
    closed = paper_close(db, eng, manager, meeting_id, counts, files)
    assert [d["status"] for d in closed["deliveries"]] == ["delivered"], closed["deliveries"]
    with db.session() as s:
        return eng.get_instance(s, instance_id, SYSTEM)
