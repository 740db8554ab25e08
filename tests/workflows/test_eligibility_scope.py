"""Units and their sub-units: who may ask about whom, and who is a member of a unit.

A submitter may nominate the people and units of their unit's sub-units, so they may also
check their eligibility; a unit's members are the active people of the unit and of every
sub-unit below it.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest
from test_eligibility_kit import History, failed_rules, history_on, reason

from engine.errors import NotFound
from engine.roles import Actor
from workflows.eligibility import evaluate_for

Y = 2024


@pytest.fixture
def h(db_url: str) -> Iterator[History]:
    """Department D with teams D1 and D2 (D2 has team D21); unit O beside them."""
    with history_on(db_url) as history:
        history.unit("D", "Phòng D")
        history.unit("D1", "Tổ D1", parent="D")
        history.unit("D2", "Tổ D2", parent="D")
        history.unit("D21", "Nhóm D21", parent="D2")
        history.unit("O", "Phòng O")
        for code, unit in (("P_D", "D"), ("P_D1", "D1"), ("P_D21", "D21"), ("P_O", "O")):
            history.person(code, unit)
            history.rating(code, Y, "HTTNV")
        yield history


def submitter(unit: str | None) -> Actor:
    return Actor(7, f"sub_{unit}", frozenset({"submitter"}), unit)


def test_a_submitter_checks_the_people_and_units_below_their_unit(h: History) -> None:
    for code in ("P_D", "P_D1", "P_D21"):
        assert evaluate_for(h.s, submitter("D"), code, "LDTT", Y).eligible
    for code in ("D1", "D2", "D21"):
        assert evaluate_for(h.s, submitter("D"), code, "TTLDTT", Y).subject.code == code
    assert evaluate_for(h.s, submitter("D2"), "P_D21", "LDTT", Y).eligible


@pytest.mark.parametrize(("unit", "subject"), [
    ("D1", "P_D"), ("D1", "D"), ("D1", "P_D21"), ("D2", "P_D1"), ("D", "P_O"), ("D", "O"),
    (None, "P_D")])
def test_but_not_above_or_beside_it(h: History, unit: str | None, subject: str) -> None:
    with pytest.raises(NotFound) as exc:
        evaluate_for(h.s, submitter(unit), subject, "LDTT", Y)
    assert exc.value.code == "subject.not_found"


def test_office_wide_roles_check_everyone(h: History) -> None:
    council = Actor(8, "hd", frozenset({"council"}), None)
    assert evaluate_for(h.s, council, "P_O", "LDTT", Y).eligible


def test_a_parent_units_members_include_its_sub_units_people(h: History) -> None:
    h.rating("D", Y, "HTTNV")
    for code in ("P_D", "P_D1"):
        h.award(code, "LDTT", Y)  # D and D1 decided; D21 not yet: P_D21 inferred
    v = h.check("D", "TTLDTT", Y)
    assert v.eligible, v.to_dict()
    share = reason(v, "member_title_pct")
    assert "3/3" in share["detail"] and "suy ra đủ điều kiện: 1 (P_D21)" in share["detail"]
    h.rating(h.person("P_D2", "D2"), Y, "HTNV")  # a fourth member, in D2, not LĐTT: 75 %
    assert h.check("D", "TTLDTT", Y).eligible
    h.rating(h.person("P_D2b", "D2"), Y, "HTNV")  # 3/5 = 60 %
    assert failed_rules(h.check("D", "TTLDTT", Y)) == ["member_title_pct"]
    # the sub-unit alone counts only its own people and those below it
    assert "1/3" in reason(h.check("D2", "TTLDTT", Y), "member_title_pct")["detail"]


def test_discipline_in_a_sub_unit_counts_for_the_parent(h: History) -> None:
    h.rating("D", Y, "HTTNV")
    for code in ("P_D", "P_D1", "P_D21"):
        h.award(code, "LDTT", Y)
    h.discipline("P_D21", "canh_cao", date(Y, 3, 1))
    assert failed_rules(h.check("D", "TTLDTT", Y)) == ["member_discipline"]
