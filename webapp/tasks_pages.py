"""The task page (trang công việc): one task's form, its context, claim / release.

The form comes from the marshmallow schema of the task's form key
(``webapp.forms_render``); completing, claiming and releasing call the engine, which
checks every right again. Access follows the API: a task the person may not see is 404,
one they may see but not do (another role) is 403.

On the unit's proposal and supplement steps the form also carries the dossier's files
(``webapp.tasks_dossier``): files and fields are sent together. A bad file saves nothing
and the page comes back with what was typed; good files are attached before the task is
completed (the procedure checks the dossier then), so a refused completion loses no file.
The button «Chỉ tải tệp lên» attaches the files and keeps the form open. Every other step
shows the dossier's files read only, with every version and the items still missing.

Beside the form: the instance's data as people read it (``webapp.tasks_context``), the
history of decisions and comments (``webapp.comments_view``) and a form to comment without
completing the task (``POST /tasks/<id>/comments``); above it, the deadline in working days
and the procedure's main stages. Labels, help texts, buttons and step names follow the
person's language (``webapp.readable.tr``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_required
from marshmallow import Schema
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.wrappers import Response

from engine.errors import Conflict, EngineError, Forbidden, InvalidData, NotFound
from engine.store.models import HumanTask
from webapp import (
    comments_view,
    forms_parse,
    forms_render,
    instance_views,
    tasks_context,
    tasks_dossier,
)
from webapp.auth import current_actor, safe_next
from webapp.labels import error_lines
from webapp.readable import Names, tr
from webapp.services import read_session, services, write_session
from workflows.forms.common import per_round_fields
from workflows.visibility import redact_instance

bp = Blueprint("task_pages", __name__)

NOT_READY = "task.not_ready"
TOO_EARLY = "task.too_early"  # a step with a waiting time (not_before) completed too soon
COMMENT = "comment"
DOSSIER = "dossier"  # the key of a refusal about the dossier as a whole (dossier.incomplete)
UPLOAD_ONLY = "upload"  # value of the «Chỉ tải tệp lên» button (name="action")


def _error_page(status: int, message: str) -> tuple[str, int]:
    return render_template("tasks/error.html", status=status, message=message), status


@bp.errorhandler(NotFound)
def _not_found(_exc: NotFound) -> tuple[str, int]:
    """Any task page: a task that does not exist or that the person may not see (the same
    answer for both, so nothing tells which)."""
    return _error_page(404, _("Không tìm thấy công việc."))


@bp.errorhandler(Forbidden)
def _forbidden(exc: Forbidden) -> tuple[str, int]:
    """Any task page: a task of another role or unit, or taken by a colleague meanwhile."""
    return _error_page(403, exc.message)


def _load(task_id: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """The task and its instance as the actor may see them; NotFound / Forbidden else."""
    engine, session, actor = services().engine, read_session(), current_actor()
    task = engine.get_task(session, task_id, actor)
    row = session.get(HumanTask, task_id)
    if row is not None and task["state"] == "ready" and not engine.policy.may_act(actor, row):
        raise Forbidden(_("Công việc này không thuộc vai trò hoặc đơn vị của bạn."),
                        code="task.forbidden")
    # The data a role may not see stays out of the page (workflows.visibility), except
    # the fields of this task's own form, which the person fills in (kept to prefill it).
    instance = engine.get_instance(session, task["instance_id"], actor)
    form_key = task.get("form_key")
    own = set(engine.forms.schema(form_key).fields) \
        if form_key and form_key in engine.forms else set()
    shown = redact_instance(actor.roles, instance)
    return task, {**shown, "data": {**shown["data"], **{
        k: v for k, v in instance["data"].items() if k in own}}}


def _inputs(task: dict[str, Any], instance: dict[str, Any], schema: Schema | None,
            typed: Mapping[str, Any] | None, errors: dict[str, Any]
            ) -> tuple[list[forms_render.FormField], list[tuple[str, str]], str]:
    """The form's inputs, its decision buttons and their help, translated."""
    if schema is None:
        return [forms_render.FormField(
            name=COMMENT, label=_("Ý kiến (không bắt buộc)"), widget="textarea",
            value=str((typed or {}).get(COMMENT, "")), maxlength=4000,
            errors=forms_render.flatten(errors.get(COMMENT, [])))], [], ""
    # what an earlier round of the step decided (e.g. what to supplement) does not prefill
    # this round's form; it stays in the history
    fresh = per_round_fields(schema) | {"decision", COMMENT}
    stored = {k: v for k, v in instance["data"].items() if k not in fresh}
    options = tasks_dossier.subject_options(instance, task.get("form_key"),
                                            {**stored, **dict(typed or {})})
    inputs = forms_render.translated(
        forms_render.form_fields(schema, typed, stored, errors, options), tr)
    decisions = [(value, tr(text)) for value, text in forms_render.decision_choices(schema)]
    field = schema.fields.get("decision")
    help_text = tr(field.metadata.get("help")) if decisions and field is not None else ""
    return inputs, decisions, help_text


def _render(task: dict[str, Any], instance: dict[str, Any], typed: Mapping[str, Any] | None = None,
            errors: dict[str, Any] | None = None, status: int = 200,
            notice: str = "", comment: comments_view.CommentForm | None = None
            ) -> tuple[str, int]:
    engine, actor, session = services().engine, current_actor(), read_session()
    names = {p["key"]: p["name"] for p in engine.list_processes(session)}
    errors = errors or {}
    form_key = task.get("form_key")
    schema = engine.forms.schema(form_key) if form_key and form_key in engine.forms else None
    inputs, decisions, decision_help = _inputs(task, instance, schema, typed, errors)
    takes = tasks_dossier.takes_files(task)
    files = tasks_dossier.panel(actor, instance, errors, readonly=not takes, typed=typed)
    shown = {f.name for f in inputs} | ({i["field"] for i in files} | {DOSSIER} if takes
                                        else set())
    others = {k: v for k, v in errors.items() if k not in shown}
    readable = Names(session)
    context = tasks_context.task_context(
        engine.forms, instance["data"], schema, readable,
        instance_views.nomination_rows(instance["id"]))
    if not takes:
        context.returned = None  # the request to supplement concerns the dossier steps
    return render_template(
        "tasks/task.html", task=task, instance=instance, inputs=inputs, decisions=decisions,
        decision_help=decision_help, step=tr(task.get("title") or task["name"]),
        process=tr(names.get(task["process_key"]) or task["process_key"]),
        due=instance_views.due_info(task.get("due_at")),
        wait=instance_views.not_before_info(task.get("not_before")),
        unit=readable.unit(instance.get("unit")) if instance.get("unit") else "",
        other_errors=error_lines(others, _field_labels(schema)), context=context,
        any_required=forms_render.any_required(inputs),
        mine=task.get("assignee_id") == actor.id, files=files if takes else None,
        dossier_files=None if takes else files, notice=notice,
        dossier_errors=forms_render.flatten(errors.get(DOSSIER, [])) if takes else [],
        history=comments_view.history(instance["id"], readable),
        comment=comment or comments_view.form(instance["id"]),
        comment_action=url_for("task_pages.comment", task_id=task["id"]),
        stages=instance_views.stages(instance["id"]),
        max_bytes=tasks_dossier.max_bytes(), max_text=tasks_dossier.max_text(),
        max_total=int(current_app.config["MAX_CONTENT_LENGTH"]),
        max_total_text=tasks_dossier.size_text(int(current_app.config["MAX_CONTENT_LENGTH"])),
        invalid=bool(errors)), status


def _field_labels(schema: Schema | None) -> dict[str, str]:
    """The form's field labels in the person's language, by field name."""
    if schema is None:
        return {}
    return {name: tr(f.metadata["label"]) for name, f in schema.fields.items()
            if f.metadata.get("label")}


@bp.get("/tasks/<task_id>")
@login_required
def show(task_id: str) -> Any:
    task, instance = _load(task_id)
    if task["state"] != "ready":
        flash(_("Công việc đã được người khác hoàn thành"), "info")
        return redirect(url_for("inbox.index"))
    return _render(task, instance)


def _data(task: dict[str, Any]) -> tuple[dict[str, Any], dict[str, list[str]]]:
    engine = services().engine
    form_key = task.get("form_key")
    if form_key and form_key in engine.forms:
        return forms_parse.parse(engine.forms.schema(form_key), request.form)
    comment = (request.form.get(COMMENT) or "").strip()
    return ({COMMENT: comment} if comment else {}), {}


@bp.post("/tasks/<task_id>")
@login_required
def complete(task_id: str) -> Any:
    task, instance = _load(task_id)
    typed = request.form.copy()
    typed.pop("csrf_token", None)
    data, errors = _data(task)
    files = tasks_dossier.chosen_files(errors) if tasks_dossier.takes_files(task) else []
    if errors:
        return _render(task, instance, typed, errors, 422)
    # Forbidden (e.g. the task was claimed by a colleague meanwhile): the 403 page
    failed = tasks_dossier.attach(current_actor(), instance["id"], files)
    read_session().rollback()  # end the reading snapshot: the page shows the new files
    saved = _saved_notice(len(files) - len(failed))
    if failed:
        return _render(task, instance, typed, failed, 422, saved)
    if request.form.get("action") == UPLOAD_ONLY:
        return _render(task, instance, typed, notice=saved or _("Chưa chọn tệp nào."))
    try:
        services().engine.complete_task(write_session(), task_id, current_actor(), data)
    except InvalidData as exc:
        details = exc.details if isinstance(exc.details, dict) else {"": [exc.message]}
        return _render(task, instance, typed, details, 422, saved)
    except Conflict as exc:
        return _conflict(exc, task_id, lambda message: _render(
            task, instance, typed, {"": [message]}, 409, saved))
    flash(_("Đã hoàn thành: %(step)s", step=tr(task.get("title") or task["name"])), "success")
    return redirect(url_for("inbox.index"))


def _saved_notice(count: int) -> str:
    if count <= 0:
        return ""
    return _("Đã lưu %(n)s tệp vào hồ sơ; không cần chọn lại.", n=count)


@bp.errorhandler(RequestEntityTooLarge)
def _too_large(_exc: RequestEntityTooLarge) -> Any:
    """Files together over the request limit: nothing was read, nothing saved; say so."""
    task_id = (request.view_args or {}).get("task_id")
    try:
        task, instance = _load(str(task_id))
    except (NotFound, Forbidden):
        return _error_page(404, _("Không tìm thấy công việc."))
    message = _("Các tệp gửi cùng lúc vượt quá %(size)s nên chưa được lưu, và dữ liệu vừa nhập "
                "chưa được gửi. Vui lòng chọn ít tệp hơn mỗi lần (nút «Chỉ tải tệp lên»), rồi "
                "nhập lại và hoàn thành.", size=tasks_dossier.size_text(
                    int(current_app.config["MAX_CONTENT_LENGTH"])))
    return _render(task, instance, None, {"": [message]}, 413)


def _conflict(exc: EngineError, task_id: str,
              again: Callable[[str], tuple[str, int]] | None = None
              ) -> Response | tuple[str, int]:
    """A refusal of the engine's: done by someone else (to the inbox); too early (``again``:
    the page as typed, with the reason); else the task page with the message."""
    if exc.code == TOO_EARLY and again is not None:
        return again(exc.message)
    if exc.code == NOT_READY:
        flash(_("Công việc đã được người khác hoàn thành"), "info")
        return redirect(url_for("inbox.index"))
    flash(exc.message, "info")
    return redirect(url_for("task_pages.show", task_id=task_id))


def _assign(task_id: str, claim: bool) -> Any:
    engine, actor = services().engine, current_actor()
    act = engine.claim_task if claim else engine.unclaim_task
    try:
        act(write_session(), task_id, actor)
    except Conflict as exc:
        return _conflict(exc, task_id)
    flash(_("Bạn đã nhận công việc này.") if claim else _("Bạn đã trả lại công việc này."),
          "success")
    if request.form.get("next"):  # e.g. back to the filtered inbox the button was on
        return redirect(safe_next(request.form["next"]))
    return redirect(url_for("task_pages.show", task_id=task_id))


@bp.post("/tasks/<task_id>/claim")
@login_required
def claim(task_id: str) -> Any:
    return _assign(task_id, True)


@bp.post("/tasks/<task_id>/release")
@login_required
def release(task_id: str) -> Any:
    return _assign(task_id, False)


@bp.post("/tasks/<task_id>/comments")
@login_required
def comment(task_id: str) -> Any:
    """A comment on the task's dossier, without completing the task."""
    task, instance = _load(task_id)
    failed = comments_view.post(instance["id"])
    if failed is not None:
        return _render(task, instance, status=422, comment=failed)
    flash(comments_view.saved_message(), "success")
    return redirect(url_for("task_pages.show", task_id=task_id, _anchor="comments-title"))
