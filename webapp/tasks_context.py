"""An instance's data as people read it (bối cảnh hồ sơ): the task page's aside and the
instance page's data sections.

Plain values are labelled by the registered form schemas (a field's ``label`` and
``choices``, translated at run time) and shown by name, not code: a title by its name in
the catalogue, a person or a unit by name and code, a movement by name and year, dates
dd/mm/yyyy. The service tasks' results (``nominated``, ``council_vote``, ``eligibility``,
…) become rows and small tables (``webapp.data_tables``); the nominations' states one
table per subject. The decisions and comments are the history's (``webapp.comments_view``),
not the data's last values. Only keys nobody describes are folded as JSON under
«Chi tiết kỹ thuật».
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from marshmallow import Schema

from engine.extensions import FormRegistry
from webapp import data_tables
from webapp.data_tables import Found, Table
from webapp.labels import NOMINATION_STATUS_LABELS
from webapp.readable import Names, tr
from workflows.nominations import CLOSED

# Shown elsewhere: the history (decisions, comments), the nominations' table, the dossier.
HIDDEN = frozenset({"dossier_missing", "nomination_status", "decision", "comment",
                    "supplement_items"})
NAMED: dict[str, Callable[[Names, Any], str]] = {
    "award_code": lambda names, v: names.award(v),
    "subjects": lambda names, v: names.subjects(v),
    "approved_subjects": lambda names, v: names.subjects(v),
    "passed_subjects": lambda names, v: names.subjects(v),
    "subject_code": lambda names, v: names.subject(v),
    "nominee_code": lambda names, v: names.subject(v),
    "movement_code": lambda names, v: names.movement(v),
    "award_status": lambda names, v: str(NOMINATION_STATUS_LABELS.get(str(v), v)),
}
# Keys the diagrams' scripts write (no form labels them), or that several steps write.
SCRIPT_LABELS = {"award_status": _l("Kết quả khen thưởng"), "document_date": _l("Ngày tờ trình"),
                 "decision_no": _l("Số quyết định khen thưởng"),
                 "decision_date": _l("Ngày quyết định")}
# A result that already says what these keys say (the keys are copies of its values).
REPEATS = {
    "decision_issued": ("decision_no", "decision_date"),
    "revocation": ("decision_issued", "decision_no", "decision_date"),
    "province_answer": ("outcome", "approved_subjects"),
    "proposal_issued": ("document_no", "document_date"),
    "movement": ("movement_code",), "nominee": ("nominee_code",),
    "council_vote": ("council_result",),
}


@dataclass
class Context:
    """Readable ``(label, text)`` rows, tables, technical ``(key, json)`` rows, and the
    request to supplement (the last decision, when it returned the dossier)."""

    rows: list[tuple[str, str]] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    technical: list[tuple[str, str]] = field(default_factory=list)
    returned: dict[str, Any] | None = None


def describe(forms: FormRegistry) -> tuple[dict[str, str], dict[str, dict[str, str]]]:
    """Labels and choice names of every field of every registered form (first one wins),
    untranslated."""
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
        if len(value) == 10:
            try:
                return date.fromisoformat(value).strftime("%d/%m/%Y")
            except ValueError:
                pass
        return tr(names[value]) if value in names else value
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, list) and all(isinstance(v, str | int | float) for v in value):
        return "; ".join(tr(names[str(v)]) if str(v) in names else str(v) for v in value)
    return None


def nomination_table(nominations: Iterable[tuple[str, str, str]], names: Names) -> Table:
    """One row per nominated subject: its title and its state now; those still in the
    running first, those already out (ineligible, not approved) after them."""
    ordered = sorted(nominations, key=lambda n: n[2] in CLOSED)
    return Table(_("Trạng thái từng đối tượng"), [_("Đối tượng"), _("Danh hiệu"),
                                                   _("Trạng thái")],
                 [[names.subject(code), names.award(award),
                   str(NOMINATION_STATUS_LABELS.get(status, status))]
                  for code, award, status in ordered])


def _read(key: str, value: Any, names: Names, out: Context) -> bool:
    reader = data_tables.READERS.get(key)
    if reader is None:
        return False
    found = Found()
    if not reader(value, names, found):
        return False
    out.rows.extend(found.rows)
    out.tables.extend(found.tables)
    return True


def task_context(forms: FormRegistry, data: dict[str, Any], own: Schema | None,
                 names: Names, nominations: list[tuple[str, str, str]] | None = None
                 ) -> Context:
    """``data`` (as the person may see it) for a task whose form is ``own`` (its fields
    are left out: the form shows them), or for the instance page (``own`` None).

    ``nominations``: ``(subject, title, status)`` of the instance's nominations, shown as
    a table when the data names them (``nominated`` or ``nomination_status``).
    """
    labels, choices = describe(forms)
    skip = set(HIDDEN) | (set(own.fields) if own else set())
    for key, repeated in REPEATS.items():
        if data.get(key):
            skip.update(repeated)
    listed = bool(nominations) and bool({"nominated", "nomination_status"} & set(data))
    if listed:
        skip |= {"nominated", "subjects", "council_submitted"}  # the table names them all
    out = Context()
    for key in sorted(data):
        value = data[key]
        if key in skip or value in (None, "", []) or _read(key, value, names, out):
            continue
        text = NAMED[key](names, value) if key in NAMED else _text(value, choices.get(key, {}))
        label = str(SCRIPT_LABELS[key]) if key in SCRIPT_LABELS \
            else tr(labels[key]) if key in labels else ""
        if text is None or not label:
            out.technical.append((key, json.dumps(value, ensure_ascii=False, indent=1)))
        else:
            out.rows.append((label, text))
    if listed:
        out.tables.insert(0, nomination_table(nominations or [], names))
    if data.get("decision") == "return":
        items = data.get("supplement_items")
        out.returned = {"comment": str(data.get("comment") or ""),
                        "items": [str(i) for i in items] if isinstance(items, list) else []}
    return out
