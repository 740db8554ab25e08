"""One deed earns one award: years an annual award used are not counted again.

A consecutive run for a title starts after the subject's last annual, non-revoked record
of the same title (BK cấp tỉnh: its HTXSNV years; CSTĐ cấp tỉnh: its CSTĐ cơ sở years;
BK Thủ tướng: its 5 years and the window titles in them).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from test_eligibility_kit import History, failed_rules, history_on, reason, row_ids

from workflows.models import Award


@pytest.fixture
def h(db_url: str) -> Iterator[History]:
    with history_on(db_url) as history:
        history.unit("A")
        history.person("P1")
        yield history


def award_years(r: dict, award_code: str) -> list[int]:
    return [row["year"] for row in r["rows"]
            if row["table"] == "award_record" and row["award_code"] == award_code]


# -- Bằng khen cấp tỉnh ------------------------------------------------------------------------
def test_bk_tinh_does_not_reuse_the_years_of_the_last_one(h: History) -> None:
    h.ratings("P1", "HTXSNV", range(2023, 2027))
    used = h.award("P1", "BK_TINH", 2024)  # based on HTXSNV 2023–2024
    v = h.check("P1", "BK_TINH", 2025)
    assert failed_rules(v) == ["consecutive_rating"]
    r = reason(v, "consecutive_rating")
    assert "mới có 1 năm liên tục" in r["detail"] and "(2025)" in r["detail"]
    assert "chỉ tính từ năm 2025" in r["detail"]
    assert used.decision_no in r["detail"] and row_ids(r, "award_record") == [used.id]
    assert [row["year"] for row in r["rows"] if row["table"] == "annual_rating"] == [2025]
    v = h.check("P1", "BK_TINH", 2026)  # 2025–2026: two new years
    assert v.eligible, v.to_dict()
    assert [row["year"] for row in reason(v, "consecutive_rating")["rows"]
            if row["table"] == "annual_rating"] == [2025, 2026]


def test_bk_tinh_the_year_before_the_window_is_free(h: History) -> None:
    h.ratings("P1", "HTXSNV", range(2022, 2026))
    h.award("P1", "BK_TINH", 2023)
    assert h.check("P1", "BK_TINH", 2025).eligible  # 2024–2025, after 2023
    assert failed_rules(h.check("P1", "BK_TINH", 2024)) == ["consecutive_rating"]


@pytest.mark.parametrize("spoiler", ["revoked", "thematic", "adhoc"])
def test_bk_tinh_revoked_or_for_a_deed_uses_no_year(h: History, spoiler: str) -> None:
    h.ratings("P1", "HTXSNV", range(2023, 2026))
    if spoiler == "revoked":
        h.award("P1", "BK_TINH", 2024, revoked=True)
    else:
        h.award("P1", "BK_TINH", 2024, kind=spoiler)
    v = h.check("P1", "BK_TINH", 2025)
    assert v.eligible, v.to_dict()
    assert "chỉ tính từ" not in reason(v, "consecutive_rating")["detail"]


def test_bk_tinh_of_a_unit_too(h: History) -> None:
    h.ratings("A", "HTXSNV", range(2023, 2026))
    h.award("A", "BK_TINH", 2024)
    assert failed_rules(h.check("A", "BK_TINH", 2025)) == ["consecutive_rating"]


# -- CSTĐ cấp tỉnh -------------------------------------------------------------------------------
def test_cstd_tinh_does_not_reuse_its_cstd_cs_years(h: History) -> None:
    cs = {a.year: a for a in h.awards("P1", "CSTD_CS", range(2022, 2028))}
    for year in range(2022, 2028):
        h.initiative("P1", year, "tinh")
    h.award("P1", "CSTD_TINH", 2024)  # based on CSTĐ cơ sở 2022–2024
    v = h.check("P1", "CSTD_TINH", 2026)
    assert failed_rules(v) == ["prerequisite"]
    r = reason(v, "prerequisite")
    assert "mới có 2 năm liên tục" in r["detail"] and "(2025, 2026)" in r["detail"]
    assert "chỉ tính từ năm 2025" in r["detail"]
    v = h.check("P1", "CSTD_TINH", 2027)
    assert v.eligible, v.to_dict()
    r = reason(v, "prerequisite")
    assert award_years(r, "CSTD_CS") == [2025, 2026, 2027]
    assert cs[2024].id not in row_ids(r, "award_record")


# -- Bằng khen của Thủ tướng ---------------------------------------------------------------------
def bk_ttg_person(h: History) -> None:
    h.award("P1", "BK_TINH", 2013)
    h.ratings("P1", "HTTNV", range(2014, 2025))
    h.awards("P1", "CSTD_CS", [2015, 2017, 2019, 2020, 2022, 2024])
    h.award("P1", "BK_TTG", 2019)  # based on 2015–2019


def test_bk_ttg_five_new_years_after_the_last_one(h: History) -> None:
    bk_ttg_person(h)
    v = h.check("P1", "BK_TTG", 2023)  # CSTĐ cơ sở 2019 was used too: 2020, 2022 left
    assert failed_rules(v) == ["consecutive_rating", "window_title"]
    assert "mới có 4 năm liên tục" in reason(v, "consecutive_rating")["detail"]
    v = h.check("P1", "BK_TTG", 2024)
    assert v.eligible, v.to_dict()
    assert award_years(reason(v, "window_title"), "CSTD_CS") == [2020, 2022, 2024]


def test_bk_ttg_window_titles_of_used_years_do_not_count(h: History) -> None:
    bk_ttg_person(h)
    h.s.query(Award).filter_by(award_code="BK_TTG").one().year = 2020  # used 2016–2020
    h.s.flush()
    v = h.check("P1", "BK_TTG", 2024)
    assert failed_rules(v) == ["consecutive_rating", "window_title"]
    r = reason(v, "window_title")
    assert "mới có 2 lần đạt" in r["detail"] and "các năm 2021–2024 (2022, 2024)" in r["detail"]
    assert award_years(r, "CSTD_CS") == [2022, 2024]
