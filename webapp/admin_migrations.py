"""Admin page: move running instances to another version (di chuyển hồ sơ sang phiên bản).

``/admin/migrations`` chooses the process, the two versions and the filters; "Chạy thử"
shows per instance whether it can move and what would change (nothing is written),
"Di chuyển" queues a job. ``/admin/migrations/<id>`` shows the job's progress (refreshed
by ``webapp/frontend/migrations.js`` from ``…/progress.json``), the moved and refused
instances with their reasons, the rollback button and, per moved instance, "move back".
A dry run's report is paged (``GET …?dry_run=1&page=N&state=refused``: it writes nothing,
so its pages are plain links). Only the ``admin`` role.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import Blueprint, abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from engine.errors import EngineError, InvalidData, NotFound
from engine.migration import (
    create_job,
    create_rollback,
    dry_run,
    get_job,
    list_jobs,
    move_back_offer,
)
from engine.migration import parse_filters as engine_filters
from engine.migration.back import move_back_item
from engine.migration.jobs import throwaway_of
from webapp.auth import current_actor
from webapp.diagram_words import version_words
from webapp.instances_pages import local_time
from webapp.migration_worker import resume_on_first_request, wake
from webapp.problem_words import change_label, error_message, problem_message
from webapp.services import read_session, services, write_session

bp = Blueprint("admin_migrations", __name__, url_prefix="/admin/migrations")
# _macros.html (imported macros see only globals): changes and refusals in the page's language
bp.add_app_template_global(change_label, "change_label")
bp.add_app_template_global(problem_message, "reason_message")
F = TypeVar("F", bound=Callable[..., Any])
FILTER_FIELDS = ("instance_ids", "business_key_prefix", "step", "started_after",
                 "started_before")
ITEMS_SHOWN = 500
REPORT_PER_PAGE = 100


@bp.record_once
def _resume(state: Any) -> None:
    resume_on_first_request(state.app)


def admin_only(view: F) -> F:
    """Sign-in first (the login page), then the admin role (403)."""
    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        if "admin" not in current_user.roles:
            if request.path.endswith(".json"):
                return jsonify({"code": "forbidden",
                                "message": _("Chỉ quản trị hệ thống được làm việc này.")}), 403
            return render_template("tasks/error.html", status=403,
                                   message=_("Trang này chỉ dành cho quản trị hệ thống.")), 403
        return view(*args, **kwargs)
    return login_required(wrapped)  # type: ignore[no-any-return]


def _processes() -> list[dict[str, Any]]:
    return [{"key": p["key"], "name": p["name"] or p["key"],
             "versions": [{"version": v["version"], "running": v["running_instances"]}
                          for v in p["versions"]]}
            for p in services().engine.list_processes(read_session())]


def _form() -> dict[str, str]:
    source = request.form if request.method == "POST" else request.args
    keys = ("process", "from_version", "to_version", "batch_size", *FILTER_FIELDS)
    return {k: (source.get(k) or "").strip() for k in keys}


def _versions(form: dict[str, str]) -> tuple[int, int]:
    errors: dict[str, list[str]] = {}
    numbers = {}
    for name in ("from_version", "to_version"):
        try:
            numbers[name] = int(form[name])
        except ValueError:
            errors[name] = [_("Chọn một phiên bản.")]
    if not form["process"]:
        errors["process"] = [_("Chọn một quy trình.")]
    if errors:
        raise InvalidData(_("Hãy chọn quy trình và hai phiên bản."), details=errors)
    return numbers["from_version"], numbers["to_version"]


def _batch_size(form: dict[str, str]) -> int:
    try:
        return int(form["batch_size"] or 50)
    except ValueError as exc:
        raise InvalidData(_("Số hồ sơ mỗi lô phải là số nguyên."),
                          details={"batch_size": [_("Nhập một số nguyên.")]}) from exc


def _page(form: dict[str, str], **extra: Any) -> str:
    jobs = list_jobs(read_session(), form["process"] or None)
    for job in jobs:
        job["created_local"] = local_time(job["created_at"])
    return render_template("admin_migrations/index.html", processes=_processes(), form=form,
                           jobs=jobs, errors=extra.pop("errors", {}), **extra)


def _report(form: dict[str, str], frm: int, to: int, filters: Any) -> dict[str, Any]:
    """One page of the dry run (every instance is assessed; the page lists 100)."""
    state = request.args.get("state") if request.args.get("state") in ("movable",
                                                                        "refused") else None
    try:
        page = max(1, int(request.args.get("page", 1)))
    except ValueError:
        page = 1
    report = dry_run(services().engine, read_session(), form["process"], frm, to, filters,
                     throwaway=throwaway_of(services().db.write_session),
                     actor=current_actor(), state=state, page=page,
                     per_page=REPORT_PER_PAGE)
    report["words"] = version_words(read_session(), form["process"], frm, to)
    report["pages"] = max(1, -(-report["items_total"] // REPORT_PER_PAGE))
    report["base_args"] = {**{k: v for k, v in form.items() if v}, "dry_run": "1"}
    report["args"] = {**report["base_args"], **({"state": state} if state else {})}
    return report


@bp.get("")
@admin_only
def index() -> Any:
    wake()  # a job left running by a stopped process is picked up again
    form = _form()
    if request.args.get("dry_run") != "1":
        return _page(form)
    try:
        frm, to = _versions(form)
        return _page(form, report=_report(form, frm, to, engine_filters(
            {k: form[k] for k in FILTER_FIELDS})))
    except EngineError as exc:
        details = exc.details if isinstance(exc.details, dict) else {}
        return _page(form, errors=details, error=error_message(exc)), 422


@bp.post("")
@admin_only
def submit() -> Any:
    """"Chạy thử" renders the report; "Di chuyển" queues the job and shows its page."""
    form = _form()
    engine = services().engine
    try:
        frm, to = _versions(form)
        filters = engine_filters({k: form[k] for k in FILTER_FIELDS})
        if request.form.get("action") != "start":
            return _page(form, report=_report(form, frm, to, filters))
        session = write_session()
        try:
            job_id = create_job(engine, session, current_actor(), form["process"], frm, to,
                                filters, _batch_size(form))
            session.commit()
        except BaseException:
            session.rollback()
            raise
    except EngineError as exc:
        details = exc.details if isinstance(exc.details, dict) else {}
        return _page(form, errors=details, error=error_message(exc)), 422
    wake()
    flash(_("Đã xếp lịch di chuyển; hồ sơ được chuyển theo từng lô."), "success")
    return redirect(url_for("admin_migrations.show", job_id=job_id))


def _job(job_id: int) -> dict[str, Any]:
    try:
        return get_job(read_session(), job_id, per_page=ITEMS_SHOWN)
    except EngineError:
        abort(404)


@bp.get("/<int:job_id>")
@admin_only
def show(job_id: int) -> str:
    wake()
    job = _job(job_id)
    session = read_session()
    moved = get_job(session, job_id, "moved", per_page=ITEMS_SHOWN)
    refused = get_job(session, job_id, "refused", per_page=ITEMS_SHOWN)
    times = {k: local_time(job[k]) for k in ("created_at", "started_at", "finished_at")}
    offers = {i["instance_id"]: move_back_offer(session, i["instance_id"])
              for i in moved["items"]}
    return render_template("admin_migrations/job.html", job=job, moved=moved, refused=refused,
                           times=times, shown=ITEMS_SHOWN, offers=offers,
                           words=version_words(session, job["process_key"], job["from_version"],
                                               job["to_version"]))


@bp.get("/<int:job_id>/progress.json")
@admin_only
def progress(job_id: int) -> Any:
    wake()
    job = _job(job_id)
    return jsonify({k: job[k] for k in ("id", "status", "total", "moved", "refused",
                                        "pending", "percent")})


@bp.post("/<int:job_id>/rollback")
@admin_only
def rollback(job_id: int) -> Any:
    session = write_session()
    try:
        back_id = create_rollback(session, current_actor(), job_id)
        session.commit()
    except EngineError as exc:
        session.rollback()
        flash(error_message(exc), "danger")
        return redirect(url_for("admin_migrations.show", job_id=job_id))
    wake()
    flash(_("Đã xếp lịch hoàn tác: các hồ sơ đã chuyển sẽ về phiên bản trước."), "success")
    return redirect(url_for("admin_migrations.show", job_id=back_id))


@bp.post("/<int:job_id>/items/<int:item_id>/back")
@admin_only
def back(job_id: int, item_id: int) -> Any:
    """Move the instance of one moved item back to the version it came from (only while
    that move is its newest)."""
    try:
        done = move_back_item(services().engine, write_session(), current_actor(), job_id,
                              item_id)
    except NotFound:
        abort(404)
    except EngineError as exc:
        flash(error_message(exc), "danger")
    else:
        flash(_("Đã chuyển hồ sơ #%(id)s về phiên bản %(v)s.", id=done["instance_id"],
                v=done["to_version"]), "success")
    return redirect(url_for("admin_migrations.show", job_id=job_id))
