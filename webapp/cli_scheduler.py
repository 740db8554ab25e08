"""``tdkt scheduler``: fires due timers, sends reminders and overdue notices.

Run it as its own process next to the web workers (several may run: one is active,
the others wait and take over, see ``engine.scheduler.lease``); ``tdkt serve`` also
runs one in a background thread unless told not to.
"""

from __future__ import annotations

import contextlib
import logging
import signal
import sys
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import click
from flask import Flask

from engine.scheduler import Scheduler
from engine.service import ProcessEngine
from engine.store.db import Database
from webapp import create_app
from workflows.council.closing import retry_pending_deliveries
from workflows.council.scrub import retry_pending_scrubs
from workflows.mail import send_pending_mail


def make_scheduler(app: Flask, interval_s: float | None = None) -> Scheduler:
    """The scheduler of this process, on the application's database and engine."""
    svc = app.extensions["tdkt"]
    return Scheduler(svc.engine, svc.db,
                     interval_s=float(interval_s or app.config["SCHEDULER_INTERVAL_S"]),
                     jobs=tick_jobs(svc.db, svc.engine))


# Council results that did not reach their dossier are tried again at most this often
# (each delivery up to closing.AUTO_ATTEMPTS times; then a person retries from the page).
DELIVERY_RETRY_EVERY = timedelta(minutes=5)
# Closed secret meetings whose counters' earlier versions could not be wiped yet (a reader
# held the SQLite checkpoint, an old PostgreSQL snapshot) are tried again this often.
SCRUB_RETRY_EVERY = timedelta(minutes=10)


def tick_jobs(db: Database, engine: ProcessEngine) -> dict[str, Callable[[datetime], Any]]:
    """The application's work for every tick, after timers and reminders: council results
    not yet delivered (every five minutes), secret ballots not yet wiped (every ten), then
    the e-mail outbox (so the notifications the tick wrote go out in the same tick)."""
    last_delivery: list[datetime] = []

    def deliveries(now: datetime) -> str | None:
        if last_delivery and now - last_delivery[0] < DELIVERY_RETRY_EVERY:
            return None
        last_delivery[:] = [now]
        with db.write_session() as session:
            done = retry_pending_deliveries(session, engine)
        if not done:
            return None
        delivered = sum(1 for d in done if d["status"] == "delivered")
        return f"{delivered}/{len(done)} kết quả đã chuyển"

    last_scrub: list[datetime] = []

    def scrubs(now: datetime) -> str | None:
        if last_scrub and now - last_scrub[0] < SCRUB_RETRY_EVERY:
            return None
        last_scrub[:] = [now]
        with db.write_session() as session:
            done = retry_pending_scrubs(session)
        if not done:
            return None
        return f"{sum(1 for d in done if d['ok'])}/{len(done)} phiên họp đã xóa vết"

    def mail(now: datetime) -> str:
        report = send_pending_mail(db, now=now)
        return "chưa cấu hình SMTP" if report.not_configured else f"{report.messages} thư đã gửi"

    return {"Kết quả Hội đồng": deliveries, "Phiếu kín": scrubs, "Thư": mail}


def _moment(app: Flask, text: str) -> datetime:
    try:
        moment = datetime.fromisoformat(text)
    except ValueError as exc:
        raise click.BadParameter("Cần thời điểm ISO 8601, ví dụ 2027-01-15T08:00.") from exc
    if moment.tzinfo is None:  # the office's time, as people say it
        moment = moment.replace(tzinfo=app.extensions["tdkt"].engine.calendar.tz)
    return moment


@click.command("scheduler")
@click.option("--once", is_flag=True, help="Chạy một lượt rồi thoát.")
@click.option("--at", "at", default=None,
              help="Với --once: chạy như thể vào thời điểm này (ISO 8601, giờ Việt Nam nếu "
                   "không ghi múi giờ).")
@click.option("--interval", type=float, default=None,
              help="Số giây giữa hai lượt (mặc định TDKT_SCHEDULER_INTERVAL_S, 30).")
def scheduler(once: bool, at: str | None, interval: float | None) -> None:
    """Bộ lập lịch: chạy các hẹn giờ đến hạn, nhắc hạn và báo quá hạn."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    logging.getLogger("apscheduler").setLevel(logging.WARNING)  # not a line per tick
    app = create_app()
    if at and not once:
        raise click.UsageError("--at chỉ dùng cùng --once.")
    with app.app_context():
        job = make_scheduler(app, interval)
        if once:
            report = job.tick(_moment(app, at) if at else None)
            job.stop()  # a one-off run leaves the lease to the running schedulers
            click.echo(report.summary())
            sys.exit(1 if report.timers.failed else 0)
        click.echo(f"Bộ lập lịch {job.holder} chạy mỗi {job.interval_s:g} giây "
                   "(Ctrl+C để dừng).")

        def _stop(*_args: Any) -> None:
            raise SystemExit(0)

        signal.signal(signal.SIGTERM, _stop)
        with contextlib.suppress(KeyboardInterrupt, SystemExit):
            job.start(blocking=True)  # stops (and gives the lease up) on Ctrl+C or SIGTERM
        click.echo("Đã dừng bộ lập lịch.")


COMMANDS = [scheduler]
