"""Administration of the unit tree (cây đơn vị): create, rename, move, deactivate.

A unit has at most one parent; moving a unit under itself or one of its descendants
is refused (``unit.cycle``). A unit is deactivated (ngừng hoạt động) only when no active
account and no active sub-unit belongs to it. Every change is audited before/after.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine import audit, identity
from engine.errors import Conflict, InvalidData, NotFound
from engine.roles import Actor
from engine.store.models import Unit, User

CODE_PATTERN = re.compile(r"^[A-Za-z0-9_.-]{1,64}$")


@dataclass(frozen=True)
class UnitNode:
    """One row of the tree as the admin page shows it (depth-first order)."""

    code: str
    name: str
    parent_code: str | None
    active: bool
    depth: int
    active_users: int
    children: int


def _field_error(field: str, message: str, code: str = "data.invalid") -> InvalidData:
    return InvalidData(message, code=code, details={field: [message]})


def get_unit(session: Session, code: str) -> Unit:
    unit = session.get(Unit, code)
    if unit is None:
        raise NotFound(f"Không có đơn vị «{code}».", code="unit.not_found")
    return unit


def _active_users(session: Session) -> dict[str, int]:
    rows = session.execute(select(User.unit_code, func.count()).where(User.active.is_(True))
                           .group_by(User.unit_code)).all()
    return {code: int(n) for code, n in rows if code}


def unit_tree(session: Session) -> list[UnitNode]:
    """Every unit, parents before their children, siblings by name."""
    units = session.scalars(select(Unit).order_by(Unit.name, Unit.code)).all()
    by_parent: dict[str | None, list[Unit]] = {}
    codes = {u.code for u in units}
    for unit in units:
        parent = unit.parent_code if unit.parent_code in codes else None
        by_parent.setdefault(parent, []).append(unit)
    users = _active_users(session)
    out: list[UnitNode] = []

    def walk(parent: str | None, depth: int) -> None:
        for unit in by_parent.get(parent, []):
            out.append(UnitNode(unit.code, unit.name, unit.parent_code, unit.active, depth,
                                users.get(unit.code, 0), len(by_parent.get(unit.code, []))))
            walk(unit.code, depth + 1)

    walk(None, 0)
    placed = {n.code for n in out}
    for unit in units:  # a loop left in old data: shown at the top so it can be fixed
        if unit.code not in placed:
            out.append(UnitNode(unit.code, unit.name, unit.parent_code, unit.active, 0,
                                users.get(unit.code, 0), 0))
    return out


def _check_parent(session: Session, parent_code: str | None) -> None:
    if not parent_code:
        return
    parent = session.get(Unit, parent_code)
    if parent is None or not parent.active:
        raise _field_error("parent_code",
                           f"Không có đơn vị cấp trên đang hoạt động «{parent_code}».",
                           "unit.not_found")


def create_unit(session: Session, actor: Actor, code: str, name: str,
                parent_code: str | None = None) -> Unit:
    """A new unit (thêm đơn vị) under an active parent, or at the top."""
    code, name = (code or "").strip(), (name or "").strip()
    if not CODE_PATTERN.match(code):
        raise _field_error("code", "Mã đơn vị gồm chữ không dấu, số, dấu chấm, gạch "
                                   "(tối đa 64 ký tự).")
    if not name:
        raise _field_error("name", "Cần tên đơn vị.")
    if session.get(Unit, code) is not None:
        message = f"Đơn vị «{code}» đã có."
        raise Conflict(message, code="unit.exists", details={"code": [message]})
    _check_parent(session, parent_code)
    return identity.create_unit(session, actor, code, name, parent_code or None)


def rename_unit(session: Session, actor: Actor, code: str, name: str) -> Unit:
    """Change a unit's name (đổi tên đơn vị)."""
    unit = get_unit(session, code)
    name = (name or "").strip()
    if not name:
        raise _field_error("name", "Cần tên đơn vị.")
    if name != unit.name:
        audit.append(session, actor, "unit.renamed", {"code": code, "before": {"name": unit.name},
                                                      "after": {"name": name}})
        unit.name = name
    return unit


def _ancestors(session: Session, code: str | None) -> list[str]:
    """``code`` and the codes above it, stopping at a loop already in the data.

    Every unit row is locked first (in one order, so two movers cannot deadlock) and the
    parents are read afresh after: two moves at once on PostgreSQL run one after the
    other, and the second sees the first (A under B and B under A cannot both pass).
    """
    session.scalars(select(Unit.code).order_by(Unit.code).with_for_update()).all()
    parents: dict[str, str | None] = {
        code: parent for code, parent in session.execute(select(Unit.code, Unit.parent_code))}
    chain: list[str] = []
    while code and code not in chain:
        chain.append(code)
        code = parents.get(code)
    return chain


def move_unit(session: Session, actor: Actor, code: str, parent_code: str | None) -> Unit:
    """Put a unit under another parent (chuyển đơn vị), or at the top; no cycles.

    Raises:
        InvalidData: ``unit.cycle`` when the new parent is the unit or lies beneath it.
    """
    unit = get_unit(session, code)
    parent_code = parent_code or None
    if parent_code == unit.parent_code:
        return unit
    _check_parent(session, parent_code)
    if code in _ancestors(session, parent_code):
        raise _field_error("parent_code", "Không thể đặt đơn vị dưới chính nó hoặc đơn vị "
                                          "cấp dưới của nó.", "unit.cycle")
    audit.append(session, actor, "unit.moved", {"code": code,
                                                "before": {"parent_code": unit.parent_code},
                                                "after": {"parent_code": parent_code}})
    unit.parent_code = parent_code
    return unit


def set_unit_active(session: Session, actor: Actor, code: str, active: bool) -> Unit:
    """Deactivate (ngừng hoạt động) an empty unit, or reactivate one under an active parent.

    Raises:
        Conflict: ``unit.in_use`` when active accounts or active sub-units belong to it.
    """
    unit = get_unit(session, code)
    if unit.active == active:
        return unit
    if active:
        _check_parent(session, unit.parent_code)
    else:
        _check_empty(session, unit)
    audit.append(session, actor, "unit.activated" if active else "unit.deactivated",
                 {"code": code, "before": {"active": unit.active}, "after": {"active": active}})
    unit.active = active
    return unit


def _check_empty(session: Session, unit: Unit) -> None:
    users = session.scalar(select(func.count()).select_from(User).where(
        User.unit_code == unit.code, User.active.is_(True))) or 0
    children = session.scalar(select(func.count()).select_from(Unit).where(
        Unit.parent_code == unit.code, Unit.active.is_(True))) or 0
    if users or children:
        parts = []
        if users:
            parts.append(f"{users} tài khoản đang hoạt động")
        if children:
            parts.append(f"{children} đơn vị cấp dưới đang hoạt động")
        message = (f"Đơn vị «{unit.name}» còn {' và '.join(parts)}; hãy chuyển hoặc khóa "
                   "trước khi ngừng hoạt động.")
        raise Conflict(message, code="unit.in_use", details={"active": [message]})


def patch_unit(session: Session, actor: Actor, code: str, changes: dict[str, Any]) -> Unit:
    """Apply any of ``name``, ``parent_code``, ``active`` (the API's PATCH)."""
    unit = get_unit(session, code)
    if "name" in changes:
        rename_unit(session, actor, code, changes["name"])
    if "parent_code" in changes:
        move_unit(session, actor, code, changes["parent_code"])
    if "active" in changes:
        set_unit_active(session, actor, code, bool(changes["active"]))
    return unit
