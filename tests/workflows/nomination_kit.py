"""The annual procedure's office for tests: units, people, users, the diagrams, helpers.

Shared by the tests of bpmn/annual_title_nomination.bpmn (test_annual_nomination*.py) and of
its called process (test_province_forwarding.py). Each engine call runs in its own write
session, so the instance is saved and restored between steps as in production. Dossier
files go through ``workflows.dossier.add_attachment`` like an upload (``upload_items``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from argon2 import PasswordHasher
from council_kit import add_council, walk_council
from SpiffWorkflow.util.task import TaskState
from sqlalchemy import select

import engine.runtime.runner as runner
from engine import identity
from engine.roles import SYSTEM, Actor
from engine.service import ProcessEngine
from engine.store.db import Database
from engine.store.models import HumanTask, ProcessInstance
from engine.store.serializer import load_state
from workflows import build_engine
from workflows.dossier import add_attachment
from workflows.models import Award, AwardType, Nomination, Person, Rating

BPMN_DIR = Path(__file__).resolve().parents[2] / "bpmn"
KEY = "annual_title_nomination"
YEAR = 2025
# (code, name, unit, {year: rating})
PEOPLE = (
    ("NV001", "Nguyễn Văn An", "PKT", {2025: "HTTNV"}),
    ("NV002", "Trần Thị Bình", "PKT", {2024: "HTXSNV", 2025: "HTXSNV"}),
    ("NV003", "Lê Văn Cường", "PKT", {2025: "HTNV"}),
    ("NV004", "Phạm Thị Dung", "PKT_1", {2025: "HTTNV"}),
    ("NV005", "Võ Minh Giang", "PKT", {2024: "HTXSNV", 2025: "HTXSNV"}),
    ("NV101", "Hoàng Văn Em", "PTP", {2025: "HTTNV"}),
)
ROLE = {"propose": "submitter", "supplement": "submitter", "receive_appraise": "secretariat",
        "disclosure": "secretariat", "council_review": "council", "decide": "chair",
        "sign_proposal": "chair", "prepare_dossier": "secretariat",
        "send_to_province": "secretariat", "record_answer": "secretariat"}
NO_DUE = {"propose"}
ENDS = {"end_rejected", "end_ineligible", "end_not_voted", "end_decided", "end_not_approved",
        "end_province_rejected", "end_all_upheld", "end_answered", "end_not_sent"}
COUNCIL_ENDS = {"end_all_passed", "end_partly_passed", "end_none_passed"}  # council_review
PDF = b"%PDF-1.4\n% dossier item\n"
COUNCIL_SIZE = 9  # the council's members (the kit's tallies count 9)
# A step's data, or what builds it from the office and the instance (e.g. the council's votes).
Data = dict[str, Any] | Callable[["Office", dict[str, Any]], dict[str, Any]]
Step = tuple[str, str, Data]


def upload_items(db: Database, eng: ProcessEngine, actor: Actor, instance_id: int,
                 files: Path, *items: str) -> None:
    """File one PDF per dossier item, each in its own command, as an upload does."""
    for item in items:
        with db.write_session() as s:
            add_attachment(s, eng, actor, instance_id, item, f"{item}.pdf", PDF + item.encode(),
                           files)


@dataclass
class Office:
    db: Database
    eng: ProcessEngine
    actors: dict[str, Actor]
    files: Path
    monkeypatch: pytest.MonkeyPatch

    def write(self, fn: Any, *args: Any) -> Any:
        with self.db.write_session() as s:
            return fn(s, *args)

    def start(self, who: str = "sub", key: str = KEY) -> dict[str, Any]:
        return self.write(self.eng.start_instance, key, self.actors[who])

    def complete(self, task: dict[str, Any], who: str, data: dict[str, Any]) -> dict[str, Any]:
        return self.write(self.eng.complete_task, task["id"], self.actors[who], data)

    def complete_later(self, task: dict[str, Any], who: str, data: dict[str, Any]
                       ) -> dict[str, Any]:
        """Complete ``task`` once its waiting time (``not_before``) has passed."""
        later = runner.utcnow() + timedelta(days=60)
        with self.monkeypatch.context() as m:
            m.setattr(runner, "utcnow", lambda: later)
            return self.complete(task, who, data)

    def upload(self, instance_id: int, who: str, *items: str) -> None:
        upload_items(self.db, self.eng, self.actors[who], instance_id, self.files, *items)

    def required(self, award_code: str) -> list[str]:
        """The items a unit files with its proposal (the council's minutes come later)."""
        with self.db.session() as s:
            award = s.get(AwardType, award_code)
            assert award is not None
            return [i for i in award.dossier_items if i != "bien_ban_hoi_dong"]

    def walk(self, inst: dict[str, Any], steps: list[Step]) -> dict[str, Any]:
        """Do the steps; a proposal comes with its full dossier, a disclosure after its window."""
        for name, who, data in steps:
            values = data(self, inst) if callable(data) else data
            if name == "council_review":  # a meeting of the council, not a task
                inst = self.council_meeting(inst, values)
                continue
            task = only_task(inst, name)
            if name in ("propose", "supplement"):
                self.upload(inst["id"], who, *self.required(values["award_code"]))
            done = self.complete_later if name == "disclosure" else self.complete
            inst = done(task, who, values)
        return inst

    def council_meeting(self, inst: dict[str, Any], tally: dict[str, Any]) -> dict[str, Any]:
        """The instance waits for the council; a paper meeting votes ``tally`` and closes."""
        waiting_for_council(inst)
        return walk_council(self.db, self.eng, self.actors["sec"], inst["id"], tally,
                            self.files)

    def get(self, instance_id: int) -> dict[str, Any]:
        with self.db.session() as s:
            return self.eng.get_instance(s, instance_id, SYSTEM)

    def statuses(self, instance_id: int) -> dict[str, str]:
        with self.db.session() as s:
            return dict(s.execute(select(Nomination.subject_code, Nomination.status)
                                  .where(Nomination.instance_id == instance_id)).all())

    def awards(self, instance_id: int) -> list[tuple[str, str, str, int | None]]:
        with self.db.session() as s:
            rows = s.scalars(select(Award).where(Award.instance_id == instance_id)
                             .order_by(Award.subject_code)).all()
            return [(a.subject_code, a.award_code, a.decision_no, a.bonus_amount) for a in rows]

    def snapshot(self, instance_id: int) -> tuple[Any, ...]:
        """What a refused command must leave as it was: the instance, its tasks, nominations."""
        with self.db.session() as s:
            inst = s.get(ProcessInstance, instance_id)
            assert inst is not None
            tasks = s.execute(select(HumanTask.id, HumanTask.state)
                              .where(HumanTask.instance_id == instance_id)
                              .order_by(HumanTask.id)).all()
            return (inst.lock_version, inst.state_json, inst.data, [tuple(t) for t in tasks],
                    self.statuses(instance_id))

    def ends_reached(self, instance_id: int, ends: set[str] | None = None) -> set[str]:
        """End events (of the process and its called processes) that completed."""
        with self.db.session() as s:
            inst = s.get(ProcessInstance, instance_id)
            assert inst is not None
            loaded = self.eng.specs.load(s, inst.model_version_id)
            wf = load_state(inst.state_json, loaded.spec, loaded.subprocess_specs)
        return {t.task_spec.bpmn_id for t in wf.get_tasks(state=TaskState.COMPLETED)
                if t.task_spec.bpmn_id in (ENDS if ends is None else ends)}


def make_office(db_url: str, monkeypatch: pytest.MonkeyPatch, files: Path | None = None
                ) -> Office:
    """Units, people with ratings, users of every role; both diagrams deployed.

    ``files`` is where uploaded dossier files go (needed only by walks that upload).
    """
    monkeypatch.setattr(identity, "_HASHER",
                        PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))
    db = Database(db_url)
    eng = build_engine()
    assert "check_eligibility" in eng.handlers  # the real one (workflows/handlers/eligibility)
    users = (("sub", ["submitter"], "PKT"), ("sub_other", ["submitter"], "PTP"),
             ("sec", ["secretariat"], "TCHCQT"), ("council", ["council"], None),
             ("chair", ["chair"], None))
    actors: dict[str, Actor] = {}
    with db.write_session() as s:
        for code, name, parent in (("PKT", "Phòng Kinh tế", None),
                                   ("PKT_1", "Tổ Tổng hợp", "PKT"),
                                   ("PTP", "Phòng Tư pháp", None),
                                   ("TCHCQT", "Phòng Tổ chức - Hành chính - Quản trị", None)):
            identity.create_unit(s, SYSTEM, code, name, parent_code=parent)
        s.flush()
        for code, name, unit, ratings in PEOPLE:
            s.add(Person(code=code, full_name=name, unit_code=unit))
            s.add_all(Rating(year=y, subject_code=code, rating=r) for y, r in ratings.items())
        for username, roles, unit in users:
            user = identity.create_user(s, SYSTEM, username, "password1", roles,
                                        eng.settings.roles, unit)
            actors[username] = identity.actor_of(user)
        s.commit()
    for name in ("council_review.bpmn", "province_forwarding.bpmn",
                 "annual_title_nomination.bpmn"):  # callees first
        with db.write_session() as s:
            assert eng.deploy(s, (BPMN_DIR / name).read_bytes(), SYSTEM, name)["created"]
    add_council(db, eng, COUNCIL_SIZE)
    return Office(db, eng, actors, files or Path("/nonexistent/files"), monkeypatch)


def waiting_for_council(inst: dict[str, Any]) -> None:
    """The instance is before the council: running, no task (it waits for the meeting)."""
    assert inst["status"] == "running", inst.get("error")
    assert inst["tasks"] == []


def only_task(inst: dict[str, Any], name: str) -> dict[str, Any]:
    """The instance's one ready task, checked against its lane's role and deadline."""
    assert inst["status"] == "running", inst.get("error")
    assert [t["name"] for t in inst["tasks"]] == [name]
    task = inst["tasks"][0]
    assert task["role"] == ROLE[name]
    if name in NO_DUE:
        assert task["due_at"] is None
    else:
        assert datetime.fromisoformat(task["due_at"]) > datetime.fromisoformat(task["created_at"])
    assert (task["not_before"] is not None) == (name == "disclosure")
    return task


def proposal(*subjects: str, award: str = "LDTT") -> dict[str, Any]:
    return {"year": YEAR, "award_code": award, "subjects": list(subjects),
            "summary": "Hoàn thành tốt nhiệm vụ năm 2025."}


def appraise(value: str) -> Step:
    comment = "Thiếu báo cáo thành tích." if value == "return" else "Đủ hồ sơ."
    return ("receive_appraise", "sec", {"decision": value, "comment": comment})


def votes(office: Office, inst: dict[str, Any], passed: tuple[str, ...]) -> dict[str, Any]:
    """The tally minutes: 9 members, all present; passed candidates get every vote."""
    lines = [{"subject_code": code, "agree": 9, "disagree": 0, "abstain": 0} if code in passed
             else {"subject_code": code, "agree": 3, "disagree": 5, "abstain": 1}
             for code, status in office.statuses(inst["id"]).items() if status == "in_council"]
    return {"votes": lines, "members_total": 9, "members_present": 9, "minutes_no": "05/BB-HĐ"}


def council(*passed: str) -> Step:
    return ("council_review", "council", lambda office, inst: votes(office, inst, passed))


def chair(step: str, value: str) -> Step:
    return (step, "chair", {"decision": value, "comment": ""})


def complaint(subject: str | None = None, upheld: bool = False, **extra: Any) -> dict[str, Any]:
    return {"received_date": "2025-12-03", "summary": "Thắc mắc về thành tích.",
            "subject_code": subject, "answer": "Đã xác minh, trả lời bằng văn bản.",
            "answered_date": "2025-12-08", "upheld": upheld, **extra}


DISCLOSED = ("disclosure", "sec", {"complaints": [], "comment": "Niêm yết 10 ngày."})
SENT = ("send_to_province", "sec", {"sent_date": "2025-12-01"})


def answer(outcome: str, *approved: str) -> Step:
    data: dict[str, Any] = {"outcome": outcome, "approved_subjects": list(approved)}
    if outcome != "rejected":
        data |= {"decision_no": "15/QĐ-UBND", "decision_date": "2025-12-20"}
    return ("record_answer", "sec", data)


LDTT_BONUS, BK_BONUS = 702_000, 3_510_000  # 0.3 and 1.5 × 2.340.000 đ
