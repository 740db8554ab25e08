"""After a secret meeting closes, earlier versions of its anonymous counters are wiped from
the database files (``workflows.council.scrub``), on both databases.

PostgreSQL: the tally table's pages are read raw with ``pageinspect`` (a contrib extension
of the PostgreSQL server package; the part that needs it is skipped, with the reason, on a
server without it). SQLite: the write-ahead log is emptied and votes zero freed bytes.
"""

from __future__ import annotations

import sqlite3
import struct
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from council_kit import call, candidates, cast, open_meeting
from nomination_kit import Office, appraise, make_office, proposal
from sqlalchemy import create_engine, select, text
from sqlalchemy.exc import DBAPIError

from engine.store.models import AuditEvent
from workflows.council import closing, meetings, scrub
from workflows.council.models import CouncilMeeting


@pytest.fixture
def office(db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Office]:
    made = make_office(db_url, monkeypatch, tmp_path / "files")
    yield made
    made.db.dispose()


def secret_votes(office: Office, mode: str = "electronic") -> int:
    """A BK_TINH (secret ballot) meeting, 9 members present, every one voting twice."""
    office.walk(office.start(), [("propose", "sub", proposal("NV002", "NV005",
                                                            award="BK_TINH")),
                                 appraise("approve")])
    sec = office.actors["sec"]
    meeting = open_meeting(office.db, sec, mode=mode, present=9)
    call(office.db, meetings.start_voting, sec, meeting)
    if mode == "electronic":
        ids = candidates(office.db, meeting)
        for i in range(1, 10):
            cast(office.db, f"hd{i}", meeting, ids["NV002"], "agree" if i % 4 else "abstain")
            cast(office.db, f"hd{i}", meeting, ids["NV005"], "disagree" if i % 3 else "agree")
    return meeting


def _pageinspect(url: str) -> bool:
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text("CREATE EXTENSION IF NOT EXISTS pageinspect SCHEMA public"))
        return True
    except DBAPIError:  # another test session creating it at the same moment, or absent
        with admin.connect() as conn:
            return conn.scalar(text("SELECT count(*) FROM pg_extension "
                                    "WHERE extname = 'pageinspect'")) == 1
    finally:
        admin.dispose()


def raw_tuples(office: Office) -> dict[str, Any]:
    """Every tuple in council_tally's pages (live or not), and whether the free space of
    each page holds any non-zero byte (bytes of removed tuples)."""
    with office.db.engine.connect() as conn:
        pages = conn.scalar(text("SELECT pg_relation_size('council_tally') / "
                                 "current_setting('block_size')::int"))
        tuples, dirty = 0, False
        for page in range(int(pages or 0)):
            raw = conn.scalar(text("SELECT public.get_raw_page('council_tally', :p)"),
                              {"p": page})
            header = conn.execute(text("SELECT lower, upper FROM public.page_header("
                                       "public.get_raw_page('council_tally', :p))"),
                                  {"p": page}).one()
            tuples += conn.scalar(text(
                "SELECT count(*) FROM public.heap_page_items("
                "public.get_raw_page('council_tally', :p)) WHERE lp_flags <> 0"), {"p": page})
            dirty |= any(bytes(raw)[header.lower:header.upper])
    return {"tuples": tuples, "dirty": dirty}


def tally_pages_in_wal(office: Office) -> list[int]:
    """The frames of SQLite's write-ahead log that hold a page of council_tally (its table
    or its key's index): each is a copy of the page as one transaction left it."""
    database = Path(office.db.engine.url.database or "")
    with sqlite3.connect(database) as con:
        roots = {r for (r,) in con.execute(
            "SELECT rootpage FROM sqlite_master WHERE tbl_name = 'council_tally'")}
    con.close()
    wal = database.with_name(database.name + "-wal")
    data = wal.read_bytes() if wal.exists() else b""
    if len(data) < 32:
        return []
    page_size = struct.unpack(">I", data[8:12])[0]
    frames = []
    for offset in range(32, len(data) - 24, 24 + page_size):
        page = struct.unpack(">I", data[offset:offset + 4])[0]
        if page in roots:
            frames.append(page)
    return frames


def live_rows(office: Office) -> int:
    with office.db.session() as s:
        return int(s.scalar(text("SELECT count(*) FROM council_tally")) or 0)


def test_closing_a_secret_meeting_wipes_the_earlier_counter_versions(office: Office) -> None:
    meeting = secret_votes(office)
    postgres = office.db.is_postgres
    inspect = postgres and _pageinspect(office.db.url)
    if inspect:  # 18 votes rewrote the 6 counters: their pages hold the older versions
        before = raw_tuples(office)
        assert before["tuples"] > live_rows(office) or before["dirty"], before
    if not postgres:  # each vote appended the tally's page to the log
        assert tally_pages_in_wal(office)
    with office.db.write_session() as s:
        closed = closing.close_and_deliver(s, office.eng, office.actors["sec"], meeting)
    assert closed["scrub"]["ok"] is True, closed["scrub"]
    assert closed["scrub"]["method"] == ("vacuum_full" if postgres
                                         else "wal_checkpoint_truncate")
    with office.db.session() as s:
        events = s.scalars(select(AuditEvent).where(
            AuditEvent.event_type == "council.tally_scrubbed")).all()
    assert len(events) == 1
    if inspect:
        after = raw_tuples(office)
        assert after == {"tuples": live_rows(office), "dirty": False}, after
    if not postgres:  # the log written since holds no page of the tally table
        assert not tally_pages_in_wal(office), tally_pages_in_wal(office)
    if postgres and not inspect:
        pytest.skip("pageinspect is not installed on this PostgreSQL server: the raw pages "
                    "were not read (the VACUUM FULL ran and was audited)")


def test_votes_on_sqlite_zero_the_bytes_they_free(office: Office) -> None:
    if office.db.is_postgres:
        pytest.skip("SQLite's secure_delete: PostgreSQL is covered by the VACUUM FULL test")
    secret_votes(office)
    with office.db.write_session() as s:  # the pooled connection the votes used
        assert s.execute(text("PRAGMA secure_delete")).scalar() == 1


def test_no_scrub_without_an_electronic_secret_ballot(office: Office) -> None:
    meeting = secret_votes(office, mode="paper")
    with office.db.session() as s:
        assert scrub.needs_scrub(s, meeting) is False  # paper counts: nobody's own vote


def test_a_scrub_that_cannot_run_is_recorded_and_the_close_stands(
        office: Office, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(scrub, "LOCK_TIMEOUT_MS", 300)
    monkeypatch.setattr(scrub, "CHECKPOINT_BUSY_MS", 300)
    meeting = secret_votes(office)
    blocker = office.db.engine.connect()  # holds the table (PostgreSQL) or a read (SQLite)
    blocker_tx = blocker.begin()
    if office.db.is_postgres:
        blocker.execute(text("LOCK TABLE council_tally IN ACCESS SHARE MODE"))
    else:
        blocker.execute(text("SELECT count(*) FROM council_tally")).scalar()
    try:
        call(office.db, closing.close_meeting, office.actors["sec"], meeting)
        with office.db.write_session() as s:
            outcome = scrub.scrub_tally_storage(s, office.actors["sec"], meeting)
    finally:
        blocker_tx.rollback()
        blocker.close()
    assert outcome["ok"] is False and outcome["error"], outcome
    with office.db.session() as s:
        assert s.get(CouncilMeeting, meeting).scrubbed_at is None
    with office.db.write_session() as s:  # the scheduler's retry, once nothing is in the way
        [again] = scrub.retry_pending_scrubs(s)
    assert again["ok"] is True and again["meeting_id"] == meeting, again
    with office.db.session() as s:
        assert s.get(CouncilMeeting, meeting).scrubbed_at is not None
        events = s.scalars(select(AuditEvent.payload).where(
            AuditEvent.event_type == "council.tally_scrubbed")).all()
    assert len(events) == 2
    with office.db.write_session() as s:  # wiped: nothing left to retry
        assert scrub.retry_pending_scrubs(s) == []
