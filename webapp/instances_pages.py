"""The instance page (hồ sơ quy trình): live diagram, stages, waiting steps, timeline,
comments, dossier, data.

Visibility is the API's: an instance the person may not see is a 404, and so are its
diagram XML, its files and its comment form. The route taken is computed by the engine
(``ProcessEngine.instance_trail``) and drawn by bpmn-js (``webapp/frontend/diagram.js``);
the stages, the waiting steps with their deadlines and the timeline (decisions and comments
included) come from ``webapp.instance_views``; the data a role may see is read by
``webapp.tasks_context``, section by section; the title, the nominees (with the reasons of
those found ineligible) and the outcome by ``webapp.outcome_view``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, NoReturn

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    url_for,
)
from flask_babel import lazy_gettext as _l
from flask_login import login_required
from sqlalchemy import select

from engine.errors import Forbidden, NotFound
from engine.store.models import HumanTask
from webapp import comments_view, instance_views, outcome_view, tasks_context
from webapp.auth import current_actor
from webapp.labels import INSTANCE_STATUS_LABELS, waiting_label
from webapp.readable import Names, local_time, tr
from webapp.security import send_stored_file
from webapp.services import read_session, services
from workflows import dossier, visibility

bp = Blueprint("instances_pages", __name__)

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
MAX_EVENTS = 500


def _not_found() -> NoReturn:
    abort(404)


def _process_name(key: str) -> str:
    for process in services().engine.list_processes(read_session()):
        if process["key"] == key:
            return str(process["name"] or key)
    return key


def _sections(inst: dict[str, Any], names: Names) -> list[tuple[str, Any]]:
    """Per section the person may see: its title and its readable context (rows, tables,
    technical data); sections left empty once the history took their keys are dropped."""
    actor, forms = current_actor(), services().engine.forms
    nominations = instance_views.nomination_rows(inst["id"])
    out = []
    for code, items in visibility.visible_data(actor.roles, inst["data"]):
        shown = tasks_context.task_context(forms, dict(items), None, names, nominations)
        if shown.rows or shown.tables or shown.technical:
            out.append((str(SECTION_LABELS.get(code, code)), shown))
    return out


def _page(instance_id: int, comment: comments_view.CommentForm | None = None,
          status: int = 200) -> tuple[str, int]:
    engine, session, actor = services().engine, read_session(), current_actor()
    try:
        inst = engine.get_instance(session, instance_id, actor)
        trail = engine.instance_trail(session, instance_id, actor)
        events = engine.instance_history(session, instance_id, actor, 1, MAX_EVENTS).items
        files = dossier.list_attachments(session, actor, instance_id, policy=engine)
    except NotFound:
        _not_found()
    names = Names(session)
    names.users([inst["started_by"], *(f["uploaded_by"] for f in files)])
    status_label, tone = INSTANCE_STATUS_LABELS.get(inst["status"],
                                                    (inst["status"], "secondary"))
    titles = dict(session.execute(select(HumanTask.name, HumanTask.title)
                                  .where(HumanTask.instance_id == instance_id)).all())
    for f in files:
        f["uploaded"] = local_time(f["uploaded_at"])
        f["uploader"] = names.user(f["uploaded_by"])
        f["label"] = tr(f["item_label"])
    return render_template(
        "instances/show.html", inst=inst, status=str(status_label), status_tone=tone,
        process_name=tr(_process_name(inst["process_key"])),
        unit=f"{names.unit(inst['unit'])} ({inst['unit']})" if inst["unit"] else "",
        started_by=names.user(inst["started_by"]), started_at=local_time(inst["started_at"]),
        tasks=instance_views.waiting(inst, names,
                                     engine.openable_tasks(session, actor, instance_id)),
        stages=instance_views.stages(instance_id),
        timers=instance_views.timers(inst.get("timers") or [], titles),
        waiting_for=waiting_label(inst.get("waiting_for")) if inst["status"] == "running" else "",
        timeline=instance_views.timeline(events, titles, names), files=files,
        data=_sections(inst, names), trail=trail, result=outcome_view.result(instance_id),
        comment=comment or comments_view.form(instance_id),
        comment_action=url_for("instances_pages.comment", instance_id=instance_id)), status


@bp.get("/instances/<int:instance_id>")
@login_required
def show(instance_id: int) -> tuple[str, int]:
    return _page(instance_id)


@bp.post("/instances/<int:instance_id>/comments")
@login_required
def comment(instance_id: int) -> Any:
    """Add a comment to the dossier (ý kiến), for whoever may see it; 404 otherwise."""
    try:
        failed = comments_view.post(instance_id)
    except NotFound:
        _not_found()
    except Forbidden as exc:
        return render_template("tasks/error.html", status=403, message=exc.message), 403
    if failed is not None:
        return _page(instance_id, failed, 422)
    flash(comments_view.saved_message(), "success")
    return redirect(url_for("instances_pages.show", instance_id=instance_id,
                            _anchor="timeline-title"))


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
    return send_stored_file(meta, path)
