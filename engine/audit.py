"""The audit log: append-only and hash-chained, so an edited row shows.

Each row stores the sha256 of the previous row's hash plus its own canonical
content. Events are written at commit under a lock on the single ``audit_head``
row, which orders the chain on PostgreSQL; on SQLite the command already holds
the write lock.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Table, bindparam, event, insert, select, update
from sqlalchemy.orm import Session

from engine.roles import Actor
from engine.store.models import AuditEvent, AuditHead, utcnow
from engine.store.serializer import json_default

GENESIS = "0" * 64


def canonical(obj: Any) -> str:
    """One JSON spelling per value: sorted keys, no spaces, dates as ISO strings."""
    return json.dumps(obj, ensure_ascii=False, sort_keys=True, separators=(",", ":"),
                      default=json_default)


def event_hash(prev_hash: str, event_id: int, at: datetime, actor_id: int | None,
               actor_name: str, instance_id: int | None, event_type: str, payload: str) -> str:
    content = canonical({
        "id": event_id,
        "at": at.isoformat(),
        "actor_id": actor_id,
        "actor_name": actor_name,
        "instance_id": instance_id,
        "event_type": event_type,
        "payload": payload,
    })
    return hashlib.sha256((prev_hash + content).encode("utf-8")).hexdigest()


_PENDING = "tdkt_audit_pending"
HOOKED = "tdkt_audit_hooked"  # session.info key: the session already has the hook
_EVENTS: Table = AuditEvent.__table__  # type: ignore[assignment]
_HEAD: Table = AuditHead.__table__  # type: ignore[assignment]
_LOCK_HEAD = (select(_HEAD.c.last_id, _HEAD.c.last_hash)
              .where(_HEAD.c.id == 1).with_for_update())
_INSERT_EVENT = insert(_EVENTS)
_MOVE_HEAD = (update(_HEAD).where(_HEAD.c.id == 1)
              .values(last_id=bindparam("new_id"), last_hash=bindparam("new_hash")))


def append(
    session: Session,
    actor: Actor,
    event_type: str,
    payload: dict[str, Any] | None = None,
    instance_id: int | None = None,
) -> None:
    """Record one event in the caller's transaction.

    Events wait in the session and are chained and written just before it commits
    (a rollback drops them). So the chain's tip is locked only for those last
    statements, not while a command runs scripts: commands on different instances
    do not wait for each other.
    """
    session.connection()  # the events belong to this transaction: make sure it has begun
    pending = session.info.get(_PENDING)
    if pending is None:
        pending = session.info[_PENDING] = []
        if not session.info.get(HOOKED):
            hook_session(session)
    pending.append((utcnow(), actor.id, actor.username, instance_id, event_type,
                    canonical(payload or {})))


def hook_session(target: Any) -> None:
    """Write pending events at commit for ``target``: a session, or a sessionmaker whose
    sessions then carry the hook from birth (cheaper than hooking each session)."""
    event.listen(target, "before_commit", _write_pending)
    event.listen(target, "after_transaction_end", _drop_pending)


def _drop_pending(session: Session, transaction: Any) -> None:
    if transaction.parent is None:  # the outermost transaction ended without commit
        session.info.pop(_PENDING, None)


def _write_pending(session: Session) -> None:
    pending = session.info.pop(_PENDING, None)
    if not pending:
        return
    conn = session.connection()
    head = conn.execute(_LOCK_HEAD).one()
    last_id, last_hash = head.last_id, head.last_hash
    rows = []
    for at, actor_id, actor_name, instance_id, event_type, body in pending:
        last_id += 1
        digest = event_hash(last_hash, last_id, at, actor_id, actor_name, instance_id,
                            event_type, body)
        rows.append({"id": last_id, "at": at, "actor_id": actor_id, "actor_name": actor_name,
                     "instance_id": instance_id, "event_type": event_type, "payload": body,
                     "prev_hash": last_hash, "hash": digest})
        last_hash = digest
    # One row (the usual case) as a plain execute: executemany costs more for one row.
    conn.execute(_INSERT_EVENT, rows[0] if len(rows) == 1 else rows)
    conn.execute(_MOVE_HEAD, {"new_id": last_id, "new_hash": last_hash})


@dataclass
class VerifyResult:
    ok: bool
    checked: int
    broken_id: int | None = None
    reason: str = ""


def _rows(session: Session, batch: int = 2000) -> Iterator[AuditEvent]:
    last = 0
    while True:
        rows = session.scalars(
            select(AuditEvent).where(AuditEvent.id > last).order_by(AuditEvent.id).limit(batch)
        ).all()
        if not rows:
            return
        yield from rows
        last = rows[-1].id


def verify(session: Session) -> VerifyResult:
    """Recompute the chain; report the first row whose hash or link does not hold."""
    prev = GENESIS
    expected_id = 1
    checked = 0
    for row in _rows(session):
        if row.id != expected_id:
            return VerifyResult(False, checked, expected_id, "missing row (gap in sequence)")
        if row.prev_hash != prev:
            return VerifyResult(False, checked, row.id, "prev_hash does not match previous row")
        digest = event_hash(prev, row.id, row.at, row.actor_id, row.actor_name,
                            row.instance_id, row.event_type, row.payload)
        if digest != row.hash:
            return VerifyResult(False, checked, row.id, "content does not match its hash")
        prev = row.hash
        expected_id += 1
        checked += 1
    head = session.get(AuditHead, 1)
    if head is not None and (head.last_id != checked or head.last_hash != prev):
        return VerifyResult(False, checked, checked + 1, "rows missing at the end of the chain")
    return VerifyResult(True, checked)
