"""Process models as admins edit them (bản nháp, phiên bản): drafts, validation, deploy.

A draft (``process_draft``) holds the XML an admin is editing in the browser. Deploying
a BPMN draft makes a new immutable ``process_model_version`` through the registry's
usual checks; instances keep the version they started on.

DMN decision tables (the eligibility tables) ship as files, ``bpmn/dmn/<NAME>.dmn``. They
are versioned here with no new table: deploying a DMN draft freezes that draft row as
version n of the table (``status="deployed"``, ``deployed_version=n``, ``sha256``; never
edited again), after the loader's own check (``DmnTarget.check``). The newest deployed
version is the current table: the loader in ``workflows`` reads it from the database, so
every web process and worker sees it at once, and the files in the repository are never
rewritten by the application. A table never deployed is read from its file.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lxml import etree
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine import audit
from engine.errors import BpmnInvalid, Conflict, EngineError, InvalidData, NotFound
from engine.roles import Actor
from engine.runtime.runner import run_command
from engine.service import ProcessEngine
from engine.specs.deadline_checks import removed_deadlines
from engine.specs.dmn_tables import check_rules, read_tables
from engine.specs.import_rules import ImportContext
from engine.specs.importing import import_diagram
from engine.specs.registry import main_process_id
from engine.specs.validate import Problems
from engine.specs.xmlsafe import parse_xml
from engine.store.models import ProcessDraft, ProcessInstance, ProcessModelVersion, User, utcnow
from engine.views import iso

DMN_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]{0,63}")
DMN_NS = ("https://www.omg.org/spec/DMN/20191111/MODEL/",
          "http://www.omg.org/spec/DMN/20180521/MODEL/")


@dataclass(frozen=True)
class DmnTarget:
    """The decision tables shipped as files (``<directory>/<name>.dmn``) and their checker.

    A deployed table is a frozen ``process_draft`` row; the newest deployed version is the
    current table (the loader in ``workflows`` reads it from the database, so every web
    process sees it at once). The file stays the table of a fresh installation.
    ``check(name, xml)`` is the loader's own test of a table, run before a deploy.
    """

    directory: Path
    check: Callable[[str, bytes], None] | None = None

    def path(self, name: str) -> Path:
        if not DMN_NAME.fullmatch(name):
            raise InvalidData(f"Tên bảng quyết định «{name}» không hợp lệ.",
                              code="dmn.bad_name")
        return self.directory / f"{name}.dmn"

    def write(self, name: str, xml: bytes) -> None:
        """Replace the file in one step (readers see the old or the new table)."""
        target = self.path(name)
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=target.parent, suffix=".tmp")
        with os.fdopen(fd, "wb") as out:
            out.write(xml)
        os.replace(tmp, target)

    def names(self) -> list[str]:
        if not self.directory.is_dir():
            return []
        return sorted(p.stem for p in self.directory.glob("*.dmn") if DMN_NAME.fullmatch(p.stem))


def draft_view(row: ProcessDraft, usernames: dict[int, str] | None = None) -> dict[str, Any]:
    names = usernames or {}
    return {
        "id": row.id, "key": row.process_key, "kind": row.kind, "name": row.name,
        "status": row.status, "base_version_id": row.base_version_id,
        "deployed_version": row.deployed_version, "sha256": row.sha256,
        "updated_by": names.get(row.updated_by or 0), "updated_at": iso(row.updated_at),
        "deployed_at": iso(row.deployed_at), "notes": row.notes or [],
    }


# -- listing ----------------------------------------------------------------------------

def _usernames(session: Session, ids: set[int | None]) -> dict[int, str]:
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    rows = session.execute(select(User.id, User.full_name, User.username)
                           .where(User.id.in_(wanted))).all()
    return {uid: full or username for uid, full, username in rows}


def list_models(session: Session) -> list[dict[str, Any]]:
    """Every process model with its versions (newest first) and open drafts.

    Each version tells who deployed it, when, its checksum and how many of its
    instances are running (running or stopped on an error) and completed.
    """
    counts: dict[tuple[int, str], int] = {
        (vid, status): n for vid, status, n in session.execute(
            select(ProcessInstance.model_version_id, ProcessInstance.status, func.count())
            .group_by(ProcessInstance.model_version_id, ProcessInstance.status)).all()}
    versions = session.scalars(select(ProcessModelVersion).order_by(
        ProcessModelVersion.process_key, ProcessModelVersion.version.desc())).all()
    drafts = session.scalars(select(ProcessDraft).where(
        ProcessDraft.kind == "bpmn", ProcessDraft.status == "draft")
        .order_by(ProcessDraft.updated_at.desc())).all()
    names = _usernames(session, {v.deployed_by for v in versions}
                       | {d.updated_by for d in drafts})
    out: dict[str, dict[str, Any]] = {}
    for row in versions:
        entry = out.setdefault(row.process_key, {"key": row.process_key, "name": row.name,
                                                 "versions": [], "drafts": []})
        entry["versions"].append({
            "id": row.id, "version": row.version, "name": row.name, "sha256": row.sha256,
            "filename": row.filename, "deployed_by": names.get(row.deployed_by or 0),
            "deployed_at": iso(row.deployed_at),
            "running": counts.get((row.id, "running"), 0) + counts.get((row.id, "error"), 0),
            "completed": counts.get((row.id, "completed"), 0),
        })
    for draft in drafts:
        entry = out.setdefault(draft.process_key, {"key": draft.process_key,
                                                   "name": draft.name, "versions": [],
                                                   "drafts": []})
        entry["drafts"].append(draft_view(draft, names))
    return list(out.values())


def list_decisions(session: Session, target: DmnTarget) -> list[dict[str, Any]]:
    """Decision tables: the files in the directory and their deployed versions."""
    rows = session.scalars(select(ProcessDraft).where(ProcessDraft.kind == "dmn")
                           .order_by(ProcessDraft.process_key,
                                     ProcessDraft.deployed_version.desc())).all()
    names = _usernames(session, {r.updated_by for r in rows})
    out: dict[str, dict[str, Any]] = {name: {"key": name, "versions": [], "drafts": []}
                                      for name in target.names()}
    for row in rows:
        entry = out.setdefault(row.process_key, {"key": row.process_key, "versions": [],
                                                 "drafts": []})
        entry["versions" if row.status == "deployed" else "drafts"].append(draft_view(row, names))
    return [out[k] for k in sorted(out)]


def version_row(session: Session, key: str, version: int) -> ProcessModelVersion:
    row = session.scalars(select(ProcessModelVersion).where(
        ProcessModelVersion.process_key == key, ProcessModelVersion.version == version)).first()
    if row is None:
        raise NotFound(f"Không có phiên bản {version} của «{key}».", code="process.not_found")
    return row


def dmn_xml(session: Session, target: DmnTarget, name: str, version: int | None = None) -> str:
    """A decision table's XML: a deployed version, else the newest one, else the file."""
    query = select(ProcessDraft).where(ProcessDraft.kind == "dmn",
                                       ProcessDraft.process_key == name,
                                       ProcessDraft.status == "deployed")
    if version is not None:
        query = query.where(ProcessDraft.deployed_version == version)
    row = session.scalars(query.order_by(ProcessDraft.deployed_version.desc())).first()
    if row is not None:
        return row.xml
    if version is not None:
        raise NotFound(f"Không có phiên bản {version} của bảng «{name}».", code="dmn.not_found")
    path = target.path(name)
    if not path.is_file():
        raise NotFound(f"Không có bảng quyết định «{name}».", code="dmn.not_found")
    return path.read_text(encoding="utf-8")


def get_draft(session: Session, draft_id: int) -> ProcessDraft:
    row = session.get(ProcessDraft, draft_id)
    if row is None:
        raise NotFound("Không có bản nháp này.", code="draft.not_found")
    return row


# -- saving -------------------------------------------------------------------------------

def _key_and_name(kind: str, xml: bytes, dmn_name: str | None) -> tuple[str, str]:
    root = parse_xml(xml)
    if kind == "dmn":
        if etree.QName(root).namespace not in DMN_NS:
            raise BpmnInvalid("Tệp không phải bảng quyết định DMN 1.3.", code="dmn.invalid")
        name = dmn_name or ""
        if not DMN_NAME.fullmatch(name):
            raise InvalidData(f"Tên bảng quyết định «{name}» không hợp lệ.",
                              code="dmn.bad_name")
        return name, root.get("name") or name
    key = main_process_id(root)
    process = root.xpath(".//*[local-name()='process'][@id=$key]", key=key)
    return key, (process[0].get("name") if process else None) or key


def open_draft(session: Session, actor: Actor, kind: str, key: str,
               base_version_id: int | None) -> ProcessDraft | None:
    """The actor's own draft of ``key`` not yet deployed, started from the same version
    (the newest one edited), if any: saving from that version again updates it."""
    base = ProcessDraft.base_version_id.is_(None) if base_version_id is None \
        else ProcessDraft.base_version_id == base_version_id
    return session.scalars(select(ProcessDraft).where(
        ProcessDraft.kind == kind, ProcessDraft.process_key == key,
        ProcessDraft.status == "draft", ProcessDraft.created_by == actor.id, base)
        .order_by(ProcessDraft.updated_at.desc(), ProcessDraft.id.desc())).first()


def save_draft(session: Session, actor: Actor, xml: bytes, *, kind: str = "bpmn",
               draft_id: int | None = None, base_version_id: int | None = None,
               dmn_name: str | None = None, notes: list[dict[str, Any]] | None = None,
               event: str = "draft.saved", filename: str | None = None,
               reuse_open: bool = False) -> dict[str, Any]:
    """Create or update a draft (one transaction, audited); it need not be valid yet,
    only readable XML with one top-level process (or a DMN document).

    ``reuse_open``: with no ``draft_id``, update the actor's open draft of the same key
    and base version (``open_draft``) instead of adding one, so that saving or checking
    again from a version's page does not pile drafts up. The result's ``reused`` says so.
    """
    def body() -> dict[str, Any]:
        reused = None
        if draft_id is None and reuse_open:
            key, _name = _key_and_name(kind, xml, dmn_name)
            reused = open_draft(session, actor, kind, key, base_version_id)
        if draft_id is not None or reused is not None:
            row = reused or get_draft(session, draft_id)  # type: ignore[arg-type]
            if row.status != "draft":
                raise Conflict("Bản nháp đã được triển khai; không sửa được nữa.",
                               code="draft.deployed")
            key, name = _key_and_name(row.kind, xml, row.process_key)
            if row.kind == "bpmn" and key != row.process_key:
                raise InvalidData(f"Mã quy trình phải giữ là «{row.process_key}» (đang là "
                                  f"«{key}»).", code="draft.key_changed")
        else:
            key, name = _key_and_name(kind, xml, dmn_name)
            row = ProcessDraft(process_key=key, kind=kind, created_by=actor.id,
                               base_version_id=base_version_id, notes=notes or [])
            session.add(row)
        row.xml, row.name, row.updated_by, row.updated_at = (
            xml.decode("utf-8"), name, actor.id, utcnow())
        session.flush()
        payload = {"draft_id": row.id, "key": key, "kind": row.kind}
        if filename:
            payload |= {"filename": filename, "notes": len(row.notes or [])}
        audit.append(session, actor, event, payload)
        return {**draft_view(row), "reused": reused is not None}
    return run_command(session, body)


def import_file(session: Session, actor: Actor, xml: bytes, filename: str | None,
                context: ImportContext | None = None) -> dict[str, Any]:
    """A ``.bpmn`` from Camunda Modeler (7 or 8) or bpmn.io as a new draft, with what was
    mapped, dropped or left to review (``notes``); a DMN document (``.dmn``) becomes a
    draft of the decision table named like the file."""
    if etree.QName(parse_xml(xml)).namespace in DMN_NS:
        stem = Path(filename or "").stem
        if not DMN_NAME.fullmatch(stem):
            raise InvalidData(f"Tên tệp «{filename}» phải là tên bảng quyết định: chữ không "
                              "dấu, số và dấu _, bắt đầu bằng chữ (ví dụ CSTD_CS.dmn).",
                              code="dmn.bad_name")
        draft = save_draft(session, actor, xml, kind="dmn", dmn_name=stem,
                           event="draft.imported", filename=filename)
        return {**draft, "filename": filename}
    report = import_diagram(xml, context)
    draft = save_draft(session, actor, report.xml, notes=report.notes,
                       event="draft.imported", filename=filename)
    return {**draft, "filename": filename}


def import_context(engine: ProcessEngine) -> ImportContext:
    """The roles, handlers and forms an imported diagram may be mapped to."""
    return ImportContext(tuple(engine.settings.roles), lambda n: n in engine.handlers,
                         lambda k: k in engine.forms)


# -- checking and deploying -----------------------------------------------------------

def _detail_of(exc: BpmnInvalid) -> dict[str, str]:
    """The technical detail (English) a file-level error carries, as problem params."""
    details = exc.details if isinstance(exc.details, list) else []
    first = details[0] if details and isinstance(details[0], dict) else {}
    return {"detail": str(first["message"])} if first.get("message") else {}


def dmn_problems(xml: bytes) -> list[dict[str, Any]]:
    """A decision table parses with SpiffWorkflow's DMN parser, and each decision has a
    table with a hit policy."""
    from SpiffWorkflow.bpmn.parser.BpmnParser import BpmnValidator
    from SpiffWorkflow.dmn.parser.BpmnDmnParser import BpmnDmnParser

    problems = Problems()
    try:
        parser = BpmnDmnParser(validator=BpmnValidator())
        parser.add_dmn_xml(parse_xml(xml), filename="draft.dmn")
        for dmn in parser.dmn_parsers.values():
            dmn.parse()
            if not dmn.decision.decisionTables:
                problems.add(dmn.bpmn_id, "Quyết định không có bảng.", "dmn.no_table")
    except BpmnInvalid as exc:
        problems.add(None, exc.message, "dmn.invalid", **_detail_of(exc))
    except Exception as exc:  # SpiffWorkflow raises many kinds for a bad table
        problems.add(getattr(exc, "id", None), f"Bảng quyết định không hợp lệ: {exc}",
                     "dmn.invalid", detail=str(exc))
    if not problems.items:  # each rule's cells, named by rule and column
        check_rules(read_tables(xml), problems)
    return problems.items


def validate_draft(session: Session, engine: ProcessEngine, draft_id: int
                   ) -> list[dict[str, Any]]:
    """Every problem of a draft (errors and warnings), each with its element id."""
    row = get_draft(session, draft_id)
    xml = row.xml.encode("utf-8")
    if row.kind == "dmn":
        return dmn_problems(xml)
    try:
        found = engine.specs.problems(session, xml)
    except BpmnInvalid as exc:
        return [{"element_id": None, "code": exc.code, "severity": "error",
                 "message": exc.message, "params": _detail_of(exc)}]
    base = session.get(ProcessModelVersion, row.base_version_id) if row.base_version_id \
        else None
    if base is not None:
        found += removed_deadlines(base.bpmn_xml.encode("utf-8"), xml, base.version)
    return found


def deploy_draft(session: Session, engine: ProcessEngine, actor: Actor, draft_id: int,
                 dmn_target: DmnTarget | None = None) -> dict[str, Any]:
    """Deploy a draft as a new immutable version (refused when it has errors).

    Raises:
        BpmnInvalid: the draft has errors (``details`` lists them).
        Conflict: the draft was deployed already.
    """
    def body() -> dict[str, Any]:
        row = get_draft(session, draft_id)
        # Deploys of one key wait for each other: a draft is deployed once, and DMN version
        # numbers (max + 1) cannot repeat (FOR UPDATE on PostgreSQL; SQLite writes serially).
        session.execute(select(ProcessDraft.id).where(
            ProcessDraft.kind == row.kind, ProcessDraft.process_key == row.process_key)
            .order_by(ProcessDraft.id).with_for_update()).all()
        session.refresh(row)
        if row.status != "draft":
            raise Conflict("Bản nháp đã được triển khai.", code="draft.deployed")
        if row.kind == "dmn":
            return _deploy_dmn(session, actor, row, dmn_target)
        version, created = engine.specs.deploy(session, row.xml.encode("utf-8"), actor,
                                               f"{row.process_key}.bpmn")
        row.status, row.deployed_version, row.sha256, row.deployed_at = (
            "deployed", version.version, version.sha256, utcnow())
        audit.append(session, actor, "draft.deployed", {
            "draft_id": row.id, "key": row.process_key, "version": version.version,
            "created": created})
        return {**draft_view(row), "created": created}
    return run_command(session, body)


def _deploy_dmn(session: Session, actor: Actor, row: ProcessDraft,
                target: DmnTarget | None) -> dict[str, Any]:
    xml = row.xml.encode("utf-8")
    errors = [p for p in dmn_problems(xml) if p["severity"] == "error"]
    if errors:
        raise BpmnInvalid(f"Bảng có {len(errors)} lỗi; lỗi đầu: {errors[0]['message']}",
                          code="dmn.invalid", details=errors)
    if target is not None and target.check is not None:
        try:
            target.check(row.process_key, xml)
        except EngineError as exc:  # the loader would refuse it: keep the current table
            raise BpmnInvalid(exc.message, code="dmn.invalid", details=[{
                "element_id": None, "code": exc.code, "severity": "error",
                "message": exc.message}]) from exc
    last = session.scalar(select(func.max(ProcessDraft.deployed_version)).where(
        ProcessDraft.kind == "dmn", ProcessDraft.process_key == row.process_key))
    row.status, row.deployed_version, row.sha256, row.deployed_at = (
        "deployed", (last or 0) + 1, hashlib.sha256(xml).hexdigest(), utcnow())
    session.flush()
    audit.append(session, actor, "dmn.deployed", {
        "draft_id": row.id, "name": row.process_key, "version": row.deployed_version,
        "sha256": row.sha256})
    return {**draft_view(row), "created": True}


def delete_draft(session: Session, actor: Actor, draft_id: int) -> None:
    """Discard a draft that was not deployed (audited)."""
    def body() -> None:
        row = get_draft(session, draft_id)
        if row.status != "draft":
            raise Conflict("Bản nháp đã được triển khai; không xoá được.",
                           code="draft.deployed")
        audit.append(session, actor, "draft.deleted", {"draft_id": row.id,
                                                       "key": row.process_key})
        session.delete(row)
    run_command(session, body)
