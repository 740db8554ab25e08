"""Moving one instance back (chuyển về phiên bản cũ): to the version it was on before its
last migration (``migration_item.previous_version_id``), checked and moved exactly like a
job's instance, in one transaction, audited ``instance.migrated`` with ``move_back_of``.

Only the newest move can be undone, and only while the instance is still on the version
that move took it to; moving back twice is therefore refused by itself.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.errors import Conflict, NotFound
from engine.migration.apply import Refused, move_instance
from engine.migration.jobs import planner_for
from engine.roles import Actor
from engine.runtime.runner import run_command
from engine.service import ProcessEngine
from engine.store.models import MigrationItem, MigrationJob, ProcessInstance, ProcessModelVersion


def last_move(session: Session, instance_id: int) -> tuple[MigrationItem, MigrationJob] | None:
    """The newest migration that moved the instance, with its job (None: never moved)."""
    row = session.execute(
        select(MigrationItem, MigrationJob)
        .join(MigrationJob, MigrationJob.id == MigrationItem.job_id)
        .where(MigrationItem.instance_id == instance_id, MigrationItem.state == "moved",
               MigrationItem.previous_version_id.is_not(None))
        .order_by(MigrationItem.done_at.desc(), MigrationItem.id.desc()).limit(1)).first()
    return (row[0], row[1]) if row is not None else None


def move_back_offer(session: Session, instance_id: int) -> dict[str, Any] | None:
    """What a page may offer: ``{job_id, from_version, to_version}`` when the instance can
    be moved back (a check, not a promise: the move checks again), else None."""
    found = last_move(session, instance_id)
    inst = session.get(ProcessInstance, instance_id)
    if found is None or inst is None or inst.status != "running":
        return None
    item, job = found
    if inst.model_version_id != job.to_version_id:
        return None
    back = session.get(ProcessModelVersion, item.previous_version_id)
    return {"job_id": job.id, "item_id": item.id, "from_version": inst.version,
            "to_version": back.version if back else None}


def move_back(engine: ProcessEngine, session: Session, actor: Actor, instance_id: int,
              item_id: int | None = None) -> dict[str, Any]:
    """Move the instance back to its previous version (one transaction, audited);
    ``item_id`` (a job's item) must then be that newest move.

    Raises:
        NotFound: no such instance (``instance.not_found``) or it was never moved
            (``migration.no_previous``).
        Conflict: it is no longer on the version its last move took it to
            (``migration.version_changed``), ``item_id`` is not its last move
            (``migration.not_last_move``), or the move is refused
            (``migration.refused``; ``details`` lists the reasons).
    """
    def body() -> dict[str, Any]:
        inst = session.get(ProcessInstance, instance_id)
        if inst is None:
            raise NotFound("Không có hồ sơ này.", code="instance.not_found")
        found = last_move(session, instance_id)
        if found is None:
            raise NotFound("Hồ sơ chưa từng được chuyển phiên bản nên không có phiên bản cũ "
                           "để quay về.", code="migration.no_previous")
        item, job = found
        assert item.previous_version_id is not None
        if item_id is not None and item.id != item_id:
            raise Conflict(f"Hồ sơ đã được di chuyển lần khác sau đó (đợt #{job.id}); chỉ "
                           "hoàn tác được lần di chuyển gần nhất.",
                           code="migration.not_last_move", details={"job_id": job.id})
        if inst.model_version_id != job.to_version_id:
            raise Conflict(f"Hồ sơ không còn ở phiên bản mà đợt #{job.id} đã chuyển tới "
                           f"(đang ở phiên bản {inst.version}); không quay về được.",
                           code="migration.version_changed",
                           details={"job_id": job.id, "version": inst.version})
        planner = planner_for(engine, session, job.to_version_id, item.previous_version_id)
        try:
            out = move_instance(engine, session, planner, instance_id, actor,
                                {"job_id": None, "move_back_of": job.id})
        except Refused as exc:
            reasons = exc.assessment.reasons
            raise Conflict("Không chuyển hồ sơ về phiên bản cũ được: "
                           + "; ".join(r["message"] for r in reasons),
                           code="migration.refused", details=reasons) from exc
        return {"instance_id": instance_id, "from_version": planner.source.version,
                "to_version": planner.target.version, "move_back_of": job.id,
                "changes": out.changes, "steps": out.steps_after}
    return run_command(session, body)


def move_back_item(engine: ProcessEngine, session: Session, actor: Actor, job_id: int,
                   item_id: int) -> dict[str, Any]:
    """Move back the instance of one moved item of a job (the job page's button).

    Raises:
        NotFound: ``migration.item_not_found`` when the job has no such moved item; else
            as :func:`move_back`.
    """
    item = session.get(MigrationItem, item_id)
    if item is None or item.job_id != job_id or item.state != "moved":
        session.rollback()
        raise NotFound("Đợt di chuyển này không có hồ sơ đã chuyển như vậy.",
                       code="migration.item_not_found")
    return move_back(engine, session, actor, item.instance_id, item_id)
