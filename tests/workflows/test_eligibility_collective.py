"""Eligibility of the collective titles: TTLĐTT, TTLĐXS and Cờ thi đua của UBND tỉnh.

Members of a unit are its active people; the share of LĐTT is counted on them.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest
from test_eligibility_kit import History, failed_rules, history_on, reason, row_ids

from workflows.models import Rating

Y = 2024


@pytest.fixture
def h(db_url: str) -> Iterator[History]:
    with history_on(db_url) as history:
        history.unit("A")
        yield history


def unit_with(h: History, members: int, ldtt: int, rating: str = "HTTNV",
              member_rating: str = "HTTNV") -> list[str]:
    """Unit A rated ``rating`` with ``members`` people, the first ``ldtt`` of them LĐTT."""
    h.rating("A", Y, rating)
    people = h.people("A", members, prefix="M")
    for i, code in enumerate(people):
        h.rating(code, Y, member_rating)
        if i < ldtt:
            h.award(code, "LDTT", Y)
    return people


# -- Tập thể lao động tiên tiến ------------------------------------------------------------------
def test_ttldtt_exactly_70_percent_passes_and_names_the_ldtt_rows(h: History) -> None:
    people = unit_with(h, members=10, ldtt=7)
    v = h.check("A", "TTLDTT", Y)
    assert v.eligible, v.to_dict()
    r = reason(v, "member_title_pct")
    assert "7/10" in r["detail"] and "70%" in r["detail"]
    holders = [row["subject_code"] for row in r["rows"] if row["table"] == "award_record"]
    assert holders == people[:7]


def test_ttldtt_just_under_70_percent_fails(h: History) -> None:
    unit_with(h, members=13, ldtt=9)  # 69.23 %
    v = h.check("A", "TTLDTT", Y)
    assert failed_rules(v) == ["member_title_pct"]
    assert "9/13" in reason(v, "member_title_pct")["detail"]


def test_ttldtt_counts_active_members_only_and_not_revoked_titles(h: History) -> None:
    unit_with(h, members=10, ldtt=7)
    h.person("GONE", "A", active=False)  # left the unit: not a member any more
    assert h.check("A", "TTLDTT", Y).eligible
    h.award(h.person("NEW", "A"), "LDTT", Y, revoked=True)  # 7/11, the revoked one not counted
    assert failed_rules(h.check("A", "TTLDTT", Y)) == ["member_title_pct"]


def test_ttldtt_thematic_ldtt_does_not_count(h: History) -> None:
    unit_with(h, members=10, ldtt=6)
    h.award("M10", "LDTT", Y, kind="thematic")
    assert failed_rules(h.check("A", "TTLDTT", Y)) == ["member_title_pct"]


def test_ttldtt_member_discipline_khien_trach_passes_canh_cao_fails(h: History) -> None:
    people = unit_with(h, members=10, ldtt=7)
    h.discipline(people[9], "khien_trach", date(Y, 3, 1), date(Y + 1, 3, 1))
    assert h.check("A", "TTLDTT", Y).eligible
    d = h.discipline(people[8], "canh_cao", date(Y, 5, 1))
    v = h.check("A", "TTLDTT", Y)
    assert failed_rules(v) == ["member_discipline"]
    r = reason(v, "member_discipline")
    assert d.id in row_ids(r, "discipline") and "cảnh cáo" in r["detail"]


def test_ttldtt_unit_rating_below_good_fails(h: History) -> None:
    unit_with(h, members=10, ldtt=10, rating="HTNV")
    v = h.check("A", "TTLDTT", Y)
    assert failed_rules(v) == ["rating"]
    assert {"table": "annual_rating", "year": Y, "subject_code": "A",
            "rating": "HTNV"} in reason(v, "rating")["rows"]


def test_ttldtt_percentage_comes_from_the_catalogue(h: History) -> None:
    unit_with(h, members=10, ldtt=7)
    h.set_rule("TTLDTT", "min_member_title_pct", 75)
    v = h.check("A", "TTLDTT", Y)
    assert failed_rules(v) == ["member_title_pct"]
    detail = reason(v, "member_title_pct")["detail"]
    assert "cần ít nhất 75% thành viên đạt" in detail


def test_ttldtt_for_a_person_is_a_failed_rule(h: History) -> None:
    h.person("P1")
    assert failed_rules(h.check("P1", "TTLDTT", Y)) == ["subject_kind"]


# -- Tập thể lao động xuất sắc ---------------------------------------------------------------------
def ttldxs_unit(h: History) -> list[str]:
    people = unit_with(h, members=10, ldtt=8, rating="HTXSNV", member_rating="HTNV")
    h.award(people[0], "CSTD_CS", Y)
    return people


def test_ttldxs_passes_with_every_condition(h: History) -> None:
    people = ttldxs_unit(h)
    v = h.check("A", "TTLDXS", Y)
    assert v.eligible, v.to_dict()
    holder = reason(v, "member_title_holder")
    assert [r["subject_code"] for r in holder["rows"] if r["table"] == "award_record"] == \
        [people[0]]
    assert len(row_ids(reason(v, "members_complete"), "annual_rating")) == 10


def test_ttldxs_needs_excellent_unit_rating(h: History) -> None:
    ttldxs_unit(h)
    rating = h.s.get(Rating, (Y, "A"))
    assert rating is not None
    rating.rating = "HTTNV"
    h.s.flush()
    assert failed_rules(h.check("A", "TTLDXS", Y)) == ["rating"]


@pytest.mark.parametrize("spoil", ["KHTNV", None])
def test_ttldxs_every_member_must_complete_tasks(h: History, spoil: str | None) -> None:
    ttldxs_unit(h)
    late = h.person("LATE", "A")
    h.award(late, "LDTT", Y)  # keeps the LĐTT share high
    if spoil:
        h.rating(late, Y, spoil)
    v = h.check("A", "TTLDXS", Y)
    assert failed_rules(v) == ["members_complete"]
    assert "LATE" in reason(v, "members_complete")["detail"]
    h.set_rule("TTLDXS", "all_members_complete", False)
    assert h.check("A", "TTLDXS", Y).eligible


def test_ttldxs_needs_a_cstd_cs_among_members(h: History) -> None:
    unit_with(h, members=10, ldtt=8, rating="HTXSNV")
    h.award("M01", "CSTD_CS", Y, kind="thematic")  # not an annual title: does not count
    h.award("M02", "CSTD_CS", Y, revoked=True)
    v = h.check("A", "TTLDXS", Y)
    assert failed_rules(v) == ["member_title_holder"]
    detail = reason(v, "member_title_holder")["detail"]
    assert "0 thành viên đạt Chiến sĩ thi đua cơ sở (CSTD_CS)" in detail


def test_ttldxs_share_and_discipline(h: History) -> None:
    unit_with(h, members=10, ldtt=6, rating="HTXSNV")
    h.award("M01", "CSTD_CS", Y)
    h.discipline("M02", "ha_bac", date(Y - 1, 1, 1), date(Y, 1, 31))
    assert failed_rules(h.check("A", "TTLDXS", Y)) == ["member_title_pct", "member_discipline"]


# -- Cờ thi đua của UBND tỉnh ----------------------------------------------------------------------
def test_co_tinh_excellent_rating_with_the_bloc_note_as_warning(h: History) -> None:
    h.rating("A", Y, "HTXSNV")
    v = h.check("A", "CO_TINH", Y)
    assert v.eligible
    bloc = reason(v, "bloc_ranking")
    assert bloc["ok"] and bloc["detail"].startswith("Cảnh báo:") and "UBND tỉnh" in bloc["detail"]
    assert "bloc_ranking" in [w["rule"] for w in v.to_dict()["warnings"]]


def test_co_tinh_fails_below_excellent(h: History) -> None:
    h.rating("A", Y, "HTTNV")
    assert failed_rules(h.check("A", "CO_TINH", Y)) == ["rating"]
