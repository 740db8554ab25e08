"""Eligibility with reasons (xét điều kiện khen thưởng): may this subject receive this title?

``evaluate(session, subject_code, award_code, year)`` gives a ``Verdict``: eligible or not,
and every rule with pass/fail, a Vietnamese detail and the rows it read.

How a verdict is made:

1. The subject (person or unit) and the title are looked up (NotFound ``subject.not_found`` /
   ``award.not_found``). A title not meant for this kind of subject gives one failed rule,
   ``subject_kind``, and nothing else is checked.
2. Two DMN decision tables are evaluated with SpiffWorkflow's DMN engine, hit policy
   COLLECT: ``bpmn/dmn/<AWARD_CODE>.dmn`` (the title's own conditions; its ``<description>``
   says what was implemented) and ``bpmn/dmn/common.dmn`` (rules for every title: no pending
   case, emulation registration). One table row is one way to satisfy one rule: its output
   ``rule`` is the rule id, its ``<description>`` states the condition in Vietnamese, its
   input entries test *facts*. A rule passes when one of its rows matches and fails when
   none does; the first row of a rule is its main statement.
3. Facts are names. History facts are computed in ``workflows.eligibility_facts.FACTS``
   (rating_rank, rating_run, prerequisite_run, member_title_pct, …); catalogue facts are the keys of
   ``AwardType.rules`` (consecutive_years, min_member_title_pct, …) plus ``min_rating_rank``,
   ``max_discipline_rank``, ``window_title_times`` and ``registration_required``. A table
   compares them (``member_title_pct >= min_member_title_pct``), so an admin changing 70 to
   75 in the catalogue changes the verdict without touching code or DMN. Only the facts a
   table names are computed.
4. A rule that reads a catalogue value the catalogue does not set does not apply: it is
   reported as passed, with a detail saying why.

Warnings: a row whose output ``warning`` is true satisfies its rule only as a warning (no
emulation registration while the catalogue does not require one; the bloc ranking of Cờ thi
đua, which the province decides). When only warning rows matched, the reason has
``ok: true`` and a detail starting with «Cảnh báo:», and ``{rule, detail}`` is also listed in
the verdict's ``warnings``. A warning never makes a verdict ineligible.

A condition on another title of the same year (CSTĐ cơ sở needs LĐTT) holds when that title
is recorded, or, when none is recorded yet, when the subject is eligible for it: that title
is evaluated in turn (a cycle counts as not eligible) and the detail says which case held.
"""

from __future__ import annotations

import ast
import os
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from SpiffWorkflow.bpmn.parser.BpmnParser import BpmnValidator
from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine
from SpiffWorkflow.dmn.engine.DMNEngine import DMNEngine
from SpiffWorkflow.dmn.parser.BpmnDmnParser import BpmnDmnParser
from SpiffWorkflow.dmn.specs.model import DecisionTable
from sqlalchemy.orm import Session

from engine.errors import EngineError, InvalidData, NotFound
from engine.roles import Actor
from engine.sandbox import SandboxEnvironment
from engine.specs.xmlsafe import parse_xml
from workflows import catalogue
from workflows.catalogue import Subject
from workflows.eligibility_facts import FACTS, Fact, FactContext, Inferred
from workflows.history import DISCIPLINE_RANK, RATING_RANK, Row, award_row, title_records
from workflows.models import AWARD_KINDS, AwardType

COMMON_TABLE = "common"
SUBJECT_KIND_NAMES = {"individual": "cá nhân", "collective": "tập thể"}
# Roles that see every subject; a user with none of them sees only their own unit's.
OFFICE_WIDE_ROLES = frozenset({"secretariat", "council", "chair", "admin"})


def dmn_dir() -> Path:
    """Where the decision tables live: ``$TDKT_BPMN_DIR/dmn`` or the repository's ``bpmn/dmn``."""
    base = os.environ.get("TDKT_BPMN_DIR")
    root = Path(base) if base else Path(__file__).resolve().parent.parent / "bpmn"
    return root / "dmn"


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
    """``evaluate`` as ``actor`` may ask it: a submitter only about their own unit and its people.

    Raises:
        NotFound: also when the subject is outside the actor's unit (not Forbidden, so other
            units' people are not revealed).
    """
    subject = catalogue.subject(session, subject_code)
    if not (actor.roles & OFFICE_WIDE_ROLES) and subject.unit_code != actor.unit_code:
        raise NotFound(f"Không có cá nhân hay tập thể mã «{subject_code}».",
                       code="subject.not_found")
    return evaluate(session, subject_code, award_code, year, kind=kind)


def _evaluate(session: Session, subject_code: str, award_code: str, year: int, kind: str,
              stack: tuple[tuple[str, str, int], ...]) -> Verdict:
    subject = catalogue.subject(session, subject_code)
    award = catalogue.award_type(session, award_code)
    verdict = Verdict(subject, award.code, year, [_subject_kind(subject, award)])
    if not verdict.eligible:
        return verdict
    if kind == "annual":
        verdict.reasons.append(_not_yet_awarded(session, subject, award, year))
    here = (*stack, (subject.code, award.code, year))

    def infer(other: str) -> Inferred | None:
        if (subject.code, other, year) in here:
            return None
        try:
            sub = _evaluate(session, subject.code, other, year, "annual", here)
        except NotFound as exc:
            return False, [exc.message], []
        rows = [row for r in sub.reasons for row in r.rows if row.get("table") != "award_type"]
        return sub.eligible, [r.detail for r in sub.failed], _unique(rows)

    facts = _Facts(FactContext(session, subject, award, year, kind, infer))
    for name in (award.code, COMMON_TABLE):
        verdict.reasons += _decide(load_table(name), facts)
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
    "quota_pct_of_ldtt", "all_members_complete", "initiative_window_years",
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
        """A catalogue value as a fact; None when the catalogue does not set it."""
        ctx = self.ctx
        key = _RANKED[name][0] if name in _RANKED else name
        if name == "window_title_times":  # a unit's own count when the catalogue sets one
            key = "title_in_window_times"
            if ctx.collective and ctx.rule("collective_title_in_window_times") is not None:
                key = "collective_title_in_window_times"
        raw: Any = (bool(ctx.award.registration_required) if name == "registration_required"
                    else ctx.rule(key))
        if raw is None:
            return Fact(None, [], f"danh mục không đặt «{key}»")
        value = _RANKED[name][1].get(raw) if name in _RANKED else raw
        if value is None:
            return Fact(None, [], f"giá trị «{raw}» của «{key}» trong danh mục không hợp lệ")
        shown = ("có" if raw else "không") if isinstance(raw, bool) else \
            ", ".join(map(str, raw)) if isinstance(raw, list) else raw
        return Fact(value, [ctx.param_row(key, raw)], f"danh mục: {key} = {shown}")


# -- decision tables --------------------------------------------------------------------------
@dataclass(frozen=True)
class _Row:
    """One row of a decision table: which rule it satisfies and which facts it reads."""

    spec: Any  # SpiffWorkflow.dmn.specs.model.Rule
    rule: str
    label: str
    warning: bool
    names: tuple[str, ...]


@dataclass(frozen=True)
class Table:
    """A parsed decision table and its rows, grouped by rule id in table order."""

    path: Path
    decision_id: str
    table: DecisionTable
    rules: dict[str, list[_Row]]


_CACHE: dict[tuple[str, int, int], Table] = {}


@cache
def _script_engine() -> PythonScriptEngine:
    """Entries of admin-editable tables run in the same sandbox as diagram conditions."""
    return PythonScriptEngine(environment=SandboxEnvironment(timeout_s=5.0))


def load_table(name: str) -> Table:
    """Parse (once per file version) ``<dmn_dir>/<name>.dmn``.

    Raises:
        EngineError: ``eligibility.no_table`` when the file is missing,
            ``eligibility.dmn_invalid`` when it does not parse or is not a COLLECT table with
            a ``rule`` output.
    """
    path = dmn_dir() / f"{name}.dmn"
    try:
        stat = path.stat()
    except FileNotFoundError:
        raise EngineError(f"Chưa có bảng điều kiện cho «{name}» ({path.name}).",
                          code="eligibility.no_table") from None
    key = (str(path), stat.st_mtime_ns, stat.st_size)
    if key not in _CACHE:
        _CACHE[key] = _parse_table(path)
    return _CACHE[key]


def _invalid(path: Path, problem: str) -> EngineError:
    return EngineError(f"Bảng điều kiện {path.name} không hợp lệ: {problem}",
                       code="eligibility.dmn_invalid")


def _parse_table(path: Path) -> Table:
    parser = BpmnDmnParser(validator=BpmnValidator())
    try:
        parser.add_dmn_xml(parse_xml(path.read_bytes()), filename=path.name)
        (dmn,) = parser.dmn_parsers.values()
        dmn.parse()
        table = dmn.decision.decisionTables[0]
    except EngineError:
        raise
    except Exception as exc:
        raise _invalid(path, str(exc)) from exc
    if table.hit_policy != "COLLECT":
        raise _invalid(path, "cần hitPolicy COLLECT")
    rules: dict[str, list[_Row]] = {}
    for spec in table.rules:
        outputs = {e.output.name: e.text for e in spec.outputEntries}
        try:
            rule = ast.literal_eval(outputs.get("rule") or "")
            warning = bool(ast.literal_eval(outputs.get("warning") or "False"))
            names = _names_of(spec)
        except (ValueError, SyntaxError) as exc:
            raise _invalid(path, f"dòng {spec.row_number}: {exc}") from exc
        if not isinstance(rule, str) or not rule:
            raise _invalid(path, f"dòng {spec.row_number}: cần kết quả «rule» là một chuỗi")
        rules.setdefault(rule, []).append(
            _Row(spec, rule, (spec.description or rule).strip(), warning, names))
    return Table(path, dmn.bpmn_id, table, rules)


_PLACEHOLDER = "dmn_input_value"


def _names_of(spec: Any) -> tuple[str, ...]:
    """Fact names a row reads: its constrained columns' expressions and its entries."""
    names: list[str] = []
    for entry in spec.inputEntries:
        text = entry.lhs[0] if entry.lhs else None
        if text is None:
            continue
        sources = [entry.input.expression or "", text.replace("?", _PLACEHOLDER)]
        for source in sources:
            try:
                tree = ast.parse(source, mode="eval")
            except SyntaxError:
                tree = ast.parse(f"{_PLACEHOLDER} {source}", mode="eval")
            names += [n.id for n in ast.walk(tree) if isinstance(n, ast.Name)]
    return tuple(dict.fromkeys(n for n in names if n != _PLACEHOLDER))


def _decide(table: Table, facts: _Facts) -> list[Reason]:
    """The reasons of one table: run the applicable rows, then read off each rule."""
    unknown = [n for rows in table.rules.values() for row in rows for n in row.names
               if not facts.known(n)]
    if unknown:
        raise _invalid(table.path, f"không có dữ kiện «{unknown[0]}»")
    inapplicable = {rule for rule, rows in table.rules.items()
                    if any(facts.get(n).value is None for row in rows for n in row.names)}
    rows = [row for rule, rs in table.rules.items() if rule not in inapplicable for row in rs]
    matched = _run(table, rows, facts)
    reasons = []
    for rule, rs in table.rules.items():
        if rule in inapplicable:
            missing = [facts.get(n).text for row in rs for n in row.names
                       if facts.get(n).value is None]
            reasons.append(Reason(rule, True, f"{rs[0].label}: không áp dụng "
                                              f"({'; '.join(dict.fromkeys(missing))})"))
            continue
        hits = [row for row in rs if id(row.spec) in matched]
        reasons.append(_reason(rule, rs, hits, facts))
    return reasons


def _reason(rule: str, rows: list[_Row], hits: list[_Row], facts: _Facts) -> Reason:
    firm = [row for row in hits if not row.warning]
    # Passed: the facts of the rows that matched; failed or warning: of every row.
    used = firm or rows
    names = list(dict.fromkeys(n for row in used for n in row.names))
    texts = [facts.get(n).text for n in names if facts.get(n).text]
    label = (firm or hits or rows)[0].label
    detail = f"{label}: {'; '.join(texts)}" if texts else label
    warning = bool(hits) and not firm
    if warning:
        detail = f"Cảnh báo: {detail}"
    rows_used = _unique([r for n in names for r in facts.get(n).rows])
    return Reason(rule, bool(hits), detail, rows_used, warning)


def _run(table: Table, rows: list[_Row], facts: _Facts) -> set[int]:
    """Evaluate ``rows`` with SpiffWorkflow's DMN engine; the ids of the rows that matched."""
    sub = DecisionTable(table.table.id, table.table.name, table.table.hit_policy)
    sub.inputs, sub.outputs = table.table.inputs, table.table.outputs
    sub.rules = [row.spec for row in rows]
    data = {n: facts.get(n).value for row in rows for n in row.names}
    workflow = SimpleNamespace(script_engine=_script_engine(),
                               spec=SimpleNamespace(file=table.path.name))
    workflow.top_workflow = workflow
    task = SimpleNamespace(data=data, workflow=workflow, task_spec=SimpleNamespace(
        bpmn_name=table.decision_id, bpmn_id=table.decision_id, name=table.decision_id))
    try:
        return {id(spec) for spec in DMNEngine(sub).decide(task)}
    except Exception as exc:
        notes = " ".join(getattr(exc, "__notes__", []))
        raise EngineError(f"Bảng điều kiện {table.path.name} lỗi khi đánh giá: {exc} {notes}",
                          code="eligibility.dmn_error") from exc
