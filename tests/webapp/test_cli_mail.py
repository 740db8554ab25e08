"""``tdkt user create --email``, ``tdkt mail send`` and ``tdkt mail test`` as real processes,
against a real SMTP server in the test process."""

from __future__ import annotations

from typing import Any

from smtp_kit import ANSWER, SmtpServer, closed_port, smtp_server  # noqa: F401  (fixture)
from test_cli_commands import Cli, cli, workdir  # noqa: F401  (fixtures)

from engine.roles import SYSTEM
from engine.store.db import Database
from engine.store.models import EmailOutbox
from workflows import settings_admin


def _configure(url: str, **values: Any) -> None:
    db = Database(url)
    with db.write_session() as s:
        settings_admin.update_settings(s, SYSTEM, dict(values))
        s.commit()
    db.dispose()


def _queue(url: str, recipient: str) -> None:
    db = Database(url)
    with db.write_session() as s:
        s.add(EmailOutbox(recipient=recipient, subject="[TĐKT] Công việc mới: Thẩm định",
                          body_text="Công việc mới: Thẩm định", body_html="<p>Thẩm định</p>"))
        s.commit()
    db.dispose()


def test_user_create_with_an_address(cli: Cli) -> None:  # noqa: F811
    cli.ok("user", "create", "vanthu", "--role", "council", "--password", "password123",
           "--email", "vanthu@tinh.gov.vn")
    assert cli.scalar("SELECT email FROM app_user WHERE username = 'vanthu'") == \
        "vanthu@tinh.gov.vn"
    bad = cli("user", "create", "khach", "--role", "council", "--password", "password123",
              "--email", "không-phải-thư")
    assert bad.returncode == 1 and "[user.email_invalid]" in bad.stderr
    assert "Địa chỉ thư điện tử không hợp lệ." in bad.stderr


def test_mail_send_waits_without_smtp_then_sends(cli: Cli,  # noqa: F811
                                                 smtp_server: SmtpServer) -> None:  # noqa: F811
    _queue(cli.url, "thuky@tinh.gov.vn")
    waiting = cli("mail", "send")
    assert waiting.returncode == 1 and "Chưa cấu hình SMTP" in waiting.stderr
    assert cli.scalar("SELECT status FROM email_outbox") == "queued"
    _configure(cli.url, smtp_host=smtp_server.host, smtp_port=smtp_server.port, smtp_tls="none",
               smtp_sender="tdkt@tinh.gov.vn")
    out = cli.ok("mail", "send")
    assert "Đã gửi 1 thư (1 thông báo); 0 sẽ thử lại, 0 lỗi, 0 hủy." in out
    [got] = smtp_server.inbox.to("thuky@tinh.gov.vn")
    assert got.message["Subject"] == "[TĐKT] Công việc mới: Thẩm định"
    assert cli.scalar("SELECT status FROM email_outbox") == "sent"


def test_mail_test_prints_the_answer_or_the_error(cli: Cli,  # noqa: F811
                                                  smtp_server: SmtpServer) -> None:  # noqa: F811
    _configure(cli.url, smtp_host=smtp_server.host, smtp_port=smtp_server.port, smtp_tls="none",
               smtp_sender="tdkt@tinh.gov.vn")
    out = cli.ok("mail", "test", "quantri@tinh.gov.vn")
    assert f"Đã gửi thư thử đến quantri@tinh.gov.vn. Máy chủ trả lời: {ANSWER}" in out
    assert len(smtp_server.inbox.to("quantri@tinh.gov.vn")) == 1
    _configure(cli.url, smtp_port=closed_port())
    failed = cli("mail", "test", "quantri@tinh.gov.vn")
    assert failed.returncode == 1 and "[smtp.connection_refused]" in failed.stderr
    assert "từ chối kết nối" in failed.stderr
    assert cli.scalar("SELECT count(*) FROM audit_event WHERE event_type = 'mail.test'") == 2
