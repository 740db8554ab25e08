"""The ad-hoc award's office for tests: units, people, users, the diagrams, helpers.

For test_adhoc_award.py (bpmn/adhoc_award.bpmn). Each engine call runs in its own write
session, so the instance is saved and restored between steps as in production; a proposal
comes with the simplified procedure's dossier (``SIMPLIFIED``: tờ trình and tóm tắt thành
tích), uploaded through ``workflows.dossier.add_attachment``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
from argon2 import PasswordHasher
from nomination_kit import upload_items
from SpiffWorkflow.util.task import TaskState
from sqlalchemy import func, select

from engine import identity
from engine.roles import SYSTEM, Actor
from engine.service import ProcessEngine
from engine.store.db import Database
from engine.store.models import ProcessInstance
from engine.store.serializer import load_state
from workflows import build_engine
from workflows.handlers.registry import office_today
from workflows.models import Award, Discipline, Nomination, Person

BPMN_DIR = Path(__file__).resolve().parents[2] / "bpmn"
BPMN_FILE = BPMN_DIR / "adhoc_award.bpmn"
KEY = "adhoc_award"

PROPOSAL = {
    "nominee_name": "Nguyễn Văn An",
    "deed_summary": "Dũng cảm cứu người trong vụ cháy chợ trung tâm.",
    "deed_date": "2024-05-10",
    "subject_kind": "individual",
    "award_code": "GK",
}
SUPPLEMENT = {**PROPOSAL, "deed_summary": "Dũng cảm cứu 3 người trong vụ cháy chợ; có xác nhận "
                                          "của Công an phường."}
BK_PROPOSAL = {**PROPOSAL, "award_code": "BK_TINH"}
TEAM_PROPOSAL = {**PROPOSAL, "nominee_name": "Phòng Kinh tế", "subject_kind": "collective"}
ENDS = {"end_decided", "end_rejected", "end_not_approved", "end_ineligible",
        "end_answered", "end_not_sent"}  # the last two: the called province_forwarding
GK_BONUS, BK_BONUS = 702_000, 3_510_000  # 0.3 and 1.5 × 2.340.000 đ
# The role each user task's lane maps to, and whether the task has a deadline.
ROLE = {"propose": "submitter", "supplement": "submitter", "appraise": "secretariat",
        "decide": "chair", "sign_proposal": "chair", "send_to_province": "secretariat",
        "record_answer": "secretariat"}
HAS_DUE = {"propose": False, "supplement": True, "appraise": True, "decide": True,
           "sign_proposal": True, "send_to_province": True, "record_answer": True}
SENT = ("send_to_province", "sec", {"sent_date": "2025-12-01"})
# The simplified procedure's dossier (Luật Điều 85): the catalogue's items for every form.
SIMPLIFIED = ["to_trinh", "tom_tat_thanh_tich"]
Steps = list[tuple[str, str, dict[str, Any]]]


def decision(value: str, comment: str = "") -> dict[str, Any]:
    return {"decision": value, "comment": comment}


def answer(outcome: str) -> tuple[str, str, dict[str, Any]]:
    """The province's answer, recorded by the secretariat."""
    data: dict[str, Any] = {"outcome": outcome}
    if outcome == "approved":
        data |= {"decision_no": "15/QĐ-UBND", "decision_date": "2025-12-20"}
    return ("record_answer", "sec", data)


def appraisal(value: str, comment: str = "", nominee: str | None = None) -> dict[str, Any]:
    """The secretariat's appraisal; approving names the nominee (default P1)."""
    code = nominee or ("P1" if value == "approve" else None)
    return {**decision(value, comment), "nominee_code": code}


@dataclass
class Office:
    """The engine, the database, a user per role and where dossier files go."""

    db: Database
    eng: ProcessEngine
    actors: dict[str, Actor]
    files: Path

    def write(self, fn: Any, *args: Any) -> Any:
        with self.db.write_session() as s:
            return fn(s, *args)

    def start(self, who: str) -> dict[str, Any]:
        return self.write(self.eng.start_instance, KEY, self.actors[who])

    def complete(self, task: dict[str, Any], who: str, data: dict[str, Any]) -> dict[str, Any]:
        return self.write(self.eng.complete_task, task["id"], self.actors[who], data)

    def upload(self, instance_id: int, who: str, *items: str) -> None:
        upload_items(self.db, self.eng, self.actors[who], instance_id, self.files, *items)

    def walk(self, inst: dict[str, Any], steps: Steps) -> dict[str, Any]:
        """Do the steps, each by a user of its lane's role; a proposal comes with its dossier."""
        for name, who, data in steps:
            task = only_task(inst, name)
            assert ROLE[name] in self.actors[who].roles
            if name in ("propose", "supplement"):
                self.upload(inst["id"], who, *SIMPLIFIED)
            inst = self.complete(task, who, data)
        return inst

    def ends_reached(self, instance_id: int) -> set[str]:
        """End events of the instance's workflow that completed (read from stored state)."""
        with self.db.session() as s:
            inst = s.get(ProcessInstance, instance_id)
            assert inst is not None
            loaded = self.eng.specs.load(s, inst.model_version_id)
            wf = load_state(inst.state_json, loaded.spec, loaded.subprocess_specs)
        return {t.task_spec.bpmn_id for t in wf.get_tasks(state=TaskState.COMPLETED)
                if t.task_spec.bpmn_id in ENDS}

    def registry(self) -> list[tuple[Any, ...]]:
        with self.db.session() as s:
            return [tuple(r) for r in s.execute(
                select(Award.subject_code, Award.award_code, Award.kind, Award.year,
                       Award.decision_no, Award.decision_date, Award.instance_id,
                       Award.bonus_amount).order_by(Award.id)).all()]

    def nominations(self) -> list[tuple[Any, ...]]:
        with self.db.session() as s:
            return [tuple(r) for r in s.execute(
                select(Nomination.subject_code, Nomination.award_code, Nomination.kind,
                       Nomination.status).order_by(Nomination.id)).all()]

    def state(self, instance_id: int) -> tuple[Any, ...]:
        """What a refused command must leave unchanged."""
        with self.db.session() as s:
            inst = s.get(ProcessInstance, instance_id)
            assert inst is not None
            count = s.scalar(select(func.count()).select_from(Nomination))
            return inst.lock_version, inst.state_json, count, self.registry()


def make_office(db_url: str, monkeypatch: pytest.MonkeyPatch, files: Path) -> Office:
    """Units PKT, PTP, TCHCQT; people (P2 gone, P4 under a pending case); the diagrams."""
    # argon2's defaults cost ~80 ms a user; these tests only need users to exist.
    monkeypatch.setattr(identity, "_HASHER",
                        PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))
    db = Database(db_url)
    eng = build_engine()
    users = (("sub", ["submitter"], "PKT"), ("sub_other", ["submitter"], "PTP"),
             ("sec", ["secretariat"], "TCHCQT"), ("chair", ["chair"], None))
    actors: dict[str, Actor] = {}
    with db.write_session() as s:
        identity.create_unit(s, SYSTEM, "PKT", "Phòng Kinh tế")
        identity.create_unit(s, SYSTEM, "PTP", "Phòng Tư pháp")
        identity.create_unit(s, SYSTEM, "TCHCQT", "Phòng Tổ chức - Hành chính - Quản trị")
        for username, roles, unit in users:
            user = identity.create_user(s, SYSTEM, username, "password1", roles,
                                        eng.settings.roles, unit)
            actors[username] = identity.actor_of(user)
        s.add_all([Person(code="P1", full_name="Nguyễn Văn An", unit_code="PKT"),
                   Person(code="P2", full_name="Trần Văn Bảo", unit_code="PKT", active=False),
                   Person(code="P3", full_name="Nguyễn Văn Ân", unit_code="PKT"),
                   Person(code="P4", full_name="Lê Thị Cúc", unit_code="PKT")])
        s.flush()
        # A disciplinary case about P4 is still being considered (đang xem xét kỷ luật).
        s.add(Discipline(person_code="P4", form="khien_trach", start_date=date(2024, 3, 1),
                         pending=True))
        s.commit()
    with db.write_session() as s:  # the called process first
        eng.deploy(s, (BPMN_DIR / "province_forwarding.bpmn").read_bytes(), SYSTEM,
                   "province_forwarding.bpmn")
    with db.write_session() as s:
        deployed = eng.deploy(s, BPMN_FILE.read_bytes(), SYSTEM, BPMN_FILE.name)
    assert deployed["key"] == KEY and deployed["created"]
    assert deployed["name"] == "Khen thưởng đột xuất (thủ tục đơn giản)"
    return Office(db, eng, actors, files)


def only_task(inst: dict[str, Any], name: str) -> dict[str, Any]:
    """The instance's one ready task, checked against the diagram's lane role and deadline."""
    assert inst["status"] == "running", inst.get("error")
    assert [t["name"] for t in inst["tasks"]] == [name]
    task = inst["tasks"][0]
    assert task["role"] == ROLE[name]
    assert task["unit"] == "PKT"
    if HAS_DUE[name]:
        assert task["due_at"] is not None
        assert datetime.fromisoformat(task["due_at"]) > datetime.fromisoformat(task["created_at"])
    else:
        assert task["due_at"] is None
    return task


def gk(subject: str = "P1") -> list[tuple[Any, ...]]:
    """The registry after an approved ad-hoc Giấy khen (year of the deed, today's decision)."""
    return [(subject, "GK", "adhoc", 2024, "01/QĐ-VP", office_today(), None, GK_BONUS)]
