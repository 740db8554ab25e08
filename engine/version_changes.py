"""What changes between versions of a process (so sánh phiên bản), and what deploying a
draft would do, for the admin to confirm first (xác nhận triển khai).

Read only. The preview names the version the deploy would make (or the identical one it
would name), the instances that keep running on the versions they started with, and what
changed since the newest version (``engine.specs.diff``). ``engine.drafts.deploy_draft``
decides again when it runs; the preview is what the admin reads before saying yes.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine.drafts import get_draft, version_row
from engine.errors import Conflict, NotFound
from engine.specs.diff import diff, elements
from engine.specs.registry import sha256_of
from engine.store.models import ProcessDraft, ProcessInstance, ProcessModelVersion

LIVE = ("running", "error")  # instances that are not finished: they keep their version


def latest_version(session: Session, key: str) -> int | None:
    """The newest version number of process ``key`` (None: never deployed)."""
    return session.scalar(select(func.max(ProcessModelVersion.version))
                          .where(ProcessModelVersion.process_key == key))


def compare_versions(session: Session, key: str, a: int | None = None, b: int | None = None
                     ) -> dict[str, Any]:
    """The diff of versions ``a`` and ``b`` of a process (default: the two newest).

    Returns:
        ``{"a", "b", "numbers" (all versions, newest first), "result" (engine.specs.diff),
        "elements": {"old", "new"} (every element of each, engine.specs.diff.elements)}``.
    """
    numbers = list(session.scalars(select(ProcessModelVersion.version)
                                   .where(ProcessModelVersion.process_key == key)
                                   .order_by(ProcessModelVersion.version.desc())).all())
    if not numbers:
        raise NotFound(f"Không có quy trình «{key}».", code="process.not_found")
    b = b or numbers[0]
    a = a or (numbers[1] if len(numbers) > 1 else numbers[0])
    old, new = version_row(session, key, a), version_row(session, key, b)
    return {"a": a, "b": b, "numbers": numbers, "result": diff(old.bpmn_xml, new.bpmn_xml),
            "elements": {"old": elements(old.bpmn_xml), "new": elements(new.bpmn_xml)}}


def deploy_preview(session: Session, draft_id: int) -> dict[str, Any]:
    """The deploy of draft ``draft_id`` as the admin would confirm it.

    Returns:
        ``{"kind", "key", "name", "current_version" (None: none yet), "next_version",
        "identical_to" (the version with the same bytes, None), "running" ({version:
        count} of unfinished instances), "changes" (engine.specs.diff against the current
        version, None without one), "elements" ({"old", "new"}, to name them)}``.

    Raises:
        NotFound ``draft.not_found``; Conflict ``draft.deployed``.
    """
    row = get_draft(session, draft_id)
    if row.status != "draft":
        raise Conflict("Bản nháp đã được triển khai.", code="draft.deployed")
    out: dict[str, Any] = {"kind": row.kind, "key": row.process_key, "name": row.name,
                           "identical_to": None, "running": {}, "changes": None,
                           "elements": None}
    if row.kind == "dmn":  # a table has no instances of its own: it applies at once
        last = session.scalar(select(func.max(ProcessDraft.deployed_version)).where(
            ProcessDraft.kind == "dmn", ProcessDraft.process_key == row.process_key))
        return {**out, "current_version": last, "next_version": (last or 0) + 1}
    versions = session.execute(
        select(ProcessModelVersion.version, ProcessModelVersion.sha256,
               ProcessModelVersion.bpmn_xml)
        .where(ProcessModelVersion.process_key == row.process_key)
        .order_by(ProcessModelVersion.version.desc())).all()
    digest = sha256_of(row.xml.encode("utf-8"))
    out["identical_to"] = next((v.version for v in versions if v.sha256 == digest), None)
    out["running"] = dict(session.execute(
        select(ProcessInstance.version, func.count(ProcessInstance.id))
        .where(ProcessInstance.process_key == row.process_key,
               ProcessInstance.status.in_(LIVE))
        .group_by(ProcessInstance.version).order_by(ProcessInstance.version)).all())
    if versions:
        current = versions[0]
        out["changes"] = diff(current.bpmn_xml, row.xml)
        out["elements"] = {"old": elements(current.bpmn_xml), "new": elements(row.xml)}
    current_version = versions[0].version if versions else None
    return {**out, "current_version": current_version,
            "next_version": (current_version or 0) + 1}
