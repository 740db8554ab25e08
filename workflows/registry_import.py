"""Import the award registry (sổ theo dõi khen thưởng) from one ``.xlsx`` workbook.

Three passes: read every sheet of the contract (``registry_template.SHEETS``) and
convert its cells; check the rows against each other and the database (references,
duplicate keys, unit tree); then write. Any problem stops the import before the
first write, and every problem found (up to ``MAX_PROBLEMS``) is reported with its
sheet, row (as Excel numbers it), column and a Vietnamese reason. Rows are matched
on their natural key, so importing the same workbook twice changes nothing.
"""

from __future__ import annotations

import hashlib
import unicodedata
import zipfile
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path
from typing import Any

from openpyxl import load_workbook
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from engine import audit
from engine.errors import Conflict, Forbidden, InvalidData
from engine.roles import Actor
from engine.store.models import Unit
from workflows.models import Award, Discipline, Initiative, Person, Rating
from workflows.registry_checks import (  # MAX_PROBLEMS: part of this module's interface
    INVALID,
    MAX_PROBLEMS,  # noqa: F401
    Problems,
    Row,
    SheetData,
    check_rows,
)
from workflows.registry_template import SHEETS, CellError, SheetSpec, blank, convert_cell
from workflows.search_index import refresh_names

MAX_ROWS_PER_SHEET = 50_000
MAX_UNZIPPED_BYTES = 200 * 1024 * 1024  # a zip bomb is refused before parsing
IMPORT_ROLES = frozenset({"admin", "secretariat"})


@dataclass
class ImportReport:
    """What an import did: per sheet, rows created, updated and unchanged."""

    sha256: str
    counts: dict[str, dict[str, int]]

    @property
    def changed(self) -> bool:
        return any(c["created"] or c["updated"] for c in self.counts.values())

    def to_dict(self) -> dict[str, Any]:
        totals = {k: sum(c[k] for c in self.counts.values())
                  for k in ("created", "updated", "unchanged")}
        return {"sha256": self.sha256, "sheets": self.counts, "totals": totals}


# -- workbook -----------------------------------------------------------------------
def _open(data: bytes) -> Any:
    unreadable = InvalidData("Không đọc được tệp: cần một tệp Excel .xlsx.", code=INVALID,
                             details=[{"sheet": None, "row": None, "column": None,
                                       "message": "Tệp không phải là bảng tính .xlsx hợp lệ."}])
    try:
        with zipfile.ZipFile(BytesIO(data)) as archive:
            if sum(i.file_size for i in archive.infolist()) > MAX_UNZIPPED_BYTES:
                raise InvalidData("Tệp bảng tính quá lớn khi giải nén.", code=INVALID,
                                  details=[{"sheet": None, "row": None, "column": None,
                                            "message": "Tệp quá lớn."}])
        return load_workbook(BytesIO(data), read_only=True, data_only=True)
    except InvalidData:
        raise
    except Exception as exc:  # openpyxl raises many kinds on a damaged or foreign file
        raise unreadable from exc


def _header(raw: tuple[Any, ...]) -> dict[str, int]:
    index: dict[str, int] = {}
    for i, name in enumerate(raw):
        if isinstance(name, str) and name.strip():
            index.setdefault(unicodedata.normalize("NFC", name).strip().lower(), i)
    return index


def _read_row(spec: SheetSpec, index: dict[str, int], raw: tuple[Any, ...], number: int,
              problems: Problems) -> Row:
    row = Row(number, {})
    for col in spec.columns:
        if col.name not in index:
            continue
        i = index[col.name]
        try:
            row.values[col.name] = convert_cell(col, raw[i] if i < len(raw) else None)
        except CellError as exc:
            row.ok = False
            problems.add(spec.name, number, col.name, str(exc))
    return row


def _read_sheet(ws: Any, spec: SheetSpec, problems: Problems) -> SheetData | None:
    ws.reset_dimensions()  # some writers store wrong dimensions; read what is there
    rows = ws.iter_rows(min_row=1, values_only=True)
    index = _header(next(rows, ()))
    missing = [c.name for c in spec.columns if not c.optional and c.name not in index]
    for name in missing:
        problems.add(spec.name, 1, name, f"Thiếu cột bắt buộc «{name}» ở dòng tiêu đề.")
    if missing:
        return None
    data = SheetData(spec, {c.name for c in spec.columns if c.name in index}, [])
    for number, raw in enumerate(rows, start=2):
        if all(blank(v) for v in raw):
            continue
        if len(data.rows) >= MAX_ROWS_PER_SHEET:
            problems.add(spec.name, number, None,
                         f"Trang có quá {MAX_ROWS_PER_SHEET} dòng; hãy chia thành nhiều tệp.")
            break
        data.rows.append(_read_row(spec, index, raw, number, problems))
    return data


def read_workbook(data: bytes, problems: Problems) -> dict[str, SheetData]:
    """The contract's sheets present in the workbook, converted; other sheets are skipped."""
    wb = _open(data)
    try:
        by_name = {name.strip().lower(): name for name in wb.sheetnames}
        if not set(SHEETS) & set(by_name):
            problems.add(None, None, None,
                         "Tệp không có trang nào theo mẫu (units, people, ratings, awards, "
                         "initiatives, discipline); hãy dùng «tdkt registry template».")
        sheets: dict[str, SheetData] = {}
        for name, spec in SHEETS.items():
            if name in by_name:
                sheet = _read_sheet(wb[by_name[name]], spec, problems)
                if sheet is not None:
                    sheets[name] = sheet
        return sheets
    finally:
        wb.close()


# -- writes -------------------------------------------------------------------------
MODELS: dict[str, tuple[type[Any], str]] = {  # sheet -> (table, column to look rows up by)
    "units": (Unit, "code"), "people": (Person, "code"), "ratings": (Rating, "subject_code"),
    "awards": (Award, "subject_code"), "initiatives": (Initiative, "person_code"),
    "discipline": (Discipline, "person_code"),
}
_CHUNK = 500


def _existing(session: Session, sheet: SheetData) -> dict[tuple[Any, ...], Any]:
    model, lookup = MODELS[sheet.spec.name]
    wanted = sorted({r[lookup] for r in sheet.rows})
    found: dict[tuple[Any, ...], Any] = {}
    for i in range(0, len(wanted), _CHUNK):
        column = getattr(model, lookup)
        for obj in session.scalars(select(model).where(column.in_(wanted[i:i + _CHUNK]))):
            found[tuple(getattr(obj, k) for k in sheet.spec.key)] = obj
    return found


def _values(sheet: SheetData, row: Row) -> dict[str, Any]:
    values = {c: row[c] for c in sheet.columns if c not in sheet.spec.key}
    if sheet.spec.name == "people" and values.get("position") is None:
        values["position"] = ""
    return values


NAME_COLUMNS = {"people": "full_name", "units": "name"}  # what a subject is found by


def _write_sheet(session: Session, sheet: SheetData, rows: list[Row],
                 renamed: list[str]) -> dict[str, int]:
    model, _ = MODELS[sheet.spec.name]
    name_column = NAME_COLUMNS.get(sheet.spec.name)
    existing = _existing(session, sheet)
    tally = {"created": 0, "updated": 0, "unchanged": 0}
    for row in rows:
        key, values = row.key(sheet.spec), _values(sheet, row)
        obj = existing.get(key)
        if obj is None:
            extra = {"source": "import"} if model is Award else {}
            obj = model(**dict(zip(sheet.spec.key, key, strict=True)), **values, **extra)
            session.add(obj)
            existing[key] = obj
            tally["created"] += 1
        else:
            changed = [n for n, v in values.items() if getattr(obj, n) != v]
            for name in changed:
                setattr(obj, name, values[name])
            if name_column in changed:
                renamed.append(key[0])
            tally["updated" if changed else "unchanged"] += 1
        if model is Unit:  # a parent must be in the table before a child points at it
            session.flush()
    return tally


def write_rows(session: Session, sheets: dict[str, SheetData], units: list[Row]
               ) -> dict[str, dict[str, int]]:
    """Create or update every row (checked before); per-sheet counts. The open tasks of
    dossiers that name a renamed person or unit are indexed again."""
    counts: dict[str, dict[str, int]] = {}
    renamed: list[str] = []
    try:
        for name, sheet in sheets.items():
            counts[name] = _write_sheet(session, sheet, units if name == "units" else sheet.rows,
                                        renamed)
            session.flush()
        refresh_names(session, renamed)
    except IntegrityError as exc:
        raise Conflict("Dữ liệu sổ khen thưởng vừa bị thay đổi; vui lòng nhập lại.",
                       code="registry.conflict") from exc
    return counts


# -- the service --------------------------------------------------------------------
def _bytes_of(source: str | Path | bytes) -> bytes:
    return source if isinstance(source, bytes) else Path(source).read_bytes()


def check_may_import(actor: Actor) -> None:
    """Raise ``registry.import_forbidden`` unless the actor may import (admin, secretariat)."""
    if not IMPORT_ROLES & actor.roles:
        raise Forbidden("Chỉ quản trị hoặc Phòng TCHCQT được nhập sổ khen thưởng.",
                        code="registry.import_forbidden")


def import_registry(session: Session, actor: Actor, source: str | Path | bytes,
                    filename: str | None = None) -> ImportReport:
    """Import a registry workbook (nhập sổ khen thưởng) in the caller's transaction.

    Nothing is written unless every row is valid; the caller commits.

    Args:
        session: a write session; the import flushes but does not commit.
        actor: who imports (role admin or secretariat).
        source: the ``.xlsx`` file's path or bytes.
        filename: the uploaded file's name, kept in the audit event.

    Returns:
        Per-sheet counts of rows created, updated and unchanged, and the file's sha256.

    Raises:
        Forbidden: ``registry.import_forbidden`` when the actor may not import.
        InvalidData: ``registry.invalid`` with ``details`` = [{sheet, row, column, message}].
    """
    check_may_import(actor)
    data = _bytes_of(source)
    digest = hashlib.sha256(data).hexdigest()
    problems = Problems()
    sheets = read_workbook(data, problems)
    units = check_rows(session, sheets, problems)
    problems.raise_if_any()
    counts = write_rows(session, sheets, units)
    report = ImportReport(digest, counts)
    audit.append(session, actor, "registry.imported",
                 {"sha256": digest, "filename": filename or (
                     None if isinstance(source, bytes) else Path(source).name),
                  "counts": counts})
    return report
