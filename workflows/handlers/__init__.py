"""Service-task handlers, registered by name (the engine knows only names).

Each module of this package exposes ``HANDLERS``: name → (callable, description).
"""

from __future__ import annotations

from engine.extensions import HandlerRegistry
from workflows.council import handlers as council
from workflows.handlers import (
    common,
    eligibility,
    nomination,
    province,
    registration,
    registry,
    revocation,
    thematic,
)

MODULES = (common, nomination, eligibility, registry, thematic, registration, revocation,
           province, council)


def register_handlers(handlers: HandlerRegistry) -> None:
    for module in MODULES:
        for key, (handler, description) in module.HANDLERS.items():
            handlers.register(key, handler, description)
