"""``/admin/users``: the user list, create, edit roles and unit, lock, reset password."""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select

from engine import identity_admin
from engine.errors import EngineError, NotFound
from engine.store.models import Unit
from webapp.admin import bp
from webapp.admin.common import (
    PER_PAGE,
    admin_required,
    errors_of,
    form_dict,
    known_roles,
    load,
    not_found,
    page_arg,
)
from webapp.admin.schemas import PasswordResetSchema, UserCreateSchema, UserUpdateSchema
from webapp.auth import ROLE_LABELS, current_actor
from webapp.services import read_session, write_session

STATUSES = {"active": "Đang hoạt động", "disabled": "Đã khóa"}


def _choices() -> dict[str, Any]:
    units = read_session().execute(select(Unit.code, Unit.name).where(Unit.active.is_(True))
                                   .order_by(Unit.name)).all()
    return {"units": units, "roles": [(r, str(ROLE_LABELS.get(r, r))) for r in known_roles()],
            "role_labels": {r: str(ROLE_LABELS.get(r, r)) for r in known_roles()}}


@bp.get("/users")
@admin_required
def users() -> str:
    query = (request.args.get("q") or "").strip()
    status = request.args.get("status") if request.args.get("status") in STATUSES else None
    found = identity_admin.list_users(read_session(), query, status, page_arg(), PER_PAGE)
    return render_template("admin/users.html", found=found, q=query, status=status,
                           statuses=STATUSES, **_choices())


@bp.route("/users/new", methods=["GET", "POST"])
@admin_required
def user_new() -> Any:
    values: dict[str, Any] = {"roles": []}
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        values = form_dict("roles")
        session = write_session()
        try:
            data = load(UserCreateSchema(), values)
            user = identity_admin.create_user(session, current_actor(), **data,
                                              known_roles=known_roles())
            session.commit()
        except EngineError as exc:
            session.rollback()
            errors = errors_of(exc)
        else:
            flash(_("Đã tạo tài khoản %(name)s.", name=user.username), "success")
            return redirect(url_for("admin.user_edit", user_id=user.id))
    values.pop("password", None)  # a password is never sent back
    return render_template("admin/user_new.html", values=values, errors=errors,
                           **_choices()), 422 if errors else 200


def _edit_page(user_id: int, values: dict[str, Any] | None = None,
               errors: dict[str, list[str]] | None = None, status: int = 200,
               password: str | None = None) -> Any:
    try:
        user = identity_admin.get_user(read_session(), user_id)
    except NotFound as exc:
        return not_found(exc.message)
    shown = values or {"full_name": user.full_name, "email": user.email or "",
                       "unit_code": user.unit_code or "", "roles": sorted(user.role_codes)}
    return render_template("admin/user_edit.html", user=user, values=shown,
                           errors=errors or {}, password=password, **_choices()), status


@bp.get("/users/<int:user_id>")
@admin_required
def user_edit(user_id: int) -> Any:
    return _edit_page(user_id)


def _command(user_id: int, action: Any, values: dict[str, Any] | None = None) -> Any:
    """Run one service call in a transaction; on error show the edit page with errors."""
    session = write_session()
    try:
        result = action(session)
        session.commit()
    except NotFound as exc:
        session.rollback()
        return not_found(exc.message)
    except EngineError as exc:
        session.rollback()
        return _edit_page(user_id, values, errors_of(exc), 422)
    return result


@bp.post("/users/<int:user_id>")
@admin_required
def user_update(user_id: int) -> Any:
    values = form_dict("roles")

    def action(session: Any) -> Any:
        data = load(UserUpdateSchema(), values)
        identity_admin.update_user(session, current_actor(), user_id, **data,
                                   known_roles=known_roles())
        flash(_("Đã lưu thay đổi."), "success")
        return redirect(url_for("admin.user_edit", user_id=user_id))
    return _command(user_id, action, values)


@bp.post("/users/<int:user_id>/active")
@admin_required
def user_active(user_id: int) -> Any:
    active = request.form.get("active") == "1"

    def action(session: Any) -> Any:
        identity_admin.set_active(session, current_actor(), user_id, active)
        flash(_("Đã mở khóa tài khoản.") if active else _("Đã khóa tài khoản."), "success")
        return redirect(url_for("admin.user_edit", user_id=user_id))
    return _command(user_id, action)


@bp.post("/users/<int:user_id>/password")
@admin_required
def user_password(user_id: int) -> Any:
    def action(session: Any) -> Any:
        data = load(PasswordResetSchema(), form_dict())
        chosen = data["new_password"] if data["mode"] == "set" else None
        if data["mode"] == "set" and not chosen:
            identity_admin.check_strength("", "new_password")
        generated = identity_admin.reset_password(session, current_actor(), user_id, chosen)
        return generated
    generated = _command(user_id, action)
    if not isinstance(generated, str | None):
        return generated  # the error page
    if generated is None:
        flash(_("Đã đặt mật khẩu mới."), "success")
        return redirect(url_for("admin.user_edit", user_id=user_id))
    # Shown once, in this answer only: never flashed (the session cookie is readable).
    html, status = _edit_page(user_id, password=generated)
    return html, status, {"Cache-Control": "no-store"}
