"""Nomination pages for submitters (đề nghị khen thưởng): the unit's dossiers, start one.

``/nominations`` lists the instances the person may see (the engine's visibility rule),
``/nominations/new`` starts a unit procedure and attaches the dossier files chosen on the
same form. Every file is checked (type by extension and content, size) *before* the
instance starts, so a bad file creates nothing. The engine checks again who may start:
a process whose start event lies in another role's lane is refused
(``process.start_forbidden``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import login_required
from sqlalchemy import select

from engine.errors import EngineError, Forbidden, InvalidData
from engine.roles import Actor
from engine.store.models import User
from webapp.auth import ROLE_LABELS, current_actor
from webapp.inbox import format_date
from webapp.services import read_session, services, write_session
from workflows import dossier

bp = Blueprint("nominations", __name__)

PER_PAGE = 20
FILE_ROWS = 4
# The procedures a unit starts itself, in the order the form offers them.
UNIT_PROCESSES = ("annual_title_nomination", "thematic_award", "adhoc_award",
                  "emulation_registration")
# The dossier items a unit sends (workflows.dossier.ITEMS gives their names).
UNIT_ITEMS = ("to_trinh", "danh_sach", "bao_cao_thanh_tich", "bien_ban_binh_xet",
              "tom_tat_thanh_tich", "other")
STATUS_LABELS = {
    "running": (_l("Đang xử lý"), "primary"),
    "completed": (_l("Đã kết thúc"), "success"),
    "cancelled": (_l("Đã hủy"), "secondary"),
    "error": (_l("Đang lỗi"), "danger"),
}


@dataclass(frozen=True)
class Upload:
    """One checked file of the form, ready to attach once the instance exists."""

    item: str
    filename: str
    data: bytes


def _int_arg(name: str, default: int = 1) -> int:
    try:
        return max(1, int(request.args.get(name, default)))
    except ValueError:
        return default


def _local_day(value: str | None) -> str:
    if not value:
        return ""
    calendar = services().engine.calendar
    return format_date(calendar.local_date(datetime.fromisoformat(value)))


def _user_names(ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    rows = read_session().execute(
        select(User.id, User.full_name, User.username).where(User.id.in_(ids))).all()
    return {uid: full or username for uid, full, username in rows}


def _mine(actor: Actor, process_key: str | None, status: str | None, page: int
          ) -> tuple[list[dict[str, Any]], int]:
    """The instances ``actor`` started (always visible to them), newest first."""
    result = services().engine.list_instances(read_session(), actor, process_key, status, page,
                                              PER_PAGE, started_by=actor.id)
    return result.items, result.total


@bp.get("/nominations")
@login_required
def index() -> str:
    engine, session, actor = services().engine, read_session(), current_actor()
    processes = [(p["key"], p["name"] or p["key"]) for p in engine.list_processes(session)]
    names = dict(processes)
    process_key = request.args.get("process") or None
    process_key = process_key if process_key in names else None
    status = request.args.get("status") or None
    status = status if status in STATUS_LABELS else None
    mine = request.args.get("mine") == "1"
    page = _int_arg("page")
    if mine:
        items, total = _mine(actor, process_key, status, page)
    else:
        found = engine.list_instances(session, actor, process_key, status, page, PER_PAGE)
        items, total = found.items, found.total
    starters = _user_names({i["started_by"] for i in items if i["started_by"] is not None})
    rows = []
    for inst in items:
        label, tone = STATUS_LABELS.get(inst["status"], (inst["status"], "secondary"))
        rows.append({
            "id": inst["id"], "process": names.get(inst["process_key"], inst["process_key"]),
            "business_key": inst["business_key"] or "", "status": str(label), "tone": tone,
            "steps": [t.get("title") or t["name"] for t in inst["tasks"]],
            "started_by": starters.get(inst["started_by"] or 0, ""),
            "started_at": _local_day(inst["started_at"]),
        })
    statuses = [(k, str(v[0])) for k, v in STATUS_LABELS.items()]
    return render_template(
        "nominations/index.html", rows=rows, processes=processes, statuses=statuses,
        process_key=process_key, status=status, mine=mine, page=page, total=total,
        pages=max(1, -(-total // PER_PAGE)))


# -- starting a nomination ----------------------------------------------------------------
def _startable(actor: Actor) -> list[tuple[str, str]]:
    """(key, Vietnamese name) of the deployed unit procedures the actor's roles may start."""
    engine, session = services().engine, read_session()
    deployed = {p["key"]: p["name"] or p["key"] for p in engine.list_processes(session)}
    out = []
    for key in UNIT_PROCESSES:
        if key not in deployed:
            continue
        start_role = _start_role(key)
        if start_role is None or start_role in actor.roles:
            out.append((key, deployed[key]))
    return out


def _suggested_key(actor: Actor) -> str:
    """The next free ``DN-<year>-<unit>-<nnn>`` among the instances the actor may see."""
    engine, session = services().engine, read_session()
    year = engine.calendar.local_date(datetime.now(UTC)).year
    prefix = f"DN-{year}-{actor.unit_code or 'VP'}-"
    keys = [i["business_key"] for i in engine.list_instances(
        session, actor, per_page=500, business_key_prefix=prefix).items]
    numbers = [int(k[len(prefix):]) for k in keys if k and k[len(prefix):].isdigit()]
    return f"{prefix}{max(numbers, default=0) + 1:03d}"


def _uploads(errors: dict[str, list[str]]) -> list[Upload]:
    """The chosen files, each checked; problems go to ``errors`` under ``file_<n>``."""
    max_bytes = int(current_app.config["MAX_UPLOAD_BYTES"])
    out: list[Upload] = []
    seen: set[str] = set()
    for n in range(1, FILE_ROWS + 1):
        upload = request.files.get(f"file_{n}")
        if upload is None or not upload.filename:
            continue
        item = request.form.get(f"item_{n}") or ""
        field = f"file_{n}"
        if item not in UNIT_ITEMS:
            errors[field] = [_("Vui lòng chọn thành phần hồ sơ cho tệp này.")]
            continue
        if item in seen:
            errors[field] = [_("Mỗi thành phần hồ sơ chỉ chọn một tệp.")]
            continue
        seen.add(item)
        name = dossier.safe_filename(upload.filename, fallback=item)
        data = upload.read()
        try:
            dossier.check_file(name, data, max_bytes)
        except InvalidData as exc:
            errors[field] = [exc.message]
            continue
        out.append(Upload(item, name, data))
    return out


def _form(choices: list[tuple[str, str]], errors: dict[str, list[str]] | None = None,
          status: int = 200) -> tuple[str, int]:
    actor = current_actor()
    typed = request.form if request.method == "POST" else {}
    items = [(code, dossier.ITEMS[code]) for code in UNIT_ITEMS]
    defaults = ("to_trinh", "danh_sach", "bao_cao_thanh_tich", "other")
    rows = [{"n": n, "item": typed.get(f"item_{n}", defaults[n - 1])}
            for n in range(1, FILE_ROWS + 1)]
    return render_template(
        "nominations/new.html", choices=choices, items=items, rows=rows,
        process_key=typed.get("process") or (choices[0][0] if len(choices) == 1 else ""),
        business_key=typed.get("business_key", ""), suggested=_suggested_key(actor),
        errors=errors or {}, max_mb=int(current_app.config["MAX_UPLOAD_BYTES"]) // 2**20,
    ), status


def _start_role(key: str) -> str | None:
    for process in services().engine.list_processes(read_session()):
        if process["key"] == key:
            role: str | None = process["start_role"]
            return role
    return None


def _start_forbidden(exc: Forbidden, key: str) -> str:
    role = _start_role(key)
    if exc.code == "process.start_forbidden" and role:
        return _("Chỉ %(role)s được khởi tạo thủ tục này; vai trò của bạn không được phép.",
                 role=ROLE_LABELS.get(role, role))
    return exc.message


@bp.route("/nominations/new", methods=["GET", "POST"])
@login_required
def new() -> Any:
    actor = current_actor()
    choices = _startable(actor)
    if request.method == "GET":
        return _form(choices)
    engine = services().engine
    deployed = {p["key"] for p in engine.list_processes(read_session())}
    key = request.form.get("process") or ""
    errors: dict[str, list[str]] = {}
    if key not in UNIT_PROCESSES or key not in deployed:
        errors["process"] = [_("Vui lòng chọn thủ tục đề nghị khen thưởng.")]
    business_key = (request.form.get("business_key") or "").strip()
    if len(business_key) > 100:
        errors["business_key"] = [_("Mã hồ sơ không quá 100 ký tự.")]
    files = _uploads(errors)
    if errors:
        return _form(choices, errors, 422)
    business_key = business_key or _suggested_key(actor)  # the key the form suggested
    try:
        inst = engine.start_instance(write_session(), key, actor,
                                     business_key=business_key)
    except Forbidden as exc:
        return _form(choices, {"process": [_start_forbidden(exc, key)]}, 403)
    except EngineError as exc:
        return _form(choices, {"process": [exc.message]}, 422)
    failed = _attach(inst["id"], files)
    if failed:
        flash(_("Đã tạo hồ sơ nhưng chưa đính kèm được: %(files)s. Vui lòng tải lại trên "
                "trang công việc.", files="; ".join(failed)), "info")
    else:
        flash(_("Đã tạo hồ sơ %(key)s.", key=business_key or f"#{inst['id']}"), "success")
    return redirect(_first_step(inst, actor))


def _attach(instance_id: int, files: list[Upload]) -> list[str]:
    """Attach the checked files; return «name: reason» of those the engine refused."""
    engine, failed = services().engine, []
    for f in files:
        try:
            dossier.add_attachment(write_session(), engine, current_actor(), instance_id, f.item,
                                   f.filename, f.data, Path(current_app.config["FILES_DIR"]),
                                   max_bytes=int(current_app.config["MAX_UPLOAD_BYTES"]))
        except EngineError as exc:
            failed.append(f"{f.filename}: {exc.message}")
    return failed


def _first_step(inst: dict[str, Any], actor: Actor) -> str:
    """The page of the first ready task the actor may do, else the instance page."""
    for task in inst["tasks"]:
        if task.get("assignee_id") in (None, actor.id) and actor.has_role(task.get("role")):
            return url_for("task_pages.show", task_id=task["id"])
    return f"/instances/{inst['id']}"
