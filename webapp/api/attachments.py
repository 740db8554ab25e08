"""Dossier attachments (hồ sơ đính kèm): upload, list every version, download."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Response, current_app
from flask_smorest import Blueprint as SmorestBlueprint
from flask_smorest.fields import Upload
from marshmallow import EXCLUDE, Schema, fields, validate
from webargs.flaskparser import FlaskParser
from werkzeug.datastructures import CombinedMultiDict

from webapp.api.auth import current_actor
from webapp.security import send_stored_file
from webapp.services import read_session, services, write_session
from workflows import dossier


class _MultipartParser(FlaskParser):
    """Adds the location ``multipart``: form fields and files of one multipart body."""

    __location_map__ = {**FlaskParser.__location_map__, "multipart": "load_multipart"}

    def load_multipart(self, req: Any, schema: Schema) -> Any:
        return self._makeproxy(CombinedMultiDict([req.form, req.files]), schema)


class Blueprint(SmorestBlueprint):  # type: ignore[misc]
    ARGUMENTS_PARSER = _MultipartParser()
    DEFAULT_LOCATION_CONTENT_TYPE_MAPPING = {
        **SmorestBlueprint.DEFAULT_LOCATION_CONTENT_TYPE_MAPPING,
        "multipart": "multipart/form-data",
    }


# No prefix of its own: the routes live under /api/v1/instances/… and /api/v1/attachments/….
blp = Blueprint("attachments", __name__, url_prefix="",
                description="Hồ sơ đính kèm (tờ trình, báo cáo thành tích, biên bản, …)")


class AttachmentUploadArgs(Schema):
    class Meta:
        unknown = EXCLUDE

    file = Upload(required=True, metadata={"description": "PDF, DOCX, XLSX, JPG hoặc PNG"})
    item = fields.String(required=True, metadata={
        "description": "Thành phần hồ sơ: " + ", ".join(f"{k} ({v})"
                                                         for k, v in dossier.ITEMS.items())})
    nomination_id = fields.Integer(load_default=None, allow_none=True,
                                   validate=validate.Range(min=1))


class AttachmentListArgs(Schema):
    class Meta:
        unknown = EXCLUDE

    include_superseded = fields.Boolean(load_default=True, metadata={
        "description": "Gồm cả các phiên bản cũ (mặc định: có)"})


class AttachmentSchema(Schema):
    id = fields.Integer()
    instance_id = fields.Integer()
    nomination_id = fields.Integer(allow_none=True)
    item = fields.String()
    item_label = fields.String()
    version = fields.Integer()
    filename = fields.String(metadata={"description": "tên tệp để hiển thị"})
    content_type = fields.String()
    size = fields.Integer()
    sha256 = fields.String()
    uploaded_by = fields.Integer(allow_none=True)
    uploaded_at = fields.String()
    superseded_at = fields.String(allow_none=True)
    current = fields.Boolean(metadata={"description": "phiên bản hiện hành của thành phần"})


def _files_dir() -> Path:
    return Path(current_app.config["FILES_DIR"])


@blp.post("/instances/<int:instance_id>/attachments")
@blp.arguments(AttachmentUploadArgs, location="multipart")
@blp.response(201, AttachmentSchema)
@blp.alt_response(200, schema=AttachmentSchema,
                  description="Nội dung trùng phiên bản hiện hành: trả lại phiên bản đó")
def upload(args: dict[str, Any], instance_id: int) -> Any:
    """Add a file to the dossier; a new upload of the same item becomes its next version."""
    actor = current_actor()
    max_bytes = int(current_app.config["MAX_UPLOAD_BYTES"])
    file = args["file"]
    data = file.stream.read(max_bytes + 1)  # one byte more is enough to say "too large"
    result = dossier.add_attachment(
        write_session(), services().engine, actor, instance_id, args["item"], file.filename,
        data, _files_dir(), nomination_id=args["nomination_id"], max_bytes=max_bytes,
        declared_type=file.mimetype)
    return result, (201 if result["created"] else 200)


@blp.get("/instances/<int:instance_id>/attachments")
@blp.arguments(AttachmentListArgs, location="query")
@blp.response(200, AttachmentSchema(many=True))
def list_attachments(args: dict[str, Any], instance_id: int) -> Any:
    """Every version of every item, items in dossier order, newest version first."""
    return dossier.list_attachments(read_session(), current_actor(), instance_id,
                                    args["include_superseded"], policy=services().engine)


@blp.get("/attachments/<int:attachment_id>/content")
@blp.response(200, description="Nội dung tệp")
def content(attachment_id: int) -> Response:
    """Download one version; 404 when it does not exist or its dossier is not visible."""
    meta, path = dossier.open_attachment(read_session(), current_actor(), attachment_id,
                                         _files_dir(), policy=services().engine)
    return send_stored_file(meta, path)

