"""One active scheduler: a lease row in the database (``scheduler_lease``).

Each scheduler process calls :func:`acquire` at every tick. The call renews the lease
of its holder, or takes a lease that nobody holds or whose heartbeat is older than
``stale_after`` (its process died), with one conditional ``UPDATE`` — on SQLite and
PostgreSQL alike. Every other process gets False and waits for the next tick, so
starting a second scheduler is harmless, and it takes over within ``stale_after``
when the first one stops. A scheduler that stops cleanly :func:`release`\\ s the lease.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import and_, case, insert, or_, update
from sqlalchemy.exc import IntegrityError

from engine.store.db import Database
from engine.store.models import SchedulerLease

NAME = "scheduler"


def acquire(db: Database, holder: str, now: datetime, stale_after: timedelta,
            name: str = NAME) -> bool:
    """Renew or take the lease for ``holder``; False when another live process holds it."""
    lease = SchedulerLease
    free = or_(lease.holder == holder, lease.holder.is_(None), lease.heartbeat_at.is_(None),
               lease.heartbeat_at < now - stale_after)
    with db.write_session() as session:
        taken = session.execute(
            update(lease).where(and_(lease.name == name, free))
            .values(holder=holder, heartbeat_at=now,
                    acquired_at=case((lease.holder == holder, lease.acquired_at), else_=now)))
        if getattr(taken, "rowcount", 0) == 1:
            session.commit()
            return True
        if session.get(lease, name) is not None:
            session.rollback()
            return False
        try:  # the first scheduler ever (or after the table was emptied)
            session.execute(insert(lease).values(name=name, holder=holder, acquired_at=now,
                                                 heartbeat_at=now))
            session.commit()
        except IntegrityError:  # another process inserted it first
            session.rollback()
            return False
    return True


def release(db: Database, holder: str, name: str = NAME) -> None:
    """Give the lease up (a clean stop), so a waiting process takes over at once."""
    with db.write_session() as session:
        session.execute(update(SchedulerLease).where(
            SchedulerLease.name == name, SchedulerLease.holder == holder)
            .values(holder=None, heartbeat_at=None))
        session.commit()


def holder_of(db: Database, name: str = NAME) -> tuple[str | None, datetime | None]:
    """Who holds the lease and when they last reported."""
    with db.session() as session:
        row = session.get(SchedulerLease, name)
        return (row.holder, row.heartbeat_at) if row is not None else (None, None)
