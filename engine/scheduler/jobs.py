"""What a scheduler tick does: fire due timers, then send reminders and overdue notices.

Timers: the due instances come from the ``timer`` table (no workflow is read to find
them); each is fired in its own transaction through the runner
(``ProcessEngine.fire_timers``): instance lock, version counter, audit ``timer.fired``,
``human_task`` and notifications. One instance's failure never stops the others: a
conflict (someone acted on it meanwhile) is tried again at the next tick; any other
failure puts that instance in status ``error`` (``tdkt instance retry`` resumes it),
so it is not retried at every tick.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select

from engine.errors import Conflict, EngineError
from engine.reminders import ReminderPolicy, ReminderReport, send_reminders
from engine.runtime.timers import due_instances
from engine.service import ProcessEngine
from engine.store.db import Database
from engine.store.models import Timer

log = logging.getLogger(__name__)
PAGE = 200


@dataclass
class FireReport:
    fired: list[int] = field(default_factory=list)  # instances whose timers fired
    skipped: list[int] = field(default_factory=list)  # nothing due any more, or a conflict
    failed: list[int] = field(default_factory=list)  # put in status error


def _first_due_element(db: Database, instance_id: int, now: datetime) -> str | None:
    with db.session() as session:
        return session.scalar(select(Timer.element_id).where(
            Timer.instance_id == instance_id, Timer.due_at <= now)
            .order_by(Timer.due_at).limit(1))


def _fail(engine: ProcessEngine, db: Database, instance_id: int, now: datetime,
          message: str) -> None:
    try:
        with db.write_session() as session:
            engine.fail_instance(session, instance_id,
                                 f"Hẹn giờ không chạy được: {message}",
                                 _first_due_element(db, instance_id, now))
    except Exception:  # the database itself fails: the next tick tries again
        log.exception("could not put instance %s in status error", instance_id)


def fire_one(engine: ProcessEngine, db: Database, instance_id: int, now: datetime,
             report: FireReport) -> None:
    """Fire one instance's due timers in its own transaction; record what happened."""
    try:
        with db.write_session() as session:
            answer = engine.fire_timers(session, instance_id)
    except Conflict:
        report.skipped.append(instance_id)
        return
    except EngineError as exc:
        log.warning("timer of instance %s refused: %s", instance_id, exc.message)
        _fail(engine, db, instance_id, now, exc.message)
        report.failed.append(instance_id)
        return
    except Exception as exc:
        log.exception("timer of instance %s failed", instance_id)
        _fail(engine, db, instance_id, now, f"{type(exc).__name__}: {exc}")
        report.failed.append(instance_id)
        return
    (report.fired if answer is not None else report.skipped).append(instance_id)


def fire_due_timers(engine: ProcessEngine, db: Database, now: datetime) -> FireReport:
    """Fire every timer due at ``now`` (run inside ``clock.at(now)``)."""
    report = FireReport()
    tried: set[int] = set()
    while True:
        with db.session() as session:
            ids = [i for i in due_instances(session, now, PAGE + len(tried)) if i not in tried]
        if not ids:
            return report
        for instance_id in ids:
            tried.add(instance_id)
            fire_one(engine, db, instance_id, now, report)


def remind(engine: ProcessEngine, db: Database, policy: ReminderPolicy | None,
           now: datetime) -> ReminderReport:
    """Send the reminders and overdue notices due at ``now``, in one transaction."""
    with db.write_session() as session:
        policy = policy or engine.reminder_policy(session)
        report = send_reminders(session, engine.calendar, engine.policy.unit_scoped_roles,
                                policy, now, engine.runner.rules.mail)
        session.commit()
    return report
