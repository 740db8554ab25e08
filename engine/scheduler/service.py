"""The scheduler of one process: APScheduler 3 calls :meth:`Scheduler.tick` every N seconds.

``tdkt scheduler`` runs it in the foreground (a ``BlockingScheduler``); ``tdkt serve``
runs it in a background thread beside the web server (a ``BackgroundScheduler``).
Every process may run one: the lease (``engine.scheduler.lease``) lets one of them
act at a time, the others wait and take over when it stops.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.base import BaseScheduler
from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.interval import IntervalTrigger

from engine import clock
from engine.migration.worker import worker_name
from engine.reminders import ReminderPolicy, ReminderReport
from engine.scheduler import lease
from engine.scheduler.jobs import FireReport, fire_due_timers, remind
from engine.service import ProcessEngine
from engine.store.db import Database

log = logging.getLogger(__name__)
JOB_ID = "tdkt-scheduler-tick"


@dataclass
class TickReport:
    """What one tick did; ``active`` is False when another process holds the lease."""

    active: bool
    timers: FireReport = field(default_factory=FireReport)
    reminders: ReminderReport = field(default_factory=ReminderReport)
    jobs: dict[str, Any] = field(default_factory=dict)  # what each extra job returned

    def summary(self) -> str:
        if not self.active:
            return "Bộ lập lịch khác đang hoạt động; tiến trình này chờ."
        text = (f"Hẹn giờ: {len(self.timers.fired)} hồ sơ chạy tiếp, "
                f"{len(self.timers.failed)} lỗi, {len(self.timers.skipped)} bỏ qua; "
                f"nhắc hạn: {self.reminders.reminded}; quá hạn: {self.reminders.overdue}.")
        for name, result in self.jobs.items():
            if result is not None:  # None: the job had nothing to say this tick
                text += f" {name}: {result}."
        return text


class Scheduler:
    """Fires due timers and sends reminders, one tick at a time.

    Args:
        interval_s: seconds between ticks (``TDKT_SCHEDULER_INTERVAL_S``).
        stale_after: how long a silent holder keeps the lease (default: 4 intervals,
            at least two minutes).
        policy: reminders and escalation (default: the engine's, from the settings).
        wall_clock: the real time, for the lease only (a tick run "at" another moment
            must not hold the lease in the future); tests replace it.
        jobs: more work for each tick, by name, run after the reminders (so their
            e-mails go out in the same tick): each is called with the tick's moment;
            the application registers them (sending the e-mail outbox, say), the
            engine knows none of them. One job's failure never stops the others.
    """

    def __init__(self, engine: ProcessEngine, db: Database, interval_s: float = 30.0,
                 holder: str | None = None, stale_after: timedelta | None = None,
                 policy: ReminderPolicy | None = None,
                 wall_clock: Callable[[], datetime] | None = None,
                 jobs: Mapping[str, Callable[[datetime], Any]] | None = None) -> None:
        self.engine = engine
        self.db = db
        self.interval_s = interval_s
        self.holder = holder or worker_name()
        self.stale_after = stale_after or timedelta(seconds=max(120.0, 4 * interval_s))
        self.policy = policy
        self.wall_clock = wall_clock or (lambda: datetime.now(UTC))
        self.jobs = dict(jobs or {})
        self._aps: BaseScheduler | None = None

    def tick(self, now: datetime | None = None) -> TickReport:
        """One round. ``now`` (aware) runs it as of that moment, as tests and
        ``tdkt scheduler --once --at`` do; by default the real clock."""
        began = time.monotonic()
        if not lease.acquire(self.db, self.holder, self.wall_clock(), self.stale_after):
            return TickReport(active=False)
        started = now or clock.now()
        report = TickReport(active=True)
        with clock.at(now):
            try:
                report.timers = fire_due_timers(self.engine, self.db, started)
            except Exception:  # the database went away: the next tick starts again
                log.exception("firing timers failed")
            if time.monotonic() - began > self.stale_after.total_seconds() / 2:
                lease.acquire(self.db, self.holder, self.wall_clock(), self.stale_after)
            try:
                report.reminders = remind(self.engine, self.db, self.policy, clock.now())
            except Exception:
                log.exception("sending reminders failed")
            for name, job in self.jobs.items():
                try:
                    report.jobs[name] = job(clock.now())
                except Exception:
                    log.exception("scheduler job %s failed", name)
        if report.timers.fired or report.timers.failed or report.reminders.reminded \
                or report.reminders.overdue:
            log.info("%s", report.summary())
        return report

    def _tick_safely(self) -> None:
        try:
            self.tick()
        except Exception:  # never let one bad tick stop the schedule
            log.exception("scheduler tick failed")

    def start(self, blocking: bool = True) -> None:
        """Tick now and every ``interval_s`` seconds; blocks when ``blocking``."""
        aps: BaseScheduler = (BlockingScheduler(timezone=UTC) if blocking
                              else BackgroundScheduler(timezone=UTC, daemon=True))
        aps.add_job(self._tick_safely, IntervalTrigger(seconds=self.interval_s, timezone=UTC),
                    id=JOB_ID, next_run_time=datetime.now(UTC), max_instances=1,
                    coalesce=True, misfire_grace_time=max(1, int(self.interval_s)))
        self._aps = aps
        log.info("scheduler %s started, every %ss", self.holder, self.interval_s)
        try:
            aps.start()
        finally:
            if blocking:
                self.stop()

    def stop(self, *_args: Any) -> None:
        """Stop ticking and give the lease up, so another process takes over at once."""
        aps, self._aps = self._aps, None
        if aps is not None and aps.running:
            aps.shutdown(wait=True)
        try:
            lease.release(self.db, self.holder)
        except Exception:
            log.exception("could not release the scheduler lease")
