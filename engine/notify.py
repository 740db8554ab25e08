"""Notifications (thông báo): the bell of each person.

A row is written for every person who may act on a user task when it becomes ready,
inside the command's transaction (``engine.runtime.state.sync_human_tasks``), with one
``INSERT … SELECT`` built once at import: the hot path asks the database for the
recipients and writes their rows in the same statement.

A task's kind is ``task.new`` unless its diagram says otherwise with the property
``notifyKind`` (e.g. ``dossier.returned`` on a "return for supplement" step), so the
engine knows no domain word. The scheduler adds ``task.reminder`` (a deadline is near),
``task.overdue`` (it passed) and ``task.escalated`` (the step's supervisor is told),
see ``engine.reminders``. Each person sees, reads and marks only their own rows.

Every notification is also e-mailed to its person when they have an address and have not
turned e-mail off: the statements return the ids they wrote and ``engine.mail.outbox``
queues the e-mails in the same transaction. Code that notifies someone of anything else
(a reminder, an overdue task) calls :func:`notify_user`, which does both.
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
    bindparam,
    func,
    insert,
    select,
    update,
)
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session
from sqlalchemy.sql import Select

from engine import audit
from engine.errors import NotFound
from engine.mail.compose import MailOptions, notification_mail
from engine.mail.outbox import cancel_settled, queue_for_notifications
from engine.roles import Actor
from engine.store.models import (
    HumanTask,
    Notification,
    ProcessInstance,
    User,
    UserRole,
    utcnow,
)
from engine.views import iso, one_line

DEFAULT_KIND = "task.new"
# What the title says for each kind; any other kind (set in a diagram) gets the step only.
TITLES = {
    "task.new": "Công việc mới: {step}",
    "dossier.returned": "Hồ sơ bị trả lại: {step}",
    "instance.completed": "Hồ sơ đã kết thúc: {step}",
    "task.reminder": "Sắp đến hạn xử lý: {step}",
    "task.overdue": "Quá hạn xử lý: {step}",
    "task.escalated": "Bước quá hạn cần đôn đốc: {step}",
}


def notify_completed(session: Session, inst: ProcessInstance, actor: Actor,
                     mail: MailOptions | None = None, note: str | None = None) -> None:
    """Tell the person who started an instance that it has ended (not when they ended it).

    ``note``: the domain's line on the outcome (awarded, not awarded, …), added to the
    body; the details are on the dossier's page.
    """
    if inst.started_by is None or inst.started_by == actor.id:
        return
    label = inst.business_key or f"#{inst.id}"
    notify_user(session.connection(), mail or MailOptions(), inst.started_by,
                kind="instance.completed", title=title_of("instance.completed", label),
                body=f"{label} · {note}" if note else label, instance_id=inst.id)


def notify_user(conn: Connection, mail: MailOptions, user_id: int, *, kind: str, title: str,
                body: str = "", instance_id: int | None = None, task_id: str | None = None,
                due_at: datetime | None = None, path: str | None = None) -> bool:
    """Notify one person (if their account is active) and queue the e-mail, in the
    caller's transaction; returns whether a notification was written. ``path``: the page
    the notification and its e-mail lead to when it is neither the task's nor the
    instance's (an application path such as ``/council/meetings/7``)."""
    now = utcnow()
    ids = conn.execute(insert(_NOTES).from_select(
        [*_COLUMNS, "link"], select(_USERS.c.id, *_VALUES, bindparam("link", type_=String))
        .where(_USERS.c.id == user_id, _USERS.c.active.is_(True))).returning(_NOTES.c.id), {
        "kind": kind[:32], "title": title[:300], "body": body[:10_000],
        "instance_id": instance_id, "task_id": task_id, "created_at": now,
        "link": path[:255] if path else None}).scalars().all()
    queue_for_notifications(conn, ids, notification_mail(
        mail, kind=kind, title=title[:300], body=body[:10_000], task_id=task_id,
        instance_id=instance_id, due_at=due_at, path=path), now)
    return bool(ids)


_NOTES: Table = Notification.__table__  # type: ignore[assignment]
_USERS: Table = User.__table__  # type: ignore[assignment]
_ROLES: Table = UserRole.__table__  # type: ignore[assignment]
_COLUMNS = ("user_id", "kind", "title", "body", "instance_id", "task_id", "created_at")


@dataclass(frozen=True)
class ReadyTask:
    """What a notification needs to know about a task that just became ready."""

    row: dict[str, Any]  # the ``human_task`` values
    kind: str | None  # the diagram's ``notifyKind``, if any
    # What the domain adds under the dossier's line (``TaskRules.task_note``), if anything.
    note: str | None = None


def title_of(kind: str, step: str) -> str:
    return one_line(TITLES.get(kind, "{step}").format(step=step))[:300]


def title_parts(kind: str, title: str, templates: dict[str, str] | None = None
                ) -> tuple[str, str] | None:
    """``(template, step)`` of a stored title written from its kind's template, so a page
    can say it again in the reader's language; None when the title does not follow it
    (an unknown kind, a template changed since)."""
    template = (templates or TITLES).get(kind)
    if template is None or template.count("{step}") != 1:
        return None
    head, tail = template.split("{step}")
    if not (title.startswith(head) and title.endswith(tail)) or \
            len(title) < len(head) + len(tail):
        return None
    return template, title[len(head):len(title) - len(tail)]


_VALUES = (bindparam("kind", type_=String), bindparam("title", type_=String),
           bindparam("body", type_=Text), bindparam("instance_id", type_=Integer),
           bindparam("task_id", type_=String), bindparam("created_at", type_=DateTime))
_ACTIVE_OTHERS = (_USERS.c.active.is_(True), _USERS.c.id != bindparam("actor_id"))


def _insert(source: Select[Any]) -> Any:
    return insert(_NOTES).from_select(list(_COLUMNS), source.add_columns(*_VALUES)) \
        .returning(_NOTES.c.id)


# Built once: who may act on a task (as ``AccessPolicy.may_act``), except the actor.
_TO_PERSON = _insert(select(_USERS.c.id).where(
    _USERS.c.id == bindparam("person"), *_ACTIVE_OTHERS))
_BY_ROLE = select(_USERS.c.id).join(_ROLES, _ROLES.c.user_id == _USERS.c.id).where(
    _ROLES.c.role == bindparam("role"), *_ACTIVE_OTHERS)
_TO_ROLE = _insert(_BY_ROLE)
_TO_ROLE_IN_UNIT = _insert(_BY_ROLE.where(_USERS.c.unit_code == bindparam("unit")))


def _statement(row: dict[str, Any], unit_scoped: frozenset[str]
               ) -> tuple[Any, dict[str, Any]] | None:
    """The statement that notifies the task's people, and its recipient parameters."""
    person = row.get("assignee_id") or row.get("owner_id")
    if person is not None:
        return _TO_PERSON, {"person": person}
    return _role_statement(row.get("role"), row.get("unit_code"), unit_scoped)


def _role_statement(role: str | None, unit: str | None, unit_scoped: frozenset[str]
                    ) -> tuple[Any, dict[str, Any]] | None:
    if role is None:
        return None
    if role not in unit_scoped:
        return _TO_ROLE, {"role": role}
    if unit is None:
        return None
    return _TO_ROLE_IN_UNIT, {"role": role, "unit": unit}


def notify_task(conn: Connection, row: dict[str, Any], kind: str, step: str, body: str,
                unit_scoped: frozenset[str], actor: Actor, role: str | None = None,
                mail: MailOptions | None = None) -> None:
    """Notify a task's people (``role``: that role's people instead, e.g. a supervisor),
    except ``actor``, and queue their e-mails; ``step`` fills the kind's title."""
    found = (_statement(row, unit_scoped) if role is None
             else _role_statement(role, row.get("unit_code"), unit_scoped))
    if found is None:
        return
    statement, who = found
    now, title, body = utcnow(), title_of(kind, step), body[:10_000]
    ids = conn.execute(statement, {
        **who, "actor_id": actor.id if actor.id is not None else -1, "kind": kind,
        "title": title, "body": body, "instance_id": row["instance_id"],
        "task_id": row["id"], "created_at": now}).scalars().all()
    queue_for_notifications(conn, ids, notification_mail(
        mail or MailOptions(), kind=kind, title=title, body=body, task_id=row["id"],
        instance_id=row["instance_id"], due_at=row.get("due_at")), now)


def notify_ready(conn: Connection, tasks: list[ReadyTask], unit_scoped: frozenset[str],
                 actor: Actor, body: str, mail: MailOptions | None = None) -> None:
    """Write the notifications of newly ready tasks: one ``INSERT … SELECT`` per task
    (a command readies one task, seldom more), the recipients chosen by the database,
    and queue their e-mails.

    Args:
        body: a line shown under the title (the instance's business key, say); a task's
            ``note`` follows it on lines of its own.
        mail: how the e-mails write links and dates.
    """
    for task in tasks:
        kind = (task.kind or DEFAULT_KIND).strip()[:32] or DEFAULT_KIND
        notify_task(conn, task.row, kind, task.row["title"],
                    f"{body}\n{task.note}" if task.note else body, unit_scoped, actor,
                    mail=mail)


def settle_notifications(conn: Connection, task_ids: list[str], keep_user: int | None) -> int:
    """Mark read the unread notifications of tasks nobody else need act on any more: the
    task was done, cancelled, or claimed by ``keep_user`` (whose own row stays as it is).

    Generic: any kind of notification that names one of these tasks; the e-mails of those
    notifications that have not left yet are cancelled. Returns how many were marked.
    """
    if not task_ids:
        return 0
    params = {"task_ids": list(task_ids), "keep_user": -1 if keep_user is None else keep_user}
    conn.execute(_CANCEL_MAILS, params)  # their e-mails, read or not
    return int(conn.execute(_SETTLE_READ, {**params, "v_now": utcnow()}).rowcount or 0)


# Built once (the hot path of every command): the notifications of some tasks, except
# one person's (-1: nobody's).
_SETTLED = (_NOTES.c.task_id.in_(bindparam("task_ids", expanding=True)),
            _NOTES.c.user_id != bindparam("keep_user", type_=Integer))
_CANCEL_MAILS = cancel_settled(select(_NOTES.c.id).where(*_SETTLED))
_SETTLE_READ = (update(_NOTES).where(*_SETTLED, _NOTES.c.read_at.is_(None))
                .values(read_at=bindparam("v_now")))


# -- reading and marking (each person their own) ------------------------------------------
def notification_view(row: Notification, task_state: str | None,
                      business_key: str | None = None) -> dict[str, Any]:
    return {
        "id": row.id, "kind": row.kind, "title": one_line(row.title), "body": row.body,
        "instance_id": row.instance_id, "task_id": row.task_id,
        "task_open": task_state == "ready", "business_key": business_key, "link": row.link,
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
        # not in the instance's history: reading one's bell is not a step of the dossier
        audit.append(session, actor, "notification.read",
                     {"id": note.id, "instance_id": note.instance_id})
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
