"""Service-task handlers, registered by name (the engine knows only names).

Each module of this package exposes ``HANDLERS``: name → (callable, description).
"""

from __future__ import annotations

from importlib import import_module

from engine.extensions import HandlerRegistry

MODULES = ("common", "nomination", "eligibility", "registry", "thematic", "registration",
           "revocation", "province")


def register_handlers(handlers: HandlerRegistry) -> None:
    for name in MODULES:
        try:
            module = import_module(f"workflows.handlers.{name}")
        except ModuleNotFoundError as exc:
            if exc.name != f"workflows.handlers.{name}":
                raise
            continue
        for key, (handler, description) in module.HANDLERS.items():
            handlers.register(key, handler, description)
