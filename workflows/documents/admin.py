"""Admins replace the document templates without code (quản trị mẫu văn bản).

A replacement is test-rendered with the sample data of every document it takes part
in before it is accepted; a template that does not render, or a Word template that
reaches outside itself (``template_files.external_references``), is refused with the
reason in Vietnamese and the one in use stays. Replacements live in
``FILES_DIR/templates`` (beside the instance's files, so they survive upgrades); every
version ever used is kept in its history and any of them can be brought back; restoring
the original deletes the replacement. Every change is audited with the sha256 before
and after, and the template in use is changed only once its audit entry is committed.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine import audit
from engine.errors import Forbidden, InvalidData, NotFound
from engine.roles import Actor
from engine.runtime.runner import run_command
from engine.store.models import AuditEvent
from workflows.documents import template_files as files
from workflows.documents.generate import templates_dir
from workflows.documents.render import (
    PACKAGE_DIR,
    RenderError,
    TemplateSource,
    render_docx,
    render_pdf,
)
from workflows.documents.samples import sample_context
from workflows.documents.vocab import TEMPLATES, TEMPLATES_BY_NAME, TemplateInfo
from workflows.dossier import CONTENT_TYPES, sniff_kind

MAX_TEMPLATE_BYTES = 5 * 1024 * 1024
HTML_TYPE = "text/html; charset=utf-8"
EVENTS = ("template.replaced", "template.version_restored", "template.restored")


def _require_admin(actor: Actor) -> None:
    if not actor.has_role("admin"):
        raise Forbidden("Chỉ quản trị hệ thống được sửa mẫu văn bản.", code="forbidden")


def _info(name: str) -> TemplateInfo:
    info = TEMPLATES_BY_NAME.get(name)
    if info is None:
        raise NotFound("Không có mẫu văn bản này.", code="template.not_found")
    return info


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _events(session: Session, name: str) -> list[dict[str, Any]]:
    """The template's audit entries, oldest first: sha256, who, when."""
    rows = session.scalars(select(AuditEvent).where(AuditEvent.event_type.in_(EVENTS))
                           .order_by(AuditEvent.id)).all()
    out = []
    for row in rows:
        payload = json.loads(row.payload)
        if payload.get("name") == name:
            at = row.at if row.at.tzinfo else row.at.replace(tzinfo=UTC)  # stored in UTC
            out.append({"type": row.event_type, "sha256": payload.get("sha256"),
                        "actor": row.actor_name, "at": at.isoformat()})
    return out


def list_templates(session: Session, actor: Actor, files_dir: Path) -> list[dict[str, Any]]:
    """Every editable template: label, format, whether replaced, size, sha256, date, and
    its kept versions (``history``, newest first)."""
    _require_admin(actor)
    folder = templates_dir(files_dir)
    source = TemplateSource(folder)
    rows = []
    for info in TEMPLATES:
        path = source.path(info.name)
        data = path.read_bytes()
        replaced = path.parent != PACKAGE_DIR
        sha = _sha(data)
        rows.append({"name": info.name, "label": info.label, "format": info.fmt,
                     "replaced": replaced, "size": len(data), "sha256": sha,
                     "updated_at": datetime.fromtimestamp(path.stat().st_mtime, UTC).isoformat()
                     if replaced else None,
                     "history": files.versions(folder, info.name, _events(session, info.name),
                                               sha)})
    return rows


def read_template(actor: Actor, files_dir: Path, name: str, original: bool = False,
                  version: str | None = None) -> tuple[bytes, str]:
    """The bytes of the template in use (or the shipped original, or a kept ``version``)
    and its content type."""
    _require_admin(actor)
    info = _info(name)
    if version:
        data = files.read_version(templates_dir(files_dir), name, version)
    else:
        path = PACKAGE_DIR / name if original else \
            TemplateSource(templates_dir(files_dir)).path(name)
        data = path.read_bytes()
    return data, HTML_TYPE if info.fmt == "html" else CONTENT_TYPES["docx"]


def _refuse(message: str) -> InvalidData:
    return InvalidData(message, code="template.invalid", details={"file": [message]})


def check_template(files_dir: Path, name: str, data: bytes) -> None:
    """Render ``data`` as template ``name`` with the sample data; InvalidData if it fails,
    or if a Word template reaches outside itself."""
    info = _info(name)
    if not data:
        raise _refuse("Tệp mẫu rỗng.")
    if len(data) > MAX_TEMPLATE_BYTES:
        raise _refuse("Tệp mẫu vượt quá 5 MB.")
    source = TemplateSource(templates_dir(files_dir))
    try:
        if info.fmt == "docx":
            _check_docx(name, data, source, info)
        else:
            try:
                text = data.decode("utf-8")
            except UnicodeDecodeError:
                raise _refuse("Mẫu HTML phải được lưu với bảng mã UTF-8.") from None
            for document in info.documents:
                render_pdf(f"{document}.html", sample_context(document), source, {name: text})
    except RenderError as exc:
        raise _refuse(f"Mẫu không dùng được, vẫn giữ mẫu cũ. {exc}") from exc


def _check_docx(name: str, data: bytes, source: TemplateSource, info: TemplateInfo) -> None:
    if sniff_kind(data) != "docx":
        raise _refuse("Mẫu này phải là tệp Word (.docx) hợp lệ.")
    found = files.external_references(data)
    if found:
        raise _refuse("Mẫu Word có liên kết hoặc tài nguyên bên ngoài, vẫn giữ mẫu cũ: "
                      + "; ".join(found) + ". Hãy nhúng hình ảnh vào tệp (không chọn «Liên "
                      "kết tới tệp»), bỏ các liên kết và trường nạp nội dung, rồi tải lên lại.")
    for document in info.documents:
        render_docx(name, sample_context(document), source, data=data)


def _activate(session: Session, actor: Actor, path: Path, data: bytes | None,
              event: dict[str, Any]) -> None:
    """Put ``data`` in use (None: delete the replacement), once the audit entry of the
    change is committed; a failure to write is audited and refused."""
    try:
        if data is None:
            path.unlink()
        else:
            files.write_atomically(path, data)
    except OSError as exc:
        failed = {**event, "error": str(exc)}
        run_command(session, lambda: audit.append(session, actor, "template.activation_failed",
                                                  failed))
        raise InvalidData(f"Đã ghi nhật ký nhưng không ghi được tệp mẫu «{path.name}» trên "
                          f"máy chủ ({exc}); mẫu đang dùng không đổi. Vui lòng báo quản trị "
                          "máy chủ.", code="template.write_failed") from exc


def replace_template(session: Session, actor: Actor, files_dir: Path, name: str,
                     data: bytes) -> dict[str, Any]:
    """Check, keep in the history, audit (committed), then put in use a replacement.

    Raises:
        Forbidden: not an admin. NotFound: ``template.not_found``.
        InvalidData: ``template.invalid`` (empty, too large, wrong format, does not render,
        reaches outside), ``template.write_failed``.
    """
    _require_admin(actor)
    check_template(files_dir, name, data)
    folder = templates_dir(files_dir)
    source = TemplateSource(folder)
    before = source.read(name)
    if source.path(name).parent != PACKAGE_DIR:  # a replacement older than the history
        files.keep_version(folder, name, _sha(before), before)
    files.keep_version(folder, name, _sha(data), data)
    event = {"name": name, "sha256_before": _sha(before), "sha256": _sha(data),
             "size": len(data)}
    run_command(session, lambda: audit.append(session, actor, "template.replaced", event))
    _activate(session, actor, folder / name, data, event)
    return {"name": name, "sha256": _sha(data), "size": len(data)}


def restore_version(session: Session, actor: Actor, files_dir: Path, name: str,
                    sha: str) -> dict[str, Any]:
    """Bring back a kept version (checked again: the documents' data may have grown).

    Raises:
        NotFound ``template.version_not_found``; InvalidData ``template.invalid``,
        ``template.write_failed``.
    """
    _require_admin(actor)
    _info(name)
    folder = templates_dir(files_dir)
    data = files.read_version(folder, name, sha)
    check_template(files_dir, name, data)
    before = TemplateSource(folder).read(name)
    event = {"name": name, "sha256_before": _sha(before), "sha256": sha, "size": len(data)}
    run_command(session, lambda: audit.append(session, actor, "template.version_restored",
                                              event))
    _activate(session, actor, folder / name, data, event)
    return {"name": name, "sha256": sha, "size": len(data)}


def restore_template(session: Session, actor: Actor, files_dir: Path, name: str
                     ) -> dict[str, Any]:
    """Go back to the shipped template (delete the replacement, kept in the history)."""
    _require_admin(actor)
    _info(name)
    folder = templates_dir(files_dir)
    path = folder / name
    if not path.is_file():
        raise InvalidData("Mẫu này đang là mẫu gốc, không có gì để khôi phục.",
                          code="template.not_replaced")
    before = path.read_bytes()
    files.keep_version(folder, name, _sha(before), before)
    event = {"name": name, "sha256_before": _sha(before),
             "sha256": _sha((PACKAGE_DIR / name).read_bytes())}
    run_command(session, lambda: audit.append(session, actor, "template.restored", event))
    _activate(session, actor, path, None, event)
    return {"name": name, "restored": True}
