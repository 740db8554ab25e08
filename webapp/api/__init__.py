"""The REST API at ``/api/v1`` (flask-smorest; OpenAPI at ``/api/v1/openapi.json``).

Errors are always ``{code, message}`` (plus ``details`` for field errors):
domain errors are mapped to HTTP statuses here and nowhere else.
"""

from __future__ import annotations

from typing import Any

from flask import Flask, jsonify, render_template, request
from flask_smorest import Api
from marshmallow import Schema, fields
from werkzeug.exceptions import HTTPException

from engine.errors import (
    BpmnInvalid,
    Conflict,
    EngineError,
    Forbidden,
    InvalidData,
    NotFound,
    Unauthorized,
)
from engine.messages import translate

STATUS: list[tuple[type[EngineError], int]] = [
    (Unauthorized, 401), (Forbidden, 403), (NotFound, 404), (Conflict, 409),
    (InvalidData, 422), (BpmnInvalid, 422),
]

HTTP_CODES = {
    400: ("request.bad", "Yêu cầu không hợp lệ."),
    401: ("auth.required", "Cần mã truy cập hợp lệ (Authorization: Bearer …)."),
    403: ("forbidden", "Bạn không có quyền thực hiện thao tác này."),
    404: ("not_found", "Không tìm thấy."),
    405: ("method.not_allowed", "Phương thức không được hỗ trợ."),
    409: ("conflict", "Xung đột dữ liệu."),
    413: ("request.too_large", "Dữ liệu gửi lên quá lớn."),
    415: ("request.unsupported_media", "Kiểu dữ liệu không được hỗ trợ."),
    422: ("data.invalid", "Dữ liệu không hợp lệ."),
    500: ("server.error", "Lỗi máy chủ."),
}


def _is_api() -> bool:
    return request.path.startswith("/api/")


def error_page(status: int, message: str) -> Any:
    """A refused or failed page as a page (Vietnamese first), with a way back."""
    return render_template("error.html", status=status, message=message), status


def status_of(exc: EngineError) -> int:
    for cls, status in STATUS:
        if isinstance(exc, cls):
            return status
    return 400


class ErrorSchema(Schema):
    """Every error the API returns."""

    code = fields.String(required=True,
                         metadata={"description": "stable code, e.g. task.not_ready"})
    message = fields.String(required=True, metadata={"description": "Vietnamese message"})
    details = fields.Raw(metadata={"description": "field errors or [{element_id, message}]"})


class TdktApi(Api):  # type: ignore[misc]
    """flask-smorest Api whose HTTP errors use our ``{code, message}`` shape."""

    ERROR_SCHEMA = ErrorSchema

    def handle_http_exception(self, error: HTTPException) -> Any:
        status = error.code or 500
        if not _is_api():  # a page: a page in the person's language, not JSON
            return error_page(status, HTTP_CODES.get(status, ("", error.description or ""))[1])
        data = getattr(error, "data", None) or {}
        messages = data.get("messages")
        if status == 400 and messages:
            status = 422  # a body that is not JSON is invalid data like any other
        code, message = HTTP_CODES.get(status, ("http.error", error.description or ""))
        body: dict[str, Any] = {"code": code, "message": message}
        if messages:
            # webargs nests by location ("json", "query", "files"); flatten one level.
            details: dict[str, Any] = {}
            for location, fields in messages.items():
                if isinstance(fields, dict):
                    details.update(fields)
                else:
                    details[location] = fields
            body["details"] = translate(details or messages)
        return jsonify(body), status


def _domain_blueprints() -> list[Any]:
    """Blueprints of the domain's resources, one module each."""
    from webapp.api import (
        admin,
        attachments,
        catalogue,
        comments,
        council,
        eligibility,
        mail,
        migrations,
        movements,
        notifications,
        registry,
    )

    return [m.blp for m in (eligibility, registry, catalogue, attachments, movements,
                            notifications, admin, migrations, council, mail, comments)] + [
        admin.settings_blp, mail.account_blp]


def init_api(app: Flask) -> TdktApi:
    api = TdktApi(app)
    api.spec.components.security_scheme(
        "bearer", {"type": "http", "scheme": "bearer", "description": "Personal access token"}
    )
    api.spec.options["security"] = [{"bearer": []}]

    from webapp.api.instances import blp as instances_blp
    from webapp.api.processes import blp as processes_blp
    from webapp.api.tasks import blp as tasks_blp

    for blp in (processes_blp, instances_blp, tasks_blp, *_domain_blueprints()):
        api.register_blueprint(blp, url_prefix=f"/api/v1{blp.url_prefix or ''}")

    @app.errorhandler(EngineError)
    def _engine_error(exc: EngineError) -> Any:
        status = status_of(exc)
        if not _is_api():
            return error_page(status, exc.message)
        headers = {"WWW-Authenticate": 'Bearer realm="tdkt"'} if status == 401 else {}
        return jsonify(exc.to_dict()), status, headers

    @app.errorhandler(RecursionError)
    def _too_deep(_exc: RecursionError) -> Any:
        return jsonify({"code": "data.invalid",
                        "message": "Dữ liệu lồng nhau quá sâu."}), 422

    return api
