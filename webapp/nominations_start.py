"""``/nominations/new``: start a proposal with everything its first step needs.

The submitter picks the procedure, the year, a person or a collective, the title (from
the catalogue, as the procedure and the kind of subject allow), the people or units of
their unit, and attaches the dossier files; ``workflows.nomination_start`` checks it all
and starts the procedure with the picks as its data, so the first step's form opens
filled in. A bad pick or a bad file creates nothing and the form comes back as typed, every problem
beside its field at once. «Xem trước điều kiện» (``action=preview``) evaluates the picked
subjects for the title (``workflows.nomination_preview``) and shows pass or fail with the
reasons, starting nothing (files picked are not kept by the browser: pick them after).

Files sent together over the request limit (``MAX_CONTENT_LENGTH``) get a 413 answer
that is this form again, with every choice kept: the body is read once more with the
files' bytes counted and thrown away (up to ``DRAIN_FACTOR`` times the limit).
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.datastructures import MultiDict
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.formparser import parse_form_data

from engine.errors import EngineError, Forbidden, InvalidData
from engine.roles import Actor
from webapp.auth import ROLE_LABELS, current_actor
from webapp.services import read_session, services, write_session
from workflows import dossier, nomination_start
from workflows.nomination_preview import PreviewRow, preview_eligibility, shared_warnings
from workflows.nomination_start import SUBJECT_KINDS, StartChoice, Upload

FILE_ROWS = 4
DEFAULT_ITEMS = ("to_trinh", "danh_sach", "bao_cao_thanh_tich", "other")
DRAIN_FACTOR = 4


def register(bp: Blueprint) -> None:
    bp.add_url_rule("/nominations/new", "new", new, methods=["GET", "POST"])
    bp.register_error_handler(RequestEntityTooLarge, _too_large)


def size_text(n: int) -> str:
    """A size as people read it: «20 MB», «25,5 MB», «196 KB»."""
    if n < 1024 * 1024:
        return f"{max(1, round(n / 1024))} KB"
    return f"{n / (1024 * 1024):.1f}".rstrip("0").rstrip(".").replace(".", ",") + " MB"


def _limits() -> dict[str, Any]:
    per_file = int(current_app.config["MAX_UPLOAD_BYTES"])
    total = int(current_app.config["MAX_CONTENT_LENGTH"])
    return {"max_bytes": per_file, "max_text": size_text(per_file),
            "max_total": total, "max_total_text": size_text(total)}


def _choice(form: Any) -> StartChoice:
    return StartChoice(
        process_key=form.get("process", ""), year=form.get("year", ""),
        award_code=form.get("award_code", ""),
        subject_kind=form.get("subject_kind", "individual"),
        subjects=form.getlist("subjects"), movement_code=form.get("movement_code", ""),
        business_key=form.get("business_key", ""))


def _uploads() -> list[Upload]:
    out = []
    for n in range(1, FILE_ROWS + 1):
        upload = request.files.get(f"file_{n}")
        if upload is None or not upload.filename:
            continue
        item = request.form.get(f"item_{n}") or ""
        out.append(Upload(f"file_{n}", item, dossier.safe_filename(upload.filename, item),
                          upload.read(), upload.mimetype))
    return out


def _form(choice: StartChoice, typed: Any, errors: dict[str, list[str]] | None = None,
          status: int = 200, preview: list[PreviewRow] | None = None) -> tuple[str, int]:
    actor = current_actor()
    options = nomination_start.start_options(read_session(), services().engine, actor)
    if not choice.process_key and len(options.procedures) == 1:
        choice.process_key = options.procedures[0][0]
    rows = [{"n": n, "item": typed.get(f"item_{n}", DEFAULT_ITEMS[n - 1])}
            for n in range(1, FILE_ROWS + 1)]
    award = next((a for a in options.awards if a.code == choice.award_code), None)
    shared, preview = shared_warnings(preview) if preview else ((), preview)
    required = award.required.get(choice.process_key, []) if award else []
    return render_template(
        "nominations/new.html", options=options, choice=choice, rows=rows,
        required_items=[_(dossier.ITEMS[code]) for code in required],
        item_labels={code: _(dossier.ITEMS[code]) for code in dossier.UNIT_ITEMS},
        # this year is offered, unless the year was refused: then what was typed stays
        year=choice.year or ("" if "year" in (errors or {}) else str(options.this_year)),
        kinds=SUBJECT_KINDS,
        items=[(code, dossier.ITEMS[code]) for code in dossier.UNIT_ITEMS],
        procedures=nomination_start.PROCEDURES, errors=errors or {}, preview=preview,
        preview_shared=shared, **_limits()), status


def _start_forbidden(exc: Forbidden, actor: Actor, key: str) -> str:
    if exc.code != "process.start_forbidden":
        return exc.message
    roles = {p["key"]: p["start_role"]
             for p in services().engine.list_processes(read_session())}
    role = roles.get(key) or ""
    return _("Chỉ %(role)s được khởi tạo thủ tục này; vai trò của bạn không được phép.",
             role=ROLE_LABELS.get(role, role))


@login_required
def new() -> Any:
    if request.method == "GET":
        return _form(StartChoice(), {})
    actor, choice = current_actor(), _choice(request.form)
    if request.form.get("action") == "preview":
        return _preview(actor, choice)
    try:
        started = nomination_start.start_nomination(
            write_session(), services().engine, actor, choice, _uploads(),
            Path(current_app.config["FILES_DIR"]), int(current_app.config["MAX_UPLOAD_BYTES"]))
    except Forbidden as exc:
        return _form(choice, request.form,
                     {"process": [_start_forbidden(exc, actor, choice.process_key)]}, 403)
    except InvalidData as exc:
        return _form(choice, request.form, dict(exc.details or {"process": [exc.message]}),
                     422)
    except EngineError as exc:
        return _form(choice, request.form, {"process": [exc.message]}, 422)
    inst = started.instance
    if started.not_attached:
        flash(_("Đã tạo hồ sơ nhưng chưa đính kèm được: %(files)s. Vui lòng tải lại trên "
                "trang công việc.", files="; ".join(started.not_attached)), "info")
    else:
        flash(_("Đã tạo hồ sơ %(key)s.", key=inst["business_key"] or f"#{inst['id']}"),
              "success")
    return redirect(_first_step(inst, actor))


def _preview(actor: Actor, choice: StartChoice) -> tuple[str, int]:
    """The eligibility of the picks, before anything is started (nothing is written)."""
    try:
        rows, errors = preview_eligibility(read_session(), services().engine, actor, choice)
    except Forbidden as exc:
        return _form(choice, request.form,
                     {"process": [_start_forbidden(exc, actor, choice.process_key)]}, 403)
    return _form(choice, request.form, errors, 422 if errors else 200, rows)


def _first_step(inst: dict[str, Any], actor: Actor) -> str:
    """The page of the first ready task the actor may do, else the instance page."""
    for task in inst["tasks"]:
        if task.get("assignee_id") in (None, actor.id) and actor.has_role(task.get("role")):
            return url_for("task_pages.show", task_id=task["id"])
    return url_for("instances_pages.show", instance_id=inst["id"])


class _Counted(io.BytesIO):
    """Where a too large request's files go: their bytes are counted, not kept."""

    def __init__(self) -> None:
        super().__init__()
        self.size = 0

    def write(self, data: Any) -> int:
        self.size += len(data)
        return len(data)


def _typed_despite_size() -> tuple[MultiDict[str, str], int]:
    """The form's fields of a request over the limit, and the files' total size (0: the
    request was too large even to read)."""
    limit = int(current_app.config["MAX_CONTENT_LENGTH"])
    if (request.content_length or 0) > DRAIN_FACTOR * limit:
        return MultiDict(), 0
    _stream, form, files = parse_form_data(
        request.environ, stream_factory=lambda *_a, **_k: _Counted(),
        max_content_length=DRAIN_FACTOR * limit, silent=True)
    total = sum(getattr(f.stream, "size", 0) for f in files.values())
    return form, total


def _too_large(_exc: RequestEntityTooLarge) -> Any:
    """Files together over the request limit: nothing is created; the form comes back with
    every choice kept, asking for fewer or smaller files."""
    if request.endpoint != "nominations.new" or not current_user.is_authenticated:
        return _exc
    typed, total = _typed_despite_size()
    limits = _limits()
    message = _("Các tệp gửi cùng lúc (%(total)s) vượt quá %(limit)s cho một lần gửi nên chưa "
                "tạo hồ sơ. Các lựa chọn khác vẫn được giữ; vui lòng chọn lại ít tệp hơn (mỗi "
                "tệp tối đa %(per_file)s), các tệp còn lại tải lên ở bước tiếp theo.",
                total=size_text(total or int(request.content_length or 0)),
                limit=limits["max_total_text"], per_file=limits["max_text"])
    return _form(_choice(typed), typed, {"files": [message]}, 413)

