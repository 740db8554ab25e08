"""``/admin/catalogue``: each title or form with its thresholds, coefficients and rules.

The form has one typed input per value (numbers, choices, check boxes), never raw JSON;
``workflows.catalogue_admin`` checks types and ranges and writes the change. A new title
or form is created on ``/admin/catalogue/new``; "Ngừng sử dụng" retires one (it leaves
the forms of new nominations, the history keeps it) and "Dùng lại" brings it back.
"""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from engine.errors import Conflict, EngineError, NotFound
from webapp.admin import bp
from webapp.admin.common import admin_required, errors_of, not_found
from webapp.auth import current_actor
from webapp.services import read_session, write_session
from workflows import catalogue_admin
from workflows.catalogue import bonus_amount, vn_number
from workflows.dossier import ITEMS
from workflows.eligibility_catalogue import KEYS, QUOTA_SCOPES
from workflows.history import DISCIPLINE_NAMES, LEVEL_NAMES, RATING_NAMES

CHECKBOXES = ("secret_ballot", "needs_disclosure", "registration_required", "active")
OPTIONAL_NUMBERS = ("bonus_coefficient", "vote_threshold_pct")
TEXTS = ("name", "decided_by", "vote_base", "disclosure_working_days", "legal_basis",
         "sort_order")
RULE_CHOICES = {"rating": RATING_NAMES, "discipline": DISCIPLINE_NAMES, "scope": QUOTA_SCOPES}


def _translated(names: dict[str, str]) -> dict[str, str]:
    """code -> label in the page's language (the labels are listed in webapp/i18n_data)."""
    return {code: _(label) for code, label in names.items()}


def _editor_words() -> dict[str, Any]:
    """The editor's rule labels and choices in the page's language."""
    return {"keys": {key: (_(label), kind) for key, (label, kind) in KEYS.items()},
            "rule_choices": {kind: _translated(names) for kind, names in RULE_CHOICES.items()},
            "level_names": _translated(LEVEL_NAMES), "items": _translated(ITEMS)}


def _rule_value(key: str, kind: str) -> Any:
    if kind == "levels":
        return request.form.getlist(f"rules.{key}") or None
    raw = (request.form.get(f"rules.{key}") or "").strip()
    if not raw:
        return None
    if kind == "bool":
        return raw == "true" if raw in ("true", "false") else raw
    return raw


def _payload() -> dict[str, Any]:
    """The posted form as the service's input (typed by the schema there)."""
    form = request.form
    data: dict[str, Any] = {name: (form.get(name) or "").strip() for name in TEXTS}
    for name in OPTIONAL_NUMBERS:
        data[name] = (form.get(name) or "").strip().replace(",", ".") or None
    for name in CHECKBOXES:
        data[name] = form.get(name) == "1"
    for name in ("dossier_items", "simplified_dossier_items", "kinds"):
        data[name] = form.getlist(name)
    data["rules"] = {key: _rule_value(key, kind) for key, (_label, kind) in KEYS.items()}
    return data


@bp.get("/catalogue")
@admin_required
def catalogue() -> str:
    session = read_session()
    rows = [(row, bonus_amount(session, row)) for row in catalogue_admin.all_award_types(session)]
    return render_template("admin/catalogue.html", rows=rows, vn_number=vn_number,
                           levels=catalogue_admin.LEVELS, vote_bases=catalogue_admin.VOTE_BASES)


def _edit_page(code: str, values: dict[str, Any] | None = None,
               errors: dict[str, list[str]] | None = None, status: int = 200) -> Any:
    session = read_session()
    try:
        row = catalogue_admin.get_award_type(session, code)
    except NotFound as exc:
        return not_found(exc.message)
    shown = values or catalogue_admin.snapshot(row)
    others = {k: v for k, v in (row.rules or {}).items() if k not in KEYS}
    titles = [(a.code, a.name) for a in catalogue_admin.all_award_types(session)]
    return render_template(
        "admin/catalogue_edit.html", row=row, values=shown, errors=errors or {},
        titles=titles, vote_bases=catalogue_admin.VOTE_BASES, others=others,
        kinds=catalogue_admin.PROCEDURE_KINDS, **_editor_words()), status


NEW_FIELDS = ("code", "name", "subject_kind", "level", "decided_by", "bonus_coefficient",
              "sort_order", "legal_basis", "copy_from")


def _new_page(values: dict[str, Any] | None = None,
              errors: dict[str, list[str]] | None = None, status: int = 200) -> Any:
    session = read_session()
    titles = [(a.code, f"{a.name} ({a.code})")
              for a in catalogue_admin.all_award_types(session)]
    return render_template(
        "admin/catalogue_new.html", values=values or {"subject_kind": "individual",
                                                      "level": "office"},
        errors=errors or {}, titles=titles, kinds=catalogue_admin.SUBJECT_KINDS,
        levels=catalogue_admin.LEVELS), status


@bp.get("/catalogue/new")
@admin_required
def catalogue_new() -> Any:
    return _new_page()


@bp.post("/catalogue/new")
@admin_required
def catalogue_create() -> Any:
    form = request.form
    data: dict[str, Any] = {k: (form.get(k) or "").strip() for k in NEW_FIELDS}
    data["code"] = data["code"].upper()
    for name in ("bonus_coefficient", "sort_order", "copy_from", "legal_basis"):
        if not data[name]:
            data.pop(name)
    if "bonus_coefficient" in data:
        data["bonus_coefficient"] = data["bonus_coefficient"].replace(",", ".")
    session = write_session()
    try:
        row = catalogue_admin.create_award_type(session, current_actor(), data)
        session.commit()
    except EngineError as exc:
        session.rollback()
        return _new_page({k: form.get(k, "") for k in NEW_FIELDS}, errors_of(exc), 422)
    flash(_("Đã thêm %(name)s (%(code)s). Hãy đặt điều kiện xét và thành phần hồ sơ; bảng "
            "điều kiện DMN cùng tên được nhập ở trang Quy trình.", name=row.name,
            code=row.code), "success")
    return redirect(url_for("admin.catalogue_edit", code=row.code))


@bp.get("/catalogue/<code>")
@admin_required
def catalogue_edit(code: str) -> Any:
    return _edit_page(code)


@bp.post("/catalogue/<code>/active")
@admin_required
def catalogue_active(code: str) -> Any:
    """Retire (``active=0``) or bring back (``active=1``) a title or form."""
    active = request.form.get("active") == "1"
    session = write_session()
    try:
        catalogue_admin.update_award_type(session, current_actor(), code, {"active": active})
        session.commit()
    except NotFound as exc:
        session.rollback()
        return not_found(exc.message)
    except (Conflict, EngineError) as exc:
        session.rollback()
        flash(exc.message, "danger")
        return redirect(url_for("admin.catalogue_edit", code=code))
    flash(_("Đã dùng lại %(code)s.", code=code) if active else
          _("Đã ngừng sử dụng %(code)s: không còn được chọn cho đề nghị mới; lịch sử khen "
            "thưởng vẫn giữ nguyên.", code=code), "success")
    return redirect(url_for("admin.catalogue_edit", code=code))


@bp.post("/catalogue/<code>")
@admin_required
def catalogue_update(code: str) -> Any:
    data = _payload()
    session = write_session()
    try:
        catalogue_admin.update_award_type(session, current_actor(), code, data)
        session.commit()
    except NotFound as exc:
        session.rollback()
        return not_found(exc.message)
    except EngineError as exc:
        session.rollback()
        return _edit_page(code, data, errors_of(exc), 422)
    flash(_("Đã lưu danh mục %(code)s.", code=code), "success")
    return redirect(url_for("admin.catalogue_edit", code=code))
