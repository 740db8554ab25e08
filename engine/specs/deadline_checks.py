"""Checks of a draft against the version it was made from (so với phiên bản gốc).

A user task's deadline (``dueWorkingDays``) drives its due date, reminders and
escalations. Losing it by an edit (a mode switched in the properties panel, a property
deleted) is easy to miss and the diagram still deploys, so a task that had a deadline in
the base version and has none in the draft gets a warning on that task.
"""

from __future__ import annotations

from typing import Any

from engine.specs.parser import SPIFF_NS
from engine.specs.validate import NS, WARNING, Problems
from engine.specs.xmlsafe import parse_xml

DEADLINE = "dueWorkingDays"


def _deadlines(xml: bytes) -> dict[str, tuple[str, str]]:
    """``{task id: (task name, deadline)}`` of every user task, '' when it has none."""
    out: dict[str, tuple[str, str]] = {}
    for task in parse_xml(xml).xpath(".//bpmn:userTask", namespaces=NS):
        values = [p.get("value") or "" for p in task.iter(f"{{{SPIFF_NS}}}property")
                  if p.get("name") == DEADLINE]
        out[task.get("id") or ""] = (task.get("name") or task.get("id") or "",
                                     (values[0] if values else "").strip())
    return out


def removed_deadlines(base_xml: bytes, draft_xml: bytes, base_version: int
                      ) -> list[dict[str, Any]]:
    """A ``task.deadline_removed`` warning for each user task of both documents whose
    deadline the draft dropped."""
    problems = Problems()
    before, after = _deadlines(base_xml), _deadlines(draft_xml)
    for ident, (name, deadline) in after.items():
        old = before.get(ident, ("", ""))[1]
        if old and not deadline:
            problems.add(ident, f"Bước «{name}» không còn thời hạn xử lý: phiên bản "
                                f"{base_version} đặt {DEADLINE} = «{old}». Không có thời hạn "
                                "thì bước không có hạn chót và không được nhắc việc; nếu "
                                "không cố ý, hãy đặt lại thời hạn.",
                         "task.deadline_removed", WARNING, name=name, version=base_version,
                         property=DEADLINE, old=old)
    return problems.items
