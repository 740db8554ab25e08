"""Reminders before a deadline and escalation after it (nhắc hạn, báo quá hạn).

A job of the scheduler (``engine.scheduler``) reads ``human_task`` only:

- a ready task whose deadline (``due_at``) falls within the next
  ``ReminderPolicy.remind_days`` working days gets a ``task.reminder`` notification
  to the people who may do it (its assignee, else its role, in its unit when the role
  is unit-scoped), unless it was that close already when it became ready;
- once the deadline has passed, ``task.overdue`` to the same people and
  ``task.escalated`` to the supervisor role of the task's role
  (``ReminderPolicy.supervisors``, e.g. the secretariat for the units' steps).

Each goes out once per task and deadline: a conditional ``UPDATE`` stamps the deadline
it was sent for (``reminded_for``, ``overdue_for``) and only the one scheduler whose
update changed the row writes the notifications, in the same transaction. A task
whose deadline is moved (a migrated rule) is told again for the new deadline.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Table, and_, or_, select, update
from sqlalchemy.orm import Session

from engine.calendar import WorkingCalendar
from engine.mail.compose import MailOptions
from engine.notify import notify_task
from engine.roles import SYSTEM
from engine.store.models import HumanTask, ProcessInstance

_T: Table = HumanTask.__table__  # type: ignore[assignment]
BATCH = 500


@dataclass(frozen=True)
class ReminderPolicy:
    """What the office configured: how early to remind, whom to tell when late."""

    remind_days: int = 2  # working days before the deadline; 0: no reminders
    supervisors: Mapping[str, str] = field(default_factory=dict)  # role -> supervisor role


@dataclass
class ReminderReport:
    reminded: int = 0  # tasks reminded
    overdue: int = 0  # tasks told overdue (and escalated where a supervisor is set)


def _candidates(session: Session, *where: Any) -> list[Any]:
    return list(session.execute(
        select(_T, ProcessInstance.business_key)
        .join(ProcessInstance, ProcessInstance.id == _T.c.instance_id)
        .where(_T.c.state == "ready", _T.c.due_at.is_not(None),
               ProcessInstance.status == "running", *where)
        .order_by(_T.c.due_at).limit(BATCH)).all())


def _stamp(session: Session, task_id: str, column: Any, due_at: datetime) -> bool:
    """Mark the task told for this deadline; False when it already was (or changed)."""
    done = session.execute(update(_T).where(
        _T.c.id == task_id, _T.c.state == "ready", _T.c.due_at == due_at,
        or_(column.is_(None), column != due_at)).values({column.name: due_at}))
    return bool(getattr(done, "rowcount", 0) == 1)


def _step(row: Any, calendar: WorkingCalendar) -> str:
    local = row.due_at.astimezone(calendar.tz)
    return f"{row.title or row.name} (hạn {local:%d/%m/%Y %H:%M})"


def send_reminders(session: Session, calendar: WorkingCalendar, unit_scoped: frozenset[str],
                   policy: ReminderPolicy, now: datetime,
                   mail: MailOptions | None = None) -> ReminderReport:
    """Write the reminders and overdue notices due at ``now`` (and queue their e-mails,
    written as ``mail`` says); the caller commits."""
    report = ReminderReport()
    conn = session.connection()
    if policy.remind_days > 0:
        horizon = calendar.due_at(now, policy.remind_days)
        for row in _candidates(session, _T.c.due_at > now, _T.c.due_at <= horizon,
                               or_(_T.c.reminded_for.is_(None),
                                   _T.c.reminded_for != _T.c.due_at)):
            # a task that was already this close to its deadline when it became ready
            # was told so by its task.new notification: stamped, not reminded
            fresh = calendar.due_at(row.created_at, policy.remind_days) >= row.due_at
            if _stamp(session, row.id, _T.c.reminded_for, row.due_at) and not fresh:
                notify_task(conn, row._asdict(), "task.reminder", _step(row, calendar),
                            row.business_key or "", unit_scoped, SYSTEM, mail=mail)
                report.reminded += 1
    for row in _candidates(session, _T.c.due_at <= now,
                           or_(_T.c.overdue_for.is_(None),
                               and_(_T.c.overdue_for != _T.c.due_at))):
        if not _stamp(session, row.id, _T.c.overdue_for, row.due_at):
            continue
        values, step = row._asdict(), _step(row, calendar)
        notify_task(conn, values, "task.overdue", step, row.business_key or "", unit_scoped,
                    SYSTEM, mail=mail)
        supervisor = policy.supervisors.get(row.role or "")
        if supervisor and supervisor != row.role:
            notify_task(conn, values, "task.escalated", step, row.business_key or "",
                        unit_scoped, SYSTEM, role=supervisor, mail=mail)
        report.overdue += 1
    return report
