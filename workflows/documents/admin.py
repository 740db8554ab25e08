"""Admins replace the document templates without code (quản trị mẫu văn bản).

A replacement is test-rendered with the sample data of every document it takes part
in before it is accepted; a template that does not render is refused with the reason
in Vietnamese and the one in use stays. Replacements live in ``FILES_DIR/templates``
(beside the instance's files, so they survive upgrades); restoring the original
deletes the replacement. Every change is audited with the sha256 before and after.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from engine import audit
from engine.errors import Forbidden, InvalidData, NotFound
from engine.roles import Actor
from engine.runtime.runner import run_command
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


def list_templates(actor: Actor, files_dir: Path) -> list[dict[str, Any]]:
    """Every editable template: label, format, whether replaced, size, sha256, date."""
    _require_admin(actor)
    source = TemplateSource(templates_dir(files_dir))
    rows = []
    for info in TEMPLATES:
        path = source.path(info.name)
        data = path.read_bytes()
        replaced = path.parent != PACKAGE_DIR
        rows.append({"name": info.name, "label": info.label, "format": info.fmt,
                     "replaced": replaced, "size": len(data), "sha256": _sha(data),
                     "updated_at": datetime.fromtimestamp(path.stat().st_mtime, UTC).isoformat()
                     if replaced else None})
    return rows


def read_template(actor: Actor, files_dir: Path, name: str, original: bool = False
                  ) -> tuple[bytes, str]:
    """The bytes of the template in use (or the shipped original) and its content type."""
    _require_admin(actor)
    info = _info(name)
    path = PACKAGE_DIR / name if original else TemplateSource(templates_dir(files_dir)).path(name)
    return path.read_bytes(), HTML_TYPE if info.fmt == "html" else CONTENT_TYPES["docx"]


def _refuse(message: str) -> InvalidData:
    return InvalidData(message, code="template.invalid", details={"file": [message]})


def check_template(files_dir: Path, name: str, data: bytes) -> None:
    """Render ``data`` as template ``name`` with the sample data; InvalidData if it fails."""
    info = _info(name)
    if not data:
        raise _refuse("Tệp mẫu rỗng.")
    if len(data) > MAX_TEMPLATE_BYTES:
        raise _refuse("Tệp mẫu vượt quá 5 MB.")
    source = TemplateSource(templates_dir(files_dir))
    try:
        if info.fmt == "docx":
            if sniff_kind(data) != "docx":
                raise _refuse("Mẫu này phải là tệp Word (.docx) hợp lệ.")
            for document in info.documents:
                render_docx(name, sample_context(document), source, data=data)
        else:
            try:
                text = data.decode("utf-8")
            except UnicodeDecodeError:
                raise _refuse("Mẫu HTML phải được lưu với bảng mã UTF-8.") from None
            for document in info.documents:
                render_pdf(f"{document}.html", sample_context(document), source, {name: text})
    except RenderError as exc:
        raise _refuse(f"Mẫu không dùng được, vẫn giữ mẫu cũ. {exc}") from exc


def _write_atomically(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".template-")
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def replace_template(session: Session, actor: Actor, files_dir: Path, name: str,
                     data: bytes) -> dict[str, Any]:
    """Check, then store a replacement of template ``name``; audited (one command).

    Raises:
        Forbidden: not an admin. NotFound: ``template.not_found``.
        InvalidData: ``template.invalid`` (empty, too large, wrong format, does not render).
    """
    _require_admin(actor)
    check_template(files_dir, name, data)
    path = templates_dir(files_dir) / name
    before = TemplateSource(templates_dir(files_dir)).read(name)

    def body() -> dict[str, Any]:
        audit.append(session, actor, "template.replaced", {
            "name": name, "sha256_before": _sha(before), "sha256": _sha(data),
            "size": len(data)})
        session.flush()
        _write_atomically(path, data)  # last: a failure before it leaves the old one in use
        return {"name": name, "sha256": _sha(data), "size": len(data)}

    return run_command(session, body)


def restore_template(session: Session, actor: Actor, files_dir: Path, name: str
                     ) -> dict[str, Any]:
    """Go back to the shipped template (delete the replacement); audited."""
    _require_admin(actor)
    _info(name)
    path = templates_dir(files_dir) / name
    if not path.is_file():
        raise InvalidData("Mẫu này đang là mẫu gốc, không có gì để khôi phục.",
                          code="template.not_replaced")
    before = path.read_bytes()

    def body() -> dict[str, Any]:
        audit.append(session, actor, "template.restored", {
            "name": name, "sha256_before": _sha(before),
            "sha256": _sha((PACKAGE_DIR / name).read_bytes())})
        session.flush()
        path.unlink()
        return {"name": name, "restored": True}

    return run_command(session, body)
