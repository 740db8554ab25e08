"""Decision tables (bảng quyết định DMN) read as plain data: their columns and rules,
each rule's cells; checks that name the rule and the cell; the diff of two versions.

SpiffWorkflow evaluates a rule's input cell ``c`` against the column's expression ``e``
as ``(e) == (c)``, or ``e c`` when ``c`` starts with an operator (``>= 2``, ``in [...]``),
or with ``?`` standing for the value (``1 < ? < 5``); ``-`` or an empty cell matches
anything. An output cell is an expression. Every cell is checked that way and in the
sandbox, so a problem is shown on its rule and cell instead of failing an eligibility
check later.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field
from typing import Any

from lxml import etree

from engine.sandbox import script_errors
from engine.specs.validate import Problems
from engine.specs.xmlsafe import parse_xml

_QUESTION = re.compile(r"(\?)(?=(?:[^'\"]|['\"][^'\"]*['\"])*$)")  # ? outside quotes


@dataclass
class Rule:
    id: str
    number: int
    inputs: list[tuple[str, str]] = field(default_factory=list)  # (entry id, text)
    outputs: list[tuple[str, str]] = field(default_factory=list)
    description: str = ""


@dataclass
class Table:
    decision_id: str
    name: str
    hit_policy: str
    inputs: list[dict[str, str]] = field(default_factory=list)  # id, label, expression
    outputs: list[dict[str, str]] = field(default_factory=list)  # id, name, label
    rules: list[Rule] = field(default_factory=list)


def _local(node: Any) -> str:
    return etree.QName(node).localname if isinstance(node.tag, str) else ""


def _children(node: etree._Element, name: str) -> list[etree._Element]:
    return [c for c in node if _local(c) == name]


def _text(node: etree._Element | None) -> str:
    if node is None:
        return ""
    found = [c for c in node if _local(c) == "text"]
    return " ".join(((found[0].text if found else node.text) or "").split())


def read_tables(xml: str | bytes) -> list[Table]:
    """Every decision table of a DMN document, in document order."""
    root = parse_xml(xml.encode("utf-8") if isinstance(xml, str) else xml)
    tables: list[Table] = []
    for decision in (n for n in root.iter() if _local(n) == "decision"):
        for dt in _children(decision, "decisionTable"):
            table = Table(str(decision.get("id")), decision.get("name") or "",
                          dt.get("hitPolicy") or "UNIQUE")
            for col in _children(dt, "input"):
                expr = _children(col, "inputExpression")
                table.inputs.append({"id": col.get("id") or "", "label": col.get("label") or "",
                                     "expression": _text(expr[0]) if expr else ""})
            for col in _children(dt, "output"):
                table.outputs.append({"id": col.get("id") or "", "name": col.get("name") or "",
                                      "label": col.get("label") or col.get("name") or ""})
            for number, rule in enumerate(_children(dt, "rule"), start=1):
                desc = _children(rule, "description")
                table.rules.append(Rule(
                    rule.get("id") or f"rule_{number}", number,
                    [(e.get("id") or "", _text(e)) for e in _children(rule, "inputEntry")],
                    [(e.get("id") or "", _text(e)) for e in _children(rule, "outputEntry")],
                    " ".join((desc[0].text or "").split()) if desc else ""))
            tables.append(table)
    return tables


def _parses(source: str) -> bool:
    try:
        ast.parse(source, mode="eval")
    except SyntaxError:
        return False
    return True


# Why a cell cannot be evaluated: (reason, Vietnamese words, detail in English).
CellError = tuple[str, str, str]


def _sandbox_error(source: str) -> CellError | None:
    errors = script_errors(source, "eval")
    return ("sandbox", f"bị hộp cát từ chối: {errors[0][0]}", errors[0][1]) if errors else None


def input_cell_error(text: str) -> CellError | None:
    """Why an input cell cannot be evaluated (None: it can)."""
    if text in ("", "-"):
        return None
    source = _QUESTION.sub("dmninput", text)
    if "dmninput" not in source and not _parses(source):
        source = f"dmninput {source}"  # an operator first: ">= 2", "in ['a']"
    if not _parses(source):
        return ("syntax", "không phải biểu thức hợp lệ", "")
    return _sandbox_error(source)


def output_cell_error(text: str) -> CellError | None:
    if not text:
        return ("empty", "ô kết quả đang trống", "")
    if not _parses(text):
        return ("syntax", "không phải biểu thức hợp lệ", "")
    return _sandbox_error(text)


def check_rules(tables: list[Table], problems: Problems) -> None:
    """Each rule has one cell per column and every cell can be evaluated; problems name
    the rule (số thứ tự, mã) and the cell's column, on the cell's or the rule's id."""
    for table in tables:
        for rule in table.rules:
            where = (f"Bảng «{table.name or table.decision_id}», quy tắc số {rule.number} "
                     f"({rule.id})")
            named: dict[str, Any] = {"table": table.name or table.decision_id,
                                     "number": rule.number, "rule": rule.id}
            if len(rule.inputs) != len(table.inputs) or len(rule.outputs) != len(table.outputs):
                problems.add(rule.id, f"{where}: có {len(rule.inputs)} ô điều kiện và "
                                      f"{len(rule.outputs)} ô kết quả, bảng có "
                                      f"{len(table.inputs)} và {len(table.outputs)} cột.",
                             "dmn.rule_shape", **named, inputs=len(rule.inputs),
                             outputs=len(rule.outputs), columns_in=len(table.inputs),
                             columns_out=len(table.outputs))
                continue
            for (entry, text), col in zip(rule.inputs, table.inputs, strict=True):
                error = input_cell_error(text)
                if error:
                    column = col["label"] or col["expression"]
                    problems.add(entry, f"{where}, cột «{column}»: điều kiện «{text}» "
                                        f"{error[1]}.", "dmn.cell_invalid", **named,
                                 reason=f"input_{error[0]}", column=column, text=text,
                                 detail=error[2])
            for (entry, text), col in zip(rule.outputs, table.outputs, strict=True):
                error = output_cell_error(text)
                if error:
                    problems.add(entry, f"{where}, cột «{col['label']}»: kết quả «{text}» "
                                        f"{error[1]}.", "dmn.cell_invalid", **named,
                                 reason=f"output_{error[0]}", column=col["label"], text=text,
                                 detail=error[2])
