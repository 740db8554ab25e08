"""Facts for eligibility: named values computed from the history of one subject.

Each fact function returns a ``Fact`` (value, Vietnamese detail, cited rows); the
DMN tables in ``bpmn/dmn/`` compare facts with the catalogue's values by name.
``FACTS`` maps every fact name a table may use to its function.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from workflows.catalogue import Subject
from workflows.history import (
    DISCIPLINE_NAMES,
    DISCIPLINE_RANK,
    LEVEL_NAMES,
    RATING_NAMES,
    RATING_RANK,
    Row,
    award_row,
    consecutive_rating,
    consecutive_title,
    discipline_row,
    disciplines_in_year,
    initiative_row,
    initiatives_of,
    pending_cases,
    rating_of,
    rating_row,
    ratings_of,
    records_before,
    registration_of,
    registration_row,
    title_records,
    unit_people,
)
from workflows.models import Award, AwardType, Person


# -- facts: what the DMN tables read -------------------------------------------------------
@dataclass(frozen=True)

class Fact:
    """A value a decision table reads, with the rows it came from and a Vietnamese phrase.

    ``value`` is None when the catalogue does not set what the fact needs: a rule that
    reads such a fact does not apply.
    """

    value: Any
    rows: list[Row] = field(default_factory=list)
    text: str = ""


# The outcome of evaluating another title for the same subject and year:
# (eligible, details of the failed rules, rows used), or None on a cycle.
Inferred = tuple[bool, list[str], list[Row]]


@dataclass
class FactContext:
    """Who and what is being checked; ``infer`` evaluates another title (same subject, year)."""

    session: Session
    subject: Subject
    award: AwardType
    year: int
    kind: str
    infer: Callable[[str], Inferred | None]

    @property
    def collective(self) -> bool:
        return self.subject.kind == "collective"

    def rule(self, key: str) -> Any:
        """A configurable value of the title (``AwardType.rules``), or None."""
        return (self.award.rules or {}).get(key)

    def param_row(self, key: str, value: Any) -> Row:
        return {"table": "award_type", "code": self.award.code, "key": key, "value": value}

    def params(self, *keys: str) -> list[Row]:
        """Catalogue rows of the keys a fact read (those the catalogue sets)."""
        return [self.param_row(k, self.rule(k)) for k in keys if self.rule(k) is not None]

    def members(self) -> list[Person]:
        return unit_people(self.session, self.subject.unit_code)

    def window(self, years: int) -> range:
        return range(self.year - max(years, 1) + 1, self.year + 1)


def _dmy(d: date | None) -> str:
    return d.strftime("%d/%m/%Y") if d else "nay"


# -- the facts, by the name a decision table uses -------------------------------------------
KIND_NAMES = {"annual": "hằng năm", "thematic": "theo chuyên đề", "adhoc": "đột xuất"}
QUOTA_BASE_TITLE = "LDTT"  # quota_pct_of_ldtt is a share of the unit's Lao động tiên tiến


def _unset(key: str) -> Fact:
    return Fact(None, [], f"danh mục không đặt «{key}»")


def _years(items: Iterable[Any]) -> str:
    return ", ".join(str(y) for y in sorted({i.year for i in items})) or "không có"


def _span(years: range) -> str:
    return f"năm {years[-1]}" if len(years) == 1 else f"các năm {years[0]}–{years[-1]}"


def fact_rating(ctx: FactContext) -> Fact:
    r = rating_of(ctx.session, ctx.subject.code, ctx.year)
    if r is None:
        return Fact(0, [], f"chưa có xếp loại năm {ctx.year}")
    return Fact(RATING_RANK.get(r.rating, 0), [rating_row(r)],
                f"xếp loại năm {ctx.year}: {r.rating} ({RATING_NAMES.get(r.rating, r.rating)})")


def fact_pending_cases(ctx: FactContext) -> Fact:
    if ctx.collective:
        return Fact(0, [], "tập thể: không có vụ việc đang xem xét (sổ kỷ luật ghi theo cá nhân)")
    rows = pending_cases(ctx.session, [ctx.subject.code])
    if not rows:
        return Fact(0, [], "không có vụ việc kỷ luật, thanh tra, khiếu nại đang xem xét")
    listed = "; ".join(f"{DISCIPLINE_NAMES.get(d.form, d.form)} từ {_dmy(d.start_date)}"
                       for d in rows)
    return Fact(len(rows), [discipline_row(d) for d in rows], f"đang xem xét: {listed}")


def fact_discipline(ctx: FactContext) -> Fact:
    """Worst discipline in force in the year: the person's own, or the unit's members'."""
    codes = [p.code for p in ctx.members()] if ctx.collective else [ctx.subject.code]
    rows = disciplines_in_year(ctx.session, codes, ctx.year)
    if not rows:
        whose = "không có thành viên nào bị" if ctx.collective else "không bị"
        return Fact(0, [], f"{whose} kỷ luật trong năm {ctx.year}")
    listed = "; ".join(f"{d.person_code}: {DISCIPLINE_NAMES.get(d.form, d.form)} "
                       f"({_dmy(d.start_date)}–{_dmy(d.end_date)})" for d in rows)
    worst = max(DISCIPLINE_RANK.get(d.form, len(DISCIPLINE_RANK)) for d in rows)
    return Fact(worst, [discipline_row(d) for d in rows],
                f"kỷ luật có hiệu lực trong năm {ctx.year}: {listed}")


def fact_same_year_title(ctx: FactContext) -> Fact:
    """"recorded", "eligible" (not recorded yet, but the subject qualifies) or "missing"."""
    title = ctx.rule("needs_title_same_year")
    if not title:
        return _unset("needs_title_same_year")
    recs = title_records(ctx.session, [ctx.subject.code], title, [ctx.year])
    if recs:
        return Fact("recorded", [*ctx.params("needs_title_same_year"), *map(award_row, recs)],
                    f"đã ghi sổ {title} năm {ctx.year} (quyết định {recs[0].decision_no})")
    inferred = ctx.infer(title)
    if inferred is None:
        return Fact("missing", [], f"chưa ghi sổ {title} năm {ctx.year}; không suy ra được "
                                   "vì điều kiện vòng quanh")
    ok, failed, rows = inferred
    rows = [*ctx.params("needs_title_same_year"), *rows]
    if ok:
        return Fact("eligible", rows,
                    f"chưa ghi sổ {title} năm {ctx.year}; suy ra: đủ điều kiện {title}")
    return Fact("missing", rows, f"chưa ghi sổ {title} năm {ctx.year} và chưa đủ điều kiện "
                                 f"{title} ({'; '.join(failed)})")


def initiative_years(ctx: FactContext) -> int:
    """Years in which an initiative counts: the title's whole period of achievement."""
    if ctx.rule("initiative_window_years"):
        return int(ctx.rule("initiative_window_years"))
    if ctx.rule("consecutive_times"):
        return int(ctx.rule("consecutive_times")) * int(ctx.rule("period_years") or 1)
    return int(ctx.rule("consecutive_years") or 1)


def fact_initiatives(ctx: FactContext) -> Fact:
    levels = ctx.rule("initiative_levels")
    if not levels:
        return _unset("initiative_levels")
    years = ctx.window(initiative_years(ctx))
    rows = [] if ctx.collective else initiatives_of(ctx.session, ctx.subject.code, years, levels)
    level_text = ", ".join(LEVEL_NAMES.get(v, v) for v in levels)
    params = ctx.params("initiative_levels")
    if not rows:
        return Fact(0, params, f"không có sáng kiến cấp {level_text} được công nhận trong "
                               f"{_span(years)}")
    listed = "; ".join(f"«{i.title}» ({LEVEL_NAMES.get(i.level, i.level)}, {i.year})"
                       for i in rows)
    return Fact(len(rows), [*params, *map(initiative_row, rows)], f"sáng kiến: {listed}")


def _unit_records(ctx: FactContext, title: str) -> list[Award]:
    people = unit_people(ctx.session, ctx.subject.unit_code, active_only=False)
    return title_records(ctx.session, [p.code for p in people], title, [ctx.year])


def fact_quota_limit(ctx: FactContext) -> Fact:
    """How many of this title the unit may have: the quota share of its LĐTT count."""
    pct = ctx.rule("quota_pct_of_ldtt")
    if pct is None:
        return _unset("quota_pct_of_ldtt")
    base = _unit_records(ctx, QUOTA_BASE_TITLE)
    limit = float(pct) * len(base) / 100
    return Fact(limit, [ctx.param_row("quota_pct_of_ldtt", pct), *map(award_row, base)],
                f"chỉ tiêu {pct}% × {len(base)} Lao động tiên tiến năm {ctx.year} của đơn vị "
                f"{ctx.subject.unit_code} = {limit:g}")


def fact_quota_after(ctx: FactContext) -> Fact:
    """The unit's count of this title in the year, counting the subject."""
    held = [a for a in _unit_records(ctx, ctx.award.code) if a.subject_code != ctx.subject.code]
    return Fact(len(held) + 1, [award_row(a) for a in held],
                f"đơn vị đã có {len(held)} {ctx.award.code} năm {ctx.year}, "
                f"tính cả người được xét là {len(held) + 1}")


def fact_prerequisite_run(ctx: FactContext) -> Fact:
    """Consecutive years (or times, every ``period_years``) of the prerequisite title."""
    title = ctx.rule("prerequisite")
    if not title:
        return _unset("prerequisite")
    step = int(ctx.rule("period_years") or 1) if ctx.rule("consecutive_times") else 1
    run = consecutive_title(ctx.session, ctx.subject.code, title, ctx.year, step)
    unit = "lần" if step > 1 else "năm"
    return Fact(len(run), [*ctx.params("prerequisite", "period_years"), *map(award_row, run)],
                f"{title} liên tục đến năm {ctx.year}: {len(run)} {unit} ({_years(run)})")


def fact_prerequisite_before(ctx: FactContext) -> Fact:
    """The prerequisite title recorded before the window of ``consecutive_years``."""
    title = ctx.rule("prerequisite")
    if not title:
        return _unset("prerequisite")
    last = ctx.year - int(ctx.rule("consecutive_years") or 0)
    recs = records_before(ctx.session, ctx.subject.code, title, last)
    return Fact(len(recs), [*ctx.params("prerequisite"), *map(award_row, recs)],
                f"{title} đến năm {last}: {len(recs)} lần ({_years(recs)})")


def fact_rating_run(ctx: FactContext) -> Fact:
    floor = ctx.rule("consecutive_rating")
    if not floor:
        return _unset("consecutive_rating")
    run = consecutive_rating(ctx.session, ctx.subject.code, floor, ctx.year)
    return Fact(len(run), [*ctx.params("consecutive_rating"), *map(rating_row, run)],
                f"xếp loại từ {floor} trở lên liên tục đến năm {ctx.year}: {len(run)} năm "
                f"({_years(run)})")


def fact_window_titles(ctx: FactContext) -> Fact:
    """Years with the window title within the last ``consecutive_years`` years."""
    key = "collective_title_in_window" if ctx.collective else "title_in_window"
    title = ctx.rule(key)
    if not title:
        return _unset(key)
    years = ctx.window(int(ctx.rule("consecutive_years") or 1))
    recs = title_records(ctx.session, [ctx.subject.code], title, years)
    count = len({a.year for a in recs})
    return Fact(count, [*ctx.params(key), *map(award_row, recs)],
                f"{title} trong {_span(years)}: {count} lần ({_years(recs)})")


def fact_member_title_pct(ctx: FactContext) -> Fact:
    title = ctx.rule("member_title")
    if not title:
        return _unset("member_title")
    members = ctx.members()
    recs = title_records(ctx.session, [p.code for p in members], title, [ctx.year])
    holders = {a.subject_code for a in recs}
    pct = round(100 * len(holders) / len(members), 4) if members else 0.0
    return Fact(pct, [*ctx.params("member_title"), *map(award_row, recs)],
                f"{len(holders)}/{len(members)} thành viên đạt {title} năm {ctx.year} = {pct:g}%")


def fact_members_complete(ctx: FactContext) -> Fact:
    members = ctx.members()
    ratings = ratings_of(ctx.session, [p.code for p in members], ctx.year)
    floor = RATING_RANK["HTNV"]
    short = [p.code for p in members
             if p.code not in ratings or RATING_RANK.get(ratings[p.code].rating, 0) < floor]
    rows = [rating_row(r) for r in ratings.values()]
    if not members:
        return Fact(False, [], "đơn vị không có thành viên")
    if short:
        return Fact(False, rows, f"chưa hoàn thành nhiệm vụ hoặc chưa xếp loại năm {ctx.year}: "
                                 f"{', '.join(short)}")
    return Fact(True, rows, f"cả {len(members)} thành viên hoàn thành nhiệm vụ trở lên "
                            f"năm {ctx.year}")


def fact_member_title_holders(ctx: FactContext) -> Fact:
    title = ctx.rule("needs_member_title")
    if not title:
        return _unset("needs_member_title")
    recs = title_records(ctx.session, [p.code for p in ctx.members()], title, [ctx.year])
    holders = sorted({a.subject_code for a in recs})
    return Fact(len(holders), [*ctx.params("needs_member_title"), *map(award_row, recs)],
                f"{len(holders)} thành viên đạt {title} năm {ctx.year}"
                + (f" ({', '.join(holders)})" if holders else ""))


def fact_registered(ctx: FactContext) -> Fact:
    reg = registration_of(ctx.session, ctx.subject.code, ctx.award.code, ctx.year)
    if reg is None:
        return Fact(False, [], f"chưa đăng ký thi đua {ctx.award.code} năm {ctx.year}")
    return Fact(True, [registration_row(reg)],
                f"đã đăng ký thi đua {ctx.award.code} năm {ctx.year}")


FACTS: dict[str, Callable[[FactContext], Fact]] = {
    "is_collective": lambda ctx: Fact(ctx.collective),
    "award_kind": lambda ctx: Fact(ctx.kind, [],
                                   f"khen thưởng {KIND_NAMES.get(ctx.kind, ctx.kind)}"),
    "rating_rank": fact_rating,
    "pending_cases": fact_pending_cases,
    "discipline_rank": fact_discipline,
    "same_year_title": fact_same_year_title,
    "initiative_count": fact_initiatives,
    "quota_limit": fact_quota_limit,
    "quota_after": fact_quota_after,
    "prerequisite_run": fact_prerequisite_run,
    "prerequisite_before": fact_prerequisite_before,
    "rating_run": fact_rating_run,
    "window_title_count": fact_window_titles,
    "member_title_pct": fact_member_title_pct,
    "members_complete": fact_members_complete,
    "member_title_holders": fact_member_title_holders,
    "registered": fact_registered,
}
