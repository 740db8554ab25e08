"""Option sources of the forms (lựa chọn lấy từ danh mục): choices read from the database.

A field names its source in ``metadata["options"]``; ``register_options`` plugs the sources
into the engine's form registry, which offers the list to the pages and enforces it when
a task completes. The award lists are the catalogue's active titles and forms that the
procedure may propose (``award_type.kinds``), in the catalogue's order, named as the
catalogue names them; an ad-hoc proposal for a person or a unit only lists those that
suit it (``subject_kind``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from sqlalchemy.orm import Session

from engine.extensions import Choices, FormRegistry
from workflows.catalogue import award_types_for

SUBJECT_KINDS = ("individual", "collective")


def award_options(kind: str) -> Callable[[Session, Mapping[str, Any]], Choices]:
    """The source of the titles and forms a ``kind`` of procedure proposes."""
    def source(session: Session, data: Mapping[str, Any]) -> Choices:
        subject_kind = data.get("subject_kind")
        wanted = subject_kind if subject_kind in SUBJECT_KINDS else None
        return [(a.code, a.name) for a in award_types_for(session, kind, wanted)]
    return source


SOURCES = {"award_annual": award_options("annual"),
           "award_thematic": award_options("thematic"),
           "award_adhoc": award_options("adhoc")}


def register_options(forms: FormRegistry) -> None:
    for name, source in SOURCES.items():
        forms.register_options(name, source)
