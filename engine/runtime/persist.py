"""Reading and writing instance rows on the hot path, with Core statements.

Every command runs these, so they skip the ORM unit of work: statements are
built once, executed on the session's connection, and the version counter is
checked by hand (``UPDATE … WHERE lock_version = :old``). Rows come back as
detached ORM objects, so the rest of the code reads them like any model.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    LABEL_STYLE_TABLENAME_PLUS_COL,
    Table,
    bindparam,
    insert,
    select,
    update,
)
from sqlalchemy.orm import Session

from engine.errors import Conflict, NotFound
from engine.store.models import HumanTask, ProcessInstance

_I: Table = ProcessInstance.__table__  # type: ignore[assignment]
_T: Table = HumanTask.__table__  # type: ignore[assignment]

NOT_READY = ("Công việc không còn ở trạng thái chờ xử lý "
             "(đã được hoàn thành hoặc hồ sơ vừa thay đổi).")

# One statement finds a task and locks it with its instance; on PostgreSQL a second
# caller waits here and then reads both rows as the first one left them.
_TASK_WITH_INSTANCE = (
    select(_T, _I)
    .join(_I, _I.c.id == _T.c.instance_id)
    .where(_T.c.id == bindparam("task_id"))
    .with_for_update()
    .set_label_style(LABEL_STYLE_TABLENAME_PLUS_COL)
)
_INSTANCE = select(_I).where(_I.c.id == bindparam("instance_id")).with_for_update()

_SAVED_COLUMNS = ("state_json", "data", "status", "updated_at", "ended_at", "error_message",
                  "error_element", "waiting_for")
_SAVE_INSTANCE = (
    update(_I)
    .where(_I.c.id == bindparam("b_id"), _I.c.lock_version == bindparam("b_version"))
    .values({name: bindparam(f"v_{name}") for name in _SAVED_COLUMNS}
            | {"lock_version": bindparam("v_lock_version")})
)


def _part(mapping: Any, table: Table) -> dict[str, Any]:
    prefix = f"{table.name}_"
    return {c.name: mapping[prefix + c.name] for c in table.columns}


def lock_task(session: Session, task_id: str) -> tuple[HumanTask, ProcessInstance]:
    row = session.connection().execute(_TASK_WITH_INSTANCE, {"task_id": task_id}).first()
    if row is None:
        raise NotFound("Không tìm thấy công việc.", code="task.not_found")
    mapping = row._mapping
    return HumanTask(**_part(mapping, _T)), ProcessInstance(**_part(mapping, _I))


def lock_instance(session: Session, instance_id: int) -> ProcessInstance:
    row = session.connection().execute(_INSTANCE, {"instance_id": instance_id}).first()
    if row is None:
        raise NotFound("Không tìm thấy hồ sơ quy trình.", code="instance.not_found")
    return ProcessInstance(**row._asdict())


def save_instance(session: Session, inst: ProcessInstance) -> None:
    """Write the instance if nobody else did since it was read; else ``task.not_ready``."""
    params = {f"v_{name}": getattr(inst, name) for name in _SAVED_COLUMNS}
    params |= {"b_id": inst.id, "b_version": inst.lock_version,
               "v_lock_version": inst.lock_version + 1}
    result = session.connection().execute(_SAVE_INSTANCE, params)
    if result.rowcount != 1:
        raise Conflict(NOT_READY, code="task.not_ready")
    inst.lock_version += 1


def set_assignee(session: Session, task_id: str, assignee_id: int | None,
                 only_if_unassigned: bool = False) -> bool:
    """Claim (or release) a task row; with ``only_if_unassigned`` a race loses cleanly."""
    stmt = update(_T).where(_T.c.id == task_id)
    if only_if_unassigned:
        stmt = stmt.where(_T.c.assignee_id.is_(None))
    result = session.connection().execute(stmt.values(assignee_id=assignee_id))
    return bool(result.rowcount == 1)


_INSERT_COLUMNS = tuple(c.name for c in _I.columns if c.name != "id")
_INSERT_INSTANCE = insert(_I).returning(_I.c.id)


def insert_instance(session: Session, inst: ProcessInstance) -> ProcessInstance:
    """Insert a new instance row (all columns given) and set its id."""
    values = {name: getattr(inst, name) for name in _INSERT_COLUMNS}
    inst.id = session.connection().execute(_INSERT_INSTANCE, values).scalar_one()
    return inst
