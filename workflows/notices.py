"""What a task's notification adds under the dossier's line (lời nhắn kèm thông báo).

A dossier returned for supplement (``dossier.returned``) tells the unit why and what to
add: the secretariat's appraisal comment and its list of items, the very words the unit
reads on the dossier's page («ý kiến, yêu cầu bổ sung gửi đơn vị», the ``exchanges``
section of ``workflows.visibility``). Only keys the submitter may see are ever quoted, so
the secretariat's internal notes and appraisal stay in the office.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from workflows.visibility import section_of, visible_sections

RETURNED = "dossier.returned"
REASON_KEY, ITEMS_KEY = "comment", "supplement_items"
MAX_CHARS = 1000


def _seen_by_unit(key: str) -> bool:
    return section_of(key) in visible_sections(["submitter"])


def task_note(kind: str | None, data: Mapping[str, Any]) -> str | None:
    """«Lý do: …» and «Cần bổ sung: …; …» for a returned dossier; None for other kinds."""
    if kind != RETURNED:
        return None
    lines = []
    reason = " ".join(str(data.get(REASON_KEY) or "").split()) if _seen_by_unit(REASON_KEY) \
        else ""
    if reason:
        lines.append(f"Lý do: {reason[:MAX_CHARS]}")
    items = data.get(ITEMS_KEY) if _seen_by_unit(ITEMS_KEY) else None
    wanted = [" ".join(str(i).split()) for i in items or [] if str(i).strip()] \
        if isinstance(items, list) else []
    if wanted:
        lines.append(f"Cần bổ sung: {'; '.join(wanted)}"[:MAX_CHARS])
    return "\n".join(lines) or None
