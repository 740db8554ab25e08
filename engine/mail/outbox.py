"""The outbox (hộp thư đi): e-mails queued with their notifications, and what admins do.

:func:`queue_for_notifications` runs inside the command that wrote the notifications, with
one ``INSERT … SELECT``: the database picks, among their recipients, those who have an
address and have not turned e-mail off. Nothing is sent here (``engine.mail.sender``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import String, Table, Text, bindparam, func, insert, literal, select, update
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from engine import audit
from engine.errors import Conflict, NotFound
from engine.mail.compose import MailContent
from engine.roles import Actor
from engine.store.models import EmailOutbox, Notification, User, UTCDateTime, utcnow

STATUSES = ("queued", "sending", "sent", "failed", "cancelled")

_OUTBOX: Table = EmailOutbox.__table__  # type: ignore[assignment]
_NOTES: Table = Notification.__table__  # type: ignore[assignment]
_USERS: Table = User.__table__  # type: ignore[assignment]
_NOW = bindparam("now", type_=UTCDateTime())
# Built once: a row per notification whose person has an address and wants e-mail.
_QUEUE = insert(_OUTBOX).from_select(
    ["notification_id", "user_id", "recipient", "subject", "body_text", "body_html", "status",
     "attempts", "next_attempt_at", "created_at"],
    select(_NOTES.c.id, _NOTES.c.user_id, _USERS.c.email,
           bindparam("subject", type_=String), bindparam("body_text", type_=Text),
           bindparam("body_html", type_=Text), literal("queued"), literal(0), _NOW, _NOW)
    .join(_USERS, _USERS.c.id == _NOTES.c.user_id)
    .where(_NOTES.c.id.in_(bindparam("ids", expanding=True)),
           _USERS.c.email.is_not(None), func.trim(_USERS.c.email) != "",
           _USERS.c.email_notifications.is_(True)))


def queue_for_notifications(conn: Connection, notification_ids: Sequence[int],
                            content: MailContent, now: datetime | None = None) -> None:
    """Queue the e-mail of notifications that share one content, in the caller's
    transaction (a rolled-back command queues nothing)."""
    if not notification_ids:
        return
    conn.execute(_QUEUE, {"ids": list(notification_ids), "subject": content.subject,
                          "body_text": content.text, "body_html": content.html,
                          "now": now or utcnow()})


SETTLED_NOTE = "Không gửi: công việc đã được xử lý hoặc nhận trước khi thư đi."


def cancel_settled(settled: Any) -> Any:
    """The statement that cancels the e-mails still waiting of notifications that no
    longer ask anything of their person (``settled``: a select of notification ids, with
    its own bound parameters); built once by its caller, run in the command's transaction.
    A row already being sent is left to its run."""
    table: Table = EmailOutbox.__table__  # type: ignore[assignment]
    return (update(table)
            .where(table.c.status == "queued", table.c.notification_id.in_(settled))
            .values(status="cancelled", last_error=SETTLED_NOTE))


# -- what admins see and do ------------------------------------------------------------
@dataclass(frozen=True)
class OutboxPage:
    items: list[EmailOutbox]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


def list_outbox(session: Session, status: str | None = None, page: int = 1,
                per_page: int = 50) -> OutboxPage:
    """Rows of the outbox, newest first; ``status`` one of :data:`STATUSES` or all."""
    where = [EmailOutbox.status == status] if status in STATUSES else []
    total = session.scalar(select(func.count()).select_from(EmailOutbox).where(*where)) or 0
    page = max(page, 1)
    rows = session.scalars(select(EmailOutbox).where(*where)
                           .order_by(EmailOutbox.created_at.desc(), EmailOutbox.id.desc())
                           .offset((page - 1) * per_page).limit(per_page)).all()
    return OutboxPage(list(rows), int(total), page, per_page)


def status_counts(session: Session) -> dict[str, int]:
    counts = dict(session.execute(select(EmailOutbox.status, func.count())
                                  .group_by(EmailOutbox.status)).all())
    return {status: int(counts.get(status, 0)) for status in STATUSES}


def retry(session: Session, actor: Actor, outbox_id: int) -> EmailOutbox:
    """Queue a failed (or cancelled) e-mail again, due now, its attempts counted afresh."""
    row = session.get(EmailOutbox, outbox_id)
    if row is None:
        raise NotFound("Không tìm thấy thư.", code="mail.not_found")
    if row.status not in ("failed", "cancelled"):
        raise Conflict("Chỉ gửi lại được thư bị lỗi hoặc đã hủy.", code="mail.not_failed")
    before = row.status
    row.status, row.attempts, row.next_attempt_at = "queued", 0, utcnow()
    row.claim_token = row.claimed_at = None
    audit.append(session, actor, "mail.retried",
                 {"outbox_id": row.id, "recipient": row.recipient, "before": before})
    return row


def retry_all_failed(session: Session, actor: Actor) -> int:
    """Queue every failed e-mail again; returns how many."""
    done = session.execute(
        update(EmailOutbox).where(EmailOutbox.status == "failed")
        .values(status="queued", attempts=0, next_attempt_at=utcnow(), claim_token=None,
                claimed_at=None)
        .execution_options(synchronize_session=False))
    count = int(getattr(done, "rowcount", 0) or 0)
    if count:
        audit.append(session, actor, "mail.retried_all", {"count": count})
    return count
