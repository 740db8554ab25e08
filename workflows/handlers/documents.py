"""Documents rendered by the numbering steps, without changing the diagrams.

When a files folder is configured (``build_engine(files_dir=...)``; the web app passes
``FILES_DIR``), the handlers ``issue_decision`` and ``issue_proposal_number`` are
wrapped: after the number is taken, the decision (quyết định, DOCX + PDF) and the
Giấy khen of its GK recipients, or the tờ trình to the province, are rendered and
attached to the instance in the same transaction. A render error is raised as a domain
error (``document.render_failed``), so the engine refuses the whole command and rolls
everything back, the number included (a plain exception would leave the instance in
``error`` with the number taken). The step's result gains ``documents``.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from engine.errors import InvalidData
from engine.extensions import HandlerRegistry, ServiceCall
from workflows.documents.generate import (
    decision_documents,
    generate,
    proposal_documents,
    source_for,
)
from workflows.documents.render import RenderError

Builder = Callable[..., list[Any]]
WRAPPED: dict[str, tuple[Builder, str]] = {
    "issue_decision": (decision_documents, " Dựng quyết định (DOCX, PDF) và Giấy khen."),
    "issue_proposal_number": (proposal_documents, " Dựng tờ trình (DOCX, PDF)."),
}


def _wrap(inner: Callable[[ServiceCall], Any], build: Builder,
          files_dir: Path) -> Callable[[ServiceCall], Any]:
    def handler(call: ServiceCall) -> Any:
        result = inner(call)
        try:
            docs = build(call.session, call.instance_id, call.data, result, call.actor,
                         source_for(files_dir))
        except RenderError as exc:
            message = f"{exc}. Vui lòng báo quản trị hệ thống sửa mẫu văn bản."
            raise InvalidData(message, code="document.render_failed",
                              details={"template": [str(exc)]}) from exc
        if not docs or call.dry_run:  # a trial: rendered (so a failure shows), not stored
            return result
        return {**result, "documents": generate(call.session, call.actor, call.instance_id,
                                                docs, files_dir)}

    handler.__doc__ = inner.__doc__
    return handler


def register_document_handlers(handlers: HandlerRegistry, files_dir: Path) -> None:
    """Wrap the numbering handlers so they render and store their documents."""
    descriptions = handlers.describe()
    for name, (build, note) in WRAPPED.items():
        if name in handlers:
            handlers.register(name, _wrap(handlers.get(name), build, Path(files_dir)),
                              descriptions.get(name, "") + note)
