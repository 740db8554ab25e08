"""The office's e-mail (thư điện tử): the SMTP settings put to work.

:func:`send_pending_mail` is what the scheduler calls every tick (and ``tdkt mail send``
once): it reads the SMTP settings and sends the due e-mails of the outbox
(``engine.mail.sender``). :func:`send_test_mail` is the settings page's "Gửi thư thử":
it sends at once and tells the server's answer or what went wrong, audited either way.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from engine import audit
from engine.errors import InvalidData
from engine.identity import check_email
from engine.mail.compose import SUBJECT_PREFIX, MailContent, letter
from engine.mail.sender import DEFAULT_LIMIT, RetryPolicy, SendReport, send_pending
from engine.mail.smtp import NOT_CONFIGURED, MailError, SmtpConfig, SmtpConnection
from engine.roles import Actor
from engine.store.db import Database
from engine.store.models import utcnow
from workflows.settings_admin import smtp_settings

TEST_SUBJECT = SUBJECT_PREFIX + "Thư thử từ phần mềm Thi đua - Khen thưởng"


def smtp_config(session: Session) -> SmtpConfig:
    """The SMTP settings as the sender needs them (with the password)."""
    stored = smtp_settings(session)
    return SmtpConfig(host=str(stored["smtp_host"] or "").strip(),
                      port=int(stored["smtp_port"] or 587),
                      user=str(stored["smtp_user"] or ""),
                      password=str(stored["smtp_password"] or ""),
                      sender=str(stored["smtp_sender"] or "").strip(),
                      tls=str(stored["smtp_tls"] or "starttls"))


def smtp_configured(session: Session) -> bool:
    return smtp_config(session).configured


def send_pending_mail(db: Database, *, now: datetime | None = None,
                      limit: int = DEFAULT_LIMIT,
                      policy: RetryPolicy = RetryPolicy()) -> SendReport:
    """Send the due e-mails of the outbox once, with the office's SMTP settings.

    Safe to call from several processes at once (each row is claimed by one run) and
    cheap when there is nothing to send. With SMTP not configured it sends nothing and
    says so (``report.not_configured``); the e-mails wait in the outbox.
    """
    with db.session() as session:
        config = smtp_config(session)
    return send_pending(db, config, now=now, limit=limit, policy=policy)


def send_now(db: Database, actor: Actor) -> SendReport:
    """An admin's "send now": one run at once, audited with what it did."""
    report = send_pending_mail(db)
    with db.write_session() as session:
        audit.append(session, actor, "mail.sent_now", {
            "not_configured": report.not_configured, "messages": report.messages,
            "sent": report.sent, "retrying": report.retrying, "failed": report.failed,
            "cancelled": report.cancelled})
        session.commit()
    return report


@dataclass(frozen=True)
class TestResult:
    ok: bool
    recipient: str
    answer: str = ""  # the server's answer to the message, when accepted
    code: str = ""  # the error's stable code, when not
    message: str = ""  # the error in Vietnamese, when not


def _test_content(actor: Actor, config: SmtpConfig) -> MailContent:
    when = utcnow().strftime("%H:%M %d/%m/%Y (UTC)")
    part = MailContent(
        TEST_SUBJECT,
        "Đây là thư thử. Anh/chị nhận được thư này nghĩa là cấu hình SMTP đã đúng.\n"
        f"Máy chủ: {config.host}:{config.port}. Gửi lúc {when}, bởi {actor.username}.",
        "<p>Đây là thư thử. Anh/chị nhận được thư này nghĩa là cấu hình SMTP đã đúng.</p>"
        f"<p>Máy chủ: {config.host}:{config.port}. Gửi lúc {when}, bởi {actor.username}.</p>")
    return letter([part])


def send_test_mail(db: Database, actor: Actor, address: str) -> TestResult:
    """Send a test e-mail now with the saved SMTP settings (gửi thư thử), audited sent or not.

    The settings are read first and the server is talked to outside any transaction: a
    slow or silent server holds no lock on the database (on SQLite, the write lock every
    other request needs). The audit entry is written and committed on its own afterwards.

    Raises:
        InvalidData: the address is not an e-mail address (nothing is audited).
    """
    recipient = check_email(address, "test_address")
    if recipient is None:
        message = "Nhập địa chỉ nhận thư thử."
        raise InvalidData(message, code="mail.address_required",
                          details={"test_address": [message]})
    with db.session() as session:
        config = smtp_config(session)
    try:
        if not config.configured:
            raise NOT_CONFIGURED
        with SmtpConnection(config) as connection:
            _message_id, answer = connection.send(recipient, _test_content(actor, config))
        result = TestResult(True, recipient, answer=answer)
    except MailError as exc:
        result = TestResult(False, recipient, code=exc.code, message=exc.message)
    with db.write_session() as session:
        audit.append(session, actor, "mail.test", {
            "recipient": recipient, "ok": result.ok, "host": config.host, "port": config.port,
            "answer": result.answer, "error": result.code})
        session.commit()
    return result
