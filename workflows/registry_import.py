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
from dataclasses import dataclass, field
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
from workflows.models import Award, AwardType, Discipline, Initiative, Person, Rating
from workflows.registry_template import SHEETS, CellError, SheetSpec, blank, convert_cell

MAX_PROBLEMS = 50
MAX_ROWS_PER_SHEET = 50_000
MAX_UNZIPPED_BYTES = 200 * 1024 * 1024  # a zip bomb is refused before parsing
IMPORT_ROLES = frozenset({"admin", "secretariat"})
INVALID = "registry.invalid"


@dataclass
class Problems:
    """Every problem found; the first ``MAX_PROBLEMS`` in workbook order are reported."""

    items: list[dict[str, Any]] = field(default_factory=list)

    def add(self, sheet: str | None, row: int | None, column: str | None, message: str) -> None:
        self.items.append({"sheet": sheet, "row": row, "column": column, "message": message})

    def _place(self, problem: dict[str, Any]) -> tuple[int, int, int]:
        spec = SHEETS.get(problem["sheet"] or "")
        if spec is None:
            return (-1, 0, 0)
        columns = [c.name for c in spec.columns]
        column = problem["column"] or ""
        return (list(SHEETS).index(spec.name), problem["row"] or 0,
                columns.index(column) if column in columns else -1)

    def raise_if_any(self) -> None:
        if not self.items:
            return
        total = len(self.items)
        more = f" (liệt kê {MAX_PROBLEMS} lỗi đầu tiên)" if total > MAX_PROBLEMS else ""
        shown = sorted(self.items, key=self._place)[:MAX_PROBLEMS]
        raise InvalidData(f"Tệp sổ khen thưởng có {total} lỗi{more}; chưa ghi dữ liệu nào. "
                          "Sửa các dòng được nêu rồi nhập lại.", code=INVALID, details=shown)


@dataclass
class Row:
    """A data row: its Excel row number, converted values, and whether every cell read."""

    number: int
    values: dict[str, Any]
    ok: bool = True

    def __getitem__(self, name: str) -> Any:
        return self.values.get(name)

    def key(self, spec: SheetSpec) -> tuple[Any, ...]:
        return tuple(self.values.get(k) for k in spec.key)


@dataclass
class SheetData:
    spec: SheetSpec
    columns: set[str]  # the contract's columns present in the header
    rows: list[Row]


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


# -- checks -------------------------------------------------------------------------
@dataclass
class Known:
    """Codes that exist in the database or in the workbook."""

    unit_parents: dict[str, str | None]
    person_units: dict[str, str]
    award_kinds: dict[str, str]  # award code -> individual | collective | both

    @classmethod
    def load(cls, session: Session, sheets: dict[str, SheetData]) -> Known:
        known = cls({c: p for c, p in session.execute(select(Unit.code, Unit.parent_code))},
                    {c: u for c, u in session.execute(select(Person.code, Person.unit_code))},
                    {c: k for c, k in session.execute(
                        select(AwardType.code, AwardType.subject_kind))})
        # Rows with a bad cell still make their code known: no cascade of "unknown code".
        for row in sheets["units"].rows if "units" in sheets else ():
            if row["code"] is not None:
                known.unit_parents[row["code"]] = row["parent_code"]
        for row in sheets["people"].rows if "people" in sheets else ():
            if row["code"] is not None:
                known.person_units[row["code"]] = row["unit_code"]
        return known


def _rows(sheets: dict[str, SheetData], name: str) -> list[Row]:
    sheet = sheets.get(name)
    return [r for r in sheet.rows if r.ok] if sheet else []


def _check_duplicates(sheet: SheetData, problems: Problems) -> None:
    seen: dict[tuple[Any, ...], int] = {}
    for row in sheet.rows:
        key = row.key(sheet.spec)
        if any(part is None for part in key):
            continue
        if key in seen:
            row.ok = False
            problems.add(sheet.spec.name, row.number, ", ".join(sheet.spec.key),
                         f"Trùng khóa ({', '.join(map(str, key))}) với dòng {seen[key]}.")
        else:
            seen[key] = row.number


def _depth(code: str, parents: dict[str, str | None]) -> int | None:
    """How far ``code`` is from the top of the tree; None when its parents loop."""
    seen: set[str] = set()
    current: str | None = code
    while current is not None:
        if current in seen:
            return None
        seen.add(current)
        current = parents.get(current)
    return len(seen)


def _check_units(rows: list[Row], known: Known, add: Any) -> list[Row]:
    """Problems of the units sheet; the rows in an order that puts parents first."""
    depths: dict[str, int] = {}
    for row in rows:
        code, parent = row["code"], row["parent_code"]
        if code in known.person_units:
            add(row, "code", f"Mã «{code}» đã là mã một cá nhân.")
        if parent and parent not in known.unit_parents:
            add(row, "parent_code", f"Không có đơn vị cấp trên «{parent}» (trong hệ thống "
                                    "hoặc trong trang units).")
            continue
        depth = _depth(code, known.unit_parents)
        if depth is None:
            add(row, "parent_code", "Quan hệ đơn vị cấp trên tạo thành vòng lặp.")
        else:
            depths[code] = depth
    return sorted(rows, key=lambda r: depths.get(r["code"], 0))


def _subject_problem(code: str, known: Known) -> str | None:
    if code in known.person_units or code in known.unit_parents:
        return None
    return f"Không có cá nhân hay tập thể mã «{code}» (trong hệ thống hoặc trong tệp)."


def _award_problem(row: Row, known: Known) -> tuple[str, str] | None:
    code, subject = row["award_code"], row["subject_code"]
    kind = known.award_kinds.get(code)
    if kind is None:
        return "award_code", f"Không có danh hiệu / hình thức khen thưởng mã «{code}»."
    if kind == "individual" and subject not in known.person_units:
        return "award_code", f"«{code}» chỉ dành cho cá nhân; «{subject}» là tập thể."
    if kind == "collective" and subject in known.person_units:
        return "award_code", f"«{code}» chỉ dành cho tập thể; «{subject}» là cá nhân."
    return None


def _check_people(sheets: dict[str, SheetData], known: Known, add: Any) -> None:
    for row in _rows(sheets, "people"):
        if row["unit_code"] not in known.unit_parents:
            add(row, "unit_code", f"Không có đơn vị «{row['unit_code']}» (trong hệ thống hoặc "
                                  "trong trang units).")
        if row["code"] in known.unit_parents:
            add(row, "code", f"Mã «{row['code']}» đã là mã một đơn vị; mã cá nhân phải khác.")


def _check_subjects(sheets: dict[str, SheetData], known: Known, add: Any) -> None:
    for name in ("ratings", "awards"):
        for row in _rows(sheets, name):
            problem = _subject_problem(row["subject_code"], known)
            if problem:
                add(row, "subject_code", problem)
            elif name == "awards" and (award := _award_problem(row, known)):
                add(row, *award)


def _check_person_refs(sheets: dict[str, SheetData], known: Known, add: Any) -> None:
    for name in ("initiatives", "discipline"):
        for row in _rows(sheets, name):
            if row["person_code"] not in known.person_units:
                add(row, "person_code", f"Không có cá nhân mã «{row['person_code']}» (trong "
                                        "hệ thống hoặc trong trang people).")
            if name == "discipline" and row["end_date"] and row["end_date"] < row["start_date"]:
                add(row, "end_date", "Ngày hết hiệu lực trước ngày bắt đầu.")
            if name == "discipline" and row["pending"] and row["end_date"]:
                add(row, "end_date", "Vụ việc đang xem xét (pending) chưa thể có ngày kết thúc; "
                                     "hãy để trống hoặc ghi pending = không.")


def _check_award_dates(sheets: dict[str, SheetData], add: Any) -> None:
    for row in _rows(sheets, "awards"):
        if row["decision_date"].year < row["year"]:
            add(row, "decision_date", f"Ngày quyết định {row['decision_date']:%d/%m/%Y} trước "
                                      f"năm được khen thưởng ({row['year']}).")


def _check_one_annual_title_a_year(session: Session, sheets: dict[str, SheetData],
                                   add: Any) -> None:
    """An annual title is given once a year: a second decision for it is a mistake
    (e.g. the same decision typed with another spelling), not a second award."""
    rows = [r for r in _rows(sheets, "awards") if r["kind"] == "annual"]
    if not rows:
        return
    stored = {(a.year, a.subject_code, a.award_code): a.decision_no
              for a in session.scalars(select(Award).where(
                  Award.kind == "annual", Award.revoked.is_(False),
                  Award.subject_code.in_({r["subject_code"] for r in rows})))}
    seen: dict[tuple[Any, ...], Row] = {}
    for row in rows:
        key = (row["year"], row["subject_code"], row["award_code"])
        other = stored.get(key)
        if other is not None and other != row["decision_no"]:
            add(row, "decision_no", f"«{row['subject_code']}» đã có {row['award_code']} năm "
                                    f"{row['year']} theo quyết định số {other}; danh hiệu "
                                    "hằng năm chỉ được xét một lần mỗi năm.")
        elif key in seen and seen[key]["decision_no"] != row["decision_no"]:
            add(row, "decision_no", f"Dòng {seen[key].number} đã ghi {row['award_code']} năm "
                                    f"{row['year']} cho «{row['subject_code']}» với quyết định "
                                    "khác; danh hiệu hằng năm chỉ được xét một lần mỗi năm.")
        seen.setdefault(key, row)


def check_rows(session: Session, sheets: dict[str, SheetData], problems: Problems
               ) -> list[Row]:
    """Check keys and references; returns the units rows with parents first."""
    row_sheet = {id(r): s.spec.name for s in sheets.values() for r in s.rows}

    def add(row: Row, column: str, message: str) -> None:
        row.ok = False
        problems.add(row_sheet[id(row)], row.number, column, message)

    for sheet in sheets.values():
        _check_duplicates(sheet, problems)
    known = Known.load(session, sheets)
    units = _check_units(_rows(sheets, "units"), known, add)
    _check_people(sheets, known, add)
    _check_subjects(sheets, known, add)
    _check_person_refs(sheets, known, add)
    _check_award_dates(sheets, add)
    _check_one_annual_title_a_year(session, sheets, add)
    return units


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


def _write_sheet(session: Session, sheet: SheetData, rows: list[Row]) -> dict[str, int]:
    model, _ = MODELS[sheet.spec.name]
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
            tally["updated" if changed else "unchanged"] += 1
        if model is Unit:  # a parent must be in the table before a child points at it
            session.flush()
    return tally


def write_rows(session: Session, sheets: dict[str, SheetData], units: list[Row]
               ) -> dict[str, dict[str, int]]:
    """Create or update every row (checked before); per-sheet counts."""
    counts: dict[str, dict[str, int]] = {}
    try:
        for name, sheet in sheets.items():
            counts[name] = _write_sheet(session, sheet, units if name == "units" else sheet.rows)
            session.flush()
    except IntegrityError as exc:
        raise Conflict("Dữ liệu sổ khen thưởng vừa bị thay đổi; vui lòng nhập lại.",
                       code="registry.conflict") from exc
    return counts


# -- the service --------------------------------------------------------------------
def _bytes_of(source: str | Path | bytes) -> bytes:
    return source if isinstance(source, bytes) else Path(source).read_bytes()


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
    if not IMPORT_ROLES & actor.roles:
        raise Forbidden("Chỉ quản trị hoặc Phòng TCHCQT được nhập sổ khen thưởng.",
                        code="registry.import_forbidden")
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
