"""Process registry: validate, deploy immutable versions, cache parsed specs."""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from lxml import etree
from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine import audit
from engine.errors import BpmnInvalid, NotFound
from engine.roles import Actor, role_of_lane
from engine.specs import flow_checks as flow
from engine.specs import validate as v
from engine.specs.parser import TdktBpmnParser
from engine.specs.timer_checks import check_timers
from engine.specs.timers import engine_timers
from engine.specs.xmlsafe import parse_xml
from engine.store.models import AuditHead, ProcessModelVersion


@dataclass(frozen=True)
class LoadedSpec:
    """A parsed, immutable version: shared by every instance that runs on it."""

    version_id: int
    process_key: str
    version: int
    spec: Any
    subprocess_specs: dict[str, Any]
    start_role: str | None
    # Whether any process of the version has a timer event: only then do commands
    # bring ``timer`` rows in line (engine.runtime.timers).
    has_timers: bool = False


@dataclass(frozen=True)
class Checks:
    """What the validator needs to know about the running system."""

    roles: tuple[str, ...]
    form_exists: Callable[[str], bool]
    handler_exists: Callable[[str], bool]
    # The fields a form key's schema gives (None: unknown form); conditions are checked
    # against them. Names every script sees (helpers) are never "unknown data".
    form_fields: Callable[[str], Iterable[str] | None] = lambda _key: None
    known_names: tuple[str, ...] = ()
    # The output names of a decision table a business-rule task calls (None: unknown).
    decision_outputs: Callable[[str], Iterable[str] | None] = lambda _id: None


def _is_utf8(xml: bytes) -> bool:
    head = xml[:200].lower()
    if b"encoding=" in head and not (b"utf-8" in head or b"utf8" in head):
        return False
    try:
        xml.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def sha256_of(xml: bytes) -> str:
    return hashlib.sha256(xml).hexdigest()


def main_process_id(root: etree._Element) -> str:
    """The one executable process of a file that no other process in it calls."""
    executable = v.executable_process_ids(root)
    called = v.called_elements(root)
    top = [pid for pid in executable if pid not in called]
    if len(top) != 1:
        found = ", ".join(top) or "không có"
        raise BpmnInvalid(
            f"Tệp phải có đúng một quy trình thực thi (isExecutable=\"true\") ở cấp cao nhất; "
            f"tìm thấy: {found}.",
            details=[{"element_id": None, "message": f"executable top-level processes: {found}"}],
        )
    return top[0]


def dependency_order(docs: list[tuple[str, bytes]]) -> list[tuple[str, bytes]]:
    """Files in an order where each comes after the files defining processes it calls.

    Files that cannot be read keep their place at the end, so deploying them still
    reports their own error.
    """
    defines: dict[str, str] = {}
    calls: dict[str, set[str]] = {}
    unreadable: list[tuple[str, bytes]] = []
    readable: list[tuple[str, bytes]] = []
    for name, xml in docs:
        try:
            root = parse_xml(xml)
        except BpmnInvalid:
            unreadable.append((name, xml))
            continue
        readable.append((name, xml))
        for pid in v.executable_process_ids(root):
            defines.setdefault(pid, name)
        calls[name] = v.called_elements(root)
    ordered: list[tuple[str, bytes]] = []
    placed: set[str] = set()
    pending = list(readable)
    while pending:
        ready = [d for d in pending
                 if all(defines.get(c) in (None, d[0]) or defines[c] in placed
                        for c in calls[d[0]])]
        if not ready:  # a cycle: keep the given order, deploy reports what is missing
            ready = pending[:1]
        for doc in ready:
            ordered.append(doc)
            placed.add(doc[0])
            pending.remove(doc)
    return ordered + unreadable


def _has_timers(specs: Iterable[Any]) -> bool:
    return any(engine_timers(getattr(ts, "event_definition", None))
               for spec in specs for ts in spec.task_specs.values())


class SpecRegistry:
    """Deploys versions and keeps parsed specs in an LRU cache keyed by version id."""

    def __init__(self, checks: Checks, cache_size: int = 256) -> None:
        self.checks = checks
        self._cache: OrderedDict[int, LoadedSpec] = OrderedDict()
        self._lock = threading.Lock()
        self._cache_size = cache_size

    # -- parsing ---------------------------------------------------------------
    def _dependency_xml(
        self, session: Session, root: etree._Element
    ) -> tuple[dict[str, int], list[tuple[str, bytes]]]:
        """Latest deployed versions of processes called but not defined in ``root``."""
        defined = {p.get("id") for p in root.xpath(".//bpmn:process", namespaces=v.NS)}
        deps: dict[str, int] = {}
        docs: list[tuple[str, bytes]] = []
        pending = [c for c in v.called_elements(root) if c not in defined]
        while pending:
            key = pending.pop()
            if key in deps or key in defined:
                continue
            row = self.latest(session, key, required=False)
            if row is None:
                continue  # reported by the parser as a missing called process
            deps[key] = row.id
            docs.append((row.filename or key, row.bpmn_xml.encode("utf-8")))
            pending.extend(v.called_elements(parse_xml(row.bpmn_xml)))
        return deps, docs

    def _parse(self, key: str, docs: Iterable[tuple[str, bytes]]) -> tuple[Any, dict[str, Any]]:
        parser = TdktBpmnParser()
        for filename, xml in docs:
            parser.add_bpmn_str(xml, filename)
        return parser.get_spec(key), parser.get_subprocess_specs(key)

    def problems(self, session: Session, xml: bytes) -> list[dict[str, Any]]:
        """Every problem of a document, errors and warnings, each with its element id.

        Raises:
            BpmnInvalid: the XML cannot be read or has no single top-level process.
        """
        root = parse_xml(xml)
        key = main_process_id(root)
        problems = v.Problems()
        v.check_lanes(root, self.checks.roles, problems)
        v.check_code(root, problems)
        v.check_user_tasks(root, self.checks.form_exists, problems)
        v.check_service_tasks(root, self.checks.handler_exists, problems)
        v.check_supported(root, problems)
        check_timers(root, problems)
        v.check_unique_ids(root, problems)
        v.check_lengths(root, problems)
        flow.check_reachable(root, problems)
        flow.check_gateway_defaults(root, problems)
        _deps, dep_docs = self._dependency_xml(session, root)
        deployed: dict[str, etree._Element] = {}
        for _name, dep in dep_docs:
            deployed.update(flow.local_processes(parse_xml(dep)))
        flow.check_condition_data(root, self.checks.form_fields, self.checks.known_names,
                                  problems, called=deployed.get,
                                  decisions=self.checks.decision_outputs)
        try:
            self._parse(key, [("upload.bpmn", xml), *dep_docs])
        except ValidationException as exc:
            v.spiff_problem(exc, problems)
        return problems.items

    def validate(self, session: Session, xml: bytes) -> tuple[str, str, dict[str, int]]:
        """Check a document; return (process key, name, dependencies) or raise BpmnInvalid
        when it has errors (warnings do not refuse it)."""
        found = v.Problems(self.problems(session, xml))
        if found:
            errors = found.errors
            raise BpmnInvalid(f"Sơ đồ có {len(errors)} lỗi; lỗi đầu: {errors[0]['message']}",
                              details=errors)
        root = parse_xml(xml)
        key = main_process_id(root)
        deps, _docs = self._dependency_xml(session, root)
        name = next((p.get("name") for p in root.xpath(".//bpmn:process", namespaces=v.NS)
                     if p.get("id") == key), None)
        return key, name or key, deps

    # -- deploy ----------------------------------------------------------------
    def deploy(
        self, session: Session, xml: bytes, actor: Actor, filename: str | None = None
    ) -> tuple[ProcessModelVersion, bool]:
        """Store a new version (validated), or return the identical existing one.

        Returns the version and whether it was created. The caller commits.
        """
        root = parse_xml(xml)
        key = main_process_id(root)
        if not _is_utf8(xml):
            # Stored and exported as UTF-8 whatever the upload's declared encoding.
            xml = etree.tostring(root, xml_declaration=True, encoding="UTF-8")
        digest = sha256_of(xml)
        # Taking the audit head first orders concurrent deploys: the second one then
        # finds the first one's version below instead of storing a twin.
        session.execute(select(AuditHead).where(AuditHead.id == 1).with_for_update())
        # The contract: bytes identical to any version of the key name that version.
        existing = session.scalars(
            select(ProcessModelVersion).where(
                ProcessModelVersion.process_key == key, ProcessModelVersion.sha256 == digest
            ).order_by(ProcessModelVersion.version.desc())
        ).first()
        if existing is not None:
            return existing, False
        key, name, deps = self.validate(session, xml)
        last = session.scalar(
            select(func.max(ProcessModelVersion.version)).where(
                ProcessModelVersion.process_key == key
            )
        )
        row = ProcessModelVersion(
            process_key=key, version=(last or 0) + 1, name=name,
            bpmn_xml=xml.decode("utf-8"), sha256=digest, filename=filename,
            dependencies=deps, deployed_by=actor.id,
        )
        session.add(row)
        session.flush()
        audit.append(session, actor, "process.deployed", {
            "process_key": key, "version": row.version, "sha256": digest, "filename": filename,
        })
        return row, True

    # -- lookup ----------------------------------------------------------------
    def latest(self, session: Session, key: str, required: bool = True) -> ProcessModelVersion:
        row = session.scalars(
            select(ProcessModelVersion)
            .where(ProcessModelVersion.process_key == key)
            .order_by(ProcessModelVersion.version.desc())
            .limit(1)
        ).first()
        if row is None and required:
            raise NotFound(f"Không có quy trình «{key}».", code="process.not_found")
        return row  # type: ignore[return-value]

    def latest_ref(self, session: Session, key: str) -> tuple[int, str, int]:
        """(version id, key, version number) of the newest version, without its XML."""
        row = session.execute(
            select(ProcessModelVersion.id, ProcessModelVersion.process_key,
                   ProcessModelVersion.version)
            .where(ProcessModelVersion.process_key == key)
            .order_by(ProcessModelVersion.version.desc())
            .limit(1)
        ).first()
        if row is None:
            raise NotFound(f"Không có quy trình «{key}».", code="process.not_found")
        return row[0], row[1], row[2]

    def lane_roles(self, loaded: LoadedSpec) -> list[str]:
        """The roles of the lanes a version's steps (its called processes' too) stand in."""
        found = {role_of_lane(ts.lane, self.checks.roles)
                 for spec in (loaded.spec, *loaded.subprocess_specs.values())
                 for ts in spec.task_specs.values() if getattr(ts, "lane", None)}
        return sorted(r for r in found if r)

    def load(self, session: Session, version_id: int) -> LoadedSpec:
        with self._lock:
            hit = self._cache.get(version_id)
            if hit is not None:
                self._cache.move_to_end(version_id)
                return hit
        row = session.get(ProcessModelVersion, version_id)
        if row is None:
            raise NotFound("Không có phiên bản quy trình này.", code="process.not_found")
        docs = [(row.filename or row.process_key, row.bpmn_xml.encode("utf-8"))]
        for dep_id in (row.dependencies or {}).values():
            dep = session.get(ProcessModelVersion, dep_id)
            if dep is not None:
                docs.append((dep.filename or dep.process_key, dep.bpmn_xml.encode("utf-8")))
        spec, subs = self._parse(row.process_key, docs)
        start_role = None
        for ts in spec.task_specs.values():
            if type(ts).__name__ == "StartEvent" and ts.lane:
                start_role = role_of_lane(ts.lane, self.checks.roles)
        loaded = LoadedSpec(row.id, row.process_key, row.version, spec, subs, start_role,
                            has_timers=_has_timers([spec, *subs.values()]))
        with self._lock:
            self._cache[version_id] = loaded
            while len(self._cache) > self._cache_size:
                self._cache.popitem(last=False)
        return loaded
