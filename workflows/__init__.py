"""The TĐKT domain on the engine: forms, service-task handlers, catalogue, eligibility.

``build_engine`` is how every entry point (web app, CLI, scheduler, benchmarks)
gets a ``ProcessEngine`` with the domain's forms and handlers registered.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from sqlalchemy.orm import Session

from engine.service import EngineSettings, ProcessEngine
from workflows import catalogue, documents, settings_admin
from workflows.council.access import meeting_dossiers
from workflows.forms import register_forms
from workflows.handlers import register_handlers
from workflows.handlers.documents import register_document_handlers
from workflows.notices import task_note
from workflows.outcome import completion_note
from workflows.search_index import instance_index


def working_days_setting(session: Session, name: str) -> int | None:
    """``dueWorkingDays="setting:<name>"`` in a diagram reads the office's setting."""
    value = catalogue.setting(session, name)
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def build_engine(settings: EngineSettings | None = None,
                 files_dir: Path | None = None) -> ProcessEngine:
    """The engine with the domain's forms and handlers.

    With ``files_dir`` (where attachments are stored) the numbering steps also render
    and attach their documents (workflows/handlers/documents.py). Council members read
    the dossiers of their meetings' candidates (``workflows.council.access``).
    """
    base = settings or EngineSettings()
    settings = replace(base, named_days=working_days_setting,
                       reminder_policy=settings_admin.reminder_policy,
                       visibility_grants=(*base.visibility_grants, meeting_dossiers),
                       task_index=instance_index, completion_note=completion_note,
                       task_note=task_note)
    engine = ProcessEngine(settings)
    register_forms(engine.forms)
    register_handlers(engine.handlers)
    if files_dir is not None:
        register_document_handlers(engine.handlers, Path(files_dir))
        documents.configure(Path(files_dir))
    return engine
