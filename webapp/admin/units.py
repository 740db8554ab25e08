"""``/admin/units``: the unit tree, create, rename, move, deactivate / reactivate."""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from engine import units as unit_service
from engine.errors import EngineError, NotFound
from webapp.admin import bp
from webapp.admin.common import admin_required, errors_of, form_dict, load, not_found
from webapp.admin.schemas import UnitCreateSchema
from webapp.auth import current_actor
from webapp.services import read_session, write_session
from workflows import units_admin


def _tree_page(values: dict[str, Any] | None = None,
               errors: dict[str, list[str]] | None = None, status: int = 200) -> Any:
    tree = unit_service.unit_tree(read_session())
    children: dict[str | None, list[unit_service.UnitNode]] = {}
    codes = {n.code for n in tree}
    for node in tree:
        children.setdefault(node.parent_code if node.parent_code in codes else None,
                            []).append(node)
    parents = [(n.code, ("— " * n.depth) + f"{n.name} ({n.code})") for n in tree if n.active]
    return render_template("admin/units.html", tree=tree, children=children, parents=parents,
                           values=values or {}, errors=errors or {}), status


@bp.get("/units")
@admin_required
def units() -> Any:
    return _tree_page()


@bp.post("/units")
@admin_required
def unit_create() -> Any:
    values = form_dict()
    session = write_session()
    try:
        data = load(UnitCreateSchema(), values)
        unit = unit_service.create_unit(session, current_actor(), **data)
        session.commit()
    except EngineError as exc:
        session.rollback()
        return _tree_page(values, errors_of(exc), 422)
    flash(_("Đã thêm đơn vị %(name)s.", name=unit.name), "success")
    return redirect(url_for("admin.units"))


def _descendants(tree: list[unit_service.UnitNode], code: str) -> set[str]:
    below, changed = {code}, True
    while changed:
        changed = False
        for node in tree:
            if node.parent_code in below and node.code not in below:
                below.add(node.code)
                changed = True
    return below


def _edit_page(code: str, values: dict[str, Any] | None = None,
               errors: dict[str, list[str]] | None = None, status: int = 200) -> Any:
    try:
        unit = unit_service.get_unit(read_session(), code)
    except NotFound as exc:
        return not_found(exc.message)
    tree = unit_service.unit_tree(read_session())
    below = _descendants(tree, code)
    parents = [n for n in tree if n.code not in below and n.active]
    node = next(n for n in tree if n.code == code)
    shown = values or {"name": unit.name, "parent_code": unit.parent_code or ""}
    return render_template("admin/unit_edit.html", unit=unit, node=node, parents=parents,
                           values=shown, errors=errors or {}), status


@bp.get("/units/<code>")
@admin_required
def unit_edit(code: str) -> Any:
    return _edit_page(code)


def _command(code: str, action: Any, values: dict[str, Any] | None = None) -> Any:
    session = write_session()
    try:
        action(session)
        session.commit()
    except NotFound as exc:
        session.rollback()
        return not_found(exc.message)
    except EngineError as exc:
        session.rollback()
        return _edit_page(code, values, errors_of(exc), 422)
    flash(_("Đã lưu thay đổi."), "success")
    return redirect(url_for("admin.unit_edit", code=code))


@bp.post("/units/<code>")
@admin_required
def unit_update(code: str) -> Any:
    """Rename and move in one form: both are checked before anything is written."""
    values = form_dict()

    def action(session: Any) -> None:
        name = (values.get("name") or "").strip()
        parent = (values.get("parent_code") or "").strip() or None
        units_admin.update_unit(session, current_actor(), code, name, parent)
    return _command(code, action, values)


@bp.post("/units/<code>/active")
@admin_required
def unit_active(code: str) -> Any:
    active = request.form.get("active") == "1"
    return _command(code, lambda s: unit_service.set_unit_active(s, current_actor(), code,
                                                                 active))
