"""A submitted task form back into data: the strings a browser sends (dd/mm/yyyy dates,
one item per line, checkboxes, repeatable rows ``<list>-<n>-<field>``) converted into the
values the task's marshmallow schema loads; whatever cannot be converted is passed on
unchanged so the schema reports it. The widgets are those of ``webapp.forms_render``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from marshmallow import Schema, fields, missing

from webapp.forms_render import (
    JSON_INVALID,
    is_decision,
    listed,
    nested_schema,
    typed_rows,
    widget_of,
)


def _parse_date(text: str) -> str:
    for pattern in ("%d/%m/%Y", "%Y-%m-%d"):
        try:
            return datetime.strptime(text, pattern).date().isoformat()
        except ValueError:
            continue
    return text  # the schema reports it


def _parse_number(text: str) -> Any:
    try:
        return int(text)
    except ValueError:
        try:
            return float(text.replace(",", "."))
        except ValueError:
            return text


def _convert(widget: str, text: str) -> Any:
    if widget == "number":
        return _parse_number(text)
    if widget == "date":
        return _parse_date(text)
    return text


def _parse_record(schema: Schema, row: Mapping[str, str]) -> dict[str, Any]:
    record: dict[str, Any] = {}
    for sub, f in schema.fields.items():
        if f.dump_only:
            continue
        widget = widget_of(sub, f)
        if widget == "checkbox":
            record[sub] = bool(row.get(sub))
            continue
        text = (row.get(sub) or "").strip()
        if text:
            record[sub] = _convert(widget, text)
    return record


def _parse_one(name: str, f: fields.Field, form: Mapping[str, Any], widget: str
               ) -> tuple[Any, str | None]:
    """(value, error) of one field; ``missing`` when nothing was typed."""
    nested = nested_schema(f)
    if nested is not None:
        rows = typed_rows(form, name)
        return ([_parse_record(nested, r) for r in rows] if rows else missing), None
    if widget == "checkbox":
        return name in form, None
    if widget in ("lines", "multi"):
        return (listed(form, name) or missing), None
    text = str(form.get(name) or "").strip()
    if not text:
        return missing, None
    if widget == "json":
        try:
            return json.loads(text), None
        except ValueError:
            return missing, JSON_INVALID
    return _convert(widget, text), None


def parse(schema: Schema, form: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, list[str]]]:
    """Data for the engine from the submitted strings, and errors found before the schema
    (only malformed JSON). Empty inputs are left out so the schema's defaults and its
    «required» messages apply. ``form`` may be a MultiDict (several checked values)."""
    data: dict[str, Any] = {}
    errors: dict[str, list[str]] = {}
    for name, f in schema.fields.items():
        if f.dump_only:
            continue
        widget = "text" if is_decision(name, f) else widget_of(name, f)
        value, error = _parse_one(name, f, form, widget)
        if error:
            errors[name] = [error]
        elif value is not missing:
            data[name] = value
    return data, errors
