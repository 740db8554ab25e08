"""Pages of the council (Hội đồng Thi đua - Khen thưởng): meetings, a new meeting, members.

Who sees what is the council services' rule (``workflows.council.members``): members and
the office's roles see meetings, the secretariat and the council's chair or secretary
manage them, the secretariat and admins change the membership. A route parses the form,
calls one service function and renders; a refused action is shown beside its field with
what was typed kept. One meeting's page and its actions are in ``council_meeting_pages``.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, NoReturn

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_required
from sqlalchemy.orm import Session

from engine.errors import Conflict, EngineError, Forbidden, InvalidData, NotFound
from engine.runtime.runner import run_command
from webapp.auth import current_actor
from webapp.inbox import format_date
from webapp.services import read_session, services, write_session
from workflows.council import meetings, page_views
from workflows.council import members as council_members

bp = Blueprint("council_pages", __name__)

MODES = {"electronic": "Bỏ phiếu điện tử", "paper": "Phiếu giấy (Thư ký nhập kết quả)"}


# -- shared helpers (used by council_meeting_pages too) ------------------------------------
def status_of(exc: EngineError) -> int:
    """The HTTP status of a refused action."""
    if isinstance(exc, Forbidden) or getattr(exc, "code", "") == "council.not_member":
        return 403
    if isinstance(exc, NotFound):
        return 404
    return 409 if isinstance(exc, Conflict) else 422


def refuse(exc: EngineError) -> NoReturn:
    """403 or 404 for a page that cannot be shown at all."""
    abort(404 if isinstance(exc, NotFound) else 403)


def command(fn: Any, *args: Any, **kwargs: Any) -> Any:
    """One service call in the request's write session: committed, or rolled back."""
    session: Session = write_session()
    return run_command(session, lambda: fn(session, current_actor(), *args, **kwargs))


def sentence(text: str) -> str:
    """A message shown as a sentence: its first letter a capital, the rest as it is
    (service messages cut after «Dòng n: », errors of other layers)."""
    text = str(text).strip()
    return text[:1].upper() + text[1:]


bp.add_app_template_filter(sentence, "sentence")


def day_label(value: str | None) -> str:
    return format_date(date.fromisoformat(value)) if value else ""


def field_errors(exc: EngineError, default: str) -> dict[str, list[str]]:
    """The service's errors by field (``details``), else the message under ``default``."""
    details = getattr(exc, "details", None)
    if isinstance(exc, InvalidData) and isinstance(details, dict) and details:
        return {k: [sentence(m) for m in (v if isinstance(v, list) else [v])]
                for k, v in details.items()}
    return {default: [sentence(exc.message)]}


# -- the list --------------------------------------------------------------------------------
@bp.get("/council")
@login_required
def index() -> str:
    """Meetings: upcoming, open or voting, closed; the actor's votes still to cast."""
    try:
        found = page_views.overview(read_session(), current_actor())
    except EngineError as exc:
        refuse(exc)
    for rows in found["groups"].values():
        for row in rows:
            row["date_label"] = day_label(row["meeting_date"])
    return render_template("council/index.html", **found)


# -- a new meeting ---------------------------------------------------------------------------
def _parse_day(text: str) -> date | None:
    try:
        return datetime.strptime(text.strip(), "%d/%m/%Y").date()
    except ValueError:
        return None


def _ids(name: str) -> list[int]:
    return [int(v) for v in request.form.getlist(name) if v.isascii() and v.isdigit()]


def _new_form(values: dict[str, Any], errors: dict[str, list[str]], status: int = 200,
              notice: dict[str, Any] | None = None) -> tuple[str, int]:
    try:
        choices = page_views.new_meeting_form(read_session(), current_actor())
    except EngineError as exc:
        refuse(exc)
    return render_template("council/new.html", values=values, errors=errors, modes=MODES,
                           date_notice=notice, **choices), status


@bp.route("/council/meetings/new", methods=["GET", "POST"])
@login_required
def new_meeting() -> Any:
    """Prepare a meeting (tạo cuộc họp): title, date, mode, agenda, invited members."""
    if request.method == "GET":
        return _new_form({"mode": "electronic", "all_members": True, "all_pool": True}, {})
    form = request.form
    values: dict[str, Any] = {
        "title": form.get("title", ""), "meeting_date": form.get("meeting_date", ""),
        "mode": form.get("mode", ""), "nomination_ids": _ids("nomination_ids"),
        "member_ids": _ids("member_ids")}
    errors: dict[str, list[str]] = {}
    day = _parse_day(values["meeting_date"])
    if day is None:
        errors["meeting_date"] = [_("Ngày họp phải có dạng dd/mm/yyyy, ví dụ 15/12/2026.")]
    if not values["nomination_ids"]:
        errors["nomination_ids"] = [_("Chọn ít nhất một đối tượng đưa vào chương trình họp.")]
    if not values["member_ids"]:
        errors["member_ids"] = [_("Chọn ít nhất một thành viên được mời.")]
    if errors:
        return _new_form(values, errors, 422)
    assert day is not None
    notice = page_views.date_notice(day)
    if notice and form.get("confirm_date") != values["meeting_date"]:
        return _new_form(values, {}, 200, notice)  # asked once; the same date sent back goes
    try:
        made = command(meetings.create_meeting, title=values["title"], meeting_date=day,
                       mode=values["mode"], nomination_ids=values["nomination_ids"],
                       member_ids=values["member_ids"],
                       mail=services().engine.mail_options)
    except EngineError as exc:
        if isinstance(exc, Forbidden):
            abort(403)
        return _new_form(values, field_errors(exc, "_"), status_of(exc))
    flash(_("Đã tạo phiên họp «%(title)s».", title=values["title"].strip()), "success")
    return redirect(url_for("council_pages.meeting", meeting_id=made["id"]))


# -- the membership --------------------------------------------------------------------------
def _members_page(errors: dict[str, list[str]] | None = None, values: dict[str, Any] | None
                  = None, editing: int | str | None = None, status: int = 200) -> tuple[str, int]:
    try:
        found = page_views.members_page(read_session(), current_actor())
    except EngineError as exc:
        refuse(exc)
    return render_template("council/members.html", errors=errors or {}, values=values or {},
                           editing=editing, **found), status


def _sort_order(text: str) -> int:
    return int(text) if text.strip().isascii() and text.strip().isdigit() else 0


@bp.route("/council/members", methods=["GET", "POST"])
@login_required
def members() -> Any:
    """The council's membership; POST adds a member (or changes an existing one)."""
    if request.method == "GET":
        return _members_page()
    form = request.form
    values = {"username": form.get("username", ""), "position": form.get("position", ""),
              "person_code": form.get("person_code", ""),
              "sort_order": form.get("sort_order", "")}
    try:
        saved = command(council_members.save_member, values["username"],
                        position=values["position"], person_code=values["person_code"] or None,
                        sort_order=_sort_order(values["sort_order"]))
    except EngineError as exc:
        if isinstance(exc, Forbidden):
            abort(403)
        return _members_page(field_errors(exc, "username"), values, "new", status_of(exc))
    flash(_("Đã lưu thành viên %(name)s.", name=saved["name"]), "success")
    return redirect(url_for("council_pages.members"))


@bp.post("/council/members/<int:member_id>")
@login_required
def change_member(member_id: int) -> Any:
    """Change one membership: position, linked person, order, active (ngừng hoạt động)."""
    form = request.form
    values: dict[str, Any] = {
        "username": form.get("username", ""), "position": form.get("position", ""),
        "person_code": form.get("person_code", ""), "sort_order": form.get("sort_order", ""),
        "active": form.get("active") == "1"}
    try:
        saved = command(council_members.save_member, values["username"],
                        position=values["position"], person_code=values["person_code"] or None,
                        active=values["active"], sort_order=_sort_order(values["sort_order"]))
    except EngineError as exc:
        if isinstance(exc, Forbidden):
            abort(403)
        return _members_page(field_errors(exc, "position"), values, member_id, status_of(exc))
    if saved["active"]:
        flash(_("Đã lưu thành viên %(name)s.", name=saved["name"]), "success")
    else:
        flash(_("%(name)s đã ngừng là thành viên Hội đồng.", name=saved["name"]), "success")
    return redirect(url_for("council_pages.members"))


from webapp import council_meeting_pages as _meeting_pages  # noqa: E402,F401  (its routes)
