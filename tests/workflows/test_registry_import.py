"""The award registry import (nhập sổ khen thưởng từ Excel), through the service function.

Every test runs on SQLite and PostgreSQL; each import is one write session, as the
CLI and the API use it.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterator
from datetime import date, datetime
from io import BytesIO
from typing import Any

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select, text

from engine import identity
from engine.errors import Forbidden, InvalidData
from engine.roles import SYSTEM, Actor
from engine.store.db import Database
from engine.store.models import AuditEvent, Unit
from workflows.models import Award, Discipline, Initiative, Person, Rating
from workflows.registry_import import MAX_PROBLEMS, ImportReport, import_registry
from workflows.registry_template import SHEETS, template_bytes, workbook_bytes

Sheets = dict[str, list[list[Any]]]
TABLES = ("unit", "person", "annual_rating", "award_record", "initiative", "discipline")
# The columns every sheet must have (people's optional columns are added where used).
HEADERS = {name: [c.name for c in spec.columns if not c.optional]
           for name, spec in SHEETS.items()}


def header(sheet: str) -> list[Any]:
    return list(HEADERS[sheet])  # a copy: tests change headers


def base_sheets() -> Sheets:
    """A small valid workbook: a unit under KT (which is in the database), two people."""
    return {
        "units": [header("units"), ["KT_TH", "Tổ Tổng hợp", "KT"]],
        "people": [header("people") + ["gender", "birth_year", "education", "tdkt_since",
                                       "is_leader"],
                   ["P1", "Nguyễn Thị Hoa", "KT", "Phó Trưởng phòng", "nữ", 1980, "dai_hoc",
                    2015, "x"],
                   ["P2", "Lê Văn Nam", "KT_TH", None, "male", None, None, None, None]],
        "ratings": [header("ratings"), [2024, "P1", "HTXSNV"], [2024, "P2", "httnv"],
                    [2024, "KT", "HTTNV"]],
        "awards": [header("awards"),
                   [2024, "P1", "LDTT", "annual", "12/QĐ-VP", date(2024, 12, 26)],
                   [2024, "P1", "CSTD_CS", "annual", "13/QĐ-VP", "2024-12-26"],
                   [2024, "KT", "TTLDTT", "annual", "12/QĐ-VP", "2024-12-26"],
                   [2024, "P2", "GK", "thematic", "96/QĐ-VP", "2024-09-02"]],
        "initiatives": [header("initiatives"), [2024, "P1", "Số hóa hồ sơ", "co_so"]],
        "discipline": [header("discipline"), ["P2", "khien_trach", "2025-10-15", None, "có"]],
    }


@pytest.fixture
def db(db_url: str) -> Iterator[Database]:
    database = Database(db_url)
    with database.write_session() as s:
        identity.create_unit(s, SYSTEM, "VP", "Văn phòng")
        identity.create_unit(s, SYSTEM, "KT", "Phòng Kinh tế", "VP")
        s.commit()
    yield database
    database.dispose()


def run(db: Database, sheets: Sheets | bytes, actor: Actor = SYSTEM) -> ImportReport:
    data = sheets if isinstance(sheets, bytes) else workbook_bytes(sheets)
    with db.write_session() as s:
        report = import_registry(s, actor, data, "registry.xlsx")
        s.commit()
        return report


def counts(db: Database) -> dict[str, int]:
    with db.session() as s:
        return {t: s.execute(text(f"SELECT count(*) FROM {t}")).scalar_one()
                for t in (*TABLES, "audit_event")}


def problems_of(db: Database, sheets: Sheets | bytes) -> list[dict[str, Any]]:
    """Import expecting failure; check nothing was written; return the problem list."""
    before = counts(db)
    with pytest.raises(InvalidData) as err:
        run(db, sheets)
    assert err.value.code == "registry.invalid"
    assert counts(db) == before
    assert isinstance(err.value.details, list) and err.value.details
    return list(err.value.details)


def test_import_writes_every_sheet_and_audits(db: Database) -> None:
    data = workbook_bytes(base_sheets())
    report = run(db, data)
    assert report.counts == {
        "units": {"created": 1, "updated": 0, "unchanged": 0},
        "people": {"created": 2, "updated": 0, "unchanged": 0},
        "ratings": {"created": 3, "updated": 0, "unchanged": 0},
        "awards": {"created": 4, "updated": 0, "unchanged": 0},
        "initiatives": {"created": 1, "updated": 0, "unchanged": 0},
        "discipline": {"created": 1, "updated": 0, "unchanged": 0},
    }
    assert report.to_dict()["totals"] == {"created": 12, "updated": 0, "unchanged": 0}
    with db.session() as s:
        assert s.get(Unit, "KT_TH").parent_code == "KT"
        p1, p2 = s.get(Person, "P1"), s.get(Person, "P2")
        assert (p1.full_name, p1.unit_code, p1.gender, p1.birth_year, p1.education,
                p1.tdkt_since, p1.is_leader) == ("Nguyễn Thị Hoa", "KT", "female", 1980,
                                                  "dai_hoc", 2015, True)
        assert (p2.position, p2.gender, p2.is_leader, p2.birth_year) == ("", "male", False, None)
        assert s.get(Rating, (2024, "P2")).rating == "HTTNV"
        awards = s.scalars(select(Award).order_by(Award.id)).all()
        assert {a.source for a in awards} == {"import"}
        assert {a.decision_date for a in awards if a.kind == "annual"} == {date(2024, 12, 26)}
        case = s.scalars(select(Discipline)).one()
        assert (case.person_code, case.start_date, case.end_date, case.pending) == (
            "P2", date(2025, 10, 15), None, True)
        event = s.scalars(select(AuditEvent).where(
            AuditEvent.event_type == "registry.imported")).one()
    payload = json.loads(event.payload)
    assert payload["sha256"] == hashlib.sha256(data).hexdigest() == report.sha256
    assert payload["counts"]["awards"]["created"] == 4
    assert payload["filename"] == "registry.xlsx"


def test_reimport_changes_nothing(db: Database) -> None:
    run(db, base_sheets())
    before = counts(db)
    report = run(db, base_sheets())
    assert all(c["created"] == 0 and c["updated"] == 0 for c in report.counts.values())
    assert report.to_dict()["totals"]["unchanged"] == 12
    assert not report.changed
    after = counts(db)
    assert after["audit_event"] == before["audit_event"] + 1  # the import itself is audited
    assert {t: after[t] for t in TABLES} == {t: before[t] for t in TABLES}


def test_changed_values_update_rows_and_are_counted(db: Database) -> None:
    run(db, base_sheets())
    sheets = base_sheets()
    sheets["units"][1][1] = "Tổ Tổng hợp - Thống kê"
    sheets["people"][1][3] = "Trưởng phòng"
    sheets["ratings"][2][2] = "HTXSNV"
    sheets["awards"][1][5] = "2024-12-30"
    sheets["initiatives"][1][3] = "tinh"
    sheets["discipline"][1][3:] = ["2026-01-15", "không"]
    before = counts(db)
    report = run(db, sheets)
    assert {n: c["updated"] for n, c in report.counts.items()} == {
        "units": 1, "people": 1, "ratings": 1, "awards": 1, "initiatives": 1, "discipline": 1}
    assert report.counts["ratings"] == {"created": 0, "updated": 1, "unchanged": 2}
    assert {t: counts(db)[t] for t in TABLES} == {t: before[t] for t in TABLES}
    with db.session() as s:
        assert s.get(Unit, "KT_TH").name == "Tổ Tổng hợp - Thống kê"
        assert s.get(Person, "P1").position == "Trưởng phòng"
        assert s.get(Rating, (2024, "P2")).rating == "HTXSNV"
        assert s.scalars(select(Award.decision_date).where(
            Award.award_code == "LDTT")).one() == date(2024, 12, 30)
        assert s.scalars(select(Initiative.level)).one() == "tinh"
        case = s.scalars(select(Discipline)).one()
        assert (case.end_date, case.pending) == (date(2026, 1, 15), False)


def test_units_in_any_order_and_optional_person_columns_untouched(db: Database) -> None:
    run(db, base_sheets())
    sheets: Sheets = {
        "units": [header("units"), ["C", "Tổ C", "B"], ["B", "Tổ B", "A"],
                  ["A", "Phòng A", "VP"], ["KT_TH", "Tổ Tổng hợp", "C"]],  # moved under C
        "people": [header("people"), ["P1", "Nguyễn Thị Hoa", "C", "Phó Trưởng phòng"]],
    }
    report = run(db, sheets)
    assert report.counts["units"] == {"created": 3, "updated": 1, "unchanged": 0}
    assert report.counts["people"]["updated"] == 1
    with db.session() as s:
        assert [s.get(Unit, c).parent_code for c in ("A", "B", "C", "KT_TH")] == \
            ["VP", "A", "B", "C"]
        p1 = s.get(Person, "P1")
        # columns absent from the sheet keep their values
        assert (p1.unit_code, p1.gender, p1.is_leader) == ("C", "female", True)


def _set(sheet: str, row: int, col: str, value: Any) -> Callable[[Sheets], None]:
    def mutate(sheets: Sheets) -> None:
        sheets[sheet][row - 1][sheets[sheet][0].index(col)] = value
    return mutate


def _append(sheet: str, values: list[Any]) -> Callable[[Sheets], None]:
    return lambda sheets: sheets[sheet].append(values)


def _drop_column(sheet: str, col: str) -> Callable[[Sheets], None]:
    def mutate(sheets: Sheets) -> None:
        i = sheets[sheet][0].index(col)
        for row in sheets[sheet]:
            del row[i]
    return mutate


BAD_ROWS = {  # reason: (change, sheet, row, column, words of the message)
    "unknown subject": (_set("ratings", 3, "subject_code", "NOPE"), "ratings", 3,
                        "subject_code", "Không có cá nhân hay tập thể mã «NOPE»"),
    "unknown award code": (_set("awards", 2, "award_code", "HUAN_CHUONG"), "awards", 2,
                           "award_code", "Không có danh hiệu / hình thức khen thưởng"),
    "award for the wrong kind of subject": (_set("awards", 4, "award_code", "LDTT"), "awards",
                                            4, "award_code", "chỉ dành cho cá nhân"),
    "bad rating": (_set("ratings", 2, "rating", "TOT"), "ratings", 2, "rating",
                   "Xếp loại «TOT» không hợp lệ"),
    "bad kind": (_set("awards", 2, "kind", "yearly"), "awards", 2, "kind", "annual, thematic"),
    "bad level": (_set("initiatives", 2, "level", "huyen"), "initiatives", 2, "level",
                  "co_so, tinh, toan_quoc"),
    "bad form": (_set("discipline", 2, "form", "phat_tien"), "discipline", 2, "form",
                 "khien_trach"),
    "bad date": (_set("awards", 3, "decision_date", "2024-02-30"), "awards", 3,
                 "decision_date", "Ngày «2024-02-30» không hợp lệ"),
    "bad date text": (_set("discipline", 2, "start_date", "hôm qua"), "discipline", 2,
                      "start_date", "YYYY-MM-DD"),
    "bad year": (_set("ratings", 2, "year", "năm ngoái"), "ratings", 2, "year",
                 "Năm «năm ngoái» không hợp lệ"),
    "bad boolean": (_set("discipline", 2, "pending", "có lẽ"), "discipline", 2, "pending",
                    "TRUE/FALSE"),
    "bad gender": (_set("people", 2, "gender", "khác"), "people", 2, "gender", "male, female"),
    "bad education": (_set("people", 2, "education", "tien_si"), "people", 2, "education",
                      "tren_dai_hoc"),
    "duplicate key": (_append("ratings", [2024, "P1", "HTTNV"]), "ratings", 5,
                      "year, subject_code", "Trùng khóa (2024, P1) với dòng 2"),
    "missing required value": (_set("people", 3, "full_name", "  "), "people", 3,
                               "full_name", "Thiếu giá trị bắt buộc"),
    "missing required column": (_drop_column("awards", "decision_no"), "awards", 1,
                                "decision_no", "Thiếu cột bắt buộc «decision_no»"),
    "unknown unit of a person": (_set("people", 3, "unit_code", "XX"), "people", 3,
                                 "unit_code", "Không có đơn vị «XX»"),
    "unknown parent unit": (_set("units", 2, "parent_code", "ZZ"), "units", 2, "parent_code",
                            "Không có đơn vị cấp trên «ZZ»"),
    "parent loop": (_set("units", 2, "parent_code", "KT_TH"), "units", 2, "parent_code",
                    "vòng lặp"),
    "unknown person": (_set("initiatives", 2, "person_code", "P9"), "initiatives", 2,
                       "person_code", "Không có cá nhân mã «P9»"),
    "person code is a unit code": (_set("people", 3, "code", "KT"), "people", 3, "code",
                                   "đã là mã một đơn vị"),
    "end before start": (_set("discipline", 2, "end_date", "2025-01-01"), "discipline", 2,
                         "end_date", "trước ngày bắt đầu"),
    "code with spaces": (_set("ratings", 2, "subject_code", "P 1"), "ratings", 2,
                         "subject_code", "khoảng trắng"),
}


@pytest.mark.parametrize("reason", list(BAD_ROWS))
def test_a_bad_row_stops_the_import(db: Database, reason: str) -> None:
    change, sheet, row, column, words = BAD_ROWS[reason]
    sheets = base_sheets()
    change(sheets)
    problems = problems_of(db, sheets)
    assert {"sheet": sheet, "row": row, "column": column} in [
        {k: p[k] for k in ("sheet", "row", "column")} for p in problems], problems
    found = next(p for p in problems if (p["sheet"], p["row"], p["column"]) ==
                 (sheet, row, column))
    assert words in found["message"], found


def test_every_problem_is_listed_up_to_the_limit(db: Database) -> None:
    sheets = base_sheets()
    sheets["people"][1][2] = "XX"
    sheets["ratings"] += [[1950 + i, "P1", "A+"] for i in range(60)]
    with pytest.raises(InvalidData) as err:
        run(db, sheets)
    assert len(err.value.details) == MAX_PROBLEMS
    assert "61 lỗi" in err.value.message and "50 lỗi đầu tiên" in err.value.message
    assert err.value.details[0]["sheet"] == "people"  # listed in sheet order
    assert counts(db)["person"] == 0


def test_several_problems_in_several_sheets_all_listed(db: Database) -> None:
    sheets = base_sheets()
    sheets["ratings"][1][2] = "X"
    sheets["awards"][2][5] = "31/02/2024"
    sheets["initiatives"][1][1] = "P7"
    problems = problems_of(db, sheets)
    assert [(p["sheet"], p["row"], p["column"]) for p in problems] == [
        ("ratings", 2, "rating"), ("awards", 3, "decision_date"),
        ("initiatives", 2, "person_code")]


def test_excel_date_cells_string_dates_and_serial_numbers(db: Database) -> None:
    sheets = base_sheets()
    sheets["awards"][1][5] = datetime(2024, 12, 26, 0, 0)   # an Excel date cell
    sheets["awards"][2][5] = "26/12/2024"                   # as people type it
    sheets["awards"][3][5] = 45652                          # a date cell without format
    run(db, sheets)
    with db.session() as s:
        dates = s.scalars(select(Award.decision_date).where(Award.kind == "annual")).all()
    assert set(dates) == {date(2024, 12, 26)}


def test_booleans_in_every_spelling(db: Database) -> None:
    spellings = [("TRUE", True), ("FALSE", False), (True, True), (False, False), (1, True),
                 (0, False), ("x", True), (None, False), ("có", True), ("Không", False)]
    sheets = base_sheets()
    sheets["discipline"] = [header("discipline")] + [
        ["P2", "khien_trach", f"2020-01-{i + 1:02d}", None, value]
        for i, (value, _) in enumerate(spellings)]
    run(db, sheets)
    with db.session() as s:
        got = s.scalars(select(Discipline.pending).order_by(Discipline.start_date)).all()
    assert got == [expected for _, expected in spellings]


def test_unknown_columns_and_sheets_are_ignored_absent_sheets_skipped(db: Database) -> None:
    sheets: Sheets = {
        "Ghi chú": [["anything"], ["at all"]],
        "People": [["Code", "FULL_NAME", "ghi_chu", "unit_code", "position"],
                   ["P1", "Nguyễn Thị Hoa", "bỏ qua", "KT", "Chuyên viên"]],
    }
    report = run(db, sheets)
    assert report.counts == {"people": {"created": 1, "updated": 0, "unchanged": 0}}
    assert counts(db)["person"] == 1


def test_template_round_trip(db: Database) -> None:
    data = template_bytes()
    wb = load_workbook(BytesIO(data))
    assert wb.sheetnames == ["huong_dan", *SHEETS]
    for name, spec in SHEETS.items():
        ws = wb[name]
        assert [c.value for c in ws[1]] == [c.name for c in spec.columns]
        assert all(c.font.b for c in ws[1])
        assert ws.freeze_panes == "A2"
        lists = {str(r.sqref).split(":")[0][0]: r.formula1
                 for r in ws.data_validations.dataValidation}
        for letter, col in zip("ABCDEFGHI", spec.columns, strict=False):
            assert ws.column_dimensions[letter].width == col.width
            if col.kind == "choice":
                assert lists[letter] == f'"{",".join(col.choices)}"'
    assert '"HTXSNV,HTTNV,HTNV,KHTNV"' in [
        r.formula1 for r in wb["ratings"].data_validations.dataValidation]
    guide = "\n".join(str(c.value) for row in wb["huong_dan"].iter_rows() for c in row
                      if c.value)
    assert "HƯỚNG DẪN" in guide and "decision_date" in guide
    before = counts(db)
    report = run(db, data)
    assert set(report.counts) == set(SHEETS)
    assert report.to_dict()["totals"] == {"created": 0, "updated": 0, "unchanged": 0}
    assert {t: counts(db)[t] for t in TABLES} == {t: before[t] for t in TABLES}


def test_a_file_that_is_not_a_workbook(db: Database) -> None:
    problems = problems_of(db, b"code,name\nKT,Phong Kinh te\n")
    assert "xlsx" in problems[0]["message"]


def test_only_admin_and_secretariat_import(db: Database) -> None:
    submitter = Actor(id=None, username="sub", roles=frozenset({"submitter"}), unit_code="KT")
    with pytest.raises(Forbidden):
        run(db, base_sheets(), submitter)
    secretariat = Actor(id=None, username="sec", roles=frozenset({"secretariat"}))
    assert run(db, base_sheets(), secretariat).changed
    with db.session() as s:
        assert s.scalar(select(func.count()).select_from(Person)) == 2
