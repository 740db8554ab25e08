"""The award registry workbook: its contract (sheets, columns, cells) and its template.

One workbook (``.xlsx``) carries the history an office kept before this software
(sổ theo dõi thi đua – khen thưởng): units, people, year-end ratings, awards,
initiatives and discipline. The sheet and column names are a contract shared by
``registry_import`` (which reads them) and ``write_template`` (which writes an
empty workbook with headers, validation lists and Vietnamese instructions).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from io import BytesIO
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.utils.datetime import from_excel
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from workflows.models import AWARD_KINDS, DISCIPLINE_FORMS, INITIATIVE_LEVELS, RATINGS

EDUCATION_LEVELS = ("so_cap", "trung_cap", "cao_dang", "dai_hoc", "tren_dai_hoc")
GENDERS = ("male", "female")
GENDER_ALIASES = {"nam": "male", "nữ": "female", "nu": "female"}
VALIDATION_ROWS = 5000  # how far down the template's drop-down lists reach


@dataclass(frozen=True)
class Column:
    """One column of a sheet.

    ``kind`` is how a cell is read: code, text, year, date, bool or choice.
    ``optional`` columns may be absent from the header; ``blank_ok`` cells may be empty.
    """

    name: str
    kind: str
    note: str
    optional: bool = False
    blank_ok: bool = False
    choices: tuple[str, ...] = ()
    aliases: Mapping[str, str] = field(default_factory=dict)
    max_len: int = 255
    width: int = 16


@dataclass(frozen=True)
class SheetSpec:
    name: str
    title: str  # Vietnamese, for the instructions
    columns: tuple[Column, ...]
    key: tuple[str, ...]  # the natural key: a row with the same key updates, never duplicates

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)


def _code(name: str, note: str, blank_ok: bool = False) -> Column:
    return Column(name, "code", note, blank_ok=blank_ok, max_len=64, width=14)


SHEETS: dict[str, SheetSpec] = {s.name: s for s in (
    SheetSpec("units", "Đơn vị (phòng, ban)", (
        _code("code", "Mã đơn vị, duy nhất."),
        Column("name", "text", "Tên đơn vị.", width=40),
        _code("parent_code", "Mã đơn vị cấp trên (để trống nếu là cấp cao nhất); phải có "
              "trong hệ thống hoặc trong trang này.", blank_ok=True),
    ), ("code",)),
    SheetSpec("people", "Cá nhân (cán bộ, công chức, người lao động)", (
        _code("code", "Mã cá nhân, duy nhất, không trùng mã đơn vị."),
        Column("full_name", "text", "Họ và tên.", width=28),
        _code("unit_code", "Mã đơn vị công tác."),
        Column("position", "text", "Chức vụ.", blank_ok=True, width=28),
        Column("gender", "choice", "Giới tính (tùy chọn): male/female hoặc nam/nữ.",
               optional=True, blank_ok=True, choices=GENDERS, aliases=GENDER_ALIASES,
               width=10),
        Column("birth_year", "year", "Năm sinh (tùy chọn).", optional=True, blank_ok=True,
               width=10),
        Column("education", "choice", "Trình độ (tùy chọn).", optional=True, blank_ok=True,
               choices=EDUCATION_LEVELS, width=14),
        Column("tdkt_since", "year", "Năm bắt đầu làm công tác TĐKT (tùy chọn).",
               optional=True, blank_ok=True, width=10),
        Column("is_leader", "bool", "Là lãnh đạo (tùy chọn): TRUE/FALSE, 1/0, x/để trống, "
               "có/không.", optional=True, blank_ok=True, width=10),
    ), ("code",)),
    SheetSpec("ratings", "Xếp loại cuối năm (cá nhân và tập thể)", (
        Column("year", "year", "Năm xếp loại.", width=8),
        _code("subject_code", "Mã cá nhân hoặc mã đơn vị."),
        Column("rating", "choice", "HTXSNV (xuất sắc), HTTNV (tốt), HTNV (hoàn thành), "
               "KHTNV (không hoàn thành).", choices=RATINGS, width=10),
    ), ("year", "subject_code")),
    SheetSpec("awards", "Khen thưởng đã nhận", (
        Column("year", "year", "Năm khen thưởng.", width=8),
        _code("subject_code", "Mã cá nhân hoặc mã đơn vị."),
        _code("award_code", "Mã danh hiệu / hình thức trong danh mục (LDTT, CSTD_CS, GK, …)."),
        Column("kind", "choice", "annual (thường xuyên), thematic (chuyên đề), adhoc "
               "(đột xuất).", choices=AWARD_KINDS, width=10),
        Column("decision_no", "text", "Số quyết định.", max_len=64, width=18),
        Column("decision_date", "date", "Ngày quyết định (YYYY-MM-DD hoặc ô ngày Excel).",
               width=14),
    ), ("year", "subject_code", "award_code", "kind", "decision_no")),
    SheetSpec("initiatives", "Sáng kiến được công nhận", (
        Column("year", "year", "Năm công nhận.", width=8),
        _code("person_code", "Mã cá nhân."),
        Column("title", "text", "Tên sáng kiến.", max_len=500, width=50),
        Column("level", "choice", "Phạm vi ảnh hưởng: co_so (cơ sở), tinh (tỉnh), "
               "toan_quoc (toàn quốc).", choices=INITIATIVE_LEVELS, width=12),
    ), ("year", "person_code", "title")),
    SheetSpec("discipline", "Kỷ luật và vụ việc đang xem xét", (
        _code("person_code", "Mã cá nhân."),
        Column("form", "choice", "Hình thức: khien_trach, canh_cao, ha_bac, cach_chuc, "
               "buoc_thoi_viec.", choices=DISCIPLINE_FORMS, width=16),
        Column("start_date", "date", "Ngày bắt đầu (YYYY-MM-DD hoặc ô ngày Excel).", width=14),
        Column("end_date", "date", "Ngày hết hiệu lực (để trống nếu chưa hết).",
               blank_ok=True, width=14),
        Column("pending", "bool", "Đang xem xét, chưa có quyết định: TRUE/FALSE, 1/0, "
               "x/để trống, có/không.", blank_ok=True, width=10),
    ), ("person_code", "form", "start_date")),
)}

_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_VN_DATE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")
_TRUE = {"true", "1", "x", "có", "co", "yes", "đúng"}
_FALSE = {"false", "0", "không", "khong", "no", "sai"}


class CellError(ValueError):
    """A cell that cannot be read; the message is Vietnamese."""


# -- cells --------------------------------------------------------------------------
def blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _text(col: Column, value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, datetime | date):
        raise CellError("Cần chữ, không phải ngày.")
    text = unicodedata.normalize("NFC", str(value)).strip()
    if len(text) > col.max_len:
        raise CellError(f"Dài quá {col.max_len} ký tự.")
    if col.kind == "code" and any(ch.isspace() for ch in text):
        raise CellError(f"Mã «{text}» không được chứa khoảng trắng.")
    return text


def _year(col: Column, value: Any) -> int:
    number: int | None = None
    if isinstance(value, int) and not isinstance(value, bool):
        number = value
    elif isinstance(value, float) and value.is_integer():
        number = int(value)
    elif isinstance(value, str) and value.strip().isdigit():
        number = int(value.strip())
    if number is None or not 1900 <= number <= 2100:
        raise CellError(f"Năm «{value}» không hợp lệ (cần số năm, ví dụ 2025).")
    return number


def _date(col: Column, value: Any) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool) and 1 <= value < 2958466:
        converted = from_excel(value)
        if isinstance(converted, datetime):
            return converted.date()
    if isinstance(value, str):
        text = value.strip()
        try:
            if _ISO_DATE.match(text):
                return date.fromisoformat(text)
            match = _VN_DATE.match(text)
            if match:
                day, month, year = (int(g) for g in match.groups())
                return date(year, month, day)
        except ValueError:
            pass
    raise CellError(f"Ngày «{value}» không hợp lệ (định dạng YYYY-MM-DD, ví dụ 2025-12-28).")


def _bool(col: Column, value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float) and value in (0, 1):
        return bool(value)
    text = str(value).strip().casefold()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise CellError(f"Giá trị «{value}» không hợp lệ; dùng TRUE/FALSE, 1/0, x/để trống "
                    "hoặc có/không.")


def _choice(col: Column, value: Any) -> str:
    text = unicodedata.normalize("NFC", str(value)).strip()
    wanted = text.casefold()
    for choice in col.choices:
        if choice.casefold() == wanted:
            return choice
    if wanted in col.aliases:
        return col.aliases[wanted]
    label = "Xếp loại" if col.name == "rating" else "Giá trị"
    raise CellError(f"{label} «{text}» không hợp lệ; phải là một trong: "
                    f"{', '.join(col.choices)}.")


_CONVERT = {"code": _text, "text": _text, "year": _year, "date": _date, "bool": _bool,
            "choice": _choice}


def convert_cell(col: Column, value: Any) -> Any:
    """The cell's value as the column wants it, or ``CellError``."""
    if blank(value):
        if col.blank_ok:
            return False if col.kind == "bool" else None
        raise CellError("Thiếu giá trị bắt buộc.")
    return _CONVERT[col.kind](col, value)


INSTRUCTIONS_SHEET = "huong_dan"
GENERAL_NOTES = (
    "HƯỚNG DẪN NHẬP SỔ THEO DÕI THI ĐUA – KHEN THƯỞNG",
    "",
    "• Mỗi trang một loại dữ liệu; dòng 1 là tiêu đề cột, giữ nguyên tên cột.",
    "• Có thể bỏ trang không dùng; trang nào có mặt thì phải đủ các cột bắt buộc.",
    "• Cột thêm ngoài danh sách dưới đây được bỏ qua. Trang «huong_dan» này không được nhập.",
    "• Ngày ghi dạng YYYY-MM-DD (ví dụ 2025-12-28) hoặc dùng ô kiểu ngày của Excel.",
    "• Nhập lại cùng tệp không tạo bản ghi trùng: dòng có cùng khóa thì cập nhật giá trị.",
    "• Nếu có lỗi, không dữ liệu nào được ghi; danh sách lỗi nêu trang, dòng, cột và lý do.",
    "",
)


def _instructions(ws: Worksheet) -> None:
    for line in GENERAL_NOTES:
        ws.append([line])
    ws["A1"].font = Font(bold=True, size=13)
    for spec in SHEETS.values():
        ws.append([f"Trang «{spec.name}»: {spec.title}"])
        ws.cell(ws.max_row, 1).font = Font(bold=True)
        ws.append(["Cột", "Bắt buộc", "Ý nghĩa"])
        for cell in ws[ws.max_row]:
            cell.font = Font(italic=True)
        for col in spec.columns:
            required = "tùy chọn" if col.optional else ("có thể trống" if col.blank_ok
                                                         else "có")
            ws.append([col.name, required, col.note])
        ws.append([f"Khóa (không trùng trong trang): {', '.join(spec.key)}"])
        ws.append([])
    ws.column_dimensions["A"].width = 24
    ws.column_dimensions["B"].width = 14
    ws.column_dimensions["C"].width = 90
    for row in ws.iter_rows():
        for cell in row:
            cell.alignment = Alignment(wrap_text=False, vertical="top")


def build_template() -> Workbook:
    """An empty registry workbook: one sheet per contract sheet plus ``huong_dan``."""
    wb = Workbook()
    guide = wb.active
    assert isinstance(guide, Worksheet)
    guide.title = INSTRUCTIONS_SHEET
    _instructions(guide)
    for spec in SHEETS.values():
        ws = wb.create_sheet(spec.name)
        ws.append([c.name for c in spec.columns])
        ws.freeze_panes = "A2"
        for i, col in enumerate(spec.columns, start=1):
            letter = get_column_letter(i)
            ws.cell(1, i).font = Font(bold=True)
            ws.column_dimensions[letter].width = col.width
            if col.kind == "choice":
                rule = DataValidation(type="list", formula1=f'"{",".join(col.choices)}"',
                                      allow_blank=True, showErrorMessage=True,
                                      errorTitle="Giá trị không hợp lệ",
                                      error=f"Chọn một trong: {', '.join(col.choices)}")
                rule.add(f"{letter}2:{letter}{VALIDATION_ROWS}")
                ws.add_data_validation(rule)
    return wb


def template_bytes() -> bytes:
    out = BytesIO()
    build_template().save(out)
    return out.getvalue()


def write_template(path: str | Path) -> Path:
    """Write the empty workbook to ``path`` (``.xlsx``); returns the path."""
    target = Path(path)
    target.write_bytes(template_bytes())
    return target


def workbook_bytes(sheets: Mapping[str, list[list[Any]]]) -> bytes:
    """A workbook with one sheet per entry, rows as given (the header row first)."""
    wb = Workbook()
    first = wb.active
    assert isinstance(first, Worksheet)
    wb.remove(first)
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        for row in rows:
            ws.append(row)
    out = BytesIO()
    wb.save(out)
    return out.getvalue()
