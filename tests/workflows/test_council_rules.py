"""workflows.council.rules: quorum, thresholds, denominators, abstentions and ties (pure)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from workflows.council.rules import has_quorum, judge, meeting_date_notice, required_agree


@pytest.mark.parametrize(("present", "total", "pct", "ok"), [
    (5, 9, 50, True),    # 5 of 9 is more than half
    (4, 9, 50, False),
    (4, 8, 50, False),   # exactly half is not more than half
    (5, 8, 50, True),
    (6, 9, 66.67, False),  # a stricter rule from the settings
    (7, 9, 66.67, True),
    (0, 0, 50, False),   # no council, no quorum
])
def test_quorum_is_more_than_the_share_of_members(present: int, total: int, pct: float,
                                                   ok: bool) -> None:
    assert has_quorum(present, total, Decimal(str(pct))) is ok


@pytest.mark.parametrize(("pct", "base", "needed"), [
    (50, 9, 5), (50, 8, 4), (90, 10, 9), (90, 9, 9), (66.67, 9, 7), (100, 7, 7),
    (None, 8, 5), (None, 7, 4), (None, 1, 1), (50, 0, 1),
])
def test_required_agree_votes(pct: float | None, base: int, needed: int) -> None:
    assert required_agree(None if pct is None else Decimal(str(pct)), base) == needed


def outcome(agree: int, disagree: int = 0, abstain: int = 0, *, base: str = "members",
            total: int = 9, present: int = 9, recused: int = 0, recused_present: int = 0,
            pct: float | None = 50):
    return judge(agree, disagree, abstain, vote_base=base, members_total=total,
                 present=present, recused_total=recused, recused_present=recused_present,
                 threshold_pct=None if pct is None else Decimal(str(pct)))


def test_the_exact_threshold_passes_one_vote_less_does_not() -> None:
    assert outcome(9, total=10, present=10, pct=90).passed  # 90 % of 10 exactly
    assert not outcome(8, 2, total=10, present=10, pct=90).passed
    assert outcome(5, 4, total=10, present=10, pct=50).passed  # 5 of 10 = 50 %: reached


def test_recusal_leaves_the_denominator() -> None:
    # 90 % of 10 members needs 9; with one member recused, 90 % of 9 needs 9 too (8.1 → 9) …
    assert outcome(8, 1, total=10, present=10, recused=1, recused_present=1, pct=90) \
        .denominator == 9
    # … and at 80 %, 8 of 10 would pass anyway; the recusal makes 7 of 9 short (77.8 %),
    # while 8 of 9 pass.
    assert not outcome(7, 1, total=10, present=10, recused=1, recused_present=1,
                       pct=80).passed
    lone = outcome(4, 1, total=6, present=6, recused=1, recused_present=1, pct=80)
    assert (lone.denominator, lone.required, lone.passed) == (5, 4, True)
    assert not outcome(4, 1, total=6, present=6, pct=80).passed  # without the recusal: 4/6


def test_recusal_of_an_absent_member_counts_only_against_members() -> None:
    by_members = outcome(4, 1, base="members", total=9, present=6, recused=1,
                         recused_present=0, pct=50)
    by_present = outcome(4, 1, base="present", total=9, present=6, recused=1,
                         recused_present=0, pct=50)
    assert (by_members.denominator, by_present.denominator) == (8, 6)


def test_abstentions_count_in_the_denominator_not_as_agree() -> None:
    o = outcome(4, 0, 5, base="present", total=9, present=9, pct=50)
    assert (o.denominator, o.required, o.passed) == (9, 5, False)
    assert outcome(5, 0, 4, base="present", total=9, present=9, pct=50).passed


def test_ties() -> None:
    # With a threshold of 50 %, a tie reaches it; without a threshold, more than half needed.
    assert outcome(3, 3, base="present", total=9, present=6, pct=50).passed
    tie = outcome(3, 3, base="present", total=9, present=6, pct=None)
    assert (tie.required, tie.passed) == (4, False)


def test_nobody_left_to_vote_never_passes() -> None:
    o = outcome(0, base="present", total=3, present=2, recused=2, recused_present=2, pct=None)
    assert (o.denominator, o.passed) == (0, False)


@pytest.mark.parametrize(("day", "notice"), [
    (date(2026, 12, 6), None),              # today
    (date(2027, 6, 4), None),               # 180 days ahead, the limit
    (date(2026, 12, 5), ("past", 1)),
    (date(2027, 6, 5), ("far", 181)),
    (date(2027, 12, 15), ("far", 374)),     # the year typed wrong
])
def test_a_meeting_date_in_the_past_or_far_ahead_is_to_be_confirmed(
        day: date, notice: tuple[str, int] | None) -> None:
    assert meeting_date_notice(day, date(2026, 12, 6)) == notice
