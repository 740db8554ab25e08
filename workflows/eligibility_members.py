"""Facts about a unit's members and about quotas (year-end titles considered together).

Members of a unit are the active people of the unit and of its sub-units.

Holders of a title of the year (``title_holders``): a person holds it when it is recorded
(annual, not revoked), or — while nobody of their unit has it recorded for the year yet,
i.e. the unit's year-end titles are being decided together — when they are eligible for it
(the title is evaluated for them). Details say how many of each and who was inferred. The
share of LĐTT among members (TTLĐTT, TTLĐXS) and the base of the CSTĐ cơ sở quota count
holders this way, as the same-year rule of CSTĐ cơ sở does for its subject.

The quota (``quota_pct_of_ldtt``) is a share of the LĐTT in the catalogue's
``quota_scope``: "office" (default; Decree 98/2023/NĐ-CP sets it on the office's LĐTT, so
every unit's people count) or "unit" (the person's unit and its sub-units). Counted
against it, in the same scope: the title's records of the year, the other people's open
nominations for it that year (annual, not closed as not approved / ineligible / revoked,
in a procedure instance that has not ended; ``history.open_nominations``), and the subject
— never twice, whatever nominations name them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from workflows.catalogue import vn_number
from workflows.eligibility_catalogue import (
    DEFAULT_QUOTA_SCOPE,
    QUOTA_SCOPES,
    setting_text,
    unit_name,
)
from workflows.eligibility_facts import Fact, FactContext, unset
from workflows.history import (
    RATING_RANK,
    Row,
    award_row,
    nomination_row,
    open_nominations,
    people_in,
    rating_row,
    ratings_of,
    title_records,
)
from workflows.models import Award, Person
from workflows.nominations import unit_scope

QUOTA_BASE_TITLE = "LDTT"  # quota_pct_of_ldtt is a share of the Lao động tiên tiến


@dataclass(frozen=True)
class Holders:
    """Who holds a title of the year: recorded ones, and those inferred eligible."""

    recorded: list[Award]
    inferred: list[str]
    rows: list[Row]

    @property
    def codes(self) -> set[str]:
        return {a.subject_code for a in self.recorded} | set(self.inferred)

    def how(self) -> str:
        recorded = len({a.subject_code for a in self.recorded})
        text = f"đã ghi sổ: {recorded}"
        if self.inferred:
            text += (f"; chưa ghi sổ, suy ra đủ điều kiện: {len(self.inferred)} "
                     f"({', '.join(self.inferred)})")
        return text


def title_holders(ctx: FactContext, people: list[Person], title: str) -> Holders:
    """Holders of ``title`` in the year among ``people`` (see the module docstring)."""
    recs = title_records(ctx.session, [p.code for p in people], title, [ctx.year])
    recorded = {a.subject_code for a in recs}
    decided_units = {p.unit_code for p in people if p.code in recorded}
    inferred: list[str] = []
    rows: list[Row] = [award_row(a) for a in recs]
    for p in people:
        if not p.active or p.code in recorded or p.unit_code in decided_units:
            continue
        outcome = ctx.infer(title, p.code)
        if outcome is not None and outcome[0]:
            inferred.append(p.code)
            rows += [r for r in outcome[2] if r not in rows]
    return Holders(recs, inferred, rows)


def _quota_people(ctx: FactContext) -> tuple[list[Person], str, str]:
    """Everyone the quota counts (active or not: records stay), the scope, why that scope."""
    if "quota_people" not in ctx.memo:
        scope = ctx.rule("quota_scope") or DEFAULT_QUOTA_SCOPE
        note = setting_text(ctx.session, "quota_scope", scope)
        if scope == "unit":
            units = unit_scope(ctx.session, ctx.subject.unit_code)
            ctx.memo["quota_people"] = (
                people_in(ctx.session, units, False),
                f"đơn vị {unit_name(ctx.session, ctx.subject.unit_code)}", note)
        else:
            default = "" if ctx.rule("quota_scope") else "mặc định; "
            ctx.memo["quota_people"] = (
                people_in(ctx.session, None, False), QUOTA_SCOPES["office"],
                f"{note} ({default}Nghị định 98/2023/NĐ-CP: tỷ lệ tính trên số Lao động tiên "
                "tiến của cơ quan)")
    return ctx.memo["quota_people"]


def fact_quota_limit(ctx: FactContext) -> Fact:
    """How many of this title the scope may have: the quota share of its LĐTT count."""
    pct = ctx.rule("quota_pct_of_ldtt")
    if pct is None:
        return unset("quota_pct_of_ldtt")
    people, where, note = _quota_people(ctx)
    base = title_holders(ctx, people, QUOTA_BASE_TITLE)
    count = len(base.codes)
    limit = float(pct) * count / 100
    return Fact(limit, [*ctx.params("quota_pct_of_ldtt", "quota_scope"), *base.rows],
                f"chỉ tiêu {vn_number(pct)}% × {count} {ctx.name(QUOTA_BASE_TITLE)} năm {ctx.year} "
                f"của {where} = {limit:g} ({base.how()}); {note}")


def fact_quota_after(ctx: FactContext) -> Fact:
    """The scope's count of this title in the year: records, open nominations, the subject."""
    people, where, _note = _quota_people(ctx)
    others = [p.code for p in people if p.code != ctx.subject.code]
    held = title_records(ctx.session, others, ctx.award.code, [ctx.year])
    holders = sorted({a.subject_code for a in held})
    pending = [n for n in open_nominations(ctx.session, ctx.award.code, ctx.year, others)
               if n.subject_code not in holders]
    nominated = sorted({n.subject_code for n in pending})
    count = len(holders) + len(nominated) + 1
    text = f"{where} đã có {len(holders)} {ctx.award.name} năm {ctx.year}"
    if holders:
        text += f" ({', '.join(holders)})"
    text += f"; đang được đề nghị trong hồ sơ chưa kết thúc: {len(nominated)}"
    if nominated:
        text += " (" + ", ".join(f"{n.subject_code}: hồ sơ số {n.instance_id}"
                                 for n in pending) + ")"
    return Fact(count, [*map(award_row, held), *map(nomination_row, pending)],
                f"{text}; tính cả người được xét là {count}")


def fact_member_title_pct(ctx: FactContext) -> Fact:
    title = ctx.rule("member_title")
    if not title:
        return unset("member_title")
    members = ctx.members()
    holders = title_holders(ctx, members, title)
    count = len(holders.codes)
    pct = round(100 * count / len(members), 4) if members else 0.0
    return Fact(pct, [*ctx.params("member_title"), *holders.rows],
                f"{count}/{len(members)} thành viên đạt {ctx.name(title)} năm {ctx.year} = "
                f"{vn_number(pct)}% ({holders.how()})")


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
        return unset("needs_member_title")
    recs = title_records(ctx.session, [p.code for p in ctx.members()], title, [ctx.year])
    holders = sorted({a.subject_code for a in recs})
    return Fact(len(holders), [*ctx.params("needs_member_title"), *map(award_row, recs)],
                f"{len(holders)} thành viên đạt {ctx.name(title)} năm {ctx.year}"
                + (f" ({', '.join(holders)})" if holders else ""))


MEMBER_FACTS: dict[str, Callable[[FactContext], Fact]] = {
    "quota_limit": fact_quota_limit,
    "quota_after": fact_quota_after,
    "member_title_pct": fact_member_title_pct,
    "members_complete": fact_members_complete,
    "member_title_holders": fact_member_title_holders,
}
