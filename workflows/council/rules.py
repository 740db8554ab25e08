"""The council's counting rules, pure (no database): quorum, thresholds, denominators.

Rules (DOMAIN.md "Council voting"; Law on Emulation and Commendation 2022, Decree
98/2023/NĐ-CP):

- **Quorum** (túc số): the meeting may vote only when members present are *more than*
  ``quorum_pct`` percent of the council's members (setting ``council_quorum_pct``,
  default 50: more than half).
- **Denominator** (mẫu số): the catalogue's ``vote_base`` of the title, with or without
  a threshold — all the council's members (``members``) or the members present
  (``present``) — less the members recused for that candidate (a recused member counts
  in neither). Abstentions and members present who did not vote stay in the
  denominator: they are not agree votes.
- **Threshold** (ngưỡng): a candidate passes when its agree votes *reach* the title's
  ``vote_threshold_pct`` of the denominator (``agree × 100 ≥ pct × denominator``; the
  law's "từ … % trở lên"), and at least one member agreed. A title without a threshold
  needs *more than half* of the denominator.
- **Ties**: with a threshold, a tie passes only if the agree votes reach it (at 50 %,
  3 agree of 6 pass); without a threshold, a tie (3 of 6) does not pass — more than half
  is needed. A denominator of 0 (everyone recused) never passes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_CEILING, Decimal

DEFAULT_QUORUM_PCT = Decimal(50)


def vote_base_of(catalogue_value: str | None) -> str:
    """The denominator a title's catalogue row asks for: ``present`` or ``members``.

    Honoured whether or not the title has a threshold; a title missing from the catalogue
    (or with an unknown value) counts against the council's members.
    """
    return "present" if catalogue_value == "present" else "members"


def has_quorum(present: int, members_total: int, quorum_pct: Decimal) -> bool:
    """Members present are more than ``quorum_pct`` % of the council's members."""
    return members_total > 0 and present * 100 > quorum_pct * members_total


def required_agree(threshold_pct: Decimal | float | int | None, base: int) -> int:
    """The agree votes a candidate needs out of ``base`` (at least 1).

    With a threshold: the smallest whole number reaching ``threshold_pct`` % of ``base``.
    Without: more than half of ``base``.
    """
    if threshold_pct is None:
        return base // 2 + 1
    needed = (Decimal(str(threshold_pct)) * base / 100).to_integral_value(rounding=ROUND_CEILING)
    return max(1, int(needed))


@dataclass(frozen=True)
class Outcome:
    """One candidate's tally against its rule."""

    agree: int
    disagree: int
    abstain: int
    recused: int
    denominator: int
    required: int
    passed: bool


def judge(agree: int, disagree: int, abstain: int, *, vote_base: str, members_total: int,
          present: int, recused_total: int, recused_present: int,
          threshold_pct: Decimal | float | int | None) -> Outcome:
    """Judge one candidate (see the module's rules).

    ``recused_total`` are the members recused for the candidate, ``recused_present``
    those of them present; the first leave a ``members`` denominator, the second a
    ``present`` one.
    """
    counted = (present - recused_present) if vote_base == "present" \
        else (members_total - recused_total)
    base = max(counted, 0)
    required = required_agree(threshold_pct, base)
    return Outcome(agree, disagree, abstain, recused_total, base, required,
                   base > 0 and agree >= required)


# A meeting date asks the manager to confirm when it is before today (recording a meeting
# already held, or a typing slip) or further ahead than this (usually a wrong year).
FAR_AHEAD_DAYS = 180


def meeting_date_notice(day: date, today: date) -> tuple[str, int] | None:
    """``("past", days ago)`` or ``("far", days ahead)`` when ``day`` needs confirming."""
    if day < today:
        return "past", (today - day).days
    if (day - today).days > FAR_AHEAD_DAYS:
        return "far", (day - today).days
    return None
