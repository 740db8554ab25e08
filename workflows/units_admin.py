"""Changing a unit (đơn vị) from the admin pages and the API: the engine's unit commands,
and the office's search index kept in line with the new name."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from engine import units as unit_service
from engine.roles import Actor
from engine.store.models import Unit
from workflows.search_index import refresh_names


def _renamed(session: Session, code: str, change: Any) -> Unit:
    before = unit_service.get_unit(session, code).name
    change()
    unit = unit_service.get_unit(session, code)
    if unit.name != before:  # dossiers naming it are found by the new name at once
        refresh_names(session, [code])
    return unit


def update_unit(session: Session, actor: Actor, code: str, name: str,
                parent_code: str | None) -> Unit:
    """Rename and move in one command (the unit page's form); the caller commits."""
    def change() -> None:
        unit_service.rename_unit(session, actor, code, name)
        unit_service.move_unit(session, actor, code, parent_code)
    return _renamed(session, code, change)


def patch_unit(session: Session, actor: Actor, code: str, changes: dict[str, Any]) -> Unit:
    """Any of ``name``, ``parent_code``, ``active`` (the API's PATCH); the caller commits."""
    return _renamed(session, code,
                    lambda: unit_service.patch_unit(session, actor, code, changes))
