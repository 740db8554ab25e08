"""Turn a task's marshmallow schema into form fields (``webapp.forms_parse`` turns a
submitted form back into data).

The schema (registered by ``workflows/forms``) stays the only place the rules live: this
module only chooses a widget per field, shows what was typed and converts the strings a
browser sends (dd/mm/yyyy dates, one item per line, checkboxes) into the values the schema
loads. Whatever cannot be converted is passed on unchanged so the schema reports it.

A list of nested records (``fields.List(fields.Nested(...))``, e.g. the complaints of the
disclosure or the votes per candidate) becomes repeatable rows of labelled inputs named
``<list>-<n>-<field>`` (``complaints-0-summary``); rows left blank are dropped and the
others renumbered from 0, so the schema's errors per row match the rows shown again. A list
of strings with choices (from the schema or given by the page, e.g. the unit's people)
becomes a group of checkboxes.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from marshmallow import Schema, fields, missing, validate

DECISION = "decision"
LONG_TEXT = 255
LONG_NAMES = ("summary", "comment", "answer", "reason", "note", "content")
JSON_INVALID = "Nội dung JSON không hợp lệ."
ROW_INDEX = "__i__"  # the index placeholder of the blank row the page clones
Options = Mapping[str, list[tuple[str, str]]]


@dataclass
class FormField:
    """One input of a task form, ready for the template."""

    name: str
    label: str
    widget: str  # text | textarea | number | date | checkbox | select | radio | lines | json
    #              | multi (checkboxes of a list) | rows (a list of nested records)
    required: bool = False
    help: str = ""
    choices: list[tuple[str, str]] = field(default_factory=list)
    value: str = ""
    maxlength: int | None = None
    errors: list[str] = field(default_factory=list)
    selected: list[str] = field(default_factory=list)  # multi: the values checked
    rows: list[Row] = field(default_factory=list)  # rows: one per record
    blank: Row | None = None  # rows: the empty row the page clones («Thêm dòng»)
    named_by_schema: bool = False  # the choices' names are the schema's (translatable)

    @property
    def id(self) -> str:
        return f"f-{self.name}"

    @property
    def checked(self) -> bool:
        return self.value not in ("", "false", "False", "0")


@dataclass
class Row:
    """One record of a list of nested records: its inputs and the errors of the whole row."""

    index: str
    cells: list[FormField]
    errors: list[str] = field(default_factory=list)


def _choices(f: fields.Field) -> list[tuple[str, str]]:
    labels = f.metadata.get("choices")
    if isinstance(labels, Mapping):
        return [(str(k), str(v)) for k, v in labels.items()]
    for v in _validators(f):
        if isinstance(v, validate.OneOf):
            names = list(v.labels) if v.labels else [str(c) for c in v.choices]
            return [(str(c), str(n)) for c, n in zip(v.choices, names, strict=False)]
    return []


def _validators(f: fields.Field) -> list[Any]:
    return list(getattr(f, "validators", []) or [])


def _max_length(f: fields.Field) -> int | None:
    for v in _validators(f):
        if isinstance(v, validate.Length) and v.max is not None:
            return int(v.max)
    return None


def nested_schema(f: fields.Field) -> Schema | None:
    """The record schema of a ``fields.List(fields.Nested(...))``, else None."""
    if isinstance(f, fields.List) and isinstance(f.inner, fields.Nested):
        schema = f.inner.schema
        return schema if isinstance(schema, Schema) else None
    return None


TYPED_WIDGETS: tuple[tuple[type[fields.Field] | tuple[type[fields.Field], ...], str], ...] = (
    ((fields.Nested, fields.Dict), "json"), (fields.Boolean, "checkbox"), (fields.Date, "date"),
    ((fields.Integer, fields.Float, fields.Decimal), "number"))


def _listwidget_of(name: str, f: fields.List, options: Options | None) -> str:
    if nested_schema(f) is not None:
        return "rows"
    inner = f.inner
    if not isinstance(inner, fields.String):
        return "json"
    return "multi" if _choices(inner) or (options or {}).get(name) else "lines"


def widget_of(name: str, f: fields.Field, options: Options | None = None) -> str:
    if isinstance(f, fields.List):
        return _listwidget_of(name, f, options)
    for kinds, widget in TYPED_WIDGETS:
        if isinstance(f, kinds):
            return widget
    choices = _choices(f)
    if choices:
        return "radio" if len(choices) <= 3 else "select"
    offered = (options or {}).get(name)
    if offered:  # choices from the page, a list that may grow: a few with a default (e.g.
        # the ad-hoc award's forms) as radios, else a select that may be left empty
        settled = f.load_default not in (None, missing) and not callable(f.load_default)
        return "radio" if len(offered) <= 3 and settled else "select"
    longest = _max_length(f)
    if (longest is not None and longest > LONG_TEXT) or any(w in name for w in LONG_NAMES):
        return "textarea"
    return "text"


def display(widget: str, value: Any) -> str:
    """A stored value as the input shows it (dates dd/mm/yyyy, lists one per line)."""
    if value is None or value is missing:
        return ""
    if widget == "date" and isinstance(value, str | date):
        try:
            day = value if isinstance(value, date) else date.fromisoformat(value)
        except ValueError:
            return str(value)
        return day.strftime("%d/%m/%Y")
    if widget == "lines" and isinstance(value, list):
        return "\n".join(str(v) for v in value)
    if widget == "json":
        return json.dumps(value, ensure_ascii=False, indent=2) if value not in ([], {}) else ""
    if widget == "checkbox":
        return "on" if value is True else ""
    return str(value)


def any_required(inputs: list[FormField]) -> bool:
    """Whether any input (or any cell of a list of records) is marked required."""
    return any(f.required or any(c.required for row in [*f.rows, *([f.blank] if f.blank else [])]
                                 for c in row.cells) for f in inputs)


def flatten(messages: Any) -> list[str]:
    """Error messages of one field (nested lists and dicts become ``key: message``)."""
    if isinstance(messages, str):
        return [messages]
    if isinstance(messages, list):
        return [m for item in messages for m in flatten(item)]
    if isinstance(messages, Mapping):
        out: list[str] = []
        for key, value in messages.items():
            label = f"Dòng {int(key) + 1}" if isinstance(key, int) else str(key)
            out.extend(f"{label}: {m}" if label and label != "_schema" else m
                       for m in flatten(value))
        return out
    return [str(messages)]


def is_decision(name: str, f: fields.Field) -> bool:
    """A ``decision`` field with choices becomes one submit button per choice."""
    return name == DECISION and bool(_choices(f))


def decision_choices(schema: Schema) -> list[tuple[str, str]]:
    f = schema.fields.get(DECISION)
    return _choices(f) if f is not None and is_decision(DECISION, f) else []


# -- rendering ----------------------------------------------------------------------------
def listed(typed: Mapping[str, Any], name: str) -> list[str]:
    """Every value submitted under ``name`` (a MultiDict's list, else one value's lines)."""
    getlist = getattr(typed, "getlist", None)
    values = list(getlist(name)) if getlist else [typed.get(name, "")]
    return [line.strip() for v in values for line in str(v or "").splitlines() if line.strip()]


def typed_rows(form: Mapping[str, Any], name: str) -> list[dict[str, str]]:
    """The rows submitted for the list ``name`` (``name-<n>-<field>``), in the order of
    their numbers; rows with nothing typed are dropped (the blank row of the page)."""
    pattern = re.compile(rf"^{re.escape(name)}-(\d{{1,6}})-(\w+)$")
    found: dict[int, dict[str, str]] = {}
    for key in form:
        match = pattern.match(key)
        if match:
            found.setdefault(int(match[1]), {})[match[2]] = str(form.get(key) or "")
    rows = [found[i] for i in sorted(found)]
    return [r for r in rows if any(v.strip() for v in r.values())]


def _row_errors(messages: Any) -> tuple[list[str], dict[int, Any]]:
    """Errors of a list of records: (those of the whole list, those per row number)."""
    if not isinstance(messages, Mapping):
        return flatten(messages), {}
    whole: list[str] = []
    per_row: dict[int, Any] = {}
    for key, value in messages.items():
        try:
            per_row[int(key)] = value
        except (TypeError, ValueError):
            whole.extend(flatten(value))
    return whole, per_row


def _row(list_name: str, index: str, schema: Schema, values: Mapping[str, str],
         messages: Any, options: Options | None) -> Row:
    per_field = messages if isinstance(messages, Mapping) else {"": messages or []}
    cells = [_field(f"{list_name}-{index}-{sub}", f, values.get(sub, ""),
                    per_field.get(sub, []), options, sub)
             for sub, f in schema.fields.items() if not f.dump_only]
    names = {c.name.rsplit("-", 1)[-1] for c in cells}
    rest = {k: v for k, v in per_field.items() if k not in names}
    return Row(index=index, cells=cells, errors=flatten(list(rest.values())))


def _stored_row(schema: Schema, record: Any, options: Options | None) -> dict[str, str]:
    if not isinstance(record, Mapping):
        return {}
    return {sub: display(widget_of(sub, f, options), record.get(sub))
            for sub, f in schema.fields.items() if sub in record}


def _rows_field(name: str, f: fields.Field, schema: Schema, typed: Mapping[str, Any] | None,
                stored: Mapping[str, Any] | None, messages: Any,
                options: Options | None) -> FormField:
    if typed is not None:
        records = typed_rows(typed, name)
    elif stored is not None and isinstance(stored.get(name), list):
        records = [_stored_row(schema, r, options) for r in stored[name]]
    else:
        records = []
    whole, per_row = _row_errors(messages)
    rows = [_row(name, str(i), schema, r, per_row.get(i), options)
            for i, r in enumerate(records)] or [_row(name, "0", schema, {}, None, options)]
    out = _field(name, f, "", whole, options)
    out.widget, out.rows = "rows", rows
    out.blank = _row(name, ROW_INDEX, schema, {}, None, options)
    return out


def _field(name: str, f: fields.Field, value: str, messages: Any, options: Options | None,
           key: str | None = None) -> FormField:
    """One input; ``key`` is the schema's name of the field (``name`` is the input's)."""
    key = key or name
    widget = widget_of(key, f, options)
    own = _choices(f.inner if isinstance(f, fields.List) else f)
    return FormField(
        name=name, label=str(f.metadata.get("label") or key), widget=widget,
        required=f.required, help=str(f.metadata.get("help") or ""),
        choices=own or list((options or {}).get(key, [])), named_by_schema=bool(own),
        value=value, maxlength=_max_length(f), errors=flatten(messages or []))


def _with_unknown(choices: list[tuple[str, str]], selected: list[str]) -> list[tuple[str, str]]:
    """The choices and, after them, any selected value that is not one (nothing is lost)."""
    known = {c for c, _ in choices}
    return choices + [(v, v) for v in selected if v not in known]


def _multi(name: str, f: fields.Field, typed: Mapping[str, Any] | None,
           stored: Mapping[str, Any] | None, messages: Any, options: Options | None
           ) -> FormField:
    if typed is not None:
        selected = listed(typed, name)
    elif stored is not None and isinstance(stored.get(name), list):
        selected = [str(v) for v in stored[name]]
    else:
        selected = []
    out = _field(name, f, "", messages, options)
    out.selected, out.choices = selected, _with_unknown(out.choices, selected)
    return out


def form_fields(schema: Schema, typed: Mapping[str, Any] | None = None,
                stored: Mapping[str, Any] | None = None,
                errors: Mapping[str, Any] | None = None,
                options: Options | None = None) -> list[FormField]:
    """The inputs of ``schema`` (the decision excepted), showing ``typed`` strings if the
    form was submitted, else ``stored`` values, else the schema's defaults.

    ``options`` gives choices the schema does not hold, by field name (also the name of a
    field inside the records of a list), e.g. ``{"subjects": [(code, name), …]}``.
    """
    out = []
    for name, f in schema.fields.items():
        if f.dump_only or is_decision(name, f):
            continue
        messages = (errors or {}).get(name, [])
        widget = widget_of(name, f, options)
        nested = nested_schema(f)
        if nested is not None:
            out.append(_rows_field(name, f, nested, typed, stored, messages, options))
            continue
        if widget == "multi":
            out.append(_multi(name, f, typed, stored, messages, options))
            continue
        if typed is not None:
            value = str(typed.get(name, "") or "")
        elif stored is not None and name in stored:
            value = display(widget, stored[name])
        else:
            default = f.load_default
            value = "" if callable(default) else display(widget, default)
        out.append(_field(name, f, value, messages, options))
    return out


def translated(inputs: list[FormField], tr: Callable[[str], str]) -> list[FormField]:
    """``inputs`` with their labels, help texts and the schema's choice names passed
    through ``tr`` (the page's language); names given by the page (people, titles of the
    catalogue) are data and stay as they are. Changes the inputs in place."""
    for f in inputs:
        f.label, f.help = tr(f.label), tr(f.help) if f.help else ""
        if f.named_by_schema:
            f.choices = [(value, tr(text)) for value, text in f.choices]
        for row in [*f.rows, *([f.blank] if f.blank else [])]:
            translated(row.cells, tr)
    return inputs


# -- parsing ------------------------------------------------------------------------------
