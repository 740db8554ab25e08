"""Generated documents stored as attachments of the instance (with their sha256), audited.

The blobs go through ``workflows.dossier.store_blob`` (content-addressed, atomic). The
audit entry of each stored document (``document.generated``) records the sha256 of the
template(s) it was rendered from. A generated document is a chain of versions per
(item, nomination, format): the PDF and
the DOCX of one decision live side by side, and a new rendering of the same document
supersedes the previous one (kept, still downloadable). Everything happens in the
caller's session: the engine command's transaction commits it or rolls it back.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine import audit
from engine.roles import Actor
from engine.store.models import utcnow
from workflows.documents.vocab import DOCUMENT_ITEMS
from workflows.dossier import (
    CONTENT_TYPES,
    PolicySource,
    attachment_view,
    list_attachments,
    safe_filename,
    store_blob,
)
from workflows.models import Attachment


@dataclass(frozen=True)
class Rendered:
    """One rendered file, not yet stored."""

    item: str  # quyet_dinh | to_trinh_tinh | giay_khen | bien_ban_kiem_phieu
    fmt: str  # pdf | docx
    title: str  # file name without extension, e.g. "Quyết định 01-QĐ-VP"
    data: bytes
    nomination_id: int | None = None
    # sha256 of the template(s) it was rendered from, by file name (recorded in the audit).
    templates: dict[str, str] = field(default_factory=dict)

    @property
    def filename(self) -> str:
        return safe_filename(f"{self.title.replace('/', '-')}.{self.fmt}", self.item)


def store_documents(session: Session, actor: Actor, instance_id: int,
                    docs: Sequence[Rendered], files_dir: Path) -> list[dict[str, Any]]:
    """Attach ``docs`` to the instance (a byte-identical current version is kept as is)."""
    return [_store_one(session, actor, instance_id, doc, Path(files_dir)) for doc in docs]


def _store_one(session: Session, actor: Actor, instance_id: int, doc: Rendered,
               files_dir: Path) -> dict[str, Any]:
    content_type = CONTENT_TYPES[doc.fmt]
    same = (Attachment.instance_id == instance_id, Attachment.item == doc.item,
            Attachment.content_type == content_type,
            Attachment.nomination_id.is_(None) if doc.nomination_id is None
            else Attachment.nomination_id == doc.nomination_id)
    digest = hashlib.sha256(doc.data).hexdigest()
    current = session.scalars(select(Attachment).where(*same, Attachment.superseded_at.is_(None))
                              .order_by(Attachment.version.desc())).first()
    if current is not None and current.sha256 == digest:
        return {**attachment_view(current), "created": False}
    last = session.scalar(select(func.max(Attachment.version)).where(*same)) or 0
    key = store_blob(files_dir, digest, doc.data)  # see workflows/dossier.py: before the commit
    now = utcnow()
    if current is not None:
        current.superseded_at = now
    row = Attachment(instance_id=instance_id, nomination_id=doc.nomination_id, item=doc.item,
                     version=last + 1, filename=doc.filename, content_type=content_type,
                     size=len(doc.data), sha256=digest, storage_key=key, uploaded_by=actor.id,
                     uploaded_at=now)
    session.add(row)
    session.flush()
    audit.append(session, actor, "document.generated", {
        "attachment_id": row.id, "item": doc.item, "format": doc.fmt, "version": row.version,
        "sha256": digest, "filename": row.filename, "size": row.size,
        "nomination_id": doc.nomination_id, "templates": dict(doc.templates)},
        instance_id=instance_id)
    return {**attachment_view(row), "created": True}


def list_documents(session: Session, actor: Actor, instance_id: int, *,
                   policy: PolicySource = None) -> list[dict[str, Any]]:
    """The instance's generated documents, current versions, PDF and DOCX side by side.

    Each row: ``item``, ``label`` (kind), ``name``, ``nomination_id``, ``pdf`` and
    ``docx`` (attachment views or None). Raises NotFound when the actor cannot see
    the instance (the same check as the dossier).
    """
    views = list_attachments(session, actor, instance_id, include_superseded=False,
                             policy=policy)
    return group_documents(views)


# Documents whose file name ends with their official number, «/» written as «-» there.
NUMBERED = ("quyet_dinh", "to_trinh_tinh")
_FILED_NUMBER = re.compile(r"\b(\d+)-(\S+)$")


def shown_name(item: str, stem: str) -> str:
    """A generated document's name as issued: «Quyết định 01-QĐ-VP» (its file name, where a
    «/» cannot stand) → «Quyết định 01/QĐ-VP», as the document and the registry write it."""
    return _FILED_NUMBER.sub(r"\1/\2", stem) if item in NUMBERED else stem


def group_documents(views: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """Current generated documents among attachment views, PDF and DOCX on one row."""
    order = {code: i for i, code in enumerate(DOCUMENT_ITEMS)}
    rows: dict[tuple[str, int | None, str], dict[str, Any]] = {}
    for view in views:
        if view["item"] not in DOCUMENT_ITEMS or not view.get("current", True):
            continue
        fmt = "pdf" if view["content_type"] == CONTENT_TYPES["pdf"] else "docx"
        name = shown_name(view["item"], view["filename"].rsplit(".", 1)[0])
        row = rows.setdefault((view["item"], view["nomination_id"], name), {
            "item": view["item"], "label": DOCUMENT_ITEMS[view["item"]], "name": name,
            "nomination_id": view["nomination_id"], "pdf": None, "docx": None})
        row[fmt] = view
    return sorted(rows.values(), key=lambda r: (order[r["item"]], r["nomination_id"] is not None,
                                                r["nomination_id"] or 0, r["name"]))
