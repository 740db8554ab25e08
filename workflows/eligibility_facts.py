"""Facts for eligibility: named values computed from the history of one subject.

Each fact function returns a ``Fact`` (value, Vietnamese detail, cited rows); the
DMN tables in ``bpmn/dmn/`` compare facts with the catalogue's values by name.
``FACTS`` maps the names of the facts about the subject's own history to their functions;
the facts about a unit's members and about quotas are in ``workflows.eligibility_members``
(``workflows.eligibility.FACTS`` has every name a table may use).

A run of consecutive years (or times) for a title starts after the subject's last annual,
non-revoked record of that same title: the years an award used are not used again (one
deed earns one award), and the detail names that record.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from workflows.catalogue import Subject
from workflows.eligibility_catalogue import award_name, label
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
    last_record,
    pending_cases,
    people_in,
    rating_of,
    rating_row,
    records_before,
    registration_of,
    registration_row,
    title_records,
)
from workflows.models import Award, AwardType, Person
from workflows.nominations import unit_scope


# -- facts: what the DMN tables read -------------------------------------------------------
@dataclass(frozen=True)
class Fact:
    """A value a decision table reads, with the rows it came from and a Vietnamese phrase.

    ``value`` is None when the catalogue does not set what the fact needs (``missing``
    names the keys): a rule that reads such a fact is skipped if the table declares it
    optional, otherwise the catalogue is refused as misconfigured.
    """

    value: Any
    rows: list[Row] = field(default_factory=list)
    text: str = ""
    missing: tuple[str, ...] = ()
    # A catalogue value's own words («Chiến sĩ thi đua cơ sở (CSTD_CS)»): a requirement
    # that only repeats what a finding already names is not said twice.
    said: str = ""


# The outcome of evaluating another title for a subject in the same year:
# (eligible, details of the failed rules, rows used), or None on a cycle.
Inferred = tuple[bool, list[str], list[Row]]


@dataclass
class FactContext:
    """Who and what is being checked.

    ``infer(title, code)`` evaluates another title in the same year, for the subject
    (``code`` None) or for another person (a member).
    """

    session: Session
    subject: Subject
    award: AwardType
    year: int
    kind: str
    infer: Callable[[str, str | None], Inferred | None]
    memo: dict[str, Any] = field(default_factory=dict)

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

    def name(self, code: str) -> str:
        """A title's catalogue name with its code: «Lao động tiên tiến (LDTT)»."""
        return f"{award_name(self.session, code)} ({code})"

    def members(self) -> list[Person]:
        """Active people of the unit and of its sub-units."""
        if "members" not in self.memo:
            units = unit_scope(self.session, self.subject.unit_code)
            self.memo["members"] = people_in(self.session, units)
        return self.memo["members"]

    def window(self, years: int) -> range:
        return range(self.year - max(years, 1) + 1, self.year + 1)

    def since(self) -> Award | None:
        """The subject's last annual record of this title before the year (its years are used)."""
        if "since" not in self.memo:
            self.memo["since"] = last_record(self.session, self.subject.code, self.award.code,
                                             self.year)
        return self.memo["since"]

    def since_note(self) -> tuple[str, list[Row]]:
        last = self.since()
        if last is None:
            return "", []
        return (f"; chỉ tính từ năm {last.year + 1}: đã được {self.award.name} năm {last.year} "
                f"(quyết định {last.decision_no}), các năm trước đó đã dùng"), [award_row(last)]


def _dmy(d: date | None) -> str:
    return d.strftime("%d/%m/%Y") if d else "nay"


def unset(key: str) -> Fact:
    return Fact(None, [], f"danh mục chưa đặt {label(key)} ({key})", (key,))


def years_text(items: Iterable[Any]) -> str:
    return ", ".join(str(y) for y in sorted({i.year for i in items})) or "không có"


def _span(years: range) -> str:
    if not years:
        return "thời gian xét (không còn năm nào chưa dùng)"
    return f"năm {years[-1]}" if len(years) == 1 else f"các năm {years[0]}–{years[-1]}"


def _rating(code: str) -> str:
    return f"{RATING_NAMES.get(code, code)} ({code})"


# -- the facts, by the name a decision table uses -------------------------------------------
def fact_rating(ctx: FactContext) -> Fact:
    r = rating_of(ctx.session, ctx.subject.code, ctx.year)
    if r is None:
        return Fact(0, [], f"chưa có xếp loại năm {ctx.year}")
    return Fact(RATING_RANK.get(r.rating, 0), [rating_row(r)],
                f"xếp loại năm {ctx.year}: {_rating(r.rating)}")


def fact_pending_cases(ctx: FactContext) -> Fact:
    if ctx.collective:
        return Fact(0, [], "tập thể: không có vụ việc đang xem xét (sổ kỷ luật ghi theo cá nhân)")
    rows = pending_cases(ctx.session, [ctx.subject.code])
    if not rows:
        return Fact(0, [], "không có vụ việc kỷ luật, thanh tra, khiếu nại đang xem xét")
    listed = "; ".join(f"{DISCIPLINE_NAMES.get(d.form, d.form)}, từ {_dmy(d.start_date)}"
                       for d in rows)
    return Fact(len(rows), [discipline_row(d) for d in rows],
                f"đang bị xem xét kỷ luật ({listed})")


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
        return unset("needs_title_same_year")
    name = ctx.name(title)
    recs = title_records(ctx.session, [ctx.subject.code], title, [ctx.year])
    if recs:
        return Fact("recorded", [*ctx.params("needs_title_same_year"), *map(award_row, recs)],
                    f"đã ghi sổ {name} năm {ctx.year} (quyết định {recs[0].decision_no})")
    inferred = ctx.infer(title, None)
    if inferred is None:
        return Fact("missing", [], f"chưa ghi sổ {name} năm {ctx.year}; không suy ra được "
                                   "vì điều kiện vòng quanh")
    ok, failed, rows = inferred
    rows = [*ctx.params("needs_title_same_year"), *rows]
    if ok:
        return Fact("eligible", rows,
                    f"chưa ghi sổ {name} năm {ctx.year}; suy ra: đủ điều kiện {name}")
    return Fact("missing", rows, f"chưa ghi sổ {name} năm {ctx.year} và chưa đủ điều kiện "
                                 f"{name} ({'; '.join(failed)})")


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
        return unset("initiative_levels")
    years = ctx.window(initiative_years(ctx))
    rows = [] if ctx.collective else initiatives_of(ctx.session, ctx.subject.code, years, levels)
    params = ctx.params("initiative_levels")
    if not rows:  # LEVEL_NAMES say «cấp tỉnh»: «sáng kiến cấp cơ sở, tỉnh», never «cấp cấp»
        levels_text = ", ".join(LEVEL_NAMES.get(v, v).removeprefix("cấp ") for v in levels)
        return Fact(0, params, f"không có sáng kiến cấp {levels_text} nào được công nhận "
                               f"trong {_span(years)}")
    listed = "; ".join(f"«{i.title}» ({LEVEL_NAMES.get(i.level, i.level)}, {i.year})"
                       for i in rows)
    return Fact(len(rows), [*params, *map(initiative_row, rows)], f"sáng kiến: {listed}")


def fact_prerequisite_run(ctx: FactContext) -> Fact:
    """Consecutive years (or times, every ``period_years``) of the prerequisite title."""
    title = ctx.rule("prerequisite")
    if not title:
        return unset("prerequisite")
    step = int(ctx.rule("period_years") or 1) if ctx.rule("consecutive_times") else 1
    last = ctx.since()
    run = consecutive_title(ctx.session, ctx.subject.code, title, ctx.year, step,
                            after=last.year if last else None)
    unit = "lần" if step > 1 else "năm"
    note, used = ctx.since_note()
    return Fact(len(run), [*ctx.params("prerequisite", "period_years"), *used,
                           *map(award_row, run)],
                f"có {len(run)} {unit} liên tục đạt {ctx.name(title)} đến năm {ctx.year} "
                f"({years_text(run)}){note}")


def fact_prerequisite_before(ctx: FactContext) -> Fact:
    """The prerequisite title recorded before the window of ``consecutive_years``."""
    title = ctx.rule("prerequisite")
    if not title:
        return unset("prerequisite")
    last = ctx.year - int(ctx.rule("consecutive_years") or 0)
    recs = records_before(ctx.session, ctx.subject.code, title, last)
    return Fact(len(recs), [*ctx.params("prerequisite"), *map(award_row, recs)],
                f"có {len(recs)} lần đạt {ctx.name(title)} đến năm {last} ({years_text(recs)})")


def fact_rating_run(ctx: FactContext) -> Fact:
    floor = ctx.rule("consecutive_rating")
    if not floor:
        return unset("consecutive_rating")
    last = ctx.since()
    run = consecutive_rating(ctx.session, ctx.subject.code, floor, ctx.year,
                             after=last.year if last else None)
    note, used = ctx.since_note()
    return Fact(len(run), [*ctx.params("consecutive_rating"), *used, *map(rating_row, run)],
                f"có {len(run)} năm liên tục xếp loại từ {_rating(floor)} trở lên đến năm "
                f"{ctx.year} ({years_text(run)}){note}")


def fact_window_titles(ctx: FactContext) -> Fact:
    """Years with the window title within the last ``consecutive_years`` (not yet used)."""
    key = "collective_title_in_window" if ctx.collective else "title_in_window"
    title = ctx.rule(key)
    if not title:
        return unset(key)
    years = ctx.window(int(ctx.rule("consecutive_years") or 1))
    last = ctx.since()
    if last is not None:
        years = range(max(years.start, last.year + 1), years.stop)
    recs = title_records(ctx.session, [ctx.subject.code], title, years)
    count = len({a.year for a in recs})
    note, used = ctx.since_note()
    return Fact(count, [*ctx.params(key), *used, *map(award_row, recs)],
                f"có {count} lần đạt {ctx.name(title)} trong {_span(years)} "
                f"({years_text(recs)}){note}")


def fact_registered(ctx: FactContext) -> Fact:
    reg = registration_of(ctx.session, ctx.subject.code, ctx.award.code, ctx.year)
    what = f"{ctx.award.name} năm {ctx.year}"
    if reg is None:
        return Fact(False, [], f"chưa đăng ký thi đua {what}")
    return Fact(True, [registration_row(reg)], f"đã đăng ký thi đua {what}")


# The facts about one subject's own history; ``workflows.eligibility_members.MEMBER_FACTS``
# adds those about a unit's members and quotas (``workflows.eligibility.FACTS`` has both).
FACTS: dict[str, Callable[[FactContext], Fact]] = {
    "is_collective": lambda ctx: Fact(ctx.collective),
    # The kind of award is said by the rows' own statements, never repeated in a detail.
    "award_kind": lambda ctx: Fact(ctx.kind, []),
    "rating_rank": fact_rating,
    "pending_cases": fact_pending_cases,
    "discipline_rank": fact_discipline,
    "same_year_title": fact_same_year_title,
    "initiative_count": fact_initiatives,
    "prerequisite_run": fact_prerequisite_run,
    "prerequisite_before": fact_prerequisite_before,
    "rating_run": fact_rating_run,
    "window_title_count": fact_window_titles,
    "registered": fact_registered,
}
