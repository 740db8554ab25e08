"""Dossier attachments (hồ sơ, Luật Thi đua, khen thưởng Điều 84): upload, versions, download.

A dossier is a set of *items* (tờ trình, danh sách, báo cáo thành tích, …), each
a chain of versions: a new upload of the same item (and nomination) becomes
version n+1 and the previous one is marked superseded but kept and still
downloadable, so a dossier returned for supplement (trả lại, yêu cầu bổ sung)
keeps every earlier version. Uploading the byte-identical current content again
returns that version unchanged.

Files are stored content-addressed, ``files_dir/ab/abcdef…`` by sha256, written
atomically (temporary file, then rename) and shared by identical uploads; the
user's file name is kept for display only. The blob is written *before* the row
commits: if the transaction then fails, the blob stays on disk without a row.
That is harmless (the same content maps to the same name and a later upload
reuses it); a sweep of unreferenced blobs can remove such leftovers.

Only PDF, DOCX, XLSX, JPG and PNG are accepted, checked by extension and by
content (magic bytes; DOCX/XLSX by their ZIP entries). What the client claims
(its Content-Type) decides nothing, but when it is given it must fit the content:
a file sent as «text/html» that is a PDF is refused (``attachment.type_mismatch``).
"""

from __future__ import annotations

import hashlib
import io
import os
import re
import tempfile
import unicodedata
import zipfile
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine import audit
from engine.errors import Conflict, Forbidden, InvalidData, NotFound
from engine.roles import DEFAULT_UNIT_SCOPED, Actor
from engine.runtime.access import AccessPolicy
from engine.runtime.runner import run_command
from engine.service import ProcessEngine
from engine.store.models import HumanTask, ProcessInstance, utcnow
from engine.views import iso
from workflows.models import Attachment, Nomination

DEFAULT_MAX_BYTES = 20 * 1024 * 1024

# Dossier items (thành phần hồ sơ), in the order a dossier lists them.
ITEMS: dict[str, str] = {
    "to_trinh": "Tờ trình đề nghị khen thưởng",
    "danh_sach": "Danh sách đề nghị khen thưởng",
    "bao_cao_thanh_tich": "Báo cáo thành tích",
    "bien_ban_binh_xet": "Biên bản họp bình xét",
    "bien_ban_hoi_dong": "Biên bản họp Hội đồng Thi đua - Khen thưởng",
    "qd_sang_kien": "Quyết định công nhận sáng kiến",
    "tom_tat_thanh_tich": "Tóm tắt thành tích",
    "other": "Tài liệu khác",
}
# The items a unit files itself (the start page, the proposal and supplement steps), in
# dossier order; the council's minutes are the secretariat's.
UNIT_ITEMS = ("to_trinh", "danh_sach", "bao_cao_thanh_tich", "bien_ban_binh_xet",
              "tom_tat_thanh_tich", "qd_sang_kien", "other")
# Items the application writes itself (workflows.documents), never uploaded by a unit.
GENERATED_ITEMS: dict[str, str] = {
    "quyet_dinh": "Quyết định khen thưởng",
    "to_trinh_tinh": "Tờ trình đề nghị UBND tỉnh khen thưởng",
    "giay_khen": "Giấy khen",
    "bien_ban_kiem_phieu": "Biên bản kiểm phiếu",
}

# kind -> content type; extension -> kind.
CONTENT_TYPES: dict[str, str] = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "jpeg": "image/jpeg",
    "png": "image/png",
}
EXTENSIONS: dict[str, str] = {".pdf": "pdf", ".docx": "docx", ".xlsx": "xlsx",
                              ".jpg": "jpeg", ".jpeg": "jpeg", ".png": "png"}
# What browsers and systems declare for each kind besides CONTENT_TYPES (older names; an
# Office file is a ZIP). "application/octet-stream" ("some bytes") fits every kind.
DECLARED_ALIASES: dict[str, frozenset[str]] = {
    "pdf": frozenset({"application/x-pdf", "application/acrobat"}),
    "docx": frozenset({"application/zip", "application/x-zip-compressed"}),
    "xlsx": frozenset({"application/zip", "application/x-zip-compressed"}),
    "jpeg": frozenset({"image/jpg", "image/pjpeg"}),
    "png": frozenset({"image/x-png"}),
}
ANY_BYTES = "application/octet-stream"
KIND_NAMES = {"pdf": "PDF", "docx": "DOCX", "xlsx": "XLSX", "jpeg": "JPG", "png": "PNG"}
FINISHED = ("completed", "cancelled")
UPLOAD_ROLES = frozenset({"secretariat", "admin"})  # office-wide, may upload without a task

TYPE_NOT_ALLOWED = "Chỉ nhận tệp PDF, DOCX, XLSX, JPG hoặc PNG"
_STORAGE_KEY = re.compile(r"^[0-9a-f]{2}/[0-9a-f]{64}$")
_UNSAFE_CHARS = re.compile(r'[\x00-\x1f\x7f<>:"/\\|?*]')
_MAX_NAME = 255

PolicySource = ProcessEngine | AccessPolicy | None


# -- file checks --------------------------------------------------------------------------
def sniff_kind(data: bytes) -> str | None:
    """The kind of ``data`` by its content (``pdf``, ``docx``, …), or None if not allowed."""
    if data.startswith(b"%PDF-"):
        return "pdf"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if data.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if data.startswith(b"PK\x03\x04"):
        try:  # reads the central directory only: nothing is decompressed
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                names = archive.namelist()
        except (zipfile.BadZipFile, ValueError, OSError):
            return None
        if any(n.startswith("word/") for n in names):
            return "docx"
        if any(n.startswith("xl/") for n in names):
            return "xlsx"
    return None


def safe_filename(name: str | None, fallback: str = "tep") -> str:
    """A file name fit for display: no folders, no control or reserved characters.

    Vietnamese letters are kept (NFC); the extension survives shortening.
    """
    text = unicodedata.normalize("NFC", name or "")
    text = re.split(r"[/\\]", text)[-1]
    text = _UNSAFE_CHARS.sub("", re.sub(r"\s", " ", text))  # tabs, new lines: spaces
    text = re.sub(r" +", " ", text).strip(" .")
    if not text:
        text = fallback
    if len(text) > _MAX_NAME:
        stem, ext = os.path.splitext(text)
        ext = ext[:16]
        text = stem[:_MAX_NAME - len(ext)].rstrip(" .") + ext
    return text


def _file_error(code: str, message: str, field: str = "file") -> InvalidData:
    return InvalidData(message, code=code, details={field: [message]})


def _megabytes(n: int) -> str:
    return f"{n / (1024 * 1024):g} MB" if n >= 1024 * 1024 else f"{n} byte"


def declared_fits(kind: str, declared: str | None) -> bool:
    """Whether the Content-Type a client declared fits content of ``kind``: none declared,
    "application/octet-stream", the kind's own type or one of its usual aliases."""
    base = (declared or "").split(";")[0].strip().lower()
    return base in ("", ANY_BYTES, CONTENT_TYPES[kind]) or base in DECLARED_ALIASES[kind]


def check_file(filename: str, data: bytes, max_bytes: int,
               declared_type: str | None = None) -> tuple[str, str]:
    """Validate an upload; return ``(content_type, extension)`` or raise InvalidData.

    The extension, the content (magic bytes) and, when given, the Content-Type the client
    declared must all say the same kind of file.
    """
    if not data:
        raise _file_error("attachment.empty", "Tệp rỗng, không có nội dung.")
    if len(data) > max_bytes:
        raise _file_error("attachment.too_large",
                          f"Tệp vượt quá dung lượng cho phép ({_megabytes(max_bytes)}).")
    ext = os.path.splitext(filename)[1].lower()
    expected = EXTENSIONS.get(ext)
    if expected is None:
        raise _file_error("attachment.type_not_allowed",
                          f"{TYPE_NOT_ALLOWED}; tệp «{filename}» không thuộc các loại này.")
    if sniff_kind(data) != expected:
        raise _file_error("attachment.type_not_allowed",
                          f"{TYPE_NOT_ALLOWED}; nội dung tệp «{filename}» không phải là tệp "
                          f"{ext[1:].upper()} hợp lệ.")
    if not declared_fits(expected, declared_type):
        raise _file_error("attachment.type_mismatch",
                          f"Tệp «{filename}» được gửi với kiểu «{declared_type}», không khớp "
                          f"với nội dung tệp ({KIND_NAMES[expected]}); vui lòng chọn lại đúng "
                          f"tệp.")
    return CONTENT_TYPES[expected], ext


# -- storage ------------------------------------------------------------------------------
def storage_key(sha256: str) -> str:
    """Where content with this hash lives under the files folder: ``ab/abcdef…``."""
    return f"{sha256[:2]}/{sha256}"


def store_blob(files_dir: Path, sha256: str, data: bytes) -> str:
    """Write ``data`` under its hash (atomically; once per content); return the key."""
    key = storage_key(sha256)
    path = Path(files_dir) / key
    if path.is_file() and path.stat().st_size == len(data):
        return key
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".upload-")
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return key


# -- views and access ---------------------------------------------------------------------
def item_label(item: str) -> str:
    """The Vietnamese name of a dossier item, uploaded or generated."""
    return ITEMS.get(item) or GENERATED_ITEMS.get(item, item)


def attachment_view(row: Attachment) -> dict[str, Any]:
    """The plain dict API clients and pages receive for one attachment version."""
    return {
        "id": row.id, "instance_id": row.instance_id, "nomination_id": row.nomination_id,
        "item": row.item, "item_label": item_label(row.item), "version": row.version,
        "filename": row.filename, "content_type": row.content_type, "size": row.size,
        "sha256": row.sha256, "uploaded_by": row.uploaded_by,
        "uploaded_at": iso(row.uploaded_at), "superseded_at": iso(row.superseded_at),
        "current": row.superseded_at is None,
    }


def _policy(source: PolicySource) -> AccessPolicy:
    if source is None:
        return AccessPolicy(DEFAULT_UNIT_SCOPED)
    return source.policy if isinstance(source, ProcessEngine) else source


def _instance_not_found() -> NotFound:
    return NotFound("Không tìm thấy hồ sơ quy trình.", code="instance.not_found")


def _visible(session: Session, policy: AccessPolicy, actor: Actor, instance_id: int,
             lock: bool = False) -> ProcessInstance:
    inst = session.get(ProcessInstance, instance_id, with_for_update=lock or None)
    if inst is None or not policy.can_see(session, actor, inst):
        raise _instance_not_found()
    return inst


def may_upload(session: Session, policy: AccessPolicy, actor: Actor,
               inst: ProcessInstance) -> bool:
    """Office-wide secretariat/admin, or whoever has a ready task of ``inst`` to act on.

    A task another person has claimed does not count (as in the inbox).
    """
    if UPLOAD_ROLES & policy.office_roles(actor):
        return True
    tasks = session.scalars(select(HumanTask).where(
        HumanTask.instance_id == inst.id, HumanTask.state == "ready")).all()
    return any(policy.may_act(actor, t)
               and (t.assignee_id is None or t.assignee_id == actor.id) for t in tasks)


def _check_nomination(session: Session, instance_id: int, nomination_id: int | None) -> None:
    if nomination_id is None:
        return
    owner = session.scalar(select(Nomination.instance_id).where(Nomination.id == nomination_id))
    if owner != instance_id:
        raise _file_error("attachment.bad_nomination",
                          "Đề nghị khen thưởng này không thuộc hồ sơ.", "nomination_id")


def _check_item(item: str) -> None:
    if item not in ITEMS:
        choices = ", ".join(ITEMS.values())
        raise _file_error("attachment.bad_item",
                          f"Thành phần hồ sơ «{item}» không hợp lệ; chọn một trong: {choices}.",
                          "item")


# -- services -----------------------------------------------------------------------------
def add_attachment(session: Session, engine_or_policy: ProcessEngine | AccessPolicy,
                   actor: Actor, instance_id: int, item: str, filename: str | None,
                   data: bytes, files_dir: Path, nomination_id: int | None = None,
                   max_bytes: int = DEFAULT_MAX_BYTES,
                   declared_type: str | None = None) -> dict[str, Any]:
    """Add a file to an instance's dossier (one command, one transaction).

    Returns the attachment view plus ``created`` (False when ``data`` equals the
    item's current version, which is returned as it is).

    Raises:
        NotFound: the actor cannot see the instance (``instance.not_found``).
        Conflict: the instance is completed or cancelled (``instance.finished``).
        Forbidden: no ready task of the actor's there, nor secretariat/admin
            (``attachment.forbidden``).
        InvalidData: ``attachment.bad_item``, ``attachment.bad_nomination``,
            ``attachment.empty``, ``attachment.too_large``,
            ``attachment.type_not_allowed``, ``attachment.type_mismatch`` (the declared
            Content-Type, when given, does not fit the content).
    """
    policy = _policy(engine_or_policy)

    def body() -> dict[str, Any]:
        # The row lock (PostgreSQL) orders uploads to one instance, so versions never collide.
        inst = _visible(session, policy, actor, instance_id, lock=True)
        if inst.status in FINISHED:
            raise Conflict("Hồ sơ đã kết thúc (hoàn thành hoặc bị hủy), không thể tải thêm tệp.",
                           code="instance.finished")
        if not may_upload(session, policy, actor, inst):
            raise Forbidden("Bạn chỉ được tải tệp lên khi có công việc cần xử lý trong hồ sơ "
                            "này.", code="attachment.forbidden")
        _check_item(item)
        _check_nomination(session, instance_id, nomination_id)
        name = safe_filename(filename, fallback=item)
        content_type, _ext = check_file(name, data, max_bytes, declared_type)
        digest = hashlib.sha256(data).hexdigest()
        return _add_version(session, actor, inst, item, nomination_id, name, content_type,
                            data, digest, Path(files_dir))

    return run_command(session, body)


def _add_version(session: Session, actor: Actor, inst: ProcessInstance, item: str,
                 nomination_id: int | None, name: str, content_type: str, data: bytes,
                 digest: str, files_dir: Path) -> dict[str, Any]:
    same_item = (Attachment.instance_id == inst.id, Attachment.item == item,
                 Attachment.nomination_id.is_(None) if nomination_id is None
                 else Attachment.nomination_id == nomination_id)
    current = session.scalars(select(Attachment).where(
        *same_item, Attachment.superseded_at.is_(None))
        .order_by(Attachment.version.desc())).first()
    if current is not None and current.sha256 == digest:
        return {**attachment_view(current), "created": False}
    last = session.scalar(select(func.max(Attachment.version)).where(*same_item)) or 0
    key = store_blob(files_dir, digest, data)  # before the commit: see the module docstring
    now = utcnow()
    if current is not None:
        current.superseded_at = now
    row = Attachment(instance_id=inst.id, nomination_id=nomination_id, item=item,
                     version=last + 1, filename=name, content_type=content_type,
                     size=len(data), sha256=digest, storage_key=key, uploaded_by=actor.id,
                     uploaded_at=now)
    session.add(row)
    session.flush()
    audit.append(session, actor, "attachment.added", {
        "attachment_id": row.id, "item": item, "version": row.version, "sha256": digest,
        "filename": name, "size": row.size, "nomination_id": nomination_id,
    }, instance_id=inst.id)
    return {**attachment_view(row), "created": True}


# The council's tally minutes cover every candidate of a meeting, of every unit, with the
# vote counts: office-wide roles read them; a unit (submitter) reads only its results.
OFFICE_ONLY_ITEMS = frozenset({"bien_ban_kiem_phieu"})


def may_see_item(policy: AccessPolicy, actor: Actor, item: str) -> bool:
    """Whether ``actor`` may read attachments of ``item`` on an instance they can see."""
    return item not in OFFICE_ONLY_ITEMS or bool(policy.office_roles(actor))


def list_attachments(session: Session, actor: Actor, instance_id: int,
                     include_superseded: bool = True, *,
                     policy: PolicySource = None) -> list[dict[str, Any]]:
    """The dossier of an instance: items in dossier order, newest version first.

    ``policy`` is the engine (or its access policy); without it the default roles apply.

    Raises:
        NotFound: the actor cannot see the instance.
    """
    _visible(session, _policy(policy), actor, instance_id)
    query = select(Attachment).where(Attachment.instance_id == instance_id)
    if not include_superseded:
        query = query.where(Attachment.superseded_at.is_(None))
    rows = [r for r in session.scalars(query).all()
            if may_see_item(_policy(policy), actor, r.item)]
    order = {code: i for i, code in enumerate(ITEMS)}
    rows = sorted(rows, key=lambda r: (order.get(r.item, len(order)), r.item,
                                       r.nomination_id or 0, -r.version))
    return [attachment_view(r) for r in rows]


def open_attachment(session: Session, actor: Actor, attachment_id: int, files_dir: Path, *,
                    policy: PolicySource = None) -> tuple[dict[str, Any], Path]:
    """An attachment's view and the path of its content, for download.

    Raises:
        NotFound: no such attachment, its instance is not visible to the actor
            (``attachment.not_found``, the same answer for both), or its content
            is missing on disk (``attachment.file_missing``).
    """
    row = session.get(Attachment, attachment_id)
    inst = session.get(ProcessInstance, row.instance_id) if row is not None else None
    if row is None or inst is None or not _policy(policy).can_see(session, actor, inst) \
            or not may_see_item(_policy(policy), actor, row.item):
        raise NotFound("Không tìm thấy tệp đính kèm.", code="attachment.not_found")
    path = Path(files_dir) / row.storage_key
    if not _STORAGE_KEY.match(row.storage_key) or not path.is_file():
        raise NotFound("Không tìm thấy nội dung tệp trên máy chủ; vui lòng báo quản trị hệ "
                       "thống.", code="attachment.file_missing")
    return attachment_view(row), path
