"""An annual title is given once a year: rule ``not_yet_awarded``.

A subject that already holds the same title (same award code) in the year, recorded as an
annual, non-revoked award, is not eligible for it again; the reason names the decision
number(s) and cites the rows. The rule is checked for kind "annual" only and per award code:
thematic and ad-hoc awards are for an achievement and may be given more than once a year.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from test_eligibility_kit import History, failed_rules, history_on, reason, row_ids

Y = 2024


@pytest.fixture
def h(db_url: str) -> Iterator[History]:
    with history_on(db_url) as history:
        history.unit("A")
        history.person("P1")
        history.rating("P1", Y, "HTTNV")
        yield history


def rules(h: History, subject: str, award: str, year: int = Y, **kwargs: str) -> list[str]:
    return [r.rule for r in h.check(subject, award, year, **kwargs).reasons]


def test_holding_ldtt_makes_the_same_year_ineligible_naming_the_decision(h: History) -> None:
    held = h.award("P1", "LDTT", Y)
    v = h.check("P1", "LDTT", Y)
    assert failed_rules(v) == ["not_yet_awarded"]
    assert [r.rule for r in v.reasons][:2] == ["subject_kind", "not_yet_awarded"]
    r = reason(v, "not_yet_awarded")
    assert held.decision_no in r["detail"] and str(Y) in r["detail"]
    assert "mỗi năm chỉ xét một lần" in r["detail"]
    assert row_ids(r, "award_record") == [held.id]
    assert {"table": "award_record", "id": held.id, "year": Y, "subject_code": "P1",
            "award_code": "LDTT", "kind": "annual",
            "decision_no": held.decision_no} in r["rows"]


def test_two_records_of_the_year_are_both_named(h: History) -> None:
    first, second = h.award("P1", "LDTT", Y), h.award("P1", "LDTT", Y)  # a double entry
    r = reason(h.check("P1", "LDTT", Y), "not_yet_awarded")
    assert r["ok"] is False
    assert first.decision_no in r["detail"] and second.decision_no in r["detail"]
    assert row_ids(r, "award_record") == [first.id, second.id]


def test_not_yet_awarded_passes_and_cites_nothing(h: History) -> None:
    v = h.check("P1", "LDTT", Y)
    assert v.eligible, v.to_dict()
    r = reason(v, "not_yet_awarded")
    assert r["ok"] and "chưa được công nhận" in r["detail"] and r["rows"] == []


def test_a_revoked_record_does_not_block(h: History) -> None:
    h.award("P1", "LDTT", Y, revoked=True)
    v = h.check("P1", "LDTT", Y)
    assert v.eligible, v.to_dict()
    assert reason(v, "not_yet_awarded")["ok"]


def test_other_years_and_other_titles_do_not_block(h: History) -> None:
    h.award("P1", "LDTT", Y - 1)
    h.award("P1", "GK", Y)  # annual Giấy khen of the same year: another award code
    v = h.check("P1", "LDTT", Y)
    assert v.eligible, v.to_dict()
    assert reason(v, "not_yet_awarded")["rows"] == []
    h.award("P1", "LDTT", Y)  # LĐTT of the year is what CSTĐ cơ sở needs, not a block
    h.initiative("P1", Y)
    for code in ("P2", "P3", "P4", "P5", "P6", "P7"):  # 15 % of 7 LĐTT: room for one CSTĐ
        h.person(code)
        h.award(code, "LDTT", Y)
    v = h.check("P1", "CSTD_CS", Y)
    assert v.eligible, v.to_dict()
    assert reason(v, "not_yet_awarded")["ok"]


@pytest.mark.parametrize("kind", ["thematic", "adhoc"])
def test_thematic_and_adhoc_evaluations_skip_the_rule(h: History, kind: str) -> None:
    h.award("P1", "GK", Y, kind)
    h.award("P1", "GK", Y)  # even an annual Giấy khen does not stop one for an achievement
    v = h.check("P1", "GK", Y, kind=kind)
    assert v.eligible, v.to_dict()
    assert "not_yet_awarded" not in [r.rule for r in v.reasons]


@pytest.mark.parametrize("kind", ["thematic", "adhoc"])
def test_a_thematic_or_adhoc_gk_does_not_block_the_annual_gk(h: History, kind: str) -> None:
    h.award("P1", "GK", Y, kind)
    v = h.check("P1", "GK", Y)
    assert v.eligible, v.to_dict()
    assert reason(v, "not_yet_awarded")["ok"]
    h.award("P1", "GK", Y)
    assert failed_rules(h.check("P1", "GK", Y)) == ["not_yet_awarded"]


def test_a_unit_holding_its_title_is_refused_too(h: History) -> None:
    h.rating("A", Y, "HTTNV")
    h.award("P1", "LDTT", Y)  # 1 of 1 member is LĐTT
    assert "not_yet_awarded" in rules(h, "A", "TTLDTT")
    assert h.check("A", "TTLDTT", Y).eligible
    held = h.award("A", "TTLDTT", Y)
    v = h.check("A", "TTLDTT", Y)
    assert failed_rules(v) == ["not_yet_awarded"]
    assert held.decision_no in reason(v, "not_yet_awarded")["detail"]


def test_wrong_subject_kind_stops_before_the_rule(h: History) -> None:
    h.award("A", "LDTT", Y)  # a wrong row in the registry: LĐTT is for people
    assert rules(h, "A", "LDTT") == ["subject_kind"]
