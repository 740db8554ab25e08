"""Files of the admins' Word/HTML templates: the history of every version, and what a Word
template may not contain.

**History.** Every version an admin uploads, and the one it replaces, is kept
content-addressed in ``FILES_DIR/templates/history/<name>/<sha256>.<ext>`` (written before
the audit entry is committed: an unreferenced copy is harmless), so any earlier one can be
restored. Who uploaded a version and when is read from the audit log
(``template.replaced`` / ``template.version_restored`` events carry the sha256).

**No external resources in Word templates.** A .docx can make Word (or LibreOffice) reach
out when the document is opened: images linked instead of embedded, an attached template,
linked OLE objects or frames, fields that pull content from elsewhere (INCLUDEPICTURE,
INCLUDETEXT, LINK, DDE), imported chunks, hyperlinks. Every generated document would carry
them to its readers, so an upload with any is refused, naming what was found.
"""

from __future__ import annotations

import io
import os
import re
import tempfile
import zipfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from engine.errors import NotFound

HISTORY_SUBDIR = "history"
_SHA = re.compile(r"^[0-9a-f]{64}$")
_EXTERNAL = re.compile(rb"<Relationship\b[^>]*>", re.IGNORECASE)
_ATTR = re.compile(rb'(\w+)="([^"]*)"')
_FIELDS = re.compile(r"\b(INCLUDEPICTURE|INCLUDETEXT|LINK|DDEAUTO|DDE|IMPORT)\b")
_INSTR = re.compile(r"<w:instrText[^>]*>([^<]*)</w:instrText>|w:instr=\"([^\"]*)\"")
KINDS = {"hyperlink": "liên kết (hyperlink)",
         "image": "hình ảnh liên kết tới tệp bên ngoài (không nhúng)",
         "attachedTemplate": "mẫu đính kèm (attached template)",
         "oleObject": "đối tượng OLE liên kết", "frame": "khung nội dung liên kết",
         "subDocument": "tài liệu con liên kết"}


# -- external references --------------------------------------------------------------------
def external_references(data: bytes) -> list[str]:
    """What in a .docx reaches outside it, in Vietnamese ([] when nothing does)."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        names = archive.namelist()
        parts = {n: archive.read(n) for n in names
                 if n.endswith(".rels") or (n.startswith("word/") and n.endswith(".xml"))}
    except (zipfile.BadZipFile, KeyError, OSError):
        return []  # not a Word file: the format check says so
    found: list[str] = []
    for name, body in parts.items():
        if name.endswith(".rels"):
            found += _external_relations(body)
        else:
            found += _fields(body.decode("utf-8", "replace"))
    return list(dict.fromkeys(found))


def _external_relations(body: bytes) -> list[str]:
    out = []
    for tag in _EXTERNAL.findall(body):
        attrs = {k.decode(): v.decode("utf-8", "replace") for k, v in _ATTR.findall(tag)}
        if attrs.get("TargetMode", "").lower() != "external":
            continue
        kind = attrs.get("Type", "").rsplit("/", 1)[-1]
        target = attrs.get("Target", "")
        label = KINDS.get(kind, f"tài nguyên bên ngoài ({kind})")
        out.append(f"{label}: {target[:80]}")
    return out


def _fields(xml: str) -> list[str]:
    out = [f"trường {m.group(1)} (nạp nội dung từ bên ngoài)"
           for text, attr in _INSTR.findall(xml)
           for m in [_FIELDS.search(text or attr)] if m]
    if "<w:altChunk" in xml:
        out.append("nội dung nhập từ tệp khác (altChunk)")
    return out


# -- history --------------------------------------------------------------------------------
def history_dir(templates_folder: Path, name: str) -> Path:
    return Path(templates_folder) / HISTORY_SUBDIR / name


def _blob(templates_folder: Path, name: str, sha: str) -> Path:
    return history_dir(templates_folder, name) / f"{sha}{Path(name).suffix}"


def write_atomically(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file and a rename (never half a file)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".template-")
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def keep_version(templates_folder: Path, name: str, sha: str, data: bytes) -> None:
    """Keep ``data`` (whose sha256 is ``sha``) in the template's history, once."""
    path = _blob(templates_folder, name, sha)
    if not path.is_file():
        write_atomically(path, data)


def read_version(templates_folder: Path, name: str, sha: str) -> bytes:
    """An earlier version's bytes.

    Raises:
        NotFound ``template.version_not_found``.
    """
    path = _blob(templates_folder, name, sha) if _SHA.match(sha or "") else None
    if path is None or not path.is_file():
        raise NotFound("Không có phiên bản mẫu này trong lịch sử.",
                       code="template.version_not_found")
    return path.read_bytes()


def versions(templates_folder: Path, name: str, events: list[dict[str, Any]],
             current_sha: str) -> list[dict[str, Any]]:
    """The kept versions of a template, newest first: sha256, size, when it was kept, who
    uploaded it (from ``events``, the template's audit entries) and whether it is in use."""
    folder = history_dir(templates_folder, name)
    uploaded = {}
    for event in events:  # oldest first: the first upload of a sha names who brought it
        uploaded.setdefault(event.get("sha256"), event)
    rows = []
    for path in folder.glob(f"*{Path(name).suffix}") if folder.is_dir() else []:
        sha = path.stem
        if not _SHA.match(sha):
            continue
        event = uploaded.get(sha) or {}
        rows.append({"sha256": sha, "size": path.stat().st_size,
                     "kept_at": datetime.fromtimestamp(path.stat().st_mtime, UTC).isoformat(),
                     "uploaded_by": event.get("actor"), "uploaded_at": event.get("at"),
                     "current": sha == current_sha})
    return sorted(rows, key=lambda r: (r["uploaded_at"] or r["kept_at"]), reverse=True)
