"""Engine tables (typed SQLAlchemy 2 ORM).

``process_model_version``, ``process_instance``, ``human_task`` and
``audit_event`` are the runtime; ``unit``, ``app_user``, ``user_role`` and
``access_token`` are the generic identity every organisation has.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
    true,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from engine import clock

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    """Now, aware UTC: the engine's clock (``engine.clock``), so a tick run "at" a
    moment stamps its rows with that moment."""
    return clock.now()


class UTCDateTime(TypeDecorator[datetime]):
    """Stores naive UTC, returns aware UTC, on SQLite and PostgreSQL alike."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        return None if value is None else value.replace(tzinfo=UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {datetime: UTCDateTime(), dict[str, Any]: JSON()}


class Unit(Base):
    """An organisational unit (phòng, ban, đơn vị), in a tree."""

    __tablename__ = "unit"

    code: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(255))
    parent_code: Mapped[str | None] = mapped_column(ForeignKey("unit.code"), index=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class User(Base):
    __tablename__ = "app_user"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    full_name: Mapped[str] = mapped_column(String(255), default="")
    password_hash: Mapped[str | None] = mapped_column(String(255))
    unit_code: Mapped[str | None] = mapped_column(ForeignKey("unit.code"), index=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Where notifications are e-mailed (set by admins), and the person's own choice to get
    # them by e-mail at all (nhận thông báo qua thư điện tử), on unless they turn it off.
    email: Mapped[str | None] = mapped_column(String(254))
    email_notifications: Mapped[bool] = mapped_column(Boolean, default=True,
                                                      server_default=true())

    roles: Mapped[list[UserRole]] = relationship(
        cascade="all, delete-orphan", lazy="selectin"
    )

    @property
    def role_codes(self) -> frozenset[str]:
        return frozenset(r.role for r in self.roles)


class UserRole(Base):
    __tablename__ = "user_role"

    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"), primary_key=True)
    role: Mapped[str] = mapped_column(String(32), primary_key=True)


class AccessToken(Base):
    """A personal access token; only its sha256 is stored."""

    __tablename__ = "access_token"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"), index=True)
    name: Mapped[str] = mapped_column(String(128), default="")
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]


class ProcessModelVersion(Base):
    """An immutable deployed version of one process model."""

    __tablename__ = "process_model_version"
    __table_args__ = (
        UniqueConstraint("process_key", "version", name="uq_process_model_version_key_version"),
        Index("ix_process_model_version_key_sha", "process_key", "sha256"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    process_key: Mapped[str] = mapped_column(String(128))
    version: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(255), default="")
    bpmn_xml: Mapped[str] = mapped_column(Text)
    sha256: Mapped[str] = mapped_column(String(64))
    filename: Mapped[str | None] = mapped_column(String(255))
    # Called processes resolved at deploy time: {process_key: version_id}, transitive.
    dependencies: Mapped[dict[str, Any]] = mapped_column(default=dict)
    deployed_by: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    deployed_at: Mapped[datetime] = mapped_column(default=utcnow)


class ProcessInstance(Base):
    __tablename__ = "process_instance"
    __table_args__ = (
        Index("ix_process_instance_key_status", "process_key", "status"),
        Index("ix_process_instance_unit", "unit_code"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    model_version_id: Mapped[int] = mapped_column(ForeignKey("process_model_version.id"))
    process_key: Mapped[str] = mapped_column(String(128))
    version: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16), default="running")
    business_key: Mapped[str | None] = mapped_column(String(255), index=True)
    unit_code: Mapped[str | None] = mapped_column(ForeignKey("unit.code"))
    started_by: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"), index=True)
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    ended_at: Mapped[datetime | None]
    state_json: Mapped[str] = mapped_column(Text)
    data: Mapped[dict[str, Any]] = mapped_column(default=dict)
    error_message: Mapped[str | None] = mapped_column(Text)
    error_element: Mapped[str | None] = mapped_column(String(255))
    # What a running instance with no task to do waits for: the names of its waiting
    # events (a message, a timer), innermost first; None while a person has a step.
    waiting_for: Mapped[str | None] = mapped_column(String(500))
    lock_version: Mapped[int] = mapped_column(Integer, nullable=False)

    __mapper_args__ = {"version_id_col": lock_version}


class HumanTask(Base):
    """A user task as the inbox sees it; kept after completion as history."""

    __tablename__ = "human_task"
    __table_args__ = (
        Index("ix_human_task_inbox_role", "state", "role", "unit_code"),
        Index("ix_human_task_inbox_assignee", "state", "assignee_id"),
        Index("ix_human_task_inbox_owner", "state", "owner_id"),
        Index("ix_human_task_instance", "instance_id", "state"),
        Index("ix_human_task_due", "state", "due_at"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)  # SpiffWorkflow task id
    instance_id: Mapped[int] = mapped_column(ForeignKey("process_instance.id"))
    process_key: Mapped[str] = mapped_column(String(128))
    name: Mapped[str] = mapped_column(String(255))  # BPMN element id
    title: Mapped[str] = mapped_column(String(255), default="")
    lane: Mapped[str | None] = mapped_column(String(255))
    role: Mapped[str | None] = mapped_column(String(32))
    unit_code: Mapped[str | None] = mapped_column(String(64))
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    form_key: Mapped[str | None] = mapped_column(String(128))
    due_at: Mapped[datetime | None]
    # Earliest completion (e.g. a disclosure open for at least N working days).
    not_before: Mapped[datetime | None]
    state: Mapped[str] = mapped_column(String(16), default="ready")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    completed_at: Mapped[datetime | None]
    completed_by: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    # The deadline (``due_at``) for which the reminder, and the overdue notice, went out:
    # once per task and deadline (engine/reminders.py); a new deadline is told again.
    reminded_for: Mapped[datetime | None]
    overdue_for: Mapped[datetime | None]
    # Kept in line by the runner on ready rows (engine/search.py): the names and codes the
    # inbox searches (folded: lower case, no accents) and the year the work is about.
    search_text: Mapped[str | None] = mapped_column(Text)
    period_year: Mapped[int | None] = mapped_column(Integer)


class Timer(Base):
    """A timer event an instance waits on (sự kiện hẹn giờ) and when it fires.

    Written by every command from the workflow it leaves (``engine.runtime.timers``),
    so the scheduler finds what is due here without reading any workflow.
    """

    __tablename__ = "timer"
    __table_args__ = (
        Index("ix_timer_due", "due_at"),
        UniqueConstraint("instance_id", "task_id", "element_id",
                         name="uq_timer_instance_task_element"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    instance_id: Mapped[int] = mapped_column(ForeignKey("process_instance.id"), index=True)
    task_id: Mapped[str] = mapped_column(String(36))  # the waiting SpiffWorkflow task
    element_id: Mapped[str] = mapped_column(String(255))  # the timer event's BPMN id
    title: Mapped[str] = mapped_column(String(255), default="")
    kind: Mapped[str] = mapped_column(String(16))  # intermediate | boundary | gateway
    attached_to: Mapped[str | None] = mapped_column(String(255))  # a boundary's activity
    interrupting: Mapped[bool | None] = mapped_column(Boolean)
    due_at: Mapped[datetime]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class SchedulerLease(Base):
    """Which scheduler process is the active one: renewed at every tick, taken over
    by a waiting process once its heartbeat is stale (``engine.scheduler.lease``)."""

    __tablename__ = "scheduler_lease"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    holder: Mapped[str | None] = mapped_column(String(128))
    acquired_at: Mapped[datetime | None]
    heartbeat_at: Mapped[datetime | None]


class AuditEvent(Base):
    """Append-only, hash-chained log of everything that happened."""

    __tablename__ = "audit_event"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(Integer)
    actor_name: Mapped[str] = mapped_column(String(128), default="")
    instance_id: Mapped[int | None] = mapped_column(Integer, index=True)
    event_type: Mapped[str] = mapped_column(String(64))
    payload: Mapped[str] = mapped_column(Text, default="{}")  # canonical JSON
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class AuditHead(Base):
    """One row: the chain's tip. Locking it serialises appends on every database."""

    __tablename__ = "audit_head"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    last_id: Mapped[int] = mapped_column(Integer, default=0)
    last_hash: Mapped[str] = mapped_column(String(64))


class Notification(Base):
    """A message in a person's bell (thông báo): a new task, a returned dossier, ..."""

    __tablename__ = "notification"
    __table_args__ = (Index("ix_notification_user_unread", "user_id", "read_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    kind: Mapped[str] = mapped_column(String(32))  # task.new, dossier.returned, ...
    title: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text, default="")
    instance_id: Mapped[int | None] = mapped_column(ForeignKey("process_instance.id"))
    task_id: Mapped[str | None] = mapped_column(String(36))
    # The page it leads to when that is neither the task's nor the instance's.
    link: Mapped[str | None] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    read_at: Mapped[datetime | None]


class ProcessDraft(Base):
    """A diagram being edited by an admin (bản nháp), not yet deployed."""

    __tablename__ = "process_draft"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    process_key: Mapped[str] = mapped_column(String(128), index=True)
    kind: Mapped[str] = mapped_column(String(8), default="bpmn")  # bpmn | dmn
    name: Mapped[str] = mapped_column(String(255), default="")
    xml: Mapped[str] = mapped_column(Text)
    base_version_id: Mapped[int | None] = mapped_column(ForeignKey("process_model_version.id"))
    created_by: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    updated_by: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    # draft | deployed. A deployed BPMN draft names the version it made; a deployed DMN
    # draft *is* that decision table's version n (immutable), see engine/drafts.py.
    status: Mapped[str] = mapped_column(String(16), default="draft")
    deployed_version: Mapped[int | None] = mapped_column(Integer)
    sha256: Mapped[str | None] = mapped_column(String(64))
    deployed_at: Mapped[datetime | None]
    # What an import from Camunda Modeler / bpmn.io mapped or dropped.
    notes: Mapped[list[Any]] = mapped_column(JSON, default=list)


class MigrationJob(Base):
    """A move of running instances from one version to another (di chuyển phiên bản)."""

    __tablename__ = "migration_job"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    process_key: Mapped[str] = mapped_column(String(128))
    from_version_id: Mapped[int] = mapped_column(ForeignKey("process_model_version.id"))
    to_version_id: Mapped[int] = mapped_column(ForeignKey("process_model_version.id"))
    # A rollback job moves the instances another job moved back to where they were.
    rollback_of_id: Mapped[int | None] = mapped_column(ForeignKey("migration_job.id"))
    status: Mapped[str] = mapped_column(String(16), default="queued")  # queued|running|done|failed
    batch_size: Mapped[int] = mapped_column(Integer, default=50)
    total: Mapped[int] = mapped_column(Integer, default=0)
    moved: Mapped[int] = mapped_column(Integer, default=0)
    refused: Mapped[int] = mapped_column(Integer, default=0)
    filters: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]
    # The worker that runs the job and when it last reported: a job whose worker went
    # silent (a restarted process) is taken over by the next worker.
    worker: Mapped[str | None] = mapped_column(String(128))
    heartbeat_at: Mapped[datetime | None]
    error_message: Mapped[str | None] = mapped_column(Text)


class MigrationItem(Base):
    """One instance of a migration job: moved, refused (with reasons) or waiting."""

    __tablename__ = "migration_item"
    __table_args__ = (Index("ix_migration_item_job", "job_id", "state"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    job_id: Mapped[int] = mapped_column(ForeignKey("migration_job.id"))
    instance_id: Mapped[int] = mapped_column(ForeignKey("process_instance.id"), index=True)
    state: Mapped[str] = mapped_column(String(16), default="pending")  # pending|moved|refused
    reasons: Mapped[list[Any]] = mapped_column(JSON, default=list)
    changes: Mapped[list[Any]] = mapped_column(JSON, default=list)
    previous_version_id: Mapped[int | None] = mapped_column(ForeignKey("process_model_version.id"))
    done_at: Mapped[datetime | None]


class EmailOutbox(Base):
    """An e-mail waiting to be sent, sent, or given up (hộp thư đi).

    Queued in the transaction that writes its notification (``engine.mail.outbox``);
    ``engine.mail.sender`` claims due rows with a conditional ``UPDATE``, sends the rows of
    one recipient as one message, and records the outcome. ``body_text``/``body_html`` are
    the notification's part of the message; the sender adds the greeting and the footer.
    """

    __tablename__ = "email_outbox"
    __table_args__ = (Index("ix_email_outbox_due", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"), index=True)
    notification_id: Mapped[int | None] = mapped_column(ForeignKey("notification.id"),
                                                       index=True)
    recipient: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(300))
    body_text: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text)
    # queued | sending | sent | failed | cancelled
    status: Mapped[str] = mapped_column(String(16), default="queued")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # The run that holds the row while sending it (a stale claim is taken over).
    claim_token: Mapped[str | None] = mapped_column(String(36))
    claimed_at: Mapped[datetime | None]
    sent_at: Mapped[datetime | None]
    # The Message-ID of the message that carried it: rows sent together share one.
    message_id: Mapped[str | None] = mapped_column(String(255))
