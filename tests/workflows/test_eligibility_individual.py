"""Eligibility of the individual titles: LĐTT, CSTĐ cơ sở, CSTĐ cấp tỉnh, CSTĐ toàn quốc.

Each test writes the history it needs with the ORM and reads the verdict's reasons.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest
from sqlalchemy import select
from test_eligibility_kit import History, failed_rules, history_on, reason, row_ids

from workflows.models import Award

Y = 2024


@pytest.fixture
def h(db_url: str) -> Iterator[History]:
    with history_on(db_url) as history:
        history.unit("A")
        yield history


# -- Lao động tiên tiến ------------------------------------------------------------------------
def test_ldtt_passes_with_a_good_rating_and_names_the_rating_row(h: History) -> None:
    h.person("P1")
    h.rating("P1", Y, "HTTNV")
    v = h.check("P1", "LDTT", Y)
    assert v.eligible, v.to_dict()
    r = reason(v, "rating")
    assert r["ok"] and "HTTNV" in r["detail"]
    assert {"table": "annual_rating", "year": Y, "subject_code": "P1",
            "rating": "HTTNV"} in r["rows"]
    assert {"table": "award_type", "code": "LDTT", "key": "min_rating",
            "value": "HTTNV"} in r["rows"]
    assert [x["rule"] for x in v.to_dict()["reasons"]] == [
        "subject_kind", "not_yet_awarded", "rating", "no_discipline", "no_pending_case",
        "registration"]


@pytest.mark.parametrize("rating", ["HTNV", "KHTNV", None])
def test_ldtt_fails_below_completing_tasks_well(h: History, rating: str | None) -> None:
    h.person("P1")
    if rating:
        h.rating("P1", Y, rating)
    v = h.check("P1", "LDTT", Y)
    assert failed_rules(v) == ["rating"]
    assert ("chưa có xếp loại" if rating is None else rating) in reason(v, "rating")["detail"]


def test_ldtt_fails_with_discipline_in_force_during_the_year(h: History) -> None:
    h.person("P1")
    h.rating("P1", Y, "HTXSNV")
    d = h.discipline("P1", "khien_trach", date(Y - 1, 6, 1), date(Y, 5, 31))
    v = h.check("P1", "LDTT", Y)
    assert failed_rules(v) == ["no_discipline"]
    r = reason(v, "no_discipline")
    assert row_ids(r, "discipline") == [d.id] and "khiển trách" in r["detail"]


def test_ldtt_discipline_ended_the_year_before_does_not_count(h: History) -> None:
    h.person("P1")
    h.rating("P1", Y, "HTTNV")
    h.discipline("P1", "canh_cao", date(Y - 2, 6, 1), date(Y - 1, 12, 31))
    assert h.check("P1", "LDTT", Y).eligible


def test_ldtt_catalogue_threshold_change_changes_the_verdict(h: History) -> None:
    h.person("P1")
    h.rating("P1", Y, "HTTNV")
    assert h.check("P1", "LDTT", Y).eligible
    h.set_rule("LDTT", "min_rating", "HTXSNV")  # data only: no code, no DMN touched
    v = h.check("P1", "LDTT", Y)
    assert failed_rules(v) == ["rating"]
    detail = reason(v, "rating")["detail"]
    assert "chưa đạt — cần xếp loại từ Hoàn thành xuất sắc nhiệm vụ (HTXSNV) trở lên" in detail


def test_ldtt_for_a_unit_is_a_failed_rule_not_an_error(h: History) -> None:
    v = h.check("A", "LDTT", Y)
    assert not v.eligible and failed_rules(v) == ["subject_kind"]
    assert len(v.reasons) == 1 and "cá nhân" in v.reasons[0].detail


# -- Chiến sĩ thi đua cơ sở ------------------------------------------------------------------
def cstd_cs_unit(h: History, ldtt: int = 7) -> list[str]:
    """Unit A with ``ldtt`` LĐTT in Y (quota 15 % → at least one CSTĐ from 7 LĐTT)."""
    people = h.people("A", ldtt, prefix="M")
    for code in people:
        h.award(code, "LDTT", Y)
    return people


def test_cstd_cs_passes_with_recorded_ldtt_and_an_initiative(h: History) -> None:
    p = cstd_cs_unit(h)[0]
    ldtt = h.s.scalars(select(Award).where(Award.subject_code == p,
                                           Award.award_code == "LDTT")).one()
    ini = h.initiative(p, Y, "co_so")
    v = h.check(p, "CSTD_CS", Y)
    assert v.eligible, v.to_dict()
    same = reason(v, "same_year_title")
    assert "đã ghi sổ Lao động tiên tiến (LDTT)" in same["detail"]
    assert row_ids(same, "award_record") == [ldtt.id]
    assert row_ids(reason(v, "initiative"), "initiative") == [ini.id]
    quota = reason(v, "quota")
    assert quota["ok"] and "15% × 7" in quota["detail"]


def test_cstd_cs_infers_ldtt_when_not_recorded_yet(h: History) -> None:
    cstd_cs_unit(h)
    h.person("P1")
    h.rating("P1", Y, "HTTNV")
    h.initiative("P1", Y)
    v = h.check("P1", "CSTD_CS", Y)
    assert v.eligible, v.to_dict()
    same = reason(v, "same_year_title")
    assert "chưa ghi sổ Lao động tiên tiến (LDTT)" in same["detail"]
    assert "suy ra: đủ điều kiện" in same["detail"]
    assert {"table": "annual_rating", "year": Y, "subject_code": "P1",
            "rating": "HTTNV"} in same["rows"]


def test_cstd_cs_fails_when_ldtt_neither_recorded_nor_eligible(h: History) -> None:
    cstd_cs_unit(h)
    h.person("P1")
    h.rating("P1", Y, "HTNV")
    h.initiative("P1", Y)
    v = h.check("P1", "CSTD_CS", Y)
    assert failed_rules(v) == ["same_year_title"]
    assert "chưa đủ điều kiện Lao động tiên tiến" in reason(v, "same_year_title")["detail"]


def test_cstd_cs_revoked_ldtt_does_not_count_as_recorded(h: History) -> None:
    cstd_cs_unit(h)
    h.person("P1")
    h.award("P1", "LDTT", Y, revoked=True)
    h.rating("P1", Y, "HTNV")
    h.initiative("P1", Y)
    v = h.check("P1", "CSTD_CS", Y)
    assert failed_rules(v) == ["same_year_title"]
    assert "chưa ghi sổ" in reason(v, "same_year_title")["detail"]


def test_cstd_cs_excellent_rating_alone_is_not_enough(h: History) -> None:
    p = cstd_cs_unit(h)[0]
    h.rating(p, Y, "HTXSNV")
    h.initiative(p, Y - 1, "tinh")  # last year's initiative does not count for this year
    v = h.check(p, "CSTD_CS", Y)
    assert failed_rules(v) == ["initiative"]
    assert row_ids(reason(v, "initiative"), "initiative") == []


def test_cstd_cs_quota_counts_the_units_existing_cstd_cs(h: History) -> None:
    people = cstd_cs_unit(h, ldtt=7)  # 15 % × 7 = 1.05: one CSTĐ cơ sở at most
    first = h.award(people[0], "CSTD_CS", Y)
    h.initiative(people[1], Y)
    v = h.check(people[1], "CSTD_CS", Y)  # a colleague who does not hold CSTĐ cơ sở yet
    assert failed_rules(v) == ["quota"]
    quota = reason(v, "quota")
    assert first.id in row_ids(quota, "award_record")
    assert "đã có 1 Chiến sĩ thi đua cơ sở" in quota["detail"]
    h.set_rule("CSTD_CS", "quota_pct_of_ldtt", 30)  # 30 % × 7 = 2.1: room for the colleague
    v = h.check(people[1], "CSTD_CS", Y)
    assert v.eligible, v.to_dict()
    quota = reason(v, "quota")
    assert first.id in row_ids(quota, "award_record") and "là 2" in quota["detail"]
    # the holder itself is not counted twice (it is refused only as already awarded)
    h.set_rule("CSTD_CS", "quota_pct_of_ldtt", 15)
    h.initiative(people[0], Y)
    v = h.check(people[0], "CSTD_CS", Y)
    assert failed_rules(v) == ["not_yet_awarded"]
    quota = reason(v, "quota")
    assert quota["ok"] and "đã có 0 Chiến sĩ thi đua cơ sở" in quota["detail"], quota


def test_cstd_cs_quota_too_few_ldtt_in_the_unit(h: History) -> None:
    people = cstd_cs_unit(h, ldtt=6)  # 15 % × 6 = 0.9 < 1
    h.initiative(people[0], Y)
    assert failed_rules(h.check(people[0], "CSTD_CS", Y)) == ["quota"]
    h.set_rule("CSTD_CS", "quota_pct_of_ldtt", 20)  # 20 % × 6 = 1.2
    assert h.check(people[0], "CSTD_CS", Y).eligible


# -- Chiến sĩ thi đua cấp tỉnh -------------------------------------------------------------------
def test_cstd_tinh_three_consecutive_cstd_cs_and_a_provincial_initiative(h: History) -> None:
    h.person("P1")
    run = h.awards("P1", "CSTD_CS", [Y - 2, Y - 1, Y])
    ini = h.initiative("P1", Y - 1, "tinh")
    v = h.check("P1", "CSTD_TINH", Y)
    assert v.eligible, v.to_dict()
    assert row_ids(reason(v, "prerequisite"), "award_record") == [a.id for a in run]
    assert row_ids(reason(v, "initiative"), "initiative") == [ini.id]


def test_cstd_tinh_gap_breaks_the_run(h: History) -> None:
    h.person("P1")
    h.awards("P1", "CSTD_CS", [Y - 3, Y - 2, Y])  # Y-1 missing
    h.initiative("P1", Y, "tinh")
    v = h.check("P1", "CSTD_TINH", Y)
    assert failed_rules(v) == ["prerequisite"]
    assert "1 năm" in reason(v, "prerequisite")["detail"]


@pytest.mark.parametrize("spoiler", ["thematic", "adhoc", "revoked"])
def test_cstd_tinh_thematic_adhoc_or_revoked_years_do_not_count(h: History,
                                                                spoiler: str) -> None:
    h.person("P1")
    h.award("P1", "CSTD_CS", Y - 2)
    if spoiler == "revoked":
        h.award("P1", "CSTD_CS", Y - 1, revoked=True)
    else:
        h.award("P1", "CSTD_CS", Y - 1, kind=spoiler)
    h.award("P1", "CSTD_CS", Y)
    h.initiative("P1", Y, "toan_quoc")
    assert failed_rules(h.check("P1", "CSTD_TINH", Y)) == ["prerequisite"]


def test_cstd_tinh_base_level_initiative_is_not_enough(h: History) -> None:
    h.person("P1")
    h.awards("P1", "CSTD_CS", range(Y - 2, Y + 1))
    h.initiative("P1", Y, "co_so")
    assert failed_rules(h.check("P1", "CSTD_TINH", Y)) == ["initiative"]


def test_cstd_tinh_years_come_from_the_catalogue(h: History) -> None:
    h.person("P1")
    h.awards("P1", "CSTD_CS", [Y - 1, Y])
    h.initiative("P1", Y, "tinh")
    assert failed_rules(h.check("P1", "CSTD_TINH", Y)) == ["prerequisite"]
    h.set_rule("CSTD_TINH", "consecutive_years", 2)
    assert h.check("P1", "CSTD_TINH", Y).eligible


# -- Chiến sĩ thi đua toàn quốc ------------------------------------------------------------------
def test_cstd_tq_two_consecutive_provincial_times(h: History) -> None:
    h.person("P1")
    times = h.awards("P1", "CSTD_TINH", [Y - 3, Y])
    h.initiative("P1", Y - 2, "toan_quoc")
    v = h.check("P1", "CSTD_TQ", Y)
    assert v.eligible, v.to_dict()
    assert row_ids(reason(v, "prerequisite"), "award_record") == [a.id for a in times]


def test_cstd_tq_fails_with_a_gap_between_times_or_a_provincial_initiative(h: History) -> None:
    h.person("P1")
    h.awards("P1", "CSTD_TINH", [Y - 4, Y])  # one period skipped
    h.initiative("P1", Y, "tinh")
    assert failed_rules(h.check("P1", "CSTD_TQ", Y)) == ["prerequisite", "initiative"]
