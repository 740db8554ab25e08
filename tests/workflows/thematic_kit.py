"""The thematic award's office for tests: units, people, movements, users, helpers.

Shared by test_thematic.py and test_thematic_council.py (bpmn/thematic_award.bpmn). Each
engine call runs in its own write session, so the instance is saved and restored between
steps; a proposal comes with the form's full dossier (``REQUIRED``), uploaded through
``workflows.dossier.add_attachment``, and the council's step with its tally minutes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
from argon2 import PasswordHasher
from council_kit import add_council, walk_council
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
from workflows.models import Award, Discipline, EmulationMovement, Nomination, Person

BPMN_DIR = Path(__file__).resolve().parents[2] / "bpmn"
BPMN_FILE = BPMN_DIR / "thematic_award.bpmn"
KEY = "thematic_award"
ENDS = {"end_decided", "end_rejected", "end_ineligible", "end_not_voted", "end_not_approved",
        "end_answered", "end_not_sent"}  # the last two: the called province_forwarding
ROLE = {"propose": "submitter", "supplement": "submitter", "appraise": "secretariat",
        "council_review": "council", "decide": "chair", "sign_proposal": "chair",
        "send_to_province": "secretariat", "record_answer": "secretariat"}
HAS_DUE = {"propose": False, "supplement": True, "appraise": True, "council_review": True,
           "decide": True, "sign_proposal": True, "send_to_province": True,
           "record_answer": True}
# Catalogue coefficient × base salary (2.340.000 đ): Giấy khen 0.3, Bằng khen of the province 1.5
GK_BONUS, BK_BONUS = 702_000, 3_510_000
# The full dossier a unit files (the catalogue's items, less the council's minutes: later).
REQUIRED = {"GK": ["to_trinh", "danh_sach", "bao_cao_thanh_tich"],
            "BK_TINH": ["to_trinh", "danh_sach", "bao_cao_thanh_tich", "bien_ban_binh_xet"]}

PROPOSAL = {"year": 2026, "award_code": "GK", "movement_code": "CDS2026",
            "subjects": ["P1", "P2", "PKT"],
            "summary": "Dẫn đầu phong trào chuyển đổi số giai đoạn 2024-2026."}
SUPPLEMENT = {**PROPOSAL, "subjects": ["P1", "PKT"]}
# A Bằng khen of the province, in a movement the province launched.
BK_PROPOSAL = {**PROPOSAL, "award_code": "BK_TINH", "movement_code": "ATGT2026",
               "summary": "Tiêu biểu trong phong trào bảo đảm trật tự an toàn giao thông."}
# A step's data, or what builds it from the office and the instance (the council's votes).
Data = dict[str, Any] | Callable[["Office", dict[str, Any]], dict[str, Any]]
Steps = list[tuple[str, str, Data]]
SENT = ("send_to_province", "sec", {"sent_date": "2026-11-02"})


def answer(outcome: str, *approved: str) -> tuple[str, str, dict[str, Any]]:
    data: dict[str, Any] = {"outcome": outcome, "approved_subjects": list(approved)}
    if outcome != "rejected":
        data |= {"decision_no": "15/QĐ-UBND", "decision_date": "2026-12-10"}
    return ("record_answer", "sec", data)


def appraisal(value: str, comment: str = "Hồ sơ đầy đủ.") -> dict[str, Any]:
    return {"decision": value, "comment": comment}


def line(code: str, agree: int, disagree: int = 0, abstain: int = 0) -> dict[str, Any]:
    """One candidate's line of the tally minutes."""
    return {"subject_code": code, "agree": agree, "disagree": disagree, "abstain": abstain}


def votes(office: Office, inst: dict[str, Any], passed: tuple[str, ...]) -> dict[str, Any]:
    """The tally minutes: 9 members, all present; passed candidates get every vote."""
    return {"votes": [line(code, 9) if code in passed else line(code, 3, 5, 1)
                      for code, status in office.nominations(inst["id"]).items()
                      if status == "in_council"],
            "members_total": 9, "members_present": 9, "minutes_no": "07/BB-HĐTĐKT"}


def council(*passed: str) -> Callable[[Office, dict[str, Any]], dict[str, Any]]:
    return lambda office, inst: votes(office, inst, passed)


def chair(value: str) -> dict[str, Any]:
    return {"decision": value, "comment": ""}


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

    def start(self, who: str = "sub") -> dict[str, Any]:
        return self.write(self.eng.start_instance, KEY, self.actors[who])

    def complete(self, task: dict[str, Any], who: str, data: dict[str, Any]) -> dict[str, Any]:
        return self.write(self.eng.complete_task, task["id"], self.actors[who], data)

    def upload(self, instance_id: int, who: str, *items: str) -> None:
        upload_items(self.db, self.eng, self.actors[who], instance_id, self.files, *items)

    def walk(self, inst: dict[str, Any], steps: Steps) -> dict[str, Any]:
        """Do the steps; a proposal or its supplement comes with the form's full dossier."""
        for name, who, data in steps:
            values = data(self, inst) if callable(data) else data
            if name == "council_review":  # a meeting of the council, not a task
                inst = self.council_meeting(inst, values)
                continue
            task = only_task(inst, name)
            if name in ("propose", "supplement"):
                self.upload(inst["id"], who, *REQUIRED[values["award_code"]])
            inst = self.complete(task, who, values)
        return inst

    def council_meeting(self, inst: dict[str, Any], tally: dict[str, Any]) -> dict[str, Any]:
        """The instance waits for the council; a paper meeting votes ``tally`` and closes."""
        assert inst["status"] == "running" and inst["tasks"] == [], inst.get("error")
        return walk_council(self.db, self.eng, self.actors["sec"], inst["id"], tally,
                            self.files)

    def get(self, instance_id: int) -> dict[str, Any]:
        with self.db.session() as s:
            return self.eng.get_instance(s, instance_id, SYSTEM)

    def registry(self) -> list[tuple[Any, ...]]:
        with self.db.session() as s:
            return [tuple(r) for r in s.execute(
                select(Award.subject_code, Award.award_code, Award.kind, Award.year,
                       Award.decision_no, EmulationMovement.code, Award.bonus_amount)
                .outerjoin(EmulationMovement, EmulationMovement.id == Award.movement_id)
                .order_by(Award.subject_code)).all()]

    def nominations(self, instance_id: int) -> dict[str, str]:
        with self.db.session() as s:
            return dict(s.execute(select(Nomination.subject_code, Nomination.status)
                                  .where(Nomination.instance_id == instance_id)).all())

    def state(self, instance_id: int) -> tuple[Any, ...]:
        """What a refused command must leave as it was."""
        with self.db.session() as s:
            inst = s.get(ProcessInstance, instance_id)
            assert inst is not None
            count = s.scalar(select(func.count()).select_from(Nomination))
            return (inst.lock_version, inst.state_json, count, self.registry(),
                    self.nominations(instance_id))

    def ends_reached(self, instance_id: int) -> set[str]:
        with self.db.session() as s:
            inst = s.get(ProcessInstance, instance_id)
            assert inst is not None
            loaded = self.eng.specs.load(s, inst.model_version_id)
            wf = load_state(inst.state_json, loaded.spec, loaded.subprocess_specs)
        return {t.task_spec.bpmn_id for t in wf.get_tasks(state=TaskState.COMPLETED)
                if t.task_spec.bpmn_id in ENDS}


def _movements() -> list[EmulationMovement]:
    return [EmulationMovement(code="CDS2026", name="Thi đua chuyển đổi số", kind="thematic",
                              year=2026, start_date=date(2026, 1, 5)),
            EmulationMovement(code="TDHN2026", name="Thi đua hằng năm 2026", kind="annual",
                              year=2026, start_date=date(2026, 1, 5)),
            EmulationMovement(code="TP2026", name="Phong trào của Phòng Tư pháp",
                              kind="thematic", year=2026, start_date=date(2026, 3, 1),
                              target_units=["PTP"]),
            EmulationMovement(code="CDS2025", name="Chuyển đổi số 2025", kind="thematic",
                              year=2025, start_date=date(2025, 1, 5)),
            EmulationMovement(code="ATGT2026", name="Bảo đảm trật tự an toàn giao thông",
                              kind="thematic", year=2026, start_date=date(2026, 2, 1),
                              launch_level="province")]


def make_office(db_url: str, monkeypatch: pytest.MonkeyPatch, files: Path) -> Office:
    """Units, people (P3 under discipline in 2026), movements, users; diagrams deployed."""
    monkeypatch.setattr(identity, "_HASHER",
                        PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))
    db = Database(db_url)
    eng = build_engine()
    users = (("sub", ["submitter"], "PKT"), ("sub_other", ["submitter"], "PTP"),
             ("sec", ["secretariat"], "TCHCQT"), ("council", ["council"], None),
             ("chair", ["chair"], None))
    actors: dict[str, Actor] = {}
    with db.write_session() as s:
        identity.create_unit(s, SYSTEM, "VP", "Văn phòng UBND tỉnh")
        for code, name in (("PKT", "Phòng Kinh tế"), ("PTP", "Phòng Tư pháp"),
                           ("TCHCQT", "Phòng Tổ chức - Hành chính - Quản trị")):
            identity.create_unit(s, SYSTEM, code, name, "VP")
        s.flush()
        s.add_all([Person(code="P1", full_name="Nguyễn Văn An", unit_code="PKT"),
                   Person(code="P2", full_name="Trần Thị Bình", unit_code="PKT"),
                   Person(code="P3", full_name="Lê Văn Cường", unit_code="PKT"),
                   Person(code="P9", full_name="Phạm Thị Hoa", unit_code="PTP"),
                   *_movements()])
        s.flush()
        s.add(Discipline(person_code="P3", form="khien_trach", start_date=date(2026, 2, 1),
                         end_date=date(2026, 12, 31)))
        for username, roles, unit in users:
            user = identity.create_user(s, SYSTEM, username, "password1", roles,
                                        eng.settings.roles, unit)
            actors[username] = identity.actor_of(user)
        s.commit()
    for called in ("council_review.bpmn", "province_forwarding.bpmn"):  # called ones first
        with db.write_session() as s:
            eng.deploy(s, (BPMN_DIR / called).read_bytes(), SYSTEM, called)
    with db.write_session() as s:
        deployed = eng.deploy(s, BPMN_FILE.read_bytes(), SYSTEM, BPMN_FILE.name)
    assert deployed["key"] == KEY and deployed["created"]
    assert deployed["name"] == "Khen thưởng chuyên đề"
    add_council(db, eng, 9)  # the tallies of ``votes`` count 9 members
    return Office(db, eng, actors, files)


def only_task(inst: dict[str, Any], name: str) -> dict[str, Any]:
    """The instance's one ready task, checked against its lane's role and deadline."""
    assert inst["status"] == "running", inst.get("error")
    assert [t["name"] for t in inst["tasks"]] == [name]
    task = inst["tasks"][0]
    assert task["role"] == ROLE[name] and task["unit"] == "PKT"
    if HAS_DUE[name]:
        assert datetime.fromisoformat(task["due_at"]) > datetime.fromisoformat(task["created_at"])
    else:
        assert task["due_at"] is None
    return task


def gk(*subjects: str) -> list[tuple[Any, ...]]:
    return [(code, "GK", "thematic", 2026, "01/QĐ-VP", "CDS2026", GK_BONUS)
            for code in sorted(subjects)]


def bk(*subjects: str) -> list[tuple[Any, ...]]:
    """Bằng khen of the province recorded under the province's decision."""
    return [(code, "BK_TINH", "thematic", 2026, "15/QĐ-UBND", "ATGT2026", BK_BONUS)
            for code in sorted(subjects)]
