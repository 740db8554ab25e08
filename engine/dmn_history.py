"""The versions of a decision table (phiên bản bảng quyết định): who deployed each, and
the diff of two of them. Version 0 is the table shipped as a file (``bpmn/dmn``), the
one eligibility reads until an admin deploys version 1.

A deployed table applies from then on to every check, running instances included (the
eligibility reads the newest version when it runs); tables are not pinned per instance.
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.drafts import DmnTarget, dmn_xml
from engine.errors import NotFound
from engine.specs.dmn_diff import diff_dmn
from engine.store.models import AuditEvent, ProcessDraft, User


def deployers(session: Session, name: str | None = None) -> dict[int, str]:
    """Who deployed each DMN draft (by draft id), from the audit log's ``dmn.deployed``."""
    rows = session.execute(
        select(AuditEvent.payload, User.full_name, User.username)
        .join(User, User.id == AuditEvent.actor_id, isouter=True)
        .where(AuditEvent.event_type == "dmn.deployed")).all()
    out: dict[int, str] = {}
    for payload, full_name, username in rows:
        data = json.loads(payload or "{}")
        if name is None or data.get("name") == name:
            out[int(data.get("draft_id", 0))] = full_name or username or "Hệ thống"
    return out


def numbers(session: Session, name: str) -> list[int]:
    """Deployed version numbers of a table, newest first."""
    return [int(n) for n in session.scalars(
        select(ProcessDraft.deployed_version).where(
            ProcessDraft.kind == "dmn", ProcessDraft.process_key == name,
            ProcessDraft.status == "deployed")
        .order_by(ProcessDraft.deployed_version.desc())).all() if n is not None]


def compare_dmn(session: Session, target: DmnTarget, name: str, a: int | None = None,
                b: int | None = None) -> dict[str, Any]:
    """The diff of versions ``a`` and ``b`` (0: the shipped file; default the two newest).

    Raises:
        NotFound: the table or one of the versions does not exist.
    """
    found = numbers(session, name)
    has_file = target.path(name).is_file()
    choices = found + ([0] if has_file else [])
    if not choices:
        raise NotFound(f"Không có bảng quyết định «{name}».", code="dmn.not_found")
    b = choices[0] if b is None else b
    a = (choices[1] if len(choices) > 1 else choices[0]) if a is None else a
    for n in (a, b):
        if n not in choices:
            raise NotFound(f"Không có phiên bản {n} của bảng «{name}».", code="dmn.not_found")
    return {"a": a, "b": b, "numbers": choices,
            "result": diff_dmn(_xml(session, target, name, a), _xml(session, target, name, b))}


def _xml(session: Session, target: DmnTarget, name: str, version: int) -> str:
    if version == 0:
        return target.path(name).read_text(encoding="utf-8")
    return dmn_xml(session, target, name, version)
