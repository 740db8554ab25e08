"""The audit log: append-only and hash-chained, so an edited row shows.

Each row stores the sha256 of the previous row's hash plus its own canonical
content. Appends lock the single ``audit_head`` row, which orders them on
PostgreSQL; on SQLite the command already holds the write lock.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.roles import Actor
from engine.store.models import AuditEvent, AuditHead, utcnow
from engine.store.serializer import to_jsonable

GENESIS = "0" * 64


def canonical(obj: Any) -> str:
    return json.dumps(obj, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


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


def append(
    session: Session,
    actor: Actor,
    event_type: str,
    payload: dict[str, Any] | None = None,
    instance_id: int | None = None,
) -> AuditEvent:
    """Append one event in the caller's transaction."""
    head = session.execute(
        select(AuditHead).where(AuditHead.id == 1).with_for_update()
    ).scalar_one()
    at = utcnow()
    body = canonical(to_jsonable(payload or {}))
    event_id = head.last_id + 1
    digest = event_hash(head.last_hash, event_id, at, actor.id, actor.username,
                        instance_id, event_type, body)
    event = AuditEvent(
        id=event_id, at=at, actor_id=actor.id, actor_name=actor.username,
        instance_id=instance_id, event_type=event_type, payload=body,
        prev_hash=head.last_hash, hash=digest,
    )
    session.add(event)
    head.last_id = event_id
    head.last_hash = digest
    return event


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
