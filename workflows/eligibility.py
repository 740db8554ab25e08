"""Eligibility with reasons (xét điều kiện khen thưởng): may this subject receive this title?

``evaluate(session, subject_code, award_code, year)`` gives a ``Verdict``: eligible or not,
and every rule with pass/fail, a Vietnamese detail and the rows it read.

How a verdict is made:

1. The subject (person or unit) and the title are looked up (NotFound ``subject.not_found`` /
   ``award.not_found``), and the title's catalogue values are checked
   (``workflows.eligibility_catalogue.check_rules``): a value that is set but invalid
   (``min_rating = "HTTNV "``) is an InvalidData ``award.misconfigured`` naming the title, the
   key and the value. A title not meant for this kind of subject gives one failed rule,
   ``subject_kind``, and nothing else is checked.
2. Two DMN decision tables are evaluated with SpiffWorkflow's DMN engine, hit policy
   COLLECT (``workflows.eligibility_dmn``): ``bpmn/dmn/<AWARD_CODE>.dmn`` (the title's own
   conditions; its ``<description>`` says what was implemented) and ``bpmn/dmn/common.dmn``
   (rules for every title: no pending case, emulation registration). One table row is one
   way to satisfy one rule: its output ``rule`` is the rule id, its ``<description>`` states
   the condition in Vietnamese, its input entries test *facts*. A rule passes when one of
   its rows matches and fails when none does; the first row of a rule is its main statement.
3. Facts are names. History facts are computed in ``FACTS`` (``workflows.eligibility_facts``
   for the subject's own history: rating_rank, rating_run, prerequisite_run, …;
   ``workflows.eligibility_members`` for members and quotas: member_title_pct, quota_limit,
   …); catalogue facts are the keys of ``AwardType.rules`` (consecutive_years,
   min_member_title_pct, …) plus ``min_rating_rank``, ``max_discipline_rank``,
   ``window_title_times`` and ``registration_required``. A table compares them
   (``member_title_pct >= min_member_title_pct``), so an admin changing 70 to 75 in the
   catalogue changes the verdict without touching code or DMN. Only the facts a table names
   are computed. Details word catalogue values with their Vietnamese labels and names
   («số năm liên tục: 3», «Hoàn thành tốt nhiệm vụ (HTTNV)»), never as raw keys.
4. A rule that reads a catalogue value the catalogue does not set is skipped (passed, with
   «không áp dụng» and the missing value in its detail) only when its table declares it
   optional (output ``optional`` true on one of its rows: the CSTĐ cơ sở quota, the
   TTLĐXS member holding CSTĐ cơ sở, the BK Thủ tướng window title). Every other rule is a
   core condition of its title: a missing value is an InvalidData ``award.misconfigured``.

Warnings: a row whose output ``warning`` is true satisfies its rule only as a warning (no
emulation registration while the catalogue does not require one; the bloc ranking of Cờ thi
đua, which the province decides). When only warning rows matched, the reason has
``ok: true`` and a detail starting with «Cảnh báo:», and ``{rule, detail}`` is also listed in
the verdict's ``warnings``. A warning never makes a verdict ineligible.

A condition on another title of the same year (CSTĐ cơ sở needs LĐTT; members' LĐTT for a
unit's share and for the quota base) holds when that title is recorded, or, when none is
recorded yet, when the person is eligible for it: that title is evaluated in turn (a cycle
counts as not eligible) and the detail says which case held.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from engine.errors import InvalidData, NotFound
from engine.roles import Actor
from workflows import catalogue
from workflows.catalogue import Subject
from workflows.eligibility_catalogue import check_rules, missing, setting_text, shown
from workflows.eligibility_dmn import Table, TableRow, invalid, load_table, run_rows
from workflows.eligibility_facts import FACTS as OWN_FACTS
from workflows.eligibility_facts import Fact, FactContext, Inferred, unset
from workflows.eligibility_members import MEMBER_FACTS
from workflows.history import DISCIPLINE_RANK, RATING_RANK, Row, award_row, title_records
from workflows.models import AWARD_KINDS, AwardType
from workflows.nominations import is_office_wide, unit_scope

__all__ = ["FACTS", "PARAM_NAMES", "Reason", "Verdict", "evaluate", "evaluate_for",
           "load_table"]

COMMON_TABLE = "common"
SUBJECT_KIND_NAMES = {"individual": "cá nhân", "collective": "tập thể"}
FACTS = {**OWN_FACTS, **MEMBER_FACTS}


# -- the verdict ----------------------------------------------------------------------------
@dataclass
class Reason:
    """One rule: passed or not, in Vietnamese, with the rows it read."""

    rule: str
    ok: bool
    detail: str
    rows: list[Row] = field(default_factory=list)
    warning: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {"rule": self.rule, "ok": self.ok, "detail": self.detail, "rows": self.rows}


@dataclass
class Verdict:
    """The answer of ``evaluate``; ``eligible`` when every rule passed."""

    subject: Subject
    award_code: str
    year: int
    reasons: list[Reason]

    @property
    def eligible(self) -> bool:
        return all(r.ok for r in self.reasons)

    @property
    def failed(self) -> list[Reason]:
        return [r for r in self.reasons if not r.ok]

    @property
    def warnings(self) -> list[dict[str, str]]:
        return [{"rule": r.rule, "detail": r.detail} for r in self.reasons if r.warning]

    def to_dict(self) -> dict[str, Any]:
        s = self.subject
        return {
            "eligible": self.eligible,
            "reasons": [r.to_dict() for r in self.reasons],
            "subject": {"code": s.code, "kind": s.kind, "name": s.name, "unit_code": s.unit_code},
            "award_code": self.award_code,
            "year": self.year,
            "warnings": self.warnings,
        }


# -- public API -----------------------------------------------------------------------------
def evaluate(session: Session, subject_code: str, award_code: str, year: int, *,
             kind: str = "annual") -> Verdict:
    """Check whether a subject may receive a title or form in a year, rule by rule.

    Args:
        session: a database session (only read).
        subject_code: a person's code or a unit's code.
        award_code: a catalogue code (LDTT, CSTD_CS, …).
        year: the year of achievement.
        kind: "annual" (default), "thematic" or "adhoc": thematic and ad-hoc Giấy khen and
            Bằng khen are for an achievement, without the annual conditions.

    Raises:
        NotFound: ``subject.not_found`` or ``award.not_found``.
        InvalidData: an unknown ``kind``.
    """
    if kind not in AWARD_KINDS:
        raise InvalidData("Loại khen thưởng không hợp lệ.", code="data.invalid",
                          details={"kind": [f"Một trong: {', '.join(AWARD_KINDS)}."]})
    return _evaluate(session, subject_code, award_code, int(year), kind, ())


def evaluate_for(session: Session, actor: Actor, subject_code: str, award_code: str,
                 year: int, *, kind: str = "annual") -> Verdict:
    """``evaluate`` as ``actor`` may ask it.

    A unit-scoped user (a submitter) asks only about their unit, its sub-units and their
    people, as they may nominate them (``workflows.nominations.unit_scope``).

    Raises:
        NotFound: also when the subject is outside the actor's units (not Forbidden, so other
            units' people are not revealed).
    """
    subject = catalogue.subject(session, subject_code)
    scope = unit_scope(session, actor.unit_code) if actor.unit_code else set()
    if not is_office_wide(actor) and subject.unit_code not in scope:
        raise NotFound(f"Không có cá nhân hay tập thể mã «{subject_code}».",
                       code="subject.not_found")
    return evaluate(session, subject_code, award_code, year, kind=kind)


def _evaluate(session: Session, subject_code: str, award_code: str, year: int, kind: str,
              stack: tuple[tuple[str, str, int], ...]) -> Verdict:
    subject = catalogue.subject(session, subject_code)
    award = catalogue.award_type(session, award_code)
    check_rules(session, award)
    verdict = Verdict(subject, award.code, year, [_subject_kind(subject, award)])
    if not verdict.eligible:
        return verdict
    if kind == "annual":
        verdict.reasons.append(_not_yet_awarded(session, subject, award, year))
    here = (*stack, (subject.code, award.code, year))

    def infer(other: str, code: str | None = None) -> Inferred | None:
        who = code or subject.code
        if (who, other, year) in here:
            return None
        try:
            sub = _evaluate(session, who, other, year, "annual", here)
        except NotFound as exc:
            return False, [exc.message], []
        rows = [row for r in sub.reasons for row in r.rows if row.get("table") != "award_type"]
        return sub.eligible, [r.detail for r in sub.failed], _unique(rows)

    facts = _Facts(FactContext(session, subject, award, year, kind, infer))
    for name in (award.code, COMMON_TABLE):
        verdict.reasons += _decide(load_table(name, session), facts, award)
    return verdict


def _subject_kind(subject: Subject, award: AwardType) -> Reason:
    for_whom = {"both": "cá nhân và tập thể"}.get(award.subject_kind) or \
        SUBJECT_KIND_NAMES.get(award.subject_kind, award.subject_kind)
    ok = award.subject_kind in ("both", subject.kind)
    detail = (f"{award.name} dành cho {for_whom}; đối tượng được xét là "
              f"{SUBJECT_KIND_NAMES[subject.kind]} ({subject.name})")
    return Reason("subject_kind", ok, detail, [
        {"table": "award_type", "code": award.code, "key": "subject_kind",
         "value": award.subject_kind}])


def _not_yet_awarded(session: Session, subject: Subject, award: AwardType, year: int) -> Reason:
    """An annual title is given once a year: a recorded one (not revoked) closes the year."""
    held = title_records(session, [subject.code], award.code, [year])
    if held:
        numbers = ", ".join(f"số {a.decision_no}" for a in held)
        return Reason("not_yet_awarded", False,
                      f"{subject.name} đã được công nhận {award.name} năm {year} "
                      f"(quyết định {numbers}); mỗi năm chỉ xét một lần",
                      [award_row(a) for a in held])
    return Reason("not_yet_awarded", True,
                  f"{subject.name} chưa được công nhận {award.name} năm {year}", [])


def _unique(rows: list[Row]) -> list[Row]:
    seen: list[Row] = []
    for row in rows:
        if row not in seen:
            seen.append(row)
    return seen


# -- facts ----------------------------------------------------------------------------------
_RANKED = {"min_rating_rank": ("min_rating", RATING_RANK),
           "max_discipline_rank": ("max_discipline_form", DISCIPLINE_RANK)}
PARAM_NAMES = frozenset({
    "min_rating", "needs_title_same_year", "consecutive_years", "initiative_levels",
    "min_member_title_pct", "member_title", "needs_member_title", "max_discipline_form",
    "prerequisite", "consecutive_times", "period_years", "consecutive_rating", "title_in_window",
    "title_in_window_times", "collective_title_in_window", "collective_title_in_window_times",
    "quota_pct_of_ldtt", "quota_scope", "all_members_complete", "initiative_window_years",
    "registration_required", "window_title_times", *_RANKED})


class _Facts:
    """Facts of one evaluation, each computed at most once."""

    def __init__(self, ctx: FactContext) -> None:
        self.ctx = ctx
        self._cache: dict[str, Fact] = {}

    def known(self, name: str) -> bool:
        return name in FACTS or name in PARAM_NAMES or name in (self.ctx.award.rules or {})

    def get(self, name: str) -> Fact:
        if name not in self._cache:
            self._cache[name] = FACTS[name](self.ctx) if name in FACTS else self._param(name)
        return self._cache[name]

    def _param(self, name: str) -> Fact:
        """A catalogue value as a fact (checked by ``check_rules``); None when not set."""
        ctx = self.ctx
        key = _RANKED[name][0] if name in _RANKED else name
        if name == "window_title_times":  # a unit's own count when the catalogue sets one
            key = "title_in_window_times"
            if ctx.collective and ctx.rule("collective_title_in_window_times") is not None:
                key = "collective_title_in_window_times"
        raw: Any = (bool(ctx.award.registration_required) if name == "registration_required"
                    else ctx.rule(key))
        if raw is None:
            return unset(key)
        value = _RANKED[name][1][raw] if name in _RANKED else raw
        return Fact(value, [ctx.param_row(key, raw)], setting_text(ctx.session, key, raw),
                    said=shown(ctx.session, key, raw))


def _decide(table: Table, facts: _Facts, award: AwardType) -> list[Reason]:
    """The reasons of one table: run the applicable rows, then read off each rule.

    Raises:
        InvalidData: ``award.misconfigured`` when a rule that is not optional reads a
            catalogue value the catalogue does not set.
    """
    unknown = [n for rows in table.rules.values() for row in rows for n in row.names
               if not facts.known(n)]
    if unknown:
        raise invalid(table.path, f"không có dữ kiện «{unknown[0]}»")
    unset_facts = {rule: [facts.get(n) for row in rows for n in row.names
                          if facts.get(n).value is None]
                   for rule, rows in table.rules.items()}
    for rule, found in unset_facts.items():
        if found and not table.optional(rule):
            raise missing(award, table.rules[rule][0].label,
                          [k for fact in found for k in fact.missing])
    rows = [row for rule, rs in table.rules.items() if not unset_facts[rule] for row in rs]
    matched = run_rows(table, rows, {n: facts.get(n).value for row in rows for n in row.names})
    reasons = []
    for rule, rs in table.rules.items():
        if unset_facts[rule]:
            texts = dict.fromkeys(fact.text for fact in unset_facts[rule])
            reasons.append(Reason(rule, True, f"{rs[0].label}: không áp dụng "
                                              f"({'; '.join(texts)})"))
            continue
        hits = [row for row in rs if id(row.spec) in matched]
        reasons.append(_reason(rule, rs, hits, facts))
    return reasons


def _reason(rule: str, rows: list[TableRow], hits: list[TableRow], facts: _Facts) -> Reason:
    """One rule as a sentence a unit's staff reads: the condition (the row's statement),
    then what the subject has and what the catalogue requires.

    Passed: «<condition>: <findings> (<requirements>)». Failed: «<condition>: chưa đạt —
    <requirements>, <findings>» («…: chưa đạt — cần 3 năm liên tục, mới có 0 năm…»). A
    warning: «Cảnh báo: <findings> — <condition>». A requirement whose value a finding
    already names is left out, and so is a flag that requires nothing.
    """
    firm = [row for row in hits if not row.warning]
    # Passed: the facts of the rows that matched; failed or warning: of every row.
    used = firm or rows
    names = list(dict.fromkeys(n for row in used for n in row.names))
    found = [facts.get(n).text for n in names if n in FACTS and facts.get(n).text]
    needs = [f.text for f in (facts.get(n) for n in names if n not in FACTS)
             if f.text and not (_named(f.said) and any(f.said in text for text in found))]
    label = (firm or hits or rows)[0].label
    warning = bool(hits) and not firm
    if warning:
        detail = f"Cảnh báo: {_capital('; '.join(found + needs))} — {_lower(label)}" \
            if found or needs else f"Cảnh báo: {label}"
    elif firm:
        detail = f"{label}: {'; '.join(found)}" if found else label
        detail += f" ({'; '.join(needs)})" if needs and found else \
            f": {'; '.join(needs)}" if needs else ""
    else:
        shortfall = [*needs, *(_so_far(t) for t in found)]
        detail = f"{label}: chưa đạt — {', '.join(shortfall)}" if shortfall \
            else f"{label}: chưa đạt"
    rows_used = _unique([r for n in names for r in facts.get(n).rows])
    return Reason(rule, bool(hits), detail, rows_used, warning)


def _named(said: str) -> bool:
    """A value said in words (a title, a rating), not a bare number found in any year."""
    return any(ch.isalpha() for ch in said)


def _so_far(finding: str) -> str:
    """«có 0 năm…» reads «mới có 0 năm…» after what is required."""
    return f"mới {finding}" if finding.startswith("có ") else finding


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def _lower(text: str) -> str:
    """A statement continued after a dash: its first letter small unless it is a name."""
    return text[:1].lower() + text[1:] if text[1:2].islower() else text
