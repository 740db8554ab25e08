"""Migration jobs (đợt di chuyển): the dry run, queuing a job or its rollback, and views.

A dry run reads and writes nothing. A job is rows: ``migration_job`` and one
``migration_item`` per chosen instance; :mod:`engine.migration.batches` works through
them later, so nothing lives only in a process's memory.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import Any

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from engine import audit
from engine.errors import Conflict, InvalidData, NotFound
from engine.migration.apply import Refused, has_engine_steps, run_engine_steps
from engine.migration.paths import Flows, flow_map, version_documents
from engine.migration.plan import Assessment, Planner, current_steps, diagram_diff
from engine.migration.select import Filters, instance_ids
from engine.roles import SYSTEM, Actor
from engine.runtime.scripting import CommandScriptEngine
from engine.service import ProcessEngine
from engine.store.models import (
    MigrationItem,
    MigrationJob,
    ProcessInstance,
    ProcessModelVersion,
)
from engine.views import iso

MAX_BATCH = 500
DRY_RUN_CHUNK = 200


def version_row(session: Session, key: str, number: int) -> ProcessModelVersion:
    row = session.scalars(select(ProcessModelVersion).where(
        ProcessModelVersion.process_key == key, ProcessModelVersion.version == number)).first()
    if row is None:
        raise NotFound(f"Không có phiên bản {number} của quy trình «{key}».",
                       code="process.not_found")
    return row


def versions(session: Session, key: str, from_version: int, to_version: int
             ) -> tuple[ProcessModelVersion, ProcessModelVersion]:
    """The two versions of one process key; moving to the same version is refused."""
    if from_version == to_version:
        raise InvalidData("Phiên bản đích phải khác phiên bản nguồn.",
                          code="migration.same_version",
                          details={"to_version": ["Chọn một phiên bản khác phiên bản nguồn."]})
    return version_row(session, key, from_version), version_row(session, key, to_version)


def _flows(session: Session, version_id: int) -> Flows:
    row = session.get(ProcessModelVersion, version_id)
    if row is None:
        raise NotFound("Không có phiên bản quy trình này.", code="process.not_found")
    deps = [session.get(ProcessModelVersion, i) for i in (row.dependencies or {}).values()]
    return flow_map(version_documents(row, deps))


def planner_for(engine: ProcessEngine, session: Session, from_id: int, to_id: int) -> Planner:
    # Moving a branch computes its timers afresh: in the sandbox, with working_days().
    scripts = CommandScriptEngine(engine.sandbox, engine.handlers, session, 0, "", SYSTEM,
                                  engine.runner.rules)
    return Planner(engine.specs.load(session, from_id), engine.specs.load(session, to_id),
                   engine.forms, engine.settings.roles, scripts,
                   (_flows(session, from_id), _flows(session, to_id)))


# Opens a session whose writes are always thrown away (the dry run's automatic steps).
Throwaway = Callable[[], AbstractContextManager[Session]]


def savepoint_of(session: Session) -> Throwaway:
    """A throwaway on ``session`` itself: a SAVEPOINT rolled back after each use."""
    @contextmanager
    def opened() -> Iterator[Session]:
        nested = session.begin_nested()
        try:
            yield session
        finally:
            nested.rollback()
    return opened


def throwaway_of(factory: Callable[[], Session]) -> Throwaway:
    """A throwaway on a fresh session from ``factory`` (rolled back, closed)."""
    @contextmanager
    def opened() -> Iterator[Session]:
        with factory() as session:
            try:
                yield session
            finally:
                session.rollback()
    return opened


def _try_engine_steps(engine: ProcessEngine, throwaway: Throwaway, instance_id: int,
                      key: str, out: Assessment, actor: Actor) -> None:
    """Run the automatic steps the move would run, on the in-memory copy, writing nothing,
    so the dry run's verdict is the move's."""
    if not has_engine_steps(out):
        return
    with throwaway() as trial:
        try:
            run_engine_steps(engine, trial, instance_id, key, out, actor, dry_run=True)
        except Refused as exc:
            out.reasons.extend(exc.assessment.reasons)
            out.workflow = None
            return
    assert out.workflow is not None
    out.steps_after = current_steps(out.workflow)


def dry_run(engine: ProcessEngine, session: Session, key: str, from_version: int,
            to_version: int, filters: Filters, *, throwaway: Throwaway | None = None,
            actor: Actor = SYSTEM, state: str | None = None, page: int = 1,
            per_page: int | None = None) -> dict[str, Any]:
    """Per chosen instance: may it move, why not, what would change. Writes nothing.

    Automatic steps the move would run are run on a throwaway copy (``throwaway``: a
    session rolled back after each instance; default a SAVEPOINT of ``session``).
    ``state`` (``movable``/``refused``), ``page`` and ``per_page`` choose which items the
    report lists; the counts are always of every chosen instance.
    """
    source, target = versions(session, key, from_version, to_version)
    planner = planner_for(engine, session, source.id, target.id)
    ids = instance_ids(session, source.id, filters, engine.calendar.tz)
    trial = throwaway or savepoint_of(session)
    items: list[dict[str, Any]] = []
    for start in range(0, len(ids), DRY_RUN_CHUNK):
        rows = session.execute(
            select(ProcessInstance.id, ProcessInstance.business_key, ProcessInstance.status,
                   ProcessInstance.state_json)
            .where(ProcessInstance.id.in_(ids[start:start + DRY_RUN_CHUNK]))
            .order_by(ProcessInstance.id)).all()
        for inst_id, business_key, status, state_json in rows:
            out = planner.assess(state_json, status)
            _try_engine_steps(engine, trial, inst_id, key, out, actor)
            items.append({
                "instance_id": inst_id, "business_key": business_key,
                "can_move": out.can_move, "reasons": out.reasons, "changes": out.changes,
                "steps_before": out.steps_before, "steps_after": out.steps_after,
            })
    movable = sum(1 for i in items if i["can_move"])
    listed = [i for i in items if state is None or i["can_move"] == (state == "movable")]
    size = per_page or max(1, len(listed))
    return {
        "process_key": key, "from_version": from_version, "to_version": to_version,
        "filters": filters.to_dict(), "diagram": diagram_diff(planner.source, planner.target),
        "total": len(items), "movable": movable, "refused": len(items) - movable,
        "items": listed[(page - 1) * size:page * size], "items_total": len(listed),
        "page": page, "per_page": size, "state": state,
    }


def _check_batch(batch_size: int) -> int:
    if not 1 <= batch_size <= MAX_BATCH:
        raise InvalidData(f"Số hồ sơ mỗi lô phải từ 1 đến {MAX_BATCH}.",
                          details={"batch_size": [f"Từ 1 đến {MAX_BATCH}."]})
    return batch_size


def create_job(engine: ProcessEngine, session: Session, actor: Actor, key: str,
               from_version: int, to_version: int, filters: Filters,
               batch_size: int = 50) -> int:
    """Queue a migration of the chosen instances; the caller commits. Returns its id."""
    source, target = versions(session, key, from_version, to_version)
    ids = instance_ids(session, source.id, filters, engine.calendar.tz)
    if not ids:
        raise InvalidData("Không có hồ sơ đang chạy nào khớp bộ lọc.",
                          code="migration.no_instances")
    job = MigrationJob(process_key=key, from_version_id=source.id, to_version_id=target.id,
                       status="queued", batch_size=_check_batch(batch_size), total=len(ids),
                       moved=0, refused=0, filters=filters.to_dict(), created_by=actor.id)
    session.add(job)
    session.flush()
    session.execute(insert(MigrationItem), [
        {"job_id": job.id, "instance_id": i, "state": "pending", "reasons": [], "changes": []}
        for i in ids])
    audit.append(session, actor, "migration.queued", {
        "job_id": job.id, "process_key": key, "from_version": from_version,
        "to_version": to_version, "filters": filters.to_dict(), "instances": len(ids)})
    return job.id


def create_rollback(session: Session, actor: Actor, job_id: int, batch_size: int = 50) -> int:
    """Queue moving the instances a finished job moved back to their previous version."""
    job = session.get(MigrationJob, job_id)
    if job is None:
        raise NotFound("Không có đợt di chuyển này.", code="migration.not_found")
    if job.rollback_of_id is not None:
        raise Conflict("Đây là đợt hoàn tác; hãy tạo đợt di chuyển mới.",
                       code="migration.rollback_of_rollback")
    if job.status != "done":
        raise Conflict("Chỉ hoàn tác được đợt di chuyển đã xong.", code="migration.not_done")
    if session.scalar(select(func.count()).select_from(MigrationJob).where(
            MigrationJob.rollback_of_id == job.id)):
        raise Conflict("Đợt di chuyển này đã được hoàn tác.", code="migration.already_rolled_back")
    moved = list(session.scalars(select(MigrationItem.instance_id).where(
        MigrationItem.job_id == job.id, MigrationItem.state == "moved")
        .order_by(MigrationItem.instance_id)).all())
    if not moved:
        raise Conflict("Đợt này không di chuyển hồ sơ nào nên không có gì để hoàn tác.",
                       code="migration.nothing_to_roll_back")
    back = MigrationJob(process_key=job.process_key, from_version_id=job.to_version_id,
                        to_version_id=job.from_version_id, rollback_of_id=job.id,
                        status="queued", batch_size=_check_batch(batch_size), total=len(moved),
                        moved=0, refused=0, filters={"instance_ids": moved},
                        created_by=actor.id)
    session.add(back)
    session.flush()
    session.execute(insert(MigrationItem), [
        {"job_id": back.id, "instance_id": i, "state": "pending", "reasons": [], "changes": []}
        for i in moved])
    audit.append(session, actor, "migration.rollback_queued",
                 {"job_id": back.id, "rollback_of": job.id, "instances": len(moved)})
    return back.id


# -- views ------------------------------------------------------------------------------
def _numbers(session: Session, *ids: int) -> dict[int, int]:
    rows = session.execute(select(ProcessModelVersion.id, ProcessModelVersion.version)
                           .where(ProcessModelVersion.id.in_(ids))).all()
    return {r[0]: r[1] for r in rows}


def job_summary(session: Session, job: MigrationJob) -> dict[str, Any]:
    numbers = _numbers(session, job.from_version_id, job.to_version_id)
    done = job.moved + job.refused
    return {
        "id": job.id, "process_key": job.process_key,
        "from_version": numbers.get(job.from_version_id),
        "to_version": numbers.get(job.to_version_id),
        "rollback_of": job.rollback_of_id, "status": job.status,
        "total": job.total, "moved": job.moved, "refused": job.refused,
        "pending": max(0, job.total - done),
        "percent": 100 if job.total == 0 else int(100 * done / job.total),
        "batch_size": job.batch_size, "filters": job.filters, "created_by": job.created_by,
        "created_at": iso(job.created_at), "started_at": iso(job.started_at),
        "finished_at": iso(job.finished_at), "error_message": job.error_message,
    }


def get_job(session: Session, job_id: int, state: str | None = None, page: int = 1,
            per_page: int = 100) -> dict[str, Any]:
    """A job's progress and one page of its items (optionally of one state)."""
    job = session.get(MigrationJob, job_id)
    if job is None:
        raise NotFound("Không có đợt di chuyển này.", code="migration.not_found")
    where = [MigrationItem.job_id == job_id]
    if state:
        where.append(MigrationItem.state == state)
    count = session.scalar(select(func.count()).select_from(MigrationItem).where(*where)) or 0
    rows = session.execute(
        select(MigrationItem, ProcessInstance.business_key)
        .join(ProcessInstance, ProcessInstance.id == MigrationItem.instance_id)
        .where(*where).order_by(MigrationItem.id)
        .offset((page - 1) * per_page).limit(per_page)).all()
    rolled_back = session.scalar(select(MigrationJob.id).where(
        MigrationJob.rollback_of_id == job_id).limit(1))
    return {
        **job_summary(session, job), "rolled_back_by": rolled_back,
        "items": [{"id": item.id, "instance_id": item.instance_id, "business_key": bk,
                   "state": item.state,
                   "reasons": item.reasons, "changes": item.changes,
                   "previous_version_id": item.previous_version_id,
                   "done_at": iso(item.done_at)} for item, bk in rows],
        "items_total": count, "page": page, "per_page": per_page,
    }


def list_jobs(session: Session, key: str | None = None, limit: int = 20
              ) -> list[dict[str, Any]]:
    query = select(MigrationJob).order_by(MigrationJob.id.desc()).limit(limit)
    if key:
        query = query.where(MigrationJob.process_key == key)
    return [job_summary(session, job) for job in session.scalars(query).all()]
