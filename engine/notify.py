"""Notifications (thông báo): the bell of each person.

A row is written for every person who may act on a user task when it becomes ready,
inside the command's transaction (``engine.runtime.state.sync_human_tasks``), with one
``INSERT … SELECT`` per command: the hot path asks the database for the recipients and
writes their rows in the same statement.

A task's kind is ``task.new`` unless its diagram says otherwise with the property
``notifyKind`` (e.g. ``dossier.returned`` on a "return for supplement" step), so the
engine knows no domain word. Each person sees, reads and marks only their own rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import (
    DateTime,
    Integer,
    String,
    Table,
    Text,
    and_,
    func,
    insert,
    literal,
    select,
    union_all,
    update,
)
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session
from sqlalchemy.sql import Select

from engine import audit
from engine.errors import NotFound
from engine.roles import Actor
from engine.store.models import (
    HumanTask,
    Notification,
    ProcessInstance,
    User,
    UserRole,
    utcnow,
)
from engine.views import iso

DEFAULT_KIND = "task.new"
# What the title says for each kind; any other kind (set in a diagram) gets the step only.
TITLES = {
    "task.new": "Công việc mới: {step}",
    "dossier.returned": "Hồ sơ bị trả lại, cần bổ sung: {step}",
}

_NOTES: Table = Notification.__table__  # type: ignore[assignment]
_USERS: Table = User.__table__  # type: ignore[assignment]
_ROLES: Table = UserRole.__table__  # type: ignore[assignment]
_COLUMNS = ("user_id", "kind", "title", "body", "instance_id", "task_id", "created_at")


@dataclass(frozen=True)
class ReadyTask:
    """What a notification needs to know about a task that just became ready."""

    row: dict[str, Any]  # the ``human_task`` values
    kind: str | None  # the diagram's ``notifyKind``, if any


def title_of(kind: str, step: str) -> str:
    return TITLES.get(kind, "{step}").format(step=step)[:300]


def _recipients(row: dict[str, Any], unit_scoped: frozenset[str],
                actor_id: int | None) -> Select[Any] | None:
    """People who may act on the task (as ``AccessPolicy.may_act``), except the actor."""
    person = row.get("assignee_id") or row.get("owner_id")
    users = _USERS.c
    where: list[Any] = [users.active.is_(True)]
    if actor_id is not None:
        where.append(users.id != actor_id)
    if person is not None:
        return select(users.id).where(users.id == person, *where)
    role = row.get("role")
    if role is None:
        return None
    if role in unit_scoped:
        if row.get("unit_code") is None:
            return None
        where.append(users.unit_code == row["unit_code"])
    return (select(users.id).join(_ROLES, _ROLES.c.user_id == users.id)
            .where(_ROLES.c.role == role, *where))


def _for_task(task: ReadyTask, unit_scoped: frozenset[str], actor_id: int | None,
              body: str, now: datetime) -> Select[Any] | None:
    recipients = _recipients(task.row, unit_scoped, actor_id)
    if recipients is None:
        return None
    kind = (task.kind or DEFAULT_KIND).strip()[:32] or DEFAULT_KIND
    values = (literal(kind, String), literal(title_of(kind, task.row["title"]), String),
              literal(body, Text), literal(task.row["instance_id"], Integer),
              literal(task.row["id"], String), literal(now, DateTime))
    return recipients.add_columns(*values)


def notify_ready(conn: Connection, tasks: list[ReadyTask], unit_scoped: frozenset[str],
                 actor: Actor, body: str) -> None:
    """Write the notifications of newly ready tasks in one ``INSERT … SELECT``.

    Args:
        body: a line shown under the title (the instance's business key, say).
    """
    now = utcnow()
    selects = [s for s in (_for_task(t, unit_scoped, actor.id, body, now) for t in tasks)
               if s is not None]
    if not selects:
        return
    source = selects[0] if len(selects) == 1 else union_all(*selects)
    conn.execute(insert(_NOTES).from_select(list(_COLUMNS), source))


# -- reading and marking (each person their own) ------------------------------------------
def notification_view(row: Notification, task_state: str | None,
                      business_key: str | None = None) -> dict[str, Any]:
    return {
        "id": row.id, "kind": row.kind, "title": row.title, "body": row.body,
        "instance_id": row.instance_id, "task_id": row.task_id,
        "task_open": task_state == "ready", "business_key": business_key,
        "created_at": iso(row.created_at), "read_at": iso(row.read_at),
    }


def _mine(actor: Actor) -> Any:
    return Notification.user_id == (actor.id if actor.id is not None else -1)


def list_notifications(session: Session, actor: Actor, offset: int, limit: int,
                       unread_only: bool = False) -> tuple[list[dict[str, Any]], int]:
    """The actor's notifications, newest first, and how many there are in all."""
    where = [_mine(actor)]
    if unread_only:
        where.append(Notification.read_at.is_(None))
    total = session.scalar(select(func.count()).select_from(Notification).where(*where)) or 0
    rows = session.execute(
        select(Notification, HumanTask.state, ProcessInstance.business_key)
        .outerjoin(HumanTask, HumanTask.id == Notification.task_id)
        .outerjoin(ProcessInstance, ProcessInstance.id == Notification.instance_id)
        .where(*where).order_by(Notification.created_at.desc(), Notification.id.desc())
        .offset(offset).limit(limit)).all()
    return [notification_view(n, state, key) for n, state, key in rows], int(total)


def unread_count(session: Session, actor: Actor) -> int:
    return int(session.scalar(select(func.count()).select_from(Notification).where(
        _mine(actor), Notification.read_at.is_(None))) or 0)


def mark_read(session: Session, actor: Actor, notification_id: int) -> dict[str, Any]:
    """Mark one of the actor's notifications read (idempotent); another's is not found."""
    row = session.execute(
        select(Notification, HumanTask.state, ProcessInstance.business_key)
        .outerjoin(HumanTask, HumanTask.id == Notification.task_id)
        .outerjoin(ProcessInstance, ProcessInstance.id == Notification.instance_id)
        .where(Notification.id == notification_id, _mine(actor))).first()
    if row is None:
        raise NotFound("Không tìm thấy thông báo.", code="notification.not_found")
    note, state, key = row
    if note.read_at is None:
        note.read_at = utcnow()
        audit.append(session, actor, "notification.read", {"id": note.id}, note.instance_id)
    return notification_view(note, state, key)


def mark_all_read(session: Session, actor: Actor) -> int:
    """Mark every unread notification of the actor read; returns how many."""
    done = session.execute(update(Notification).where(
        and_(_mine(actor), Notification.read_at.is_(None))).values(read_at=utcnow())
        .execution_options(synchronize_session=False))
    count = int(getattr(done, "rowcount", 0) or 0)
    if count:
        audit.append(session, actor, "notification.read_all", {"count": count})
    return count
