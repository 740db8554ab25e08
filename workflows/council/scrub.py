"""Wiping earlier versions of the secret ballot's counters from the storage (after a close).

``council_tally`` rows are anonymous, but every vote rewrites a candidate's three
counters, and databases keep earlier row versions for a while: PostgreSQL leaves dead
tuples in the table's pages until a vacuum (and each carries the transaction id it was
written by, the same as the voter's ``council_vote`` row); SQLite appends each changed
page to its write-ahead log (WAL) until a checkpoint, and may leave freed cell bytes in
its pages. Someone reading the raw files could order those versions and tell who voted
what. So when a meeting with an electronic secret ballot closes, once the close is
committed:

- **PostgreSQL**: ``VACUUM (FULL) council_tally`` outside any transaction — the table is
  rewritten into a new file holding only the live rows, and the old file is deleted
  (a plain VACUUM would only mark the space free, leaving old bytes in place until
  reused). A version some running snapshot may still read is kept by any VACUUM, so it
  first waits a little for sessions older than the last vote to end (it can see only the
  sessions of its own user, unless granted ``pg_read_all_stats``), and for other
  meetings' votes in flight (``LOCK_TIMEOUT_MS``).
- **SQLite**: votes are written with ``PRAGMA secure_delete`` on (freed bytes zeroed;
  see ``voting.cast_vote``) and ``PRAGMA wal_checkpoint(TRUNCATE)`` then copies the WAL
  into the database and truncates it to zero bytes.

What remains, honestly: on PostgreSQL the WAL segments still hold the updates until they
are recycled, and WAL archives (``archive_command``), streaming replicas and backups
taken during the vote keep them for as long as they are kept; the deleted table file's
blocks stay on the disk until the filesystem reuses them. On SQLite, backups or copies of
the files taken during the vote, and the disk blocks of the truncated WAL, likewise.
Limit who can read the database files, WAL archives and backups accordingly. Before the
close, while voting is under way, the versions are there by design.
"""

from __future__ import annotations

import time
from typing import Any

from sqlalchemy import Connection, Engine, select, text, update
from sqlalchemy.orm import Session

from engine import audit
from engine.roles import SYSTEM, Actor
from engine.store.models import utcnow
from workflows.council.models import CouncilCandidate, CouncilMeeting

LOCK_TIMEOUT_MS = 5000  # how long the VACUUM waits for other meetings' votes in flight
HORIZON_WAIT_S = 10.0  # how long it waits for older snapshots to end (PostgreSQL)
CHECKPOINT_BUSY_MS = 5000  # how long the checkpoint waits for readers (SQLite)
SQLITE_BUSY_MS = 30000  # the connections' usual busy timeout (engine.store.db)

# Sessions of this database whose snapshot or transaction is older than the meeting's
# last counter update: while one runs, VACUUM must keep the versions it may still see.
_OLDER_SNAPSHOTS = text("""
WITH newest AS (
  SELECT min(age(t.xmin)) AS a FROM council_tally t
  JOIN council_candidate c ON c.id = t.candidate_id WHERE c.meeting_id = :meeting)
SELECT count(*) FROM pg_stat_activity, newest
WHERE datname = current_database() AND pid <> pg_backend_pid() AND newest.a IS NOT NULL
  AND (age(backend_xmin) >= newest.a OR age(backend_xid) >= newest.a)
""")


def needs_scrub(session: Session, meeting_id: int) -> bool:
    """Whether the meeting voted electronically on at least one secret-ballot candidate."""
    meeting = session.get(CouncilMeeting, meeting_id)
    if meeting is None or meeting.mode != "electronic":
        return False
    return session.scalars(select(CouncilCandidate.id).where(
        CouncilCandidate.meeting_id == meeting_id, CouncilCandidate.secret.is_(True)
    ).limit(1)).first() is not None


def _engine(session: Session) -> Engine:
    bind = session.get_bind()
    return bind if isinstance(bind, Engine) else bind.engine


def _older_snapshots(conn: Connection, meeting_id: int) -> int:
    """Wait (up to ``HORIZON_WAIT_S``) for older snapshots to end; how many are left."""
    deadline = time.monotonic() + HORIZON_WAIT_S
    while True:
        left = int(conn.execute(_OLDER_SNAPSHOTS, {"meeting": meeting_id}).scalar() or 0)
        if not left or time.monotonic() >= deadline:
            return left
        time.sleep(0.1)


def _postgres(engine: Engine, meeting_id: int) -> dict[str, Any]:
    with engine.connect() as conn:
        conn = conn.execution_options(isolation_level="AUTOCOMMIT")
        older = _older_snapshots(conn, meeting_id)
        conn.exec_driver_sql(f"SET lock_timeout = {int(LOCK_TIMEOUT_MS)}")
        try:
            conn.exec_driver_sql("VACUUM (FULL) council_tally")
        finally:
            conn.exec_driver_sql("RESET lock_timeout")
    if older:  # the rewrite had to keep the versions those sessions may still read
        raise RuntimeError(f"{older} phiên làm việc khác còn giữ ảnh dữ liệu cũ hơn lá phiếu "
                           "cuối; chạy lại «tdkt council scrub» sau")
    return {"method": "vacuum_full"}


def _sqlite(engine: Engine) -> dict[str, Any]:
    raw = engine.raw_connection()  # no BEGIN: a checkpoint runs outside a transaction
    try:
        cursor = raw.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {int(CHECKPOINT_BUSY_MS)}")
        try:
            busy, log, done = cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
        finally:
            cursor.execute(f"PRAGMA busy_timeout = {int(SQLITE_BUSY_MS)}")
            cursor.close()
    finally:
        raw.close()
    if busy:
        raise RuntimeError(f"một phiên đọc dữ liệu khác chặn việc ghi nhật ký WAL vào tệp "
                           f"({done}/{log} trang); chạy lại «tdkt council scrub» sau")
    return {"method": "wal_checkpoint_truncate", "pages": int(log)}


def scrub_tally_storage(session: Session, actor: Actor, meeting_id: int) -> dict[str, Any]:
    """Wipe the earlier versions of the tally counters (module docstring); audited.

    Call after the close is committed, with ``session`` holding no transaction; the audit
    entry is committed here. Never raises: a failure (a lock not obtained in time, a
    reader blocking the checkpoint) is recorded with its reason, and
    ``tdkt council scrub`` does it again.

    Returns:
        ``{"meeting_id", "ok", "method", "error"}``.
    """
    session.rollback()  # no snapshot of ours may keep the old versions alive
    engine = _engine(session)
    try:
        done = _postgres(engine, meeting_id) if engine.dialect.name == "postgresql" \
            else _sqlite(engine)
        outcome: dict[str, Any] = {"meeting_id": meeting_id, "ok": True, "error": None, **done}
    except Exception as exc:  # recorded; the close itself stands
        outcome = {"meeting_id": meeting_id, "ok": False, "method": None,
                   "error": str(exc).splitlines()[0][:500]}
    audit.append(session, actor, "council.tally_scrubbed", dict(outcome))
    if outcome["ok"]:
        session.execute(update(CouncilMeeting).where(CouncilMeeting.id == meeting_id)
                        .values(scrubbed_at=utcnow()))
    session.commit()
    return outcome


def retry_pending_scrubs(session: Session, actor: Actor = SYSTEM) -> list[dict[str, Any]]:
    """For the scheduler: wipe again every closed meeting with an electronic secret ballot
    whose earlier wipe did not succeed (``scrubbed_at`` empty). Commits each.

    Returns:
        ``scrub_tally_storage``'s answer for each meeting tried.
    """
    pending = list(session.scalars(select(CouncilMeeting.id).where(
        CouncilMeeting.status == "closed", CouncilMeeting.mode == "electronic",
        CouncilMeeting.scrubbed_at.is_(None),
        select(CouncilCandidate.id).where(CouncilCandidate.meeting_id == CouncilMeeting.id,
                                          CouncilCandidate.secret.is_(True)).exists(),
    ).order_by(CouncilMeeting.id)))
    return [scrub_tally_storage(session, actor, meeting_id) for meeting_id in pending]
