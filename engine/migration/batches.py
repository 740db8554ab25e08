"""Working through a job (chạy đợt di chuyển): claim it, move its items batch by batch.

Claiming is a conditional ``UPDATE`` (``… WHERE status = 'queued'``, or a running job
whose worker has been silent for :data:`STALE_AFTER`), so two workers never run one
job and a job left running by a stopped process is resumed by the next worker. Each
instance moves in its own transaction together with its item's new state; after each
batch the job's counters and heartbeat are written, which is what a page shows.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.orm import Session

from engine import audit, identity
from engine.errors import Conflict, EngineError
from engine.migration.apply import Refused, move_instance
from engine.migration.jobs import planner_for
from engine.migration.plan import Planner
from engine.roles import SYSTEM, Actor
from engine.service import ProcessEngine
from engine.store.db import Database
from engine.store.models import MigrationItem, MigrationJob, User, utcnow

log = logging.getLogger(__name__)

STALE_AFTER = timedelta(seconds=120)
ATTEMPTS = 2  # an instance changed by someone meanwhile is tried once more


def _rowcount(result: Any) -> int:
    """Rows an UPDATE changed (``Session.execute`` is typed as returning a plain Result)."""
    return int(result.rowcount)


def _claimable(cutoff: datetime) -> Any:
    return or_(MigrationJob.status == "queued",
               and_(MigrationJob.status == "running",
                    or_(MigrationJob.heartbeat_at.is_(None), MigrationJob.heartbeat_at < cutoff)))


def claim(db: Database, worker: str, job_id: int | None = None) -> int | None:
    """Take a queued (or abandoned) job for ``worker``; its id, or None if there is none."""
    now = utcnow()
    claimable = _claimable(now - STALE_AFTER)
    query = select(MigrationJob.id).where(claimable).order_by(MigrationJob.id).limit(5)
    if job_id is not None:
        query = query.where(MigrationJob.id == job_id)
    with db.session() as session:  # most calls find nothing: no write lock for that
        candidates = list(session.scalars(query).all())
    if not candidates:
        return None
    with db.write_session() as session:
        for candidate in candidates:
            taken = session.execute(
                update(MigrationJob).where(MigrationJob.id == candidate, claimable)
                .values(status="running", worker=worker, heartbeat_at=now,
                        started_at=func.coalesce(MigrationJob.started_at, now)))
            if _rowcount(taken) == 1:
                session.commit()
                return int(candidate)
        session.rollback()
    return None


def has_open_jobs(db: Database) -> bool:
    with db.session() as session:
        return bool(session.scalar(select(func.count()).select_from(MigrationJob).where(
            MigrationJob.status.in_(("queued", "running")))))


def _actor(session: Session, user_id: int | None) -> Actor:
    user = session.get(User, user_id) if user_id is not None else None
    return identity.actor_of(user) if user is not None else SYSTEM


def _mark(session: Session, item_id: int, state: str, reasons: list[Any],
          changes: list[Any], previous: int | None) -> bool:
    """Write an item's outcome if it is still pending (another worker may have done it)."""
    result = session.execute(
        update(MigrationItem).where(MigrationItem.id == item_id,
                                    MigrationItem.state == "pending")
        .values(state=state, reasons=reasons, changes=changes, previous_version_id=previous,
                done_at=utcnow()))
    return _rowcount(result) == 1


def _try_move(engine: ProcessEngine, db: Database, planner: Planner, job: MigrationJob,
              item_id: int, instance_id: int, actor: Actor) -> list[dict[str, Any]]:
    """Move one instance in its own transaction; the reasons it stayed ([] if moved)."""
    payload = {"job_id": job.id, "rollback_of": job.rollback_of_id}
    reasons: list[dict[str, Any]] = []
    for attempt in range(ATTEMPTS):
        with db.write_session() as session:
            try:
                out = move_instance(engine, session, planner, instance_id, actor, payload)
                if _mark(session, item_id, "moved", [], out.changes, job.from_version_id):
                    session.commit()
                else:
                    session.rollback()
                return []
            except Refused as exc:
                session.rollback()
                return exc.assessment.reasons
            except Conflict as exc:
                session.rollback()
                reasons = [{"code": "migration.conflict", "element_id": None,
                            "message": "Hồ sơ vừa được người khác cập nhật trong lúc di "
                                       f"chuyển (đã thử {attempt + 1} lần); chạy lại sau.",
                            "params": {"attempts": attempt + 1}}]
                log.info("migration %s: instance %s changed meanwhile: %s", job.id,
                         instance_id, exc.code)
            except EngineError as exc:
                session.rollback()
                return [{"code": exc.code, "element_id": None, "message": exc.message}]
            except Exception as exc:  # noqa: BLE001 - one bad instance must not stop the job
                session.rollback()
                log.exception("migration %s: instance %s failed", job.id, instance_id)
                return [{"code": "migration.failed", "element_id": None,
                         "message": f"Lỗi không mong đợi khi di chuyển: {exc}",
                         "params": {"detail": str(exc)}}]
    return reasons


def process_item(engine: ProcessEngine, db: Database, planner: Planner, job: MigrationJob,
                 item_id: int, instance_id: int, actor: Actor) -> None:
    reasons = _try_move(engine, db, planner, job, item_id, instance_id, actor)
    if not reasons:
        return
    with db.write_session() as session:
        if _mark(session, item_id, "refused", reasons, [], None):
            audit.append(session, actor, "instance.migration_refused", {
                "job_id": job.id, "rollback_of": job.rollback_of_id,
                "from_version": planner.source.version, "to_version": planner.target.version,
                "reasons": reasons}, instance_id)
        session.commit()


def _counts(session: Session, job_id: int) -> dict[str, int]:
    rows = session.execute(select(MigrationItem.state, func.count())
                           .where(MigrationItem.job_id == job_id)
                           .group_by(MigrationItem.state)).all()
    found = {str(state): int(n) for state, n in rows}
    return {"moved": found.get("moved", 0), "refused": found.get("refused", 0)}


def _beat(db: Database, job_id: int, worker: str, finish: bool = False) -> bool:
    """Write counters and heartbeat while the job is still ours; finish it if asked."""
    with db.write_session() as session:
        values: dict[str, Any] = {**_counts(session, job_id), "heartbeat_at": utcnow()}
        if finish:
            values |= {"status": "done", "finished_at": utcnow()}
        result = session.execute(update(MigrationJob).where(
            MigrationJob.id == job_id, MigrationJob.worker == worker,
            MigrationJob.status == "running").values(**values))
        if _rowcount(result) != 1:
            session.rollback()
            return False
        if finish:
            job = session.get(MigrationJob, job_id)
            assert job is not None
            audit.append(session, _actor(session, job.created_by), "migration.finished", {
                "job_id": job_id, "rollback_of": job.rollback_of_id,
                "moved": values["moved"], "refused": values["refused"]})
        session.commit()
        return True


def run_job(engine: ProcessEngine, db: Database, job_id: int, worker: str,
            progress: Callable[[dict[str, int]], None] | None = None) -> None:
    """Move every pending item of a job claimed by ``worker``, batch by batch;
    ``progress`` hears the counters after each batch (the command line prints them)."""
    with db.session() as session:
        job = session.get(MigrationJob, job_id)
        assert job is not None
        planner = planner_for(engine, session, job.from_version_id, job.to_version_id)
        actor = _actor(session, job.created_by)
    while True:
        with db.session() as session:
            pending = session.execute(
                select(MigrationItem.id, MigrationItem.instance_id)
                .where(MigrationItem.job_id == job_id, MigrationItem.state == "pending")
                .order_by(MigrationItem.id).limit(job.batch_size)).all()
        if not pending:
            _beat(db, job_id, worker, finish=True)
            return
        for item_id, instance_id in pending:
            process_item(engine, db, planner, job, item_id, instance_id, actor)
        if not _beat(db, job_id, worker):
            log.warning("migration %s was taken over by another worker", job_id)
            return
        if progress is not None:
            with db.session() as session:
                progress({**_counts(session, job_id), "total": job.total})


def run_pending(engine: ProcessEngine, db: Database, worker: str) -> list[int]:
    """Run every claimable job now, one after another; the ids run (CLI, tests)."""
    done: list[int] = []
    while (job_id := claim(db, worker)) is not None:
        run_job(engine, db, job_id, worker)
        done.append(job_id)
    return done


def fail(db: Database, job_id: int, worker: str, message: str) -> None:
    """A job that cannot go on at all (its versions cannot be loaded, …) stops as failed
    (audited ``migration.failed`` in the name of whoever queued it)."""
    with db.write_session() as session:
        result = session.execute(update(MigrationJob).where(
            MigrationJob.id == job_id, MigrationJob.worker == worker)
            .values(status="failed", finished_at=utcnow(), error_message=message[:4000]))
        if _rowcount(result) == 1:
            job = session.get(MigrationJob, job_id)
            assert job is not None
            audit.append(session, _actor(session, job.created_by), "migration.failed", {
                "job_id": job_id, "rollback_of": job.rollback_of_id,
                "moved": job.moved, "refused": job.refused, "message": message[:1000]})
        session.commit()
