"""Eligibility of the forms (hình thức): Giấy khen, Bằng khen của UBND tỉnh, của Thủ tướng.

Forms are for people and units; thematic and ad-hoc ones are for an achievement and skip
the annual conditions, but never the pending-case rule.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest
from test_eligibility_kit import History, failed_rules, history_on, reason, row_ids

Y = 2024


@pytest.fixture
def h(db_url: str) -> Iterator[History]:
    with history_on(db_url) as history:
        history.unit("A")
        history.person("P1")
        yield history


# -- Giấy khen ---------------------------------------------------------------------------------
def test_gk_annual_needs_a_good_rating(h: History) -> None:
    h.rating("P1", Y, "HTTNV")
    assert h.check("P1", "GK", Y).eligible
    h.rating("P1", Y - 1, "HTNV")
    v = h.check("P1", "GK", Y - 1)
    assert failed_rules(v) == ["rating"]
    assert "HTNV" in reason(v, "rating")["detail"]


@pytest.mark.parametrize("kind", ["adhoc", "thematic"])
def test_gk_for_a_deed_skips_the_rating_and_the_registration(h: History, kind: str) -> None:
    v = h.check("P1", "GK", Y, kind=kind)  # no rating at all
    assert v.eligible, v.to_dict()
    assert "không theo xếp loại" in reason(v, "rating")["detail"]
    assert v.to_dict()["warnings"] == []
    assert "không cần đăng ký" in reason(v, "registration")["detail"]


def test_gk_adhoc_is_still_refused_while_a_case_is_pending(h: History) -> None:
    case = h.discipline("P1", "canh_cao", date(Y, 10, 1), pending=True)
    v = h.check("P1", "GK", Y, kind="adhoc")
    assert failed_rules(v) == ["no_pending_case"]
    assert row_ids(reason(v, "no_pending_case"), "discipline") == [case.id]


def test_gk_for_a_unit_and_a_disciplined_person(h: History) -> None:
    h.rating("A", Y, "HTTNV")
    v = h.check("A", "GK", Y)
    assert v.eligible, v.to_dict()
    assert "Tập thể" in reason(v, "no_discipline")["detail"]
    h.rating("P1", Y, "HTXSNV")
    h.discipline("P1", "khien_trach", date(Y, 2, 1), date(Y, 8, 1))
    assert failed_rules(h.check("P1", "GK", Y)) == ["no_discipline"]


# -- Bằng khen của Chủ tịch UBND tỉnh ------------------------------------------------------------
def test_bk_tinh_two_consecutive_excellent_years(h: History) -> None:
    h.ratings("P1", "HTXSNV", [Y - 1, Y])
    v = h.check("P1", "BK_TINH", Y)
    assert v.eligible, v.to_dict()
    years = [r["year"] for r in reason(v, "consecutive_rating")["rows"]
             if r["table"] == "annual_rating"]
    assert years == [Y - 1, Y]


def test_bk_tinh_gap_or_lower_rating_breaks_the_run(h: History) -> None:
    h.rating("P1", Y - 2, "HTXSNV")
    h.rating("P1", Y - 1, "HTTNV")
    h.rating("P1", Y, "HTXSNV")
    v = h.check("P1", "BK_TINH", Y)
    assert failed_rules(v) == ["consecutive_rating"]
    assert "1 năm" in reason(v, "consecutive_rating")["detail"]
    h.person("P2")
    h.rating("P2", Y - 2, "HTXSNV")
    h.rating("P2", Y, "HTXSNV")  # Y-1 not rated at all
    assert failed_rules(h.check("P2", "BK_TINH", Y)) == ["consecutive_rating"]


def test_bk_tinh_exceptional_deed_needs_no_run(h: History) -> None:
    assert h.check("P1", "BK_TINH", Y, kind="adhoc").eligible


def test_bk_tinh_years_come_from_the_catalogue(h: History) -> None:
    h.ratings("P1", "HTXSNV", [Y - 1, Y])
    h.set_rule("BK_TINH", "consecutive_years", 3)
    assert failed_rules(h.check("P1", "BK_TINH", Y)) == ["consecutive_rating"]


def test_bk_tinh_for_a_unit(h: History) -> None:
    h.ratings("A", "HTXSNV", [Y - 1, Y])
    assert h.check("A", "BK_TINH", Y).eligible


# -- Bằng khen của Thủ tướng ---------------------------------------------------------------------
def bk_ttg_history(h: History, code: str = "P1", title: str = "CSTD_CS") -> None:
    """A BK cấp tỉnh in Y-5, then 5 good years with 3 times ``title``."""
    h.award(code, "BK_TINH", Y - 5)
    h.ratings(code, "HTTNV", range(Y - 4, Y + 1))
    h.awards(code, title, [Y - 4, Y - 2, Y])


def test_bk_ttg_passes_and_names_every_row(h: History) -> None:
    bk_ttg_history(h)
    v = h.check("P1", "BK_TTG", Y)
    assert v.eligible, v.to_dict()
    assert [r["year"] for r in reason(v, "prerequisite")["rows"]
            if r["table"] == "award_record"] == [Y - 5]
    assert len(row_ids(reason(v, "consecutive_rating"), "annual_rating")) == 5
    assert [r["year"] for r in reason(v, "window_title")["rows"]
            if r["table"] == "award_record"] == [Y - 4, Y - 2, Y]


def test_bk_ttg_provincial_bk_must_come_before_the_five_years(h: History) -> None:
    h.award("P1", "BK_TINH", Y - 2)  # inside the window: not "before, then 5 years"
    h.ratings("P1", "HTTNV", range(Y - 4, Y + 1))
    h.awards("P1", "CSTD_CS", [Y - 4, Y - 2, Y])
    assert failed_rules(h.check("P1", "BK_TTG", Y)) == ["prerequisite"]


def test_bk_ttg_thematic_provincial_bk_does_not_count(h: History) -> None:
    h.award("P1", "BK_TINH", Y - 6, kind="thematic")
    h.ratings("P1", "HTTNV", range(Y - 4, Y + 1))
    h.awards("P1", "CSTD_CS", [Y - 4, Y - 2, Y])
    assert failed_rules(h.check("P1", "BK_TTG", Y)) == ["prerequisite"]


def test_bk_ttg_rating_gap_and_too_few_cstd_cs(h: History) -> None:
    h.award("P1", "BK_TINH", Y - 5)
    h.ratings("P1", "HTTNV", [Y - 4, Y - 3, Y - 1, Y])
    h.rating("P1", Y - 2, "HTNV")
    h.awards("P1", "CSTD_CS", [Y - 4, Y])
    h.award("P1", "CSTD_CS", Y - 2, kind="thematic")
    v = h.check("P1", "BK_TTG", Y)
    assert failed_rules(v) == ["consecutive_rating", "window_title"]
    assert "2 lần" in reason(v, "window_title")["detail"]


def test_bk_ttg_for_a_unit_uses_the_collective_title(h: History) -> None:
    bk_ttg_history(h, "A", "TTLDXS")
    assert h.check("A", "BK_TTG", Y).eligible
    h.set_rule("BK_TTG", "collective_title_in_window_times", 4)
    v = h.check("A", "BK_TTG", Y)
    assert failed_rules(v) == ["window_title"]
    detail = reason(v, "window_title")["detail"]
    assert "chưa đạt — cần 4 lần, mới có 3 lần" in detail
