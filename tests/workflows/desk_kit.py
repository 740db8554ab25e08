"""A desk for calling the nomination, dossier, council and registry handlers directly.

``make_desk`` gives a database with units, people and a process model to hang instances
on; ``Desk.call`` runs a handler in its own write session and commits, as a service task
does inside an engine command. The instance rows are made by hand (no diagram).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from engine import identity
from engine.extensions import ServiceCall
from engine.roles import SYSTEM, Actor
from engine.store.db import Database
from engine.store.models import ProcessInstance, ProcessModelVersion
from workflows.models import Award, Nomination, Person

SUB_PKT = Actor(id=None, username="sub", roles=frozenset({"submitter"}), unit_code="PKT")
SEC = Actor(id=None, username="sec", roles=frozenset({"secretariat"}), unit_code="TCHCQT")
BASE_SALARY = 2_340_000
PEOPLE = (("NV001", "Nguyễn Văn An", "PKT"), ("NV002", "Trần Thị Bình", "PKT"),
          ("NV004", "Phạm Thị Dung", "PKT_1"), ("NV101", "Hoàng Văn Em", "PTP"))


@dataclass
class Desk:
    """A database with units, people and process instances to hang nominations on."""

    db: Database
    version_id: int

    def new_instance(self, unit: str | None = "PKT") -> int:
        with self.db.write_session() as s:
            inst = ProcessInstance(model_version_id=self.version_id, process_key="p", version=1,
                                   unit_code=unit, state_json="{}", data={}, lock_version=1)
            s.add(inst)
            s.commit()
            return inst.id

    def call(self, handler: Any, instance_id: int, data: dict[str, Any] | None = None,
             actor: Actor = SUB_PKT, **params: Any) -> Any:
        with self.db.write_session() as s:
            result = handler(ServiceCall(s, instance_id, "p", "task", actor, dict(data or {}),
                                         params))
            s.commit()
            return result

    def finish(self, instance_id: int, status: str = "completed") -> None:
        with self.db.write_session() as s:
            s.get(ProcessInstance, instance_id).status = status  # type: ignore[union-attr]
            s.commit()

    def change(self, model: Any, key: str, **values: Any) -> None:
        with self.db.write_session() as s:
            row = s.get(model, key)
            for name, value in values.items():
                setattr(row, name, value)
            s.commit()

    def statuses(self, instance_id: int) -> dict[str, str]:
        with self.db.session() as s:
            return dict(s.execute(select(Nomination.subject_code, Nomination.status)
                                  .where(Nomination.instance_id == instance_id)).all())

    def awards(self) -> list[Award]:
        with self.db.session() as s:
            return list(s.scalars(select(Award).order_by(Award.id)).all())


def make_desk(db_url: str) -> Desk:
    """The database at ``db_url`` with units PKT (and PKT_1 under it), PTP, their people."""
    db = Database(db_url)
    with db.write_session() as s:
        identity.create_unit(s, SYSTEM, "PKT", "Phòng Kinh tế")
        identity.create_unit(s, SYSTEM, "PKT_1", "Tổ Tổng hợp", parent_code="PKT")
        identity.create_unit(s, SYSTEM, "PTP", "Phòng Tư pháp")
        s.add_all(Person(code=c, full_name=n, unit_code=u) for c, n, u in PEOPLE)
        row = ProcessModelVersion(process_key="p", version=1, name="p", bpmn_xml="<x/>",
                                  sha256="0" * 64)
        s.add(row)
        s.commit()
        version_id = row.id
    return Desk(db, version_id)


def proposal(*subjects: str, award: str = "LDTT", year: int = 2025) -> dict[str, Any]:
    return {"year": year, "award_code": award, "subjects": list(subjects)}
