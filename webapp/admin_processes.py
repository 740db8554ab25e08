"""Admin pages of process models (quản trị quy trình): versions, drafts, modeler, diff.

Only the ``admin`` role (others get 403, visitors the login page). Routes parse the
request and call one function of ``engine.drafts`` / ``engine.specs``; engine errors
on the JSON endpoints become ``{code, message, details}`` through the app's handler.
The modeler, the DMN editor and the diff are bpmn-js / dmn-js bundles
(``webapp/frontend/entries/{modeler,dmn_editor,diff}.js``).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import (
    Blueprint,
    Response,
    flash,
    jsonify,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required

from engine import drafts
from engine.errors import EngineError, InvalidData
from engine.version_changes import compare_versions, deploy_preview, latest_version
from webapp.auth import current_actor
from webapp.deploy_words import deploy_summary
from webapp.diagram_words import readable_changes
from webapp.instances_pages import local_time
from webapp.modeler_words import modeler_choices
from webapp.problem_words import localized_problems
from webapp.security import EDITOR_CSP, with_policy
from webapp.services import read_session, services, write_session

bp = Blueprint("admin_processes", __name__, url_prefix="/admin/processes")
F = TypeVar("F", bound=Callable[..., Any])
MAX_DIAGRAM_BYTES = 5 * 1024 * 1024


def admin_only(view: F) -> F:
    """Sign-in first (login page), then the admin role (403)."""
    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        if "admin" not in current_user.roles:
            if request.is_json or request.path.endswith(".json"):
                return jsonify({"code": "forbidden",
                                "message": _("Chỉ quản trị hệ thống được làm việc này.")}), 403
            return render_template("tasks/error.html", status=403,
                                   message=_("Trang này chỉ dành cho quản trị hệ thống.")), 403
        return view(*args, **kwargs)
    return login_required(wrapped)  # type: ignore[no-any-return]


def dmn_target() -> drafts.DmnTarget:
    """The directory the eligibility tables are read from (``workflows``)."""
    from workflows.eligibility_dmn import check_table, dmn_dir

    return drafts.DmnTarget(dmn_dir(), check=check_table)


def _xml_body() -> bytes:
    payload = request.get_json(silent=True) or {}
    xml = payload.get("xml")
    if not isinstance(xml, str) or not xml.strip():
        raise InvalidData(_("Thiếu nội dung sơ đồ (xml)."), code="draft.no_xml")
    data = xml.encode("utf-8")
    if len(data) > MAX_DIAGRAM_BYTES:
        raise InvalidData(_("Sơ đồ quá lớn."), code="draft.too_large")
    return data


def _int_or_none(value: Any) -> int | None:
    try:
        return int(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        raise InvalidData(_("Giá trị số không hợp lệ."), code="data.invalid") from None


@bp.errorhandler(EngineError)
def _engine_error(exc: EngineError) -> Any:
    """JSON for the editors' calls, the error page for a page."""
    from webapp.api import status_of

    status = status_of(exc)
    if request.method != "GET" or request.path.endswith((".json", ".xml", ".dmn", ".bpmn")):
        body = exc.to_dict()
        if isinstance(body.get("details"), list):  # a deploy refused: the problems
            body["details"] = localized_problems(body["details"])
        return jsonify(body), status
    return render_template("tasks/error.html", status=status, message=exc.message), status


# -- pages ------------------------------------------------------------------------------

@bp.get("")
@admin_only
def index() -> str:
    session = read_session()
    from engine.dmn_history import deployers

    return render_template("admin_processes/index.html",
                           models=drafts.list_models(session),
                           decisions=drafts.list_decisions(session, dmn_target()),
                           dmn_deployers=deployers(session), when=local_time)


@bp.post("/import")
@admin_only
def import_diagram() -> Any:
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        flash(_("Hãy chọn một tệp .bpmn hoặc .dmn để nhập."))
        return redirect(url_for(".index"))
    if not upload.filename.lower().endswith((".bpmn", ".dmn", ".xml")):
        flash(_("Chỉ nhận tệp .bpmn (BPMN 2.0 XML) hoặc .dmn (bảng quyết định DMN 1.3)."))
        return redirect(url_for(".index"))
    try:
        draft = drafts.import_file(write_session(), current_actor(),
                                   upload.read(MAX_DIAGRAM_BYTES + 1), upload.filename,
                                   drafts.import_context(services().engine))
    except EngineError as exc:
        flash(_("Không nhập được tệp: %(msg)s", msg=exc.message))
        return redirect(url_for(".index"))
    flash(_("Đã nhập «%(name)s» thành bản nháp.", name=upload.filename), "success")
    return redirect(url_for(".draft_page", draft_id=draft["id"]))


@bp.get("/<key>/v<int:version>.bpmn")
@admin_only
def export_version(key: str, version: int) -> Response:
    row = drafts.version_row(read_session(), key, version)
    response = Response(row.bpmn_xml, mimetype="application/xml")
    if request.args.get("inline") != "1":
        response.headers["Content-Disposition"] = (
            f'attachment; filename="{key}-v{version}.bpmn"')
    return response


@bp.get("/<key>/v<int:version>")
@admin_only
def version_page(key: str, version: int) -> str:
    """The modeler on a deployed version; saving makes a draft from it."""
    session = read_session()
    row = drafts.version_row(session, key, version)
    mine = drafts.open_draft(session, current_actor(), "bpmn", key, row.id)
    return render_template(
        "admin_processes/modeler.html", key=key, draft=None, version=row,
        open_draft=drafts.draft_view(mine) if mine else None, when=local_time,
        latest=latest_version(session, key),
        xml_url=url_for(".export_version", key=key, version=version, inline=1))


@bp.get("/drafts/<int:draft_id>")
@admin_only
def draft_page(draft_id: int) -> Any:
    row = drafts.get_draft(read_session(), draft_id)
    view = drafts.draft_view(row)
    xml_url = url_for(".draft_xml", draft_id=draft_id)
    if row.kind == "dmn":
        return _dmn_editor(name=row.process_key, draft=view, version=None, xml_url=xml_url)
    return render_template("admin_processes/modeler.html", key=row.process_key, draft=view,
                           version=None, xml_url=xml_url, open_draft=None, when=local_time,
                           latest=latest_version(read_session(), row.process_key))


@bp.get("/drafts/<int:draft_id>.xml")
@admin_only
def draft_xml(draft_id: int) -> Response:
    return Response(drafts.get_draft(read_session(), draft_id).xml, mimetype="application/xml")


@bp.post("/drafts/<int:draft_id>/delete")
@admin_only
def delete_draft(draft_id: int) -> Any:
    drafts.delete_draft(write_session(), current_actor(), draft_id)
    flash(_("Đã xoá bản nháp."), "success")
    return redirect(url_for(".index"))


@bp.get("/<key>/diff")
@admin_only
def diff_page(key: str) -> str:
    """Two versions side by side (``?a=1&b=2``, default: the two newest)."""
    found = compare_versions(read_session(), key, _int_or_none(request.args.get("a")),
                                    _int_or_none(request.args.get("b")))
    changes = readable_changes(found["result"], found["elements"]["old"],
                               found["elements"]["new"])
    return render_template(
        "admin_processes/diff.html", key=key, changes=changes,
        **{k: v for k, v in found.items() if k != "elements"},
        old_url=url_for(".export_version", key=key, version=found["a"], inline=1),
        new_url=url_for(".export_version", key=key, version=found["b"], inline=1))


@bp.get("/dmn/<name>")
@admin_only
def dmn_page(name: str) -> Any:
    version = _int_or_none(request.args.get("version"))
    drafts.dmn_xml(read_session(), dmn_target(), name, version)  # 404 when missing
    return _dmn_editor(name=name, draft=None, version=version,
                       xml_url=url_for(".dmn_source", name=name, version=version))


def _dmn_editor(**context: Any) -> Response:
    """The dmn-js editor; its FEEL cell editor injects <style> elements (EDITOR_CSP)."""
    return with_policy(make_response(render_template("admin_processes/dmn.html", **context)),
                       EDITOR_CSP)


@bp.get("/dmn/<name>/diff")
@admin_only
def dmn_diff_page(name: str) -> str:
    """Two versions of a decision table as one table: rules added, removed, changed
    (``?a=1&b=2``; 0 is the shipped file; default the two newest)."""
    from engine.dmn_history import compare_dmn

    found = compare_dmn(read_session(), dmn_target(), name,
                        _int_or_none(request.args.get("a")), _int_or_none(request.args.get("b")))
    return render_template("admin_processes/dmn_diff.html", name=name, **found)


@bp.get("/dmn/<name>.dmn")
@admin_only
def dmn_source(name: str) -> Response:
    version = _int_or_none(request.args.get("version"))
    xml = drafts.dmn_xml(read_session(), dmn_target(), name, version)
    return Response(xml, mimetype="application/xml")


# -- JSON for the editors ---------------------------------------------------------------

@bp.get("/modeler-config.json")
@admin_only
def modeler_config() -> Response:
    """What the properties panel offers: roles, form keys and handlers the engine knows."""
    return jsonify(modeler_choices(services().engine, read_session()))


@bp.post("/drafts")
@admin_only
def create_draft() -> Any:
    payload = request.get_json(silent=True) or {}
    kind = payload.get("kind", "bpmn")
    if kind not in ("bpmn", "dmn"):
        raise InvalidData(_("Loại sơ đồ không hợp lệ."), code="draft.bad_kind")
    draft = drafts.save_draft(
        write_session(), current_actor(), _xml_body(), kind=kind,
        base_version_id=_int_or_none(payload.get("base_version_id")),
        dmn_name=payload.get("name"), reuse_open=True)
    return (jsonify({**draft, "url": url_for(".draft_page", draft_id=draft["id"])}),
            200 if draft["reused"] else 201)


@bp.put("/drafts/<int:draft_id>")
@admin_only
def update_draft(draft_id: int) -> Any:
    draft = drafts.save_draft(write_session(), current_actor(), _xml_body(), draft_id=draft_id)
    return jsonify(draft)


@bp.post("/drafts/<int:draft_id>/validate")
@admin_only
def validate_draft(draft_id: int) -> Any:
    problems = drafts.validate_draft(read_session(), services().engine, draft_id)
    return jsonify({"problems": localized_problems(problems)})


@bp.get("/drafts/<int:draft_id>/deploy-preview.json")
@admin_only
def deploy_preview_json(draft_id: int) -> Any:
    """What the confirmation before a deploy says (the modeler's dialog)."""
    return jsonify(deploy_summary(deploy_preview(read_session(), draft_id)))


@bp.post("/drafts/<int:draft_id>/deploy")
@admin_only
def deploy_draft(draft_id: int) -> Any:
    """Deploy; the editor then opens the new version's page, which shows this message."""
    result = drafts.deploy_draft(write_session(), services().engine, current_actor(),
                                 draft_id, dmn_target())
    version = result["deployed_version"]
    if result["kind"] == "bpmn":
        result["url"] = url_for(".version_page", key=result["key"], version=version)
    else:
        result["url"] = url_for(".dmn_page", name=result["key"], version=version)
    flash(_("Đã triển khai bản nháp #%(id)s thành phiên bản %(n)s.", id=draft_id, n=version)
          if result["created"] else
          _("Sơ đồ giống hệt phiên bản %(n)s đã có: không tạo phiên bản mới; bản nháp "
            "#%(id)s đã đóng.", n=version, id=draft_id), "success")
    return jsonify(result), 201 if result["created"] else 200
