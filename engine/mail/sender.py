"""Sending the outbox (gửi thư): one run claims the due rows, sends, records each outcome.

A run claims up to ``limit`` due rows with a conditional ``UPDATE`` (status ``queued`` and
due, or ``sending`` under a claim older than ``stale_after``: its process stopped), so two
processes running at once never send a row twice (a run keeps its claim fresh while it
sends, so a slow server does not make its rows look abandoned). The rows of one recipient
go out as one message (:func:`engine.mail.compose.letter`); each message's rows are then
committed on their own: sent, queued again with a growing delay, or ``failed`` after the
last attempt (or at once when the server refuses the address for good). Rows whose person
has since lost their address, turned e-mail off or been locked are ``cancelled``. When
SMTP is not configured nothing is claimed: the rows wait.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, or_, select, update

from engine.mail.compose import MailContent, letter
from engine.mail.smtp import MailError, SmtpConfig, SmtpConnection
from engine.store.db import Database
from engine.store.models import EmailOutbox, User, utcnow

DEFAULT_LIMIT = 200
HEARTBEAT = timedelta(minutes=1)
CANCELLED_NOTE = "Không gửi: người nhận không còn địa chỉ, đã tắt thư hoặc bị khóa."


@dataclass(frozen=True)
class RetryPolicy:
    """Attempts and the delay before each retry: 1 min, 5 min, 25 min, 2 h, then 6 h."""

    max_attempts: int = 6
    first_delay: timedelta = timedelta(minutes=1)
    factor: float = 5.0
    max_delay: timedelta = timedelta(hours=6)

    def delay(self, attempts: int) -> timedelta:
        """The wait after the ``attempts``-th failed attempt (1, 2, …)."""
        return min(self.first_delay * self.factor ** max(attempts - 1, 0), self.max_delay)


@dataclass
class SendReport:
    """What one run did; ``not_configured`` runs touch nothing."""

    not_configured: bool = False
    messages: int = 0  # messages the server accepted
    sent: int = 0  # rows in them
    retrying: int = 0
    failed: int = 0
    cancelled: int = 0
    errors: list[str] = field(default_factory=list)

    @property
    def claimed(self) -> int:
        return self.sent + self.retrying + self.failed + self.cancelled


@dataclass
class _Row:
    id: int
    attempts: int
    recipient: str
    part: MailContent


def _due(now: datetime, stale_after: timedelta) -> Any:
    return or_(and_(EmailOutbox.status == "queued", EmailOutbox.next_attempt_at <= now),
               and_(EmailOutbox.status == "sending", EmailOutbox.claimed_at < now - stale_after))


def _claim(db: Database, token: str, now: datetime, limit: int,
           stale_after: timedelta) -> list[int]:
    with db.session() as s:
        ids = s.scalars(select(EmailOutbox.id).where(_due(now, stale_after))
                        .order_by(EmailOutbox.next_attempt_at, EmailOutbox.id)
                        .limit(limit)).all()
    return take(db, ids, token, now, stale_after) if ids else []


def take(db: Database, ids: Sequence[int], token: str, now: datetime,
         stale_after: timedelta) -> list[int]:
    """Claim those of ``ids`` that are still due, for the run ``token``; returns them.

    The conditional ``UPDATE`` is the lock: a row another run claimed since ``ids`` were
    read is no longer due (on PostgreSQL the ``UPDATE`` waits for the other run's commit
    and checks the condition again), so it is left alone.
    """
    with db.write_session() as s:
        s.execute(update(EmailOutbox)
                  .where(EmailOutbox.id.in_(list(ids)), _due(now, stale_after))
                  .values(status="sending", claim_token=token, claimed_at=now)
                  .execution_options(synchronize_session=False))
        s.commit()
        return list(s.scalars(select(EmailOutbox.id).where(EmailOutbox.claim_token == token)
                              .order_by(EmailOutbox.id)))


def _load(db: Database, token: str) -> tuple[list[_Row], list[int]]:
    """The claimed rows to send (to the person's current address), and those to cancel."""
    with db.session() as s:
        found = s.execute(
            select(EmailOutbox, User.email, User.email_notifications, User.active)
            .outerjoin(User, User.id == EmailOutbox.user_id)
            .where(EmailOutbox.claim_token == token).order_by(EmailOutbox.id)).all()
    rows, cancel = [], []
    for row, email, wanted, active in found:
        address = row.recipient if row.user_id is None else (email or "").strip()
        if row.user_id is not None and not (address and wanted and active):
            cancel.append(row.id)
            continue
        rows.append(_Row(row.id, row.attempts, address,
                         MailContent(row.subject, row.body_text, row.body_html)))
    return rows, cancel


def _finish(db: Database, token: str, ids: Sequence[int], **values: Any) -> None:
    """Record an outcome for rows this run still holds, in a transaction of its own."""
    with db.write_session() as s:
        s.execute(update(EmailOutbox)
                  .where(EmailOutbox.id.in_(list(ids)), EmailOutbox.claim_token == token)
                  .values(claim_token=None, claimed_at=None, **values)
                  .execution_options(synchronize_session=False))
        s.commit()


def _failed(db: Database, token: str, group: list[_Row], error: MailError, now: datetime,
            policy: RetryPolicy, report: SendReport) -> None:
    report.errors.append(f"{group[0].recipient}: {error.message}")
    for row in group:  # rows of one message may have had different attempts before
        attempts = row.attempts + 1
        if error.permanent or attempts >= policy.max_attempts:
            _finish(db, token, [row.id], status="failed", attempts=attempts,
                    last_error=error.message)
            report.failed += 1
        else:
            _finish(db, token, [row.id], status="queued", attempts=attempts,
                    last_error=error.message, next_attempt_at=now + policy.delay(attempts))
            report.retrying += 1


def unsendable(exc: Exception) -> MailError:
    """An error of our own while building or sending one message: retrying the same rows
    would fail the same way, so they fail at once and the run goes on with the others."""
    return MailError("mail.unsendable", f"Không dựng được thư: {type(exc).__name__}: {exc}"[:500],
                     permanent=True)


def _groups(rows: list[_Row]) -> list[list[_Row]]:
    by_recipient: dict[str, list[_Row]] = {}
    for row in rows:
        by_recipient.setdefault(row.recipient.lower(), []).append(row)
    return list(by_recipient.values())


@dataclass
class _Claim:
    """The run's hold on its rows: kept fresh while it sends, so that only the rows of a
    run that stopped look stale to the others."""

    db: Database
    token: str
    now: datetime  # the run's time
    started: datetime = field(default_factory=utcnow)  # the clock's time at its start
    touched: datetime | None = None

    def keep(self) -> None:
        moment = self.now + (utcnow() - self.started)
        if moment - (self.touched or self.now) < HEARTBEAT:
            return
        with self.db.write_session() as s:
            s.execute(update(EmailOutbox).where(EmailOutbox.claim_token == self.token)
                      .values(claimed_at=moment).execution_options(synchronize_session=False))
            s.commit()
        self.touched = moment


def _send_groups(claim: _Claim, config: SmtpConfig, groups: list[list[_Row]],
                 policy: RetryPolicy, report: SendReport) -> None:
    db, token, now = claim.db, claim.token, claim.now
    connection = SmtpConnection(config)
    down: MailError | None = None  # the server could not be reached: the rest wait too
    try:
        for group in groups:
            claim.keep()
            if down is None and connection.closed:
                try:
                    connection.open()
                except MailError as exc:
                    down = exc
            try:
                if down is not None:
                    raise down
                message_id, _answer = connection.send(group[0].recipient,
                                                      letter([r.part for r in group]))
            except MailError as exc:
                _failed(db, token, group, exc, now, policy, report)
                continue
            except Exception as exc:  # a message that cannot be built: only it fails
                _failed(db, token, group, unsendable(exc), now, policy, report)
                continue
            _finish(db, token, [r.id for r in group], status="sent", sent_at=utcnow(),
                    attempts=EmailOutbox.attempts + 1, last_error=None, message_id=message_id)
            report.messages += 1
            report.sent += len(group)
    finally:
        connection.close()


def send_pending(db: Database, config: SmtpConfig, *, now: datetime | None = None,
                 limit: int = DEFAULT_LIMIT, policy: RetryPolicy = RetryPolicy(),
                 stale_after: timedelta = timedelta(minutes=15)) -> SendReport:
    """Send the due e-mails of the outbox once (one run); safe to run in several processes.

    Args:
        now: the run's time (due rows, retry times); the current time by default.
        limit: the most rows one run claims; the rest wait for the next run.
    """
    report = SendReport()
    if not config.configured:
        report.not_configured = True
        return report
    now = now or utcnow()
    token = str(uuid.uuid4())
    if not _claim(db, token, now, limit, stale_after):
        return report
    rows, cancel = _load(db, token)
    if cancel:
        _finish(db, token, cancel, status="cancelled", last_error=CANCELLED_NOTE)
        report.cancelled = len(cancel)
    _send_groups(_Claim(db, token, now), config, _groups(rows), policy, report)
    return report
