"""Talking to the SMTP server (smtplib): the message, the connection, readable errors.

:class:`SmtpConnection` opens one connection for a run (plain, STARTTLS or SSL/TLS, with
a time limit on every network operation), logs in when an account is set, and sends
messages one by one, returning the server's answer. Every failure becomes a
:class:`MailError` with a stable code and a Vietnamese message that says what to check;
``permanent`` errors (an address the server refuses for good) are not retried.
"""

from __future__ import annotations

import smtplib
import socket
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import formataddr, formatdate, make_msgid
from types import TracebackType

from engine.mail.compose import MailContent

TLS_MODES = ("none", "starttls", "ssl")
SENDER_NAME = "Thi đua - Khen thưởng"
DEFAULT_TIMEOUT_S = 20.0


@dataclass(frozen=True)
class SmtpConfig:
    """The office's SMTP settings (kept by the domain; the engine only uses them)."""

    host: str = ""
    port: int = 587
    user: str = ""
    password: str = ""
    sender: str = ""
    tls: str = "starttls"
    timeout_s: float = DEFAULT_TIMEOUT_S

    @property
    def configured(self) -> bool:
        """A server and a sender address: the least a message needs."""
        return bool(self.host.strip() and self.sender.strip())


class MailError(Exception):
    """A failure to send, with a stable ``code`` and a message people can act on."""

    def __init__(self, code: str, message: str, permanent: bool = False) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.permanent = permanent


NOT_CONFIGURED = MailError(
    "smtp.not_configured",
    "Chưa cấu hình SMTP: cần máy chủ SMTP và địa chỉ gửi thư (Quản trị › Cấu hình).")


def build_message(config: SmtpConfig, recipient: str, content: MailContent) -> EmailMessage:
    """A multipart/alternative message (text and HTML, UTF-8, quoted-printable)."""
    msg = EmailMessage(policy=SMTP)
    msg["Subject"] = " ".join(content.subject.split())  # no line breaks in a header
    msg["From"] = formataddr((SENDER_NAME, config.sender))
    msg["To"] = recipient
    msg["Date"] = formatdate(localtime=False, usegmt=True)
    msg["Message-ID"] = make_msgid(domain=config.sender.rpartition("@")[2] or None)
    msg["Auto-Submitted"] = "auto-generated"  # RFC 3834: no auto-replies, please
    msg.set_content(content.text, cte="quoted-printable")
    msg.add_alternative(content.html, subtype="html", cte="quoted-printable")
    return msg


def _reply(code: int, text: bytes | str) -> str:
    words = text.decode("utf-8", "replace") if isinstance(text, bytes) else str(text)
    return f"{code} {' '.join(words.split())}".strip()


def _where(config: SmtpConfig) -> str:
    return f"{config.host}:{config.port}"


def explain(exc: BaseException, config: SmtpConfig) -> MailError:  # noqa: C901 (one table)
    """The :class:`MailError` for anything smtplib, ssl or the network raised."""
    where = _where(config)
    if isinstance(exc, MailError):
        return exc
    if isinstance(exc, smtplib.SMTPAuthenticationError):
        return MailError("smtp.auth_failed", "Đăng nhập SMTP thất bại: sai tài khoản hoặc mật "
                         f"khẩu (máy chủ trả lời: {_reply(exc.smtp_code, exc.smtp_error)}).")
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        (address, (code, text)), *_ = exc.recipients.items()
        return MailError("smtp.recipient_refused", f"Máy chủ từ chối địa chỉ nhận «{address}» "
                         f"({_reply(code, text)}).", permanent=500 <= code < 600)
    if isinstance(exc, smtplib.SMTPSenderRefused):
        return MailError("smtp.sender_refused", f"Máy chủ từ chối địa chỉ gửi «{exc.sender}» "
                         f"({_reply(exc.smtp_code, exc.smtp_error)}).")
    if isinstance(exc, smtplib.SMTPDataError):
        return MailError("smtp.data_refused", "Máy chủ từ chối nội dung thư "
                         f"({_reply(exc.smtp_code, exc.smtp_error)}).",
                         permanent=500 <= exc.smtp_code < 600)
    if isinstance(exc, smtplib.SMTPServerDisconnected):
        return MailError("smtp.disconnected", f"Máy chủ SMTP {where} ngắt kết nối giữa chừng"
                         f"{f': {exc}' if str(exc) else ''}.")
    if isinstance(exc, ssl.SSLCertVerificationError):
        return MailError("smtp.tls_failed", f"Chứng chỉ TLS của máy chủ {where} không hợp lệ "
                         f"({exc.verify_message}).")
    if isinstance(exc, ssl.SSLError):
        return MailError("smtp.tls_failed", f"Lỗi TLS khi kết nối {where} ({exc.reason or exc}). "
                         "Kiểm tra chế độ mã hóa và cổng: thường 465 dùng SSL/TLS, 587 dùng "
                         "STARTTLS.")
    if isinstance(exc, ConnectionRefusedError):
        return MailError("smtp.connection_refused", f"Máy chủ SMTP {where} từ chối kết nối. "
                         "Kiểm tra tên máy chủ, cổng và tường lửa.")
    if isinstance(exc, socket.gaierror):
        return MailError("smtp.host_not_found",
                         f"Không tìm thấy máy chủ SMTP «{config.host}» (tên không phân giải được).")
    if isinstance(exc, TimeoutError):
        return MailError("smtp.timeout", f"Máy chủ SMTP {where} không trả lời sau "
                         f"{config.timeout_s:g} giây.")
    if isinstance(exc, smtplib.SMTPResponseException):
        return MailError("smtp.refused", f"Máy chủ SMTP {where} từ chối: "
                         f"{_reply(exc.smtp_code, exc.smtp_error)}.")
    if isinstance(exc, OSError | smtplib.SMTPException):
        return MailError("smtp.network", f"Lỗi khi gửi thư qua {where}: {exc}.")
    raise exc


class SmtpConnection:
    """One connection to the server for a run; use as a context manager."""

    def __init__(self, config: SmtpConfig) -> None:
        if not config.configured:
            raise NOT_CONFIGURED
        self.config = config
        self._smtp: smtplib.SMTP | None = None

    def __enter__(self) -> SmtpConnection:
        self.open()
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()

    @property
    def closed(self) -> bool:
        return self._smtp is None

    def open(self) -> None:
        c = self.config
        try:
            if c.tls == "ssl":
                self._smtp = smtplib.SMTP_SSL(c.host, c.port, timeout=c.timeout_s,
                                              context=ssl.create_default_context())
            else:
                self._smtp = smtplib.SMTP(c.host, c.port, timeout=c.timeout_s)
            self._smtp.ehlo()
            if c.tls == "starttls":
                self._starttls(self._smtp)
            if c.user:
                self._login(self._smtp)
        except Exception as exc:
            self.close()
            raise explain(exc, c) from exc

    def _starttls(self, smtp: smtplib.SMTP) -> None:
        if not smtp.has_extn("starttls"):
            raise MailError("smtp.starttls_unsupported", f"Máy chủ {_where(self.config)} không "
                            "hỗ trợ STARTTLS. Chọn «SSL/TLS» (thường cổng 465) hoặc «Không mã "
                            "hóa» nếu máy chủ ở trong mạng nội bộ.")
        smtp.starttls(context=ssl.create_default_context())
        smtp.ehlo()

    def _login(self, smtp: smtplib.SMTP) -> None:
        if not smtp.has_extn("auth"):
            raise MailError("smtp.auth_unsupported", f"Máy chủ {_where(self.config)} không "
                            "cho đăng nhập (không có AUTH). Bỏ trống tài khoản SMTP, hoặc bật "
                            "mã hóa để máy chủ cho đăng nhập.")
        smtp.login(self.config.user, self.config.password)

    def send(self, recipient: str, content: MailContent) -> tuple[str, str]:
        """Send one message; returns its Message-ID and the server's answer to it."""
        if self._smtp is None:
            self.open()
        smtp = self._smtp
        assert smtp is not None
        msg = build_message(self.config, recipient, content)
        try:
            code, text = smtp.mail(self.config.sender)
            if code != 250:
                raise smtplib.SMTPSenderRefused(code, text, self.config.sender)
            code, text = smtp.rcpt(recipient)
            if code not in (250, 251):
                raise smtplib.SMTPRecipientsRefused({recipient: (code, text)})
            code, text = smtp.data(msg.as_bytes())
        except Exception as exc:
            self._reset()
            raise explain(exc, self.config) from exc
        return str(msg["Message-ID"]), _reply(code, text)

    def _reset(self) -> None:
        """After a refused message the connection may go on (RSET), or is dropped."""
        try:
            if self._smtp is not None:
                self._smtp.rset()
        except (OSError, smtplib.SMTPException):
            self.close()

    def close(self) -> None:
        smtp, self._smtp = self._smtp, None
        if smtp is None:
            return
        try:
            smtp.quit()
        except (OSError, smtplib.SMTPException):
            smtp.close()
