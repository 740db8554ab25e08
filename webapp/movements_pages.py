"""Emulation movement pages (phong trào thi đua): the list, one movement, create and edit.

Everybody signed in sees the movements; the secretariat and the admin create and change
them (``workflows.movements`` checks the role and the data). The form takes dates as
dd/mm/yyyy and the participating units as checkboxes.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_required
from sqlalchemy import select

from engine.errors import Conflict, Forbidden, InvalidData, NotFound
from engine.store.models import Unit
from webapp.auth import current_actor
from webapp.inbox import format_date
from webapp.services import read_session, services, write_session
from workflows import movements as service

bp = Blueprint("movements", __name__)

STATUS_LABELS = {"upcoming": ("Sắp diễn ra", "info"), "running": ("Đang diễn ra", "primary"),
                 "ended": ("Đã kết thúc", "secondary")}
FIELDS = ("code", "name", "kind", "year", "launch_level", "scope", "start_date", "end_date",
          "description")


def _day(value: str | None) -> str:
    return format_date(date.fromisoformat(value)) if value else ""


def _int_arg(name: str) -> int | None:
    try:
        return int(request.args[name]) if request.args.get(name) else None
    except ValueError:
        return None


def _may_edit() -> bool:
    return bool(service.EDIT_ROLES & current_actor().roles)


@bp.get("/movements")
@login_required
def index() -> str:
    """The movements of a year (all years by default), newest first."""
    year, kind = _int_arg("year"), request.args.get("kind") or None
    rows = service.list_movements(read_session(), current_actor(), year=year,
                                  kind=kind if kind in service.KINDS else None)
    for row in rows:
        row["start_label"], row["end_label"] = _day(row["start_date"]), _day(row["end_date"])
        label, tone = STATUS_LABELS[row["status"]]
        row["status_label"], row["tone"] = _(label), tone
        row["kind_label"] = _(service.KINDS[row["kind"]])
        row["launch_label"] = _(service.LAUNCH_LEVELS.get(row["launch_level"], ""))
    return render_template("movements/index.html", rows=rows, year=year, kind=kind,
                           kinds=service.KINDS, may_edit=_may_edit())


@bp.get("/movements/<code>")
@login_required
def show(code: str) -> str:
    """One movement: its content and the registrations and nominations one may see."""
    try:
        found = service.get_movement(read_session(), current_actor(), code,
                                     services().engine.policy)
    except NotFound:
        abort(404)
    label, tone = STATUS_LABELS[found["status"]]
    units = dict(read_session().execute(select(Unit.code, Unit.name)).all())
    return render_template(
        "movements/show.html", m=found, status_label=_(label), tone=tone,
        start_label=_day(found["start_date"]), end_label=_day(found["end_date"]),
        kind_label=_(service.KINDS[found["kind"]]),
        launch_label=_(service.LAUNCH_LEVELS.get(found["launch_level"], "")),
        scope_label=_(service.SCOPES.get(found["scope"], "")),
        target_names=[units.get(c, c) for c in found["target_units"]], units=units,
        may_edit=_may_edit())


def _parse_day(text: str) -> str | None:
    text = text.strip()
    if not text:
        return None
    for pattern in ("%d/%m/%Y", "%Y-%m-%d"):
        try:
            return datetime.strptime(text, pattern).date().isoformat()
        except ValueError:
            continue
    return text  # the schema says it is not a date


def _submitted() -> dict[str, Any]:
    form = request.form
    data: dict[str, Any] = {name: form.get(name, "").strip() for name in FIELDS}
    data["start_date"] = _parse_day(form.get("start_date", "")) or ""
    data["end_date"] = _parse_day(form.get("end_date", ""))
    data["target_units"] = form.getlist("target_units")
    return data


def _form(values: dict[str, Any], errors: dict[str, Any], editing: str | None,
          status: int = 200) -> tuple[str, int]:
    units = read_session().execute(select(Unit.code, Unit.name).order_by(Unit.name)).all()
    shown = dict(values)
    for name in ("start_date", "end_date"):
        value = shown.get(name)
        if value and len(value) == 10 and value[4] == "-":
            shown[name] = _day(value)
    return render_template(
        "movements/form.html", values=shown, errors=errors, editing=editing, units=units,
        kinds=service.KINDS, levels=service.LAUNCH_LEVELS, scopes=service.SCOPES), status


def _guard() -> None:
    if not _may_edit():
        abort(403)


@bp.route("/movements/new", methods=["GET", "POST"])
@login_required
def new() -> Any:
    """Launch a movement (phát động phong trào thi đua)."""
    _guard()
    if request.method == "GET":
        return _form({"year": date.today().year, "kind": "thematic", "launch_level": "office",
                      "scope": "office", "target_units": []}, {}, None)
    data = _submitted()
    session = write_session()
    try:
        created = service.create_movement(session, current_actor(), data)
        session.commit()
    except (InvalidData, Forbidden) as exc:
        session.rollback()
        return _form(data, _errors(exc), None, 422)
    except Conflict as exc:
        session.rollback()
        return _form(data, {"code": [exc.message]}, None, 409)
    flash(_("Đã tạo phong trào %(name)s.", name=created["name"]), "success")
    return redirect(url_for("movements.show", code=created["code"]))


@bp.route("/movements/<code>/edit", methods=["GET", "POST"])
@login_required
def edit(code: str) -> Any:
    """Change a movement; its code stays."""
    _guard()
    try:
        current = service.get_movement(read_session(), current_actor(), code,
                                       services().engine.policy)
    except NotFound:
        abort(404)
    if request.method == "GET":
        return _form(current, {}, code)
    data = _submitted()
    data.pop("code", None)
    session = write_session()
    try:
        service.update_movement(session, current_actor(), code, data)
        session.commit()
    except (InvalidData, Forbidden) as exc:
        session.rollback()
        return _form({**data, "code": code}, _errors(exc), code, 422)
    flash(_("Đã lưu phong trào."), "success")
    return redirect(url_for("movements.show", code=code))


def _errors(exc: InvalidData | Forbidden) -> dict[str, Any]:
    details = getattr(exc, "details", None)
    if isinstance(details, dict) and details:
        return {k: v if isinstance(v, list) else [str(v)] for k, v in details.items()}
    return {"_": [exc.message]}
