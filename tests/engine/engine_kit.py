"""Shared helpers for the engine tests: a small organisation on a fresh database.

Not a conftest (``tests/conftest.py`` is the only one): test modules build a
``World`` in their own fixture with ``make_world(db_url, monkeypatch)``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from argon2 import PasswordHasher
from conftest import fixture_bytes
from marshmallow import Schema, fields, validate
from sqlalchemy import func, select, text

from engine import identity
from engine.roles import SYSTEM, Actor
from engine.service import EngineSettings, ProcessEngine
from engine.store.db import Database
from engine.store.models import AuditEvent, HumanTask, ProcessInstance

BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
SPIFF_NS = "http://spiffworkflow.org/bpmn/schema/1.0/core"

# (username, roles, unit)
USERS: tuple[tuple[str, tuple[str, ...], str | None], ...] = (
    ("sub_a", ("submitter",), "A"),
    ("sub_a2", ("submitter",), "A"),
    ("sub_b", ("submitter",), "B"),
    ("sec1", ("secretariat",), "TCHCQT"),
    ("sec2", ("secretariat",), "TCHCQT"),
    ("council1", ("council",), None),
    ("admin1", ("admin",), None),
)


class ProposalSchema(Schema):
    """The form of the ``propose`` task in two_lane.bpmn."""

    title = fields.Str(required=True, validate=validate.Length(min=3))
    amount = fields.Int(load_default=0, validate=validate.Range(min=0))


def cheap_password_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    """argon2 defaults cost ~80 ms a user; tests create many users."""
    monkeypatch.setattr(identity, "_HASHER",
                        PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))


@dataclass
class World:
    db: Database
    eng: ProcessEngine
    actors: dict[str, Actor] = field(default_factory=dict)

    def __getitem__(self, username: str) -> Actor:
        return self.actors[username]

    # -- commands, one write session each (as production does) -------------------
    def write(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        with self.db.write_session() as s:
            return fn(s, *args, **kwargs)

    def read(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        with self.db.session() as s:
            return fn(s, *args, **kwargs)

    def deploy(self, name_or_xml: str | bytes, filename: str | None = None) -> dict[str, Any]:
        xml = fixture_bytes(name_or_xml) if isinstance(name_or_xml, str) else name_or_xml
        return self.write(self.eng.deploy, xml, SYSTEM, filename
                          or (name_or_xml if isinstance(name_or_xml, str) else "x.bpmn"))

    def start(self, key: str, who: str, data: dict[str, Any] | None = None,
              **kwargs: Any) -> dict[str, Any]:
        return self.write(self.eng.start_instance, key, self[who], data, **kwargs)

    def complete(self, task_id: str, who: str, data: dict[str, Any] | None = None
                 ) -> dict[str, Any]:
        return self.write(self.eng.complete_task, task_id, self[who], data)

    def inbox(self, who: str, **kwargs: Any) -> list[dict[str, Any]]:
        return list(self.read(self.eng.inbox, self[who], **kwargs).items)

    def instance(self, instance_id: int, who: str = "admin1") -> dict[str, Any]:
        return dict(self.read(self.eng.get_instance, instance_id, self[who]))

    def history_types(self, instance_id: int) -> list[str]:
        page = self.read(self.eng.instance_history, instance_id, self["admin1"], per_page=500)
        return [e["type"] for e in page.items]

    # -- raw database facts ------------------------------------------------------
    def audit_count(self) -> int:
        return int(self.read(lambda s: s.scalar(select(func.count()).select_from(AuditEvent))))

    def lock_version(self, instance_id: int) -> int:
        return int(self.read(lambda s: s.scalar(
            select(ProcessInstance.lock_version).where(ProcessInstance.id == instance_id))))

    def task_rows(self, instance_id: int) -> list[HumanTask]:
        return list(self.read(lambda s: s.scalars(
            select(HumanTask).where(HumanTask.instance_id == instance_id)
            .order_by(HumanTask.created_at)).all()))

    def snapshot(self, instance_id: int) -> tuple[Any, ...]:
        """Everything a rolled-back command must leave unchanged."""
        def body(s: Any) -> tuple[Any, ...]:
            inst = s.get(ProcessInstance, instance_id)
            tasks = s.execute(text(
                "SELECT id, state, assignee_id FROM human_task WHERE instance_id = :i "
                "ORDER BY id"), {"i": instance_id}).all()
            audits = s.scalar(select(func.count()).select_from(AuditEvent))
            return (inst.lock_version, inst.status, inst.state_json, inst.data,
                    [tuple(t) for t in tasks], audits)
        return tuple(self.read(body))


def make_world(db_url: str, monkeypatch: pytest.MonkeyPatch,
               settings: EngineSettings | None = None) -> World:
    cheap_password_hashing(monkeypatch)
    db = Database(db_url)
    eng = ProcessEngine(settings)
    eng.forms.register("proposal", ProposalSchema)
    world = World(db, eng)
    with db.write_session() as s:
        for code in ("A", "B", "TCHCQT"):
            identity.create_unit(s, SYSTEM, code, f"Unit {code}")
        users = [identity.create_user(s, SYSTEM, name, "password1", list(roles),
                                      eng.settings.roles, unit)
                 for name, roles, unit in USERS]
        s.commit()
        world.actors = {u.username: identity.actor_of(u) for u in users}
    return world


def ready(inst: dict[str, Any], name: str) -> dict[str, Any]:
    """The one ready task called ``name`` of an instance view."""
    found = [t for t in inst["tasks"] if t["name"] == name]
    assert len(found) == 1, f"expected one ready {name!r}, got {inst['tasks']}"
    return found[0]


def bpmn(body: str, process_id: str = "p", lanes: str = "",
         extra_ns: str = "") -> bytes:
    """A minimal one-process document (no DI) around ``body``."""
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="{BPMN_NS}" xmlns:spiffworkflow="{SPIFF_NS}" {extra_ns}
  id="defs_{process_id}" targetNamespace="http://bpmn.io/schema/bpmn">
  <bpmn:process id="{process_id}" name="{process_id}" isExecutable="true">
    {lanes}
    {body}
  </bpmn:process>
</bpmn:definitions>
""".encode()


def linear(*nodes: str, process_id: str = "p", lanes: str = "") -> bytes:
    """start -> nodes... -> end; each node is an XML element string with id n1, n2, ..."""
    ids = ["start", *[f"n{i + 1}" for i in range(len(nodes))], "end"]
    flows = "".join(
        f'<bpmn:sequenceFlow id="f{i}" sourceRef="{a}" targetRef="{b}" />'
        for i, (a, b) in enumerate(zip(ids, ids[1:], strict=False)))
    body = '<bpmn:startEvent id="start" />' + "".join(nodes) + '<bpmn:endEvent id="end" />'
    return bpmn(body + flows, process_id, lanes)
