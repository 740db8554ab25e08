"""Admin page of the document templates (mẫu văn bản): list, download, replace, restore.

Only the ``admin`` role (others 403, visitors the login page). Routes call one function
of ``workflows.documents.admin``: a replacement is test-rendered with sample data first
and refused with the reason when it does not render (or, in Word, reaches outside
itself); the template in use stays. Every version is kept and can be used again.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import (
    Blueprint,
    Response,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _

from engine.errors import EngineError
from webapp.admin.common import admin_required
from webapp.auth import current_actor
from webapp.instances_pages import local_time
from webapp.readable import tr
from webapp.services import read_session, write_session
from workflows.documents import admin as templates
from workflows.documents.store import group_documents

bp = Blueprint("admin_templates", __name__, url_prefix="/admin/templates")


def _files_dir() -> Path:
    return Path(current_app.config["FILES_DIR"])


@bp.errorhandler(EngineError)
def _engine_error(exc: EngineError) -> Any:
    from webapp.api import status_of

    status = status_of(exc)
    return render_template("tasks/error.html", status=status, message=exc.message), status


def _page(errors: dict[str, str] | None = None) -> str:
    session = read_session()
    session.rollback()  # a fresh snapshot: what this request's command just committed
    return render_template("admin_templates/index.html",
                           rows=templates.list_templates(session, current_actor(),
                                                         _files_dir()),
                           errors=errors or {}, when=local_time,
                           max_mb=templates.MAX_TEMPLATE_BYTES // (1024 * 1024))


@bp.get("")
@admin_required
def index() -> str:
    return _page()


@bp.get("/<name>")
@admin_required
def download(name: str) -> Response:
    original = request.args.get("original") == "1"
    version = request.args.get("version") or None
    data, content_type = templates.read_template(current_actor(), _files_dir(), name, original,
                                                 version)
    response = Response(data, mimetype=content_type.split(";")[0])
    prefix = "goc-" if original else f"{version[:12]}-" if version else ""
    response.headers["Content-Disposition"] = f'attachment; filename="{prefix}{name}"'
    return response


@bp.post("/<name>")
@admin_required
def upload(name: str) -> Any:
    """Replace a template; a broken one is refused beside its file field (422)."""
    file = request.files.get("file")
    if file is None or not file.filename:
        return _page({name: _("Hãy chọn tệp mẫu để tải lên.")}), 422
    data = file.read(templates.MAX_TEMPLATE_BYTES + 1)
    try:
        templates.replace_template(write_session(), current_actor(), _files_dir(), name, data)
    except EngineError as exc:
        if exc.code == "template.not_found":
            raise
        return _page({name: exc.message}), 422
    flash(_("Đã thay mẫu «%(name)s»; văn bản dựng từ nay dùng mẫu mới.", name=name), "success")
    return redirect(url_for(".index"))


@bp.post("/<name>/restore")
@admin_required
def restore(name: str) -> Any:
    try:
        templates.restore_template(write_session(), current_actor(), _files_dir(), name)
    except EngineError as exc:
        if exc.code == "template.not_found":
            raise
        return _page({name: exc.message}), 422
    flash(_("Đã khôi phục mẫu gốc «%(name)s».", name=name), "success")
    return redirect(url_for(".index"))


@bp.post("/<name>/versions/<sha>/restore")
@admin_required
def restore_version(name: str, sha: str) -> Any:
    """Bring back an earlier version of a template (checked again first)."""
    try:
        templates.restore_version(write_session(), current_actor(), _files_dir(), name, sha)
    except EngineError as exc:
        if exc.code in ("template.not_found", "template.version_not_found"):
            raise
        return _page({name: exc.message}), 422
    flash(_("Đã dùng lại phiên bản %(sha)s của mẫu «%(name)s».", sha=sha[:12], name=name),
          "success")
    return redirect(url_for(".index"))


@bp.app_template_global("generated_documents")
def generated_documents(files: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """For instances/_documents.html: the generated documents among the instance's files,
    their kind named in the person's language (the internal item code never shows)."""
    return [{**d, "label": tr(d["label"])} for d in group_documents(files)]
