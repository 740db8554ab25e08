"""The instance page (hồ sơ quy trình): live diagram, ready tasks, timeline, dossier, data.

Visibility is the API's: an instance the person may not see is a 404, and so are its
diagram XML and its files. The route taken is computed by the engine
(``ProcessEngine.instance_trail``) and drawn by bpmn-js (``webapp/frontend/diagram.js``).
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any, NoReturn

from flask import Blueprint, Response, abort, current_app, render_template, send_file
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import login_required
from sqlalchemy import select

from engine.errors import NotFound
from engine.store.models import HumanTask, Unit, User
from webapp import tasks_context
from webapp.auth import ROLE_LABELS, current_actor
from webapp.services import read_session, services
from workflows import dossier, visibility

bp = Blueprint("instances_pages", __name__)

STATUS_LABELS = {
    "running": (_l("Đang xử lý"), "primary"),
    "completed": (_l("Đã hoàn thành"), "success"),
    "cancelled": (_l("Đã huỷ"), "secondary"),
    "error": (_l("Đang lỗi"), "danger"),
}


# Sections of the instance's data (workflows/visibility.py says who sees which).
SECTION_LABELS = {
    "dossier": _l("Hồ sơ đề nghị"),
    "exchanges": _l("Ý kiến, yêu cầu gửi đơn vị"),
    "results": _l("Kết quả"),
    "appraisal": _l("Thẩm định nội bộ"),
    "council": _l("Hội đồng Thi đua - Khen thưởng"),
    "disclosure": _l("Công khai, kiến nghị"),
    "other": _l("Dữ liệu khác"),
}


def _not_found() -> NoReturn:
    abort(404)


def local_time(value: str | None) -> str:
    """An ISO timestamp as dd/mm/yyyy HH:MM in the engine's time zone (Asia/Ho_Chi_Minh)."""
    if not value:
        return ""
    moment = datetime.fromisoformat(value)
    return moment.astimezone(services().engine.calendar.tz).strftime("%d/%m/%Y %H:%M")


# Messages the diagrams wait for, by their BPMN message name.
MESSAGE_LABELS = {"council_result": _l("kết quả họp Hội đồng")}


def event_label(event: dict[str, Any], titles: dict[str, str] | None = None) -> str:
    """What happened, in the person's language (Vietnamese by default).

    ``titles`` names the instance's steps by BPMN id, for events that carry only the id.
    """
    kind, payload = event["type"], event.get("payload") or {}
    name = payload.get("name") or ""
    step = payload.get("title") or (titles or {}).get(name) or name
    labels = {
        "instance.started": lambda: _("Khởi tạo hồ sơ"),
        "task.completed": lambda: _("Hoàn thành bước «%(step)s»", step=step),
        "task.claimed": lambda: _("Nhận xử lý bước «%(step)s»", step=step),
        "task.unclaimed": lambda: _("Trả lại bước «%(step)s» cho nhóm", step=step),
        "instance.completed": lambda: _("Hồ sơ hoàn thành"),
        "instance.cancelled": lambda: _("Huỷ hồ sơ"),
        "instance.error": lambda: _("Hồ sơ gặp lỗi"),
        "instance.retried": lambda: _("Chạy lại sau lỗi"),
        "attachment.added": lambda: _("Đính kèm tệp «%(name)s» (phiên bản %(version)s)",
                                      name=payload.get("filename", ""),
                                      version=payload.get("version", "")),
        "award.revoked": lambda: _("Thu hồi khen thưởng"),
        "document.generated": lambda: _("Ban hành văn bản «%(name)s»",
                                        name=payload.get("filename", "")),
        "instance.migrated": lambda: _("Chuyển từ phiên bản %(old)s sang phiên bản %(new)s",
                                       old=payload.get("from_version", ""),
                                       new=payload.get("to_version", "")),
        "instance.migration_refused": lambda: _(
            "Không chuyển được sang phiên bản %(new)s (giữ phiên bản %(old)s)",
            old=payload.get("from_version", ""), new=payload.get("to_version", "")),
        "instance.message": lambda: _("Nhận kết quả «%(name)s»",
                                      name=MESSAGE_LABELS.get(payload.get("message", ""),
                                                              payload.get("message", ""))),
        "timer.fired": lambda: _("Đến hạn hẹn giờ «%(name)s»",
                                 name=payload.get("title") or payload.get("element_id", "")),
        "council.submitted": lambda: _("Trình Hội đồng Thi đua - Khen thưởng"),
        "council.result_delivered": lambda: _("Hội đồng đã gửi kết quả họp"),
    }
    make = labels.get(kind)
    return make() if make else kind


def _names(user_ids: set[int | None]) -> dict[int, str]:
    ids = {i for i in user_ids if i is not None}
    if not ids:
        return {}
    rows = read_session().execute(
        select(User.id, User.full_name, User.username).where(User.id.in_(ids))).all()
    return {uid: full or username for uid, full, username in rows}


def _unit_name(code: str | None) -> str:
    unit = read_session().get(Unit, code) if code else None
    return f"{unit.name} ({code})" if unit else (code or "")


def _who_may(task: dict[str, Any]) -> str:
    """Who may do a ready task: its assignee, else its lane's role (and unit, if unit-scoped)."""
    if task.get("assignee"):
        return _("Đã nhận: %(user)s", user=task["assignee"])
    role = str(ROLE_LABELS.get(task.get("role") or "", task.get("role") or ""))
    unit = task.get("unit")
    scoped = task.get("role") in services().engine.policy.unit_scoped_roles
    return f"{role} · {_unit_name(unit)}" if unit and scoped else role


def _value(value: Any) -> str:
    if isinstance(value, bool):
        return _("Có") if value else _("Không")
    if value is None:
        return "—"
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False, indent=1)
    return str(value)


def _timers(timers: list[dict[str, Any]], titles: dict[str, str]) -> list[dict[str, str]]:
    """What the dossier waits for, in words, with the moment in the office's zone."""
    shown = []
    for timer in timers:
        step = titles.get(timer.get("attached_to") or "", timer.get("attached_to") or "")
        if timer["kind"] == "boundary" and timer.get("interrupting"):
            what = _("Gắn trên bước «%(step)s»: đến hạn mà bước chưa xong thì bước dừng lại "
                     "và hồ sơ đi theo nhánh hẹn giờ.", step=step)
        elif timer["kind"] == "boundary":
            what = _("Gắn trên bước «%(step)s»: đến hạn mà bước chưa xong thì thêm một bước "
                     "song song, bước này vẫn tiếp tục.", step=step)
        elif timer["kind"] == "gateway":
            what = _("Đến hạn mà chưa nhận được kết quả thì hồ sơ đi theo nhánh hẹn giờ.")
        else:
            what = _("Hồ sơ chờ đến hạn rồi tự chuyển sang bước sau.")
        shown.append({"title": timer["title"], "what": what, "due": local_time(timer["due_at"]),
                      "iso": timer["due_at"]})
    return shown


def _process_name(key: str) -> str:
    for process in services().engine.list_processes(read_session()):
        if process["key"] == key:
            return str(process["name"] or key)
    return key


@bp.get("/instances/<int:instance_id>")
@login_required
def show(instance_id: int) -> str:
    engine, session, actor = services().engine, read_session(), current_actor()
    try:
        inst = engine.get_instance(session, instance_id, actor)
        trail = engine.instance_trail(session, instance_id, actor)
        events = engine.instance_history(session, instance_id, actor, 1, 500).items
        files = dossier.list_attachments(session, actor, instance_id, policy=engine)
    except NotFound:
        _not_found()
    names = _names({inst["started_by"], *(e.get("actor_id") for e in events),
                    *(f["uploaded_by"] for f in files)})
    status, tone = STATUS_LABELS.get(inst["status"], (inst["status"], "secondary"))
    tasks = [{"id": t["id"], "title": t.get("title") or t["name"], "who": _who_may(t),
              "due": local_time(t.get("due_at"))} for t in inst["tasks"]]
    titles = dict(session.execute(select(HumanTask.name, HumanTask.title)
                                  .where(HumanTask.instance_id == instance_id)).all())
    timeline = [{"when": local_time(e["at"]), "what": event_label(e, titles),
                 "who": names.get(e.get("actor_id") or 0) or e.get("actor") or "—"}
                for e in events]
    for f in files:
        f["uploaded"] = local_time(f["uploaded_at"])
        f["uploader"] = names.get(f["uploaded_by"] or 0, "")
    data = []  # per section: readable (label, text) rows and the rest as folded JSON
    for code, items in visibility.visible_data(actor.roles, inst["data"]):
        shown = tasks_context.task_context(services().engine.forms, dict(items), None)
        data.append((str(SECTION_LABELS.get(code, code)), shown.rows, shown.technical))
    return render_template(
        "instances/show.html", inst=inst, status=str(status), status_tone=tone,
        process_name=_process_name(inst["process_key"]), unit=_unit_name(inst["unit"]),
        started_by=names.get(inst["started_by"] or 0, ""),
        started_at=local_time(inst["started_at"]), tasks=tasks, timeline=timeline,
        timers=_timers(inst.get("timers") or [], titles),
        files=files, data=data, trail=trail)


@bp.get("/instances/<int:instance_id>/diagram.xml")
@login_required
def diagram_xml(instance_id: int) -> Response:
    """The BPMN XML of the instance's version, for the viewer."""
    engine, session = services().engine, read_session()
    try:
        inst = engine.get_instance(session, instance_id, current_actor())
        xml = engine.process_xml(session, inst["process_key"], inst["version"])
    except NotFound:
        _not_found()
    response = Response(xml, mimetype="application/xml")
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-cache"
    return response


@bp.get("/attachments/<int:attachment_id>")
@login_required
def attachment(attachment_id: int) -> Response:
    """Download one dossier file version; 404 when its dossier is not visible."""
    try:
        meta, path = dossier.open_attachment(
            read_session(), current_actor(), attachment_id,
            Path(current_app.config["FILES_DIR"]), policy=services().engine)
    except NotFound:
        _not_found()
    response = send_file(path, mimetype=meta["content_type"], as_attachment=True,
                         download_name=meta["filename"], etag=meta["sha256"],
                         conditional=True, max_age=0)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-cache"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
