"""Demo award registry: people, ratings 2020–2026, awards 2020–2025 of the units KT and VX.

The demo's today is late November 2026: the year-end review of 2026 is under way, so the
2026 ratings are in but no 2026 title is recorded (the procedures decide them). Built in
code as the rows of a registry workbook and loaded through ``import_registry``, so the demo
exercises the import. Idempotent: a load that would change nothing is rolled back (no audit
event). The history is shaped to show the eligibility rules at work:

- KT02 is CSTĐ cơ sở 2023, 2024 and 2025 with a provincial-level initiative in
  2025, so she is eligible for CSTĐ cấp tỉnh 2025;
- VX03 is CSTĐ cơ sở 2022 and 2024 (not consecutive);
- VX02's 2024 Giấy khen is thematic and must not count toward annual titles;
- KT07 was disciplined in 2021 (no LĐTT that year); VX05 has a pending case (since
  October 2025), which keeps him from any title of 2026 despite his rating;
- everyone is rated for 2026 (HTTNV or better), so KT04 is eligible for LĐTT 2026,
  while she already holds LĐTT 2025 and cannot receive it twice;
- KT06 has an initiative recognised in 2026, so she is eligible for CSTĐ cơ sở 2026, a
  title the council votes on by secret ballot (the demo's secret ballot to walk).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

from engine.roles import SYSTEM
from webapp.services import Services
from workflows.registry_import import import_registry
from workflows.registry_template import SHEETS, workbook_bytes

YEARS = range(2020, 2026)  # years with recorded titles
RATING_YEARS = range(2020, 2027)  # 2026: rated at the year-end review, titles not yet decided
DEMO_UNITS = ("KT", "VX")

# code, full name, position, gender, birth year, education, tdkt since, leader
PEOPLE: list[tuple[str, str, str, str, int, str, int | None, bool]] = [
    ("KT01", "Trần Quốc Khánh", "Trưởng phòng", "male", 1972, "tren_dai_hoc", 2010, True),
    ("KT02", "Nguyễn Thị Minh Hằng", "Phó Trưởng phòng", "female", 1980, "tren_dai_hoc",
     2015, True),
    ("KT03", "Lê Văn Phúc", "Chuyên viên chính", "male", 1978, "dai_hoc", None, False),
    ("KT04", "Phạm Thị Thu Trang", "Chuyên viên", "female", 1988, "dai_hoc", 2019, False),
    ("KT05", "Hoàng Minh Tuấn", "Chuyên viên", "male", 1990, "dai_hoc", None, False),
    ("KT06", "Đỗ Thị Lan Anh", "Chuyên viên", "female", 1993, "tren_dai_hoc", None, False),
    ("KT07", "Vũ Đức Thắng", "Chuyên viên", "male", 1985, "dai_hoc", None, False),
    ("KT08", "Bùi Thị Ngọc Ánh", "Nhân viên", "female", 1996, "cao_dang", None, False),
    ("VX01", "Nguyễn Văn Hải", "Trưởng phòng", "male", 1970, "tren_dai_hoc", 2008, True),
    ("VX02", "Trần Thị Mai", "Phó Trưởng phòng", "female", 1979, "dai_hoc", 2012, True),
    ("VX03", "Đặng Văn Long", "Chuyên viên chính", "male", 1976, "tren_dai_hoc", None, False),
    ("VX04", "Ngô Thị Hương", "Chuyên viên", "female", 1987, "dai_hoc", None, False),
    ("VX05", "Phan Văn Dũng", "Chuyên viên", "male", 1984, "dai_hoc", None, False),
    ("VX06", "Lý Thị Kim Oanh", "Chuyên viên", "female", 1992, "dai_hoc", 2020, False),
    ("VX07", "Trịnh Quang Huy", "Chuyên viên", "male", 1991, "trung_cap", None, False),
    ("VX08", "Mai Thị Thảo", "Chuyên viên", "female", 1998, "dai_hoc", None, False),
]
JOINED = {"VX08": 2023}  # people who joined after 2020
EXCELLENT = {  # HTXSNV years (others HTTNV unless listed in WEAK)
    "KT01": {2022, 2023, 2024, 2025, 2026}, "KT02": {2023, 2024, 2025, 2026}, "KT03": {2021},
    "VX01": {2024, 2025, 2026}, "VX03": {2022, 2024}, "KT": {2023, 2024, 2025, 2026},
    "VX": {2022},
}
WEAK = {("KT07", 2021), ("VX04", 2022), ("VX05", 2025)}  # HTNV: no LĐTT that year
NO_LDTT = {("VX05", 2025)}  # pending disciplinary case: nobody is awarded meanwhile
CSTD_CS = {"KT02": (2023, 2024, 2025), "KT03": (2021,), "VX03": (2022, 2024), "VX01": (2025,)}
INITIATIVES = [
    (2021, "KT03", "Chuẩn hóa quy trình thẩm tra hồ sơ dự án đầu tư công", "co_so"),
    (2022, "VX03", "Số hóa hồ sơ lưu trữ văn hóa - xã hội của Văn phòng", "co_so"),
    (2023, "KT02", "Bộ chỉ số theo dõi tiến độ giải ngân vốn đầu tư công", "co_so"),
    (2024, "KT02", "Phần mềm tổng hợp báo cáo kinh tế - xã hội hằng tháng", "co_so"),
    (2024, "VX03", "Quy trình phối hợp xử lý kiến nghị về chính sách xã hội", "co_so"),
    (2025, "KT02", "Hệ thống theo dõi chỉ đạo điều hành của UBND tỉnh trên nền tảng số",
     "tinh"),
    (2025, "VX01", "Mô hình một cửa liên thông tiếp nhận hồ sơ khen thưởng", "co_so"),
    (2026, "KT06", "Sổ tay điện tử hướng dẫn thủ tục thi đua, khen thưởng cho đơn vị",
     "co_so"),
]
DISCIPLINE = [
    ("KT07", "khien_trach", "2021-03-15", "2022-03-15", False),
    ("VX05", "khien_trach", "2025-10-15", None, True),
]


def _decision(year: int, number: int, series: str = "QĐ-VP") -> tuple[str, date]:
    return f"{number}/{series}", date(year, 12, 26)


def _rating(code: str, year: int) -> str:
    if (code, year) in WEAK:
        return "HTNV"
    return "HTXSNV" if year in EXCELLENT.get(code, ()) else "HTTNV"


def _people_rows() -> list[list[Any]]:
    # The unit is the code's prefix: KT01 works in KT.
    return [[c, n, c[:2], pos, g, by, edu, since, leader]
            for c, n, pos, g, by, edu, since, leader in PEOPLE]


def _ratings_rows() -> list[list[Any]]:
    subjects = [p[0] for p in PEOPLE] + list(DEMO_UNITS)
    return [[y, s, _rating(s, y)] for s in subjects for y in RATING_YEARS
            if y >= JOINED.get(s, 0)]


def _awards_rows() -> list[list[Any]]:
    rows: list[list[Any]] = []
    for year in YEARS:
        ldtt_no, ldtt_date = _decision(year, 200 + year % 100)
        cstd_no, cstd_date = _decision(year, 210 + year % 100)
        for code, *_ in PEOPLE:
            if year >= JOINED.get(code, 0) and (code, year) not in WEAK | NO_LDTT:
                rows.append([year, code, "LDTT", "annual", ldtt_no, ldtt_date])
            if year in CSTD_CS.get(code, ()):
                rows.append([year, code, "CSTD_CS", "annual", cstd_no, cstd_date])
        for unit in DEMO_UNITS:
            rows.append([year, unit, "TTLDTT", "annual", ldtt_no, ldtt_date])
    rows += [
        [2024, "KT", "TTLDXS", "annual", "3125/QĐ-UBND", date(2025, 1, 20)],
        [2024, "VX02", "GK", "thematic", "96/QĐ-VP", date(2024, 9, 2)],  # chuyển đổi số
        [2023, "KT05", "GK", "adhoc", "131/QĐ-VP", date(2023, 10, 12)],
    ]
    return rows


def demo_sheets(units: list[tuple[str, str, str | None]]) -> dict[str, list[list[Any]]]:
    """The demo workbook's rows, header first, sheet by sheet."""
    header = {name: [c.name for c in spec.columns] for name, spec in SHEETS.items()}
    return {
        "units": [header["units"], *([c, n, p] for c, n, p in units if c in DEMO_UNITS)],
        "people": [header["people"], *_people_rows()],
        "ratings": [header["ratings"], *_ratings_rows()],
        "awards": [header["awards"], *_awards_rows()],
        "initiatives": [header["initiatives"], *(list(i) for i in INITIATIVES)],
        "discipline": [header["discipline"], *(list(d) for d in DISCIPLINE)],
    }


def load_demo_registry(svc: Services, units: list[tuple[str, str, str | None]]
                       ) -> Iterator[str]:
    """Import the demo registry; yield one line per sheet that changed."""
    data = workbook_bytes(demo_sheets(units))
    with svc.db.write_session() as session:
        report = import_registry(session, SYSTEM, data, "demo_registry.xlsx")
        if not report.changed:
            session.rollback()
            return
        session.commit()
    for name, c in report.counts.items():
        if c["created"] or c["updated"]:
            yield f"Sổ khen thưởng mẫu, trang {name}: {c['created']} mới, {c['updated']} cập nhật"
