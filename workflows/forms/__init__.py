"""marshmallow schemas for user-task forms, by form key.

Each module of this package holds the forms of one procedure (or the shared
ones) in a ``FORMS`` mapping of form key to schema class.
"""

from __future__ import annotations

from engine.extensions import FormRegistry
from workflows.forms import common, nomination, province, registration, revocation, thematic
from workflows.forms.options import register_options

MODULES = (common, nomination, thematic, registration, revocation, province)


def register_forms(forms: FormRegistry) -> None:
    for module in MODULES:
        for key, schema in module.FORMS.items():
            forms.register(key, schema)
    register_options(forms)
