"""Checks of a registry workbook before anything is written (kiểm tra sổ khen thưởng).

The rows read from the sheets, the list of problems, and the checks across rows, sheets
and the database: duplicate keys, references, the unit tree, dates that contradict
each other, a second annual title in a year.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.errors import InvalidData
from engine.store.models import Unit
from workflows.models import Award, AwardType, Person
from workflows.registry_template import SHEETS, SheetSpec

MAX_PROBLEMS = 50
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
