"""The TĐKT domain on the engine: forms, service-task handlers, catalogue, eligibility.

``build_engine`` is how every entry point (web app, CLI, scheduler, benchmarks)
gets a ``ProcessEngine`` with the domain's forms and handlers registered.
"""

from __future__ import annotations

from engine.service import EngineSettings, ProcessEngine
from workflows.forms import register_forms
from workflows.handlers import register_handlers


def build_engine(settings: EngineSettings | None = None) -> ProcessEngine:
    engine = ProcessEngine(settings)
    register_forms(engine.forms)
    register_handlers(engine.handlers)
    return engine
