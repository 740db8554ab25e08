"""Run-time labels of the task and instance pages have an English translation.

The forms' labels, help texts and choice names are marked in ``workflows/forms`` (``N_``,
extracted through babel.cfg); the procedures' and steps' names of ``bpmn/`` and the dossier
items are listed in ``webapp/i18n_data.py``. A new one without English fails here.
"""

from __future__ import annotations

from pathlib import Path

from babel.messages.pofile import read_po
from lxml import etree
from marshmallow import Schema

from engine.extensions import FormRegistry
from webapp import data_tables, i18n_data, instance_views, labels
from workflows import catalogue_admin, dossier
from workflows.forms import register_forms

ROOT = Path(__file__).resolve().parents[2]
PO = ROOT / "webapp" / "translations" / "en" / "LC_MESSAGES" / "messages.po"
BPMN = "{http://www.omg.org/spec/BPMN/20100524/MODEL}"


def _translated() -> dict[str, str]:
    with PO.open("rb") as f:
        return {m.id: m.string for m in read_po(f) if isinstance(m.id, str) and m.id
                and isinstance(m.string, str) and m.string and not m.fuzzy}


def _texts(schema: Schema) -> set[str]:
    out: set[str] = set()
    for f in schema.fields.values():
        out |= {str(f.metadata[k]) for k in ("label", "help") if f.metadata.get(k)}
        if isinstance(f.metadata.get("choices"), dict):
            out |= {str(v) for v in f.metadata["choices"].values()}
        nested = getattr(getattr(f, "inner", None), "schema", None)
        if isinstance(nested, Schema):
            out |= _texts(nested)
    return out


def test_every_form_label_help_and_choice_has_english() -> None:
    forms = FormRegistry()
    register_forms(forms)
    keys = forms.keys()  # a registry, not a dict: it has no iterator
    texts = set().union(*(_texts(forms.schema(key)) for key in keys))
    assert len(texts) > 100  # every field has a label and a help text
    assert sorted(texts - set(_translated())) == []


def test_every_procedure_and_step_of_the_diagrams_is_listed() -> None:
    names: set[str] = set()
    for path in (ROOT / "bpmn").glob("*.bpmn"):
        root = etree.parse(str(path)).getroot()
        for tag in ("process", "userTask", "callActivity"):
            names |= {" ".join(n.get("name").split()) for n in root.iter(BPMN + tag)
                      if n.get("name")}
    assert sorted(names - i18n_data.MESSAGES) == []
    assert sorted(names - set(_translated())) == []


def test_the_pages_run_time_labels_have_english() -> None:
    listed = {*dossier.ITEMS.values(), *dossier.GENERATED_ITEMS.values(),
              *catalogue_admin.PROCEDURE_KINDS.values()}
    assert sorted(listed - i18n_data.MESSAGES) == []
    lazy = {str(v[0] if isinstance(v, tuple) else v) for d in (
        labels.INSTANCE_STATUS_LABELS, labels.NOMINATION_STATUS_LABELS,
        instance_views.STAGE_LABELS, data_tables.OUTCOMES, data_tables.REGISTRATION_STATUS)
        for v in d.values()}
    assert sorted((listed | lazy) - set(_translated())) == []
