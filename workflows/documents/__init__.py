"""Official documents (văn bản) of the office, as DOCX and PDF, from editable templates.

Quyết định khen thưởng, tờ trình đề nghị UBND tỉnh, Giấy khen and biên bản kiểm phiếu,
laid out per Nghị định 30/2020/NĐ-CP, with the shipped Times-metric font embedded in the
PDFs. ``render`` turns a template and a context into bytes, ``context`` and ``gather``
build the contexts, ``generate`` renders a step's documents, ``store`` attaches them to
the instance, ``admin`` lets admins replace the templates.
"""

from __future__ import annotations

from workflows.documents.minutes import configure, store_tally_minutes
from workflows.documents.render import RenderError
from workflows.documents.store import list_documents
from workflows.documents.vocab import DOCUMENT_ITEMS, TEMPLATES

__all__ = ["DOCUMENT_ITEMS", "TEMPLATES", "RenderError", "configure", "list_documents",
           "store_tally_minutes"]
