"""What the task page shows beside the form (bối cảnh hồ sơ): the data as people read it.

Labels and choice names come from the registered form schemas (the field's ``label``
and ``choices``), so a code such as ``decision: return`` reads «Quyết định: Trả lại bổ
sung». The nominees and the dossier's completeness get their own lines; the fields of the
task's own form are left out (the form shows them); whatever has no plain reading
(records, nested data) goes to a folded «technical data» list as JSON.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from flask_babel import gettext as _
from marshmallow import Schema

from engine.extensions import FormRegistry

HIDDEN = frozenset({"dossier_missing"})  # the same as ``dossier``'s missing items


@dataclass
class Context:
    """Readable ``(label, text)`` rows, technical ``(key, json)`` rows, the return note."""

    rows: list[tuple[str, str]] = field(default_factory=list)
    technical: list[tuple[str, str]] = field(default_factory=list)
    returned: dict[str, Any] | None = None


def _describe(forms: FormRegistry) -> tuple[dict[str, str], dict[str, dict[str, str]]]:
    """Labels and choice names of every field of every registered form (first one wins)."""
    labels: dict[str, str] = {}
    choices: dict[str, dict[str, str]] = {}
    form_keys = forms.keys()  # a registry, not a dict: it has no iterator
    for key in form_keys:
        for name, f in forms.schema(key).fields.items():
            if f.metadata.get("label"):
                labels.setdefault(name, str(f.metadata["label"]))
            named = f.metadata.get("choices")
            if isinstance(named, dict):
                choices.setdefault(name, {str(k): str(v) for k, v in named.items()})
    return labels, choices


def _text(value: Any, names: dict[str, str]) -> str | None:
    """A plain value as text (dates dd/mm/yyyy, yes/no), or None when it is not plain."""
    if isinstance(value, bool):
        return _("Có") if value else _("Không")
    if value is None or value == "" or value == []:
        return "—"
    if isinstance(value, str):
        try:
            return date.fromisoformat(value).strftime("%d/%m/%Y") if len(value) == 10 \
                else names.get(value, value)
        except ValueError:
            return names.get(value, value)
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, list) and all(isinstance(v, str | int | float) for v in value):
        return "; ".join(names.get(str(v), str(v)) for v in value)
    return None


def _nominees(value: Any) -> list[tuple[str, str]]:
    """The ``nominated`` result of ``create_nominations`` as readable lines."""
    if not isinstance(value, dict):
        return []
    people = [f"{n.get('subject_code')} — {n.get('name')}" if n.get("name")
              else str(n.get("subject_code")) for n in value.get("nominations") or []
              if isinstance(n, dict)]
    rows = [(_("Đối tượng được đề nghị"), "; ".join(people) or "—")]
    if value.get("award_name"):
        rows.append((_("Danh hiệu / hình thức đề nghị"),
                     f"{value['award_name']} ({value.get('year', '')})"))
    return rows


def _dossier(value: Any) -> list[tuple[str, str]]:
    """The ``dossier`` result of ``check_dossier``: complete, or the items missing."""
    if not isinstance(value, dict):
        return []
    missing = [str(m.get("label") or m.get("item")) for m in value.get("missing") or []
               if isinstance(m, dict)]
    text = _("Đủ thành phần") if not missing else _("Còn thiếu: %(items)s",
                                                    items="; ".join(missing))
    return [(_("Thành phần hồ sơ"), text)]


def task_context(forms: FormRegistry, data: dict[str, Any], own: Schema | None) -> Context:
    """The instance's ``data`` for the aside of a task whose form is ``own``."""
    labels, choices = _describe(forms)
    skip = set(HIDDEN) | (set(own.fields) - {"decision", "comment"} if own else set())
    out = Context()
    for key in sorted(data):
        value = data[key]
        if key in skip:
            continue
        special = {"nominated": _nominees, "dossier": _dossier}.get(key)
        if special is not None and special(value):
            out.rows.extend(special(value))
            continue
        text = _text(value, choices.get(key, {}))
        if text is None:
            out.technical.append((key, json.dumps(value, ensure_ascii=False, indent=1)))
        else:
            out.rows.append((labels.get(key, key), text))
    if data.get("decision") == "return":
        items = data.get("supplement_items")
        out.returned = {"comment": str(data.get("comment") or ""),
                        "items": [str(i) for i in items] if isinstance(items, list) else []}
    return out

