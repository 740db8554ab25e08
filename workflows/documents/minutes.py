"""The council's tally minutes (biên bản kiểm phiếu), stored when a meeting closes.

Called by the council (``workflows.council.closing``, data from
``workflows.council.views.minutes_data``): ``store_tally_minutes(session, data,
instance_ids, actor)`` inside the close's transaction. The minutes are rendered once
and attached to every instance on the meeting's agenda.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from engine.errors import NotFound
from engine.roles import Actor
from engine.store.models import ProcessInstance
from workflows.documents.generate import generate, minutes_documents, source_for

_DEFAULT: dict[str, Path | None] = {"files_dir": None}


def configure(files_dir: Path | None) -> None:
    """The files folder used when a caller passes none (set by ``build_engine``)."""
    _DEFAULT["files_dir"] = Path(files_dir) if files_dir is not None else None


def default_files_dir() -> Path | None:
    return _DEFAULT["files_dir"]


def store_tally_minutes(session: Session, data: dict[str, Any], instance_ids: Iterable[Any],
                        actor: Actor, files_dir: Path | None = None) -> list[dict[str, Any]]:
    """Render the minutes (PDF + DOCX) and attach them to each instance; nothing committed.

    Raises:
        RenderError: the template could not be rendered (the close must fail).
        InvalidData: ``document.letterhead_missing`` (the letterhead settings are not
            filled in; with a files folder only, when the minutes are issued).
        NotFound: an instance id is unknown (``instance.not_found``).

    Returns:
        One summary per stored file (``id``, ``item``, ``filename``, ``sha256``); [] when
        no files folder is known (rendered, to check the template, but not stored).
    """
    ids = list(dict.fromkeys(int(i) for i in instance_ids))
    for instance_id in ids:
        if session.get(ProcessInstance, instance_id) is None:
            raise NotFound("Không tìm thấy hồ sơ quy trình.", code="instance.not_found")
    folder = files_dir if files_dir is not None else default_files_dir()
    docs = minutes_documents(session, data, source_for(folder), issue=folder is not None)
    if folder is None:
        return []
    stored: list[dict[str, Any]] = []
    for instance_id in ids:
        stored += generate(session, actor, instance_id, docs, folder)
    return stored
