"""Turn a task's marshmallow schema into form fields, and a submitted form back into data.

The schema (registered by ``workflows/forms``) stays the only place the rules live: this
module only chooses a widget per field, shows what was typed and converts the strings a
browser sends (dd/mm/yyyy dates, one item per line, checkboxes) into the values the schema
loads. Whatever cannot be converted is passed on unchanged so the schema reports it.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from marshmallow import Schema, fields, missing, validate

DECISION = "decision"
LONG_TEXT = 255
LONG_NAMES = ("summary", "comment", "answer", "reason", "note", "content")
JSON_INVALID = "Nội dung JSON không hợp lệ."


@dataclass
class FormField:
    """One input of a task form, ready for the template."""

    name: str
    label: str
    widget: str  # text | textarea | number | date | checkbox | select | radio | lines | json
    required: bool = False
    help: str = ""
    choices: list[tuple[str, str]] = field(default_factory=list)
    value: str = ""
    maxlength: int | None = None
    errors: list[str] = field(default_factory=list)

    @property
    def id(self) -> str:
        return f"f-{self.name}"

    @property
    def checked(self) -> bool:
        return self.value not in ("", "false", "False", "0")


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


def _widget(name: str, f: fields.Field) -> str:
    if isinstance(f, fields.List):
        inner = f.inner
        return "lines" if isinstance(inner, fields.String) and not _choices(inner) else "json"
    if isinstance(f, fields.Nested | fields.Dict):
        return "json"
    if isinstance(f, fields.Boolean):
        return "checkbox"
    if isinstance(f, fields.Date):
        return "date"
    if isinstance(f, fields.Integer | fields.Float | fields.Decimal):
        return "number"
    choices = _choices(f)
    if choices:
        return "radio" if len(choices) <= 3 else "select"
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
            out.extend(f"{label}: {m}" for m in flatten(value))
        return out
    return [str(messages)]


def is_decision(name: str, f: fields.Field) -> bool:
    """A ``decision`` field with choices becomes one submit button per choice."""
    return name == DECISION and bool(_choices(f))


def decision_choices(schema: Schema) -> list[tuple[str, str]]:
    f = schema.fields.get(DECISION)
    return _choices(f) if f is not None and is_decision(DECISION, f) else []


def form_fields(schema: Schema, typed: Mapping[str, str] | None = None,
                stored: Mapping[str, Any] | None = None,
                errors: Mapping[str, Any] | None = None) -> list[FormField]:
    """The inputs of ``schema`` (the decision excepted), showing ``typed`` strings if the
    form was submitted, else ``stored`` values, else the schema's defaults."""
    out = []
    for name, f in schema.fields.items():
        if f.dump_only or is_decision(name, f):
            continue
        widget = _widget(name, f)
        if typed is not None:
            value = typed.get(name, "")
        elif stored is not None and name in stored:
            value = display(widget, stored[name])
        else:
            default = f.load_default
            value = "" if callable(default) else display(widget, default)
        out.append(FormField(
            name=name, label=str(f.metadata.get("label") or name), widget=widget,
            required=f.required, help=str(f.metadata.get("help") or ""),
            choices=_choices(f), value=value, maxlength=_max_length(f),
            errors=flatten((errors or {}).get(name, []))))
    return out


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


def parse(schema: Schema, form: Mapping[str, str]) -> tuple[dict[str, Any], dict[str, list[str]]]:
    """Data for the engine from the submitted strings, and errors found before the schema
    (only malformed JSON). Empty inputs are left out so the schema's defaults and its
    «required» messages apply."""
    data: dict[str, Any] = {}
    errors: dict[str, list[str]] = {}
    for name, f in schema.fields.items():
        if f.dump_only:
            continue
        widget = "text" if is_decision(name, f) else _widget(name, f)
        if widget == "checkbox":
            data[name] = name in form
            continue
        text = (form.get(name) or "").strip()
        if not text:
            continue
        if widget == "number":
            data[name] = _parse_number(text)
        elif widget == "date":
            data[name] = _parse_date(text)
        elif widget == "lines":
            data[name] = [line.strip() for line in text.splitlines() if line.strip()]
        elif widget == "json":
            try:
                data[name] = json.loads(text)
            except ValueError:
                errors[name] = [JSON_INVALID]
        else:
            data[name] = text
    return data, errors
