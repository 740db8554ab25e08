"""The difference between two versions of a decision table (so sánh bảng quyết định):
rules added, removed and changed (cell by cell, matched by rule id and column id), columns
added or removed, a changed hit policy. Shown as a table on /admin/processes."""

from __future__ import annotations

from typing import Any

from engine.specs.dmn_tables import Rule, Table, read_tables


def _columns(old: Table | None, new: Table | None) -> list[dict[str, Any]]:
    """Input then output columns: the new version's, then those only the old one had."""
    out: list[dict[str, Any]] = []
    for kind in ("inputs", "outputs"):
        new_cols = getattr(new, kind) if new else []
        old_cols = getattr(old, kind) if old else []
        new_ids = {c["id"] for c in new_cols}
        old_ids = {c["id"] for c in old_cols}
        for col in new_cols:
            out.append({**col, "kind": kind, "status": "same" if col["id"] in old_ids or
                        old is None else "added"})
        for col in old_cols:
            if col["id"] not in new_ids:
                out.append({**col, "kind": kind, "status": "removed"})
    return out


def _cells(rule: Rule, table: Table) -> dict[str, str]:
    cells = {col["id"]: text for col, (_e, text) in zip(table.inputs, rule.inputs, strict=False)}
    cells |= {col["id"]: text for col, (_e, text) in zip(table.outputs, rule.outputs,
                                                             strict=False)}
    return cells


def _row(rule: Rule, table: Table, status: str, columns: list[dict[str, Any]],
         before: dict[str, str] | None = None, before_desc: str | None = None,
         number_old: int | None = None) -> dict[str, Any]:
    cells = _cells(rule, table)
    row_cells = []
    for col in columns:
        text = cells.get(col["id"], "")
        old = (before or {}).get(col["id"], "") if before is not None else None
        row_cells.append({"text": text, "old": old if old is not None and old != text else None})
    return {"id": rule.id, "status": status, "number": rule.number, "number_old": number_old,
            "cells": row_cells, "description": rule.description,
            "description_old": before_desc if before_desc not in (None, rule.description)
            else None}


def _rows(old: Table | None, new: Table | None, columns: list[dict[str, Any]]
          ) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    old_rules = {r.id: r for r in old.rules} if old is not None else {}
    if new is not None:
        for rule in new.rules:
            was = old_rules.get(rule.id)
            if was is None or old is None:
                rows.append(_row(rule, new, "added", columns))
                continue
            before = _cells(was, old)
            same = before == _cells(rule, new) and was.description == rule.description
            rows.append(_row(rule, new, "same" if same else "changed", columns, before,
                             was.description, was.number))
    if old is not None:
        _insert_removed(rows, old, {r.id for r in new.rules} if new else set(), columns)
    return rows


def _insert_removed(rows: list[dict[str, Any]], old: Table, kept: set[str],
                    columns: list[dict[str, Any]]) -> None:
    """Each removed rule goes after the last row that preceded it in the old version."""
    for rule in old.rules:
        if rule.id in kept:
            continue
        row = _row(rule, old, "removed", columns, number_old=rule.number)
        row["number"] = None
        earlier = {r.id for r in old.rules[:rule.number - 1]}
        at = max((i + 1 for i, r in enumerate(rows) if r["id"] in earlier), default=0)
        rows.insert(at, row)


def diff_dmn(old_xml: str | bytes, new_xml: str | bytes) -> dict[str, Any]:
    """``{"tables": [{decision_id, name, status, hit_policy, hit_policy_old, columns,
    rows}], "counts": {added, removed, changed}}``; rows and columns carry a ``status``
    (``same``, ``added``, ``removed``, ``changed``), changed cells their ``old`` text."""
    old = {t.decision_id: t for t in read_tables(old_xml)}
    new = {t.decision_id: t for t in read_tables(new_xml)}
    order = list(new) + [d for d in old if d not in new]
    tables = []
    counts = {"added": 0, "removed": 0, "changed": 0}
    for decision in order:
        before, after = old.get(decision), new.get(decision)
        columns = _columns(before, after)
        rows = _rows(before, after, columns)
        for row in rows:
            if row["status"] in counts:
                counts[row["status"]] += 1
        shown = after or before
        assert shown is not None
        tables.append({
            "decision_id": decision, "name": shown.name,
            "status": "added" if before is None else "removed" if after is None else "same",
            "hit_policy": shown.hit_policy,
            "hit_policy_old": before.hit_policy if before and after and
            before.hit_policy != after.hit_policy else None,
            "columns": columns, "rows": rows})
    return {"tables": tables, "counts": counts}
