"""The eligibility decision tables (``bpmn/dmn/<AWARD_CODE>.dmn``): loading and running.

A table is a DMN decision table with hit policy COLLECT, run with SpiffWorkflow's DMN
engine. One row is one way to satisfy one rule: its outputs are

- ``rule`` (required): the rule id; rows with the same id are the ways to satisfy it, the
  first one is its main statement;
- ``warning`` (optional, default False): the row satisfies its rule only as a warning;
- ``optional`` (optional, default False): the rule may be skipped when the catalogue does
  not set a value it reads. A rule is optional when one of its rows says so; any other
  rule needs its catalogue values (the title's core conditions), and a catalogue without
  them is refused (``award.misconfigured``).

A row's ``<description>`` states its condition in Vietnamese; its input entries test
*facts* by name (see ``workflows.eligibility``).
"""

from __future__ import annotations

import ast
import os
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from SpiffWorkflow.bpmn.parser.BpmnParser import BpmnValidator
from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine
from SpiffWorkflow.dmn.engine.DMNEngine import DMNEngine
from SpiffWorkflow.dmn.parser.BpmnDmnParser import BpmnDmnParser
from SpiffWorkflow.dmn.specs.model import DecisionTable
from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.errors import EngineError
from engine.sandbox import SandboxEnvironment
from engine.specs.xmlsafe import parse_xml
from engine.store.models import ProcessDraft


def dmn_dir() -> Path:
    """Where the decision tables live: ``$TDKT_BPMN_DIR/dmn`` or the repository's ``bpmn/dmn``."""
    base = os.environ.get("TDKT_BPMN_DIR")
    root = Path(base) if base else Path(__file__).resolve().parent.parent / "bpmn"
    return root / "dmn"


@dataclass(frozen=True)
class TableRow:
    """One row of a decision table: which rule it satisfies and which facts it reads."""

    spec: Any  # SpiffWorkflow.dmn.specs.model.Rule
    rule: str
    label: str
    warning: bool
    names: tuple[str, ...]
    optional: bool = False


@dataclass(frozen=True)
class Table:
    """A parsed decision table and its rows, grouped by rule id in table order."""

    path: Path
    decision_id: str
    table: DecisionTable
    rules: dict[str, list[TableRow]]

    def optional(self, rule: str) -> bool:
        return any(row.optional for row in self.rules[rule])


_CACHE: dict[tuple[Any, ...], Table] = {}


@cache
def _script_engine() -> PythonScriptEngine:
    """Entries of admin-editable tables run in the same sandbox as diagram conditions."""
    return PythonScriptEngine(environment=SandboxEnvironment(timeout_s=5.0))


def deployed_table(session: Session, name: str) -> tuple[str, str] | None:
    """``(sha256, xml)`` of the newest version of ``name`` deployed by an admin, if any."""
    row = session.execute(
        select(ProcessDraft.sha256, ProcessDraft.xml)
        .where(ProcessDraft.kind == "dmn", ProcessDraft.process_key == name,
               ProcessDraft.status == "deployed")
        .order_by(ProcessDraft.deployed_version.desc()).limit(1)).first()
    return (row[0] or "", row[1]) if row is not None else None


def check_table(name: str, xml: bytes) -> None:
    """Raise ``eligibility.dmn_invalid`` unless ``load_table`` would accept ``xml``."""
    _parse_table(Path(f"{name}.dmn"), xml)


def load_table(name: str, session: Session | None = None) -> Table:
    """The decision table ``name``: the newest version an admin deployed (read from the
    database when a session is given), else ``<dmn_dir>/<name>.dmn``; parsed once per version.

    Raises:
        EngineError: ``eligibility.no_table`` when the file is missing,
            ``eligibility.dmn_invalid`` when it does not parse or is not a COLLECT table with
            a ``rule`` output.
    """
    deployed = deployed_table(session, name) if session is not None else None
    if deployed is not None:
        db_key = ("db", name, deployed[0])
        if db_key not in _CACHE:
            _CACHE[db_key] = _parse_table(Path(f"{name}.dmn"), deployed[1].encode("utf-8"))
        return _CACHE[db_key]
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


def invalid(path: Path, problem: str) -> EngineError:
    return EngineError(f"Bảng điều kiện {path.name} không hợp lệ: {problem}",
                       code="eligibility.dmn_invalid")


def _flag(outputs: dict[str, Any], name: str) -> bool:
    return bool(ast.literal_eval(outputs.get(name) or "False"))


def _parse_table(path: Path, data: bytes | None = None) -> Table:
    parser = BpmnDmnParser(validator=BpmnValidator())
    try:
        xml = path.read_bytes() if data is None else data
        parser.add_dmn_xml(parse_xml(xml), filename=path.name)
        (dmn,) = parser.dmn_parsers.values()
        dmn.parse()
        table = dmn.decision.decisionTables[0]
    except EngineError:
        raise
    except Exception as exc:
        raise invalid(path, str(exc)) from exc
    if table.hit_policy != "COLLECT":
        raise invalid(path, "cần hitPolicy COLLECT")
    rules: dict[str, list[TableRow]] = {}
    for spec in table.rules:
        outputs = {e.output.name: e.text for e in spec.outputEntries}
        try:
            rule = ast.literal_eval(outputs.get("rule") or "")
            warning, optional = _flag(outputs, "warning"), _flag(outputs, "optional")
            names = _names_of(spec)
        except (ValueError, SyntaxError) as exc:
            raise invalid(path, f"dòng {spec.row_number}: {exc}") from exc
        if not isinstance(rule, str) or not rule:
            raise invalid(path, f"dòng {spec.row_number}: cần kết quả «rule» là một chuỗi")
        rules.setdefault(rule, []).append(
            TableRow(spec, rule, (spec.description or rule).strip(), warning, names, optional))
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


def run_rows(table: Table, rows: list[TableRow], data: dict[str, Any]) -> set[int]:
    """Evaluate ``rows`` on ``data`` with SpiffWorkflow's DMN engine; ids of rows that matched."""
    sub = DecisionTable(table.table.id, table.table.name, table.table.hit_policy)
    sub.inputs, sub.outputs = table.table.inputs, table.table.outputs
    sub.rules = [row.spec for row in rows]
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
