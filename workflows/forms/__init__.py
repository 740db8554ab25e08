"""marshmallow schemas for user-task forms, by form key.

Each module of this package holds the forms of one procedure (or the shared
ones) in a ``FORMS`` mapping of form key to schema class.
"""

from __future__ import annotations

from importlib import import_module

from engine.extensions import FormRegistry

MODULES = ("common", "nomination", "thematic", "registration", "revocation", "province")


def register_forms(forms: FormRegistry) -> None:
    for name in MODULES:
        try:
            module = import_module(f"workflows.forms.{name}")
        except ModuleNotFoundError as exc:
            if exc.name != f"workflows.forms.{name}":
                raise
            continue
        for key, schema in module.FORMS.items():
            forms.register(key, schema)
