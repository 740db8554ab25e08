"""``tdkt mail …``: send the outbox once, send a test e-mail.

``tdkt mail send`` is one run of what the scheduler does every tick
(``workflows.mail.send_pending_mail``); ``tdkt mail test ADDRESS`` checks the SMTP
settings by sending one e-mail at once and printing the server's answer.
"""

from __future__ import annotations

import sys

import click

from engine.errors import EngineError
from engine.roles import SYSTEM
from webapp import create_app
from workflows import mail


@click.group("mail")
def mail_group() -> None:
    """Thư điện tử: gửi thư thông báo đang chờ, gửi thư thử."""


@mail_group.command("send")
@click.option("--limit", default=200, show_default=True, type=click.IntRange(1, 10_000),
              help="Số thư (thông báo) tối đa trong một lượt")
def mail_send(limit: int) -> None:
    """Gửi một lượt các thư đến hạn trong hộp thư đi (mã thoát 1 khi có thư lỗi)."""
    app = create_app()
    svc = app.extensions["tdkt"]
    try:
        report = mail.send_pending_mail(svc.db, limit=limit)
    finally:
        svc.db.dispose()
    if report.not_configured:
        click.echo("Chưa cấu hình SMTP (Quản trị › Cấu hình): chưa gửi thư nào, thư vẫn chờ.",
                   err=True)
        sys.exit(1)
    click.echo(f"Đã gửi {report.messages} thư ({report.sent} thông báo); "
               f"{report.retrying} sẽ thử lại, {report.failed} lỗi, {report.cancelled} hủy.")
    for line in report.errors:
        click.echo(f"  - {line}", err=True)
    if report.errors:
        sys.exit(1)


@mail_group.command("test")
@click.argument("address")
def mail_test(address: str) -> None:
    """Gửi ngay một thư thử đến ADDRESS bằng cấu hình SMTP đã lưu."""
    app = create_app()
    svc = app.extensions["tdkt"]
    try:
        result = mail.send_test_mail(svc.db, SYSTEM, address)
    except EngineError as exc:
        click.echo(f"Lỗi [{exc.code}]: {exc.message}", err=True)
        sys.exit(1)
    finally:
        svc.db.dispose()
    if not result.ok:
        click.echo(f"Không gửi được thư thử đến {result.recipient} [{result.code}]: "
                   f"{result.message}", err=True)
        sys.exit(1)
    click.echo(f"Đã gửi thư thử đến {result.recipient}. Máy chủ trả lời: {result.answer}")


COMMANDS = (mail_group,)
