"""``tdkt council …``: the council's members, meetings and the delivery of results.

``tdkt council deliver`` retries the results of closed meetings that did not reach their
procedure instance (each instance in its own transaction; what fails stays pending);
``tdkt council scrub`` wipes a closed meeting's earlier secret-ballot counter versions
from the database files when the automatic run at the close did not succeed.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import click

from engine.errors import EngineError
from engine.roles import SYSTEM
from engine.runtime.runner import run_command
from webapp import create_app
from workflows.council import closing, meetings, members, views
from workflows.council.models import POSITIONS
from workflows.council.scrub import scrub_tally_storage


@contextmanager
def _app() -> Iterator[tuple[Any, Any]]:
    app = create_app()
    with app.app_context():
        svc = app.extensions["tdkt"]
        try:
            yield app, svc
        finally:
            svc.db.dispose()


@click.group("council")
def council() -> None:
    """Hội đồng Thi đua - Khen thưởng: thành viên, phiên họp, gửi kết quả."""


def _fail(exc: EngineError) -> None:
    click.echo(f"Lỗi [{exc.code}]: {exc.message}", err=True)
    sys.exit(1)


def _echo(data: Any) -> None:
    click.echo(json.dumps(data, ensure_ascii=False, indent=2, default=str))


@council.command("deliver")
@click.option("--meeting", "meeting_id", type=int, default=None,
              help="Chỉ gửi kết quả của phiên họp này")
def deliver(meeting_id: int | None) -> None:
    """Gửi lại kết quả các phiên họp đã kết thúc chưa đến được hồ sơ (mã thoát 1 nếu còn)."""
    with _app() as (_, svc):
        session = svc.db.write_session()
        try:
            done = closing.deliver_pending(session, svc.engine, SYSTEM, meeting_id)
        finally:
            session.close()
    for row in done:
        line = f"Phiên họp {row['meeting_id']} → hồ sơ {row['instance_id']}: {row['status']}"
        click.echo(line + (f" ({row['error']})" if row["error"] else ""))
    if not done:
        click.echo("Không có kết quả nào chờ gửi.")
    if any(r["status"] != "delivered" for r in done):
        sys.exit(1)


@council.command("members")
@click.option("--all", "include_inactive", is_flag=True, help="Gồm cả thành viên đã thôi")
def list_members(include_inactive: bool) -> None:
    """Danh sách thành viên Hội đồng (JSON)."""
    with _app() as (_, svc), svc.db.reading() as session:
        _echo(members.list_members(session, SYSTEM, include_inactive))


@council.command("member")
@click.argument("username")
@click.option("--position", type=click.Choice(POSITIONS), default="member", show_default=True)
@click.option("--person", "person_code", default=None, help="Mã cán bộ (để tự động miễn "
              "biểu quyết khi là đối tượng hoặc thủ trưởng đơn vị của đối tượng)")
@click.option("--inactive", is_flag=True, help="Thôi làm thành viên")
@click.option("--order", "sort_order", type=int, default=0)
def save_member(username: str, position: str, person_code: str | None, inactive: bool,
                sort_order: int) -> None:
    """Thêm USERNAME vào Hội đồng hoặc sửa chức danh."""
    with _app() as (_, svc):
        session = svc.db.write_session()
        try:
            row = run_command(session, lambda: members.save_member(
                session, SYSTEM, username, position=position, person_code=person_code,
                active=not inactive, sort_order=sort_order))
        except EngineError as exc:
            _fail(exc)
        finally:
            session.close()
    _echo(row)


@council.command("meetings")
def list_meetings() -> None:
    """Các phiên họp, mới nhất trước (JSON)."""
    with _app() as (_, svc), svc.db.reading() as session:
        _echo(meetings.list_meetings(session, SYSTEM))


@council.command("show")
@click.argument("meeting_id", type=int)
def show(meeting_id: int) -> None:
    """Một phiên họp: thành viên, đối tượng, miễn biểu quyết, kết quả, việc gửi kết quả."""
    with _app() as (_, svc), svc.db.reading() as session:
        try:
            _echo(views.meeting_view(session, SYSTEM, meeting_id))
        except EngineError as exc:
            _fail(exc)


@council.command("scrub")
@click.argument("meeting_id", type=int)
def scrub(meeting_id: int) -> None:
    """Xóa các phiên bản cũ của bộ đếm phiếu kín khỏi tệp dữ liệu (sau khi đóng phiên họp).

    Tự chạy khi kết thúc biểu quyết; dùng lệnh này khi lần tự chạy không thành công.
    """
    with _app() as (_, svc):
        session = svc.db.write_session()
        try:
            meeting = meetings.get_meeting_row(session, meeting_id)
            meetings.require_status(meeting, "closed")
            outcome = scrub_tally_storage(session, SYSTEM, meeting_id)
        except EngineError as exc:
            _fail(exc)
        finally:
            session.close()
    _echo(outcome)
    if not outcome["ok"]:
        sys.exit(1)


COMMANDS = [council]
