"""bpmn/annual_title_nomination.bpmn end to end: every gateway branch, through the service layer.

Khen thưởng danh hiệu thi đua hằng năm: the unit proposes and files its dossier, Phòng
TCHCQT appraises (only a complete dossier passes) and checks eligibility (the real
``check_eligibility``), the council's votes are recorded and counted against the title's
threshold, the list is disclosed for the title's working days when the title needs it
(complaints answered; an upheld one drops its candidate), then the Chánh Văn phòng
decides (office titles) or the dossier goes to the province (call activity
``province_forwarding``). Each engine call runs in its own write session, so the
instance is saved and restored between steps.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from argon2 import PasswordHasher
from lxml import etree
from SpiffWorkflow.util.task import TaskState
from sqlalchemy import select

import engine.runtime.runner as runner
from engine import identity
from engine.errors import Conflict, Forbidden, InvalidData
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
NS = {"bpmn": "http://www.omg.org/spec/BPMN/20100524/MODEL",
      "bpmndi": "http://www.omg.org/spec/BPMN/20100524/DI"}
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
PDF = b"%PDF-1.4\n% dossier item\n"
# A step's data, or what builds it from the office and the instance (e.g. the council's votes).
Data = dict[str, Any] | Callable[["Office", dict[str, Any]], dict[str, Any]]
Step = tuple[str, str, Data]


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
        for item in items:
            self.write(add_attachment, self.eng, self.actors[who], instance_id, item,
                       f"{item}.pdf", PDF + item.encode(), self.files)

    def required(self, award_code: str) -> list[str]:
        """The items a unit files with its proposal (the council's minutes come later)."""
        with self.db.session() as s:
            award = s.get(AwardType, award_code)
            assert award is not None
            return [i for i in award.dossier_items if i != "bien_ban_hoi_dong"]

    def walk(self, inst: dict[str, Any], steps: list[Step]) -> dict[str, Any]:
        """Do the steps; a proposal comes with its full dossier, a disclosure after its window."""
        for name, who, data in steps:
            task = only_task(inst, name)
            values = data(self, inst) if callable(data) else data
            if name in ("propose", "supplement"):
                self.upload(inst["id"], who, *self.required(values["award_code"]))
            done = self.complete_later if name == "disclosure" else self.complete
            inst = done(task, who, values)
        return inst

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

    def ends_reached(self, instance_id: int) -> set[str]:
        """End events (of the process and its called processes) that completed."""
        with self.db.session() as s:
            inst = s.get(ProcessInstance, instance_id)
            assert inst is not None
            loaded = self.eng.specs.load(s, inst.model_version_id)
            wf = load_state(inst.state_json, loaded.spec, loaded.subprocess_specs)
        return {t.task_spec.bpmn_id for t in wf.get_tasks(state=TaskState.COMPLETED)
                if t.task_spec.bpmn_id in ENDS}


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
    for name in ("province_forwarding.bpmn", "annual_title_nomination.bpmn"):  # callee first
        with db.write_session() as s:
            assert eng.deploy(s, (BPMN_DIR / name).read_bytes(), SYSTEM, name)["created"]
    return Office(db, eng, actors, files or Path("/nonexistent/files"), monkeypatch)


@pytest.fixture
def office(db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Office]:
    made = make_office(db_url, monkeypatch, tmp_path / "files")
    yield made
    made.db.dispose()


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
# path: (steps, end reached, statuses at the end, awards)
PATHS: dict[str, tuple[list[Step], set[str], dict[str, str], list[tuple[Any, ...]]]] = {
    "office-decided": ([
        ("propose", "sub", proposal("NV001", "NV002", "NV003")), appraise("approve"),
        council("NV001", "NV002"), chair("decide", "approve"),
    ], {"end_decided"}, {"NV001": "decided", "NV002": "decided", "NV003": "not_approved"},
        [("NV001", "LDTT", "1/QĐ-VP", LDTT_BONUS), ("NV002", "LDTT", "1/QĐ-VP", LDTT_BONUS)]),
    "return-supplement": ([
        ("propose", "sub", proposal("NV001", "NV003")), appraise("return"),
        ("supplement", "sub", proposal("NV001", "NV004")), appraise("approve"),
        council("NV004"), chair("decide", "approve"),
    ], {"end_decided"}, {"NV001": "not_approved", "NV004": "decided"},
        [("NV004", "LDTT", "1/QĐ-VP", LDTT_BONUS)]),
    "appraisal-rejects": ([
        ("propose", "sub", proposal("NV001", "NV002")), appraise("reject"),
    ], {"end_rejected"}, {"NV001": "not_approved", "NV002": "not_approved"}, []),
    "none-eligible": ([
        ("propose", "sub", proposal("NV003")), appraise("approve"),
    ], {"end_ineligible"}, {"NV003": "not_approved"}, []),
    "council-passes-none": ([
        ("propose", "sub", proposal("NV001")), appraise("approve"), council(),
    ], {"end_not_voted"}, {"NV001": "not_approved"}, []),
    "chair-rejects": ([
        ("propose", "sub", proposal("NV001")), appraise("approve"), council("NV001"),
        chair("decide", "reject"),
    ], {"end_not_approved"}, {"NV001": "not_approved"}, []),
    "chair-returns": ([
        ("propose", "sub", proposal("NV001", "NV002")), appraise("approve"), council("NV001"),
        chair("decide", "return"), appraise("approve"), council("NV001", "NV002"),
        chair("decide", "approve"),
    ], {"end_decided"}, {"NV001": "decided", "NV002": "decided"},
        [("NV001", "LDTT", "1/QĐ-VP", LDTT_BONUS), ("NV002", "LDTT", "1/QĐ-VP", LDTT_BONUS)]),
    "province-approves": ([
        ("propose", "sub", proposal("NV002", "NV001", award="BK_TINH")), appraise("approve"),
        council("NV002"), DISCLOSED, chair("sign_proposal", "approve"), SENT,
        answer("approved"),
    ], {"end_answered", "end_decided"}, {"NV001": "not_approved", "NV002": "decided"},
        [("NV002", "BK_TINH", "15/QĐ-UBND", BK_BONUS)]),
    "province-partial-after-revision": ([
        ("propose", "sub", proposal("NV002", "NV005", award="BK_TINH")), appraise("approve"),
        council("NV002", "NV005"),
        ("disclosure", "sec", {"complaints": [complaint("NV002"), complaint()]}),
        chair("sign_proposal", "return"),
        ("prepare_dossier", "sec", {"comment": "Bổ sung biên bản họp Hội đồng."}),
        chair("sign_proposal", "approve"), SENT, answer("partial", "NV005"),
    ], {"end_answered", "end_decided"}, {"NV002": "not_approved", "NV005": "decided"},
        [("NV005", "BK_TINH", "15/QĐ-UBND", BK_BONUS)]),
    "complaint-upheld-against-all": ([
        ("propose", "sub", proposal("NV002", award="BK_TINH")), appraise("approve"),
        council("NV002"), ("disclosure", "sec", {"complaints": [complaint("NV002", True)]}),
    ], {"end_all_upheld"}, {"NV002": "not_approved"}, []),
    "province-rejects": ([
        ("propose", "sub", proposal("NV002", award="BK_TINH")), appraise("approve"),
        council("NV002"), DISCLOSED, chair("sign_proposal", "approve"), SENT,
        answer("rejected"),
    ], {"end_answered", "end_province_rejected"}, {"NV002": "not_approved"}, []),
    "chair-refuses-to-sign": ([
        ("propose", "sub", proposal("NV002", award="BK_TINH")), appraise("approve"),
        council("NV002"), DISCLOSED, chair("sign_proposal", "reject"),
    ], {"end_not_sent", "end_province_rejected"}, {"NV002": "not_approved"}, []),
}


@pytest.mark.parametrize("path", list(PATHS))
def test_every_gateway_branch_end_to_end(office: Office, path: str) -> None:
    steps, ends, statuses, awards = PATHS[path]
    inst = office.walk(office.start(), steps)
    assert inst["status"] == "completed", inst.get("error")
    assert inst["tasks"] == [] and inst["ended_at"] is not None
    assert office.ends_reached(inst["id"]) == ends
    assert office.statuses(inst["id"]) == statuses
    assert office.awards(inst["id"]) == awards
    if awards:
        registry = inst["data"]["registry"]
        assert registry["total_bonus"] == sum(a[3] for a in awards)
        assert inst["data"]["decision_no"] == awards[0][2]


def test_statuses_along_the_way(office: Office) -> None:
    inst = office.start()
    seen = []
    for step in [("propose", "sub", proposal("NV002", "NV005", "NV001", award="BK_TINH")),
                 appraise("return"),
                 ("supplement", "sub", proposal("NV002", "NV005", award="BK_TINH")),
                 appraise("approve"), council("NV005"), DISCLOSED,
                 chair("sign_proposal", "approve"), SENT, answer("approved")]:
        inst = office.walk(inst, [step])
        seen.append(office.statuses(inst["id"]))
    assert seen == [
        {"NV001": "submitted", "NV002": "submitted", "NV005": "submitted"},
        {"NV001": "returned", "NV002": "returned", "NV005": "returned"},
        {"NV002": "submitted", "NV005": "submitted"},
        {"NV002": "in_council", "NV005": "in_council"},
        {"NV002": "not_approved", "NV005": "voted"},
        {"NV002": "not_approved", "NV005": "disclosed"},
        {"NV002": "not_approved", "NV005": "disclosed"},  # signed; sending is next
        {"NV002": "not_approved", "NV005": "proposed"},
        {"NV002": "not_approved", "NV005": "decided"},
    ]
    data = inst["data"]
    assert data["outcome"] == "approved" and data["decision_date"] == "2025-12-20"
    assert data["province_answer"]["approved_subjects"] == ["NV005"]
    assert data["nominated"]["within_office_power"] is False
    # The unit files the Bằng khen's full dossier; the council's minutes come later.
    assert [i["item"] for i in data["dossier"]["required"]] == [
        "to_trinh", "danh_sach", "bao_cao_thanh_tich", "bien_ban_binh_xet"]
    assert data["dossier_missing"] == [] and data["dossier"]["procedure"] == "full"
    assert data["council_vote"]["tally"][0] == {
        "subject_code": "NV002", "agree": 3, "disagree": 5, "abstain": 1, "vote_base": "members",
        "base": 9, "threshold_pct": 50.0, "required": 5, "passed": False}
    assert data["disclosure_outcome"] == {"received": 0, "upheld": [], "remaining": ["NV005"],
                                          "count": 1}


def test_decision_numbers_follow_each_other(office: Office) -> None:
    numbers = []
    for subject in ("NV001", "NV002"):
        inst = office.walk(office.start(), [
            ("propose", "sub", proposal(subject)), appraise("approve"), council(subject),
            chair("decide", "approve")])
        numbers.append(inst["data"]["decision_issued"]["number"])
        assert office.awards(inst["id"])[0][2] == f"{numbers[-1]}/QĐ-VP"
    assert numbers == [1, 2]


def test_disclosure_before_an_office_decision_when_the_catalogue_asks(office: Office) -> None:
    with office.db.write_session() as s:
        s.get(AwardType, "GK").needs_disclosure = True  # type: ignore[union-attr]
        s.commit()
    inst = office.walk(office.start(), [
        ("propose", "sub", proposal("NV001", "PKT_1", award="GK")), appraise("approve"),
        council("NV001"),
        ("disclosure", "sec", {"complaints": []}), chair("decide", "approve")])
    assert office.ends_reached(inst["id"]) == {"end_decided"}
    assert office.awards(inst["id"]) == [("NV001", "GK", "1/QĐ-VP", LDTT_BONUS)]


def test_another_units_person_is_refused_and_nothing_changes(office: Office) -> None:
    inst = office.start()
    task = only_task(inst, "propose")
    before = office.snapshot(inst["id"])
    with pytest.raises(InvalidData) as err:
        office.complete(task, "sub", proposal("NV001", "NV101"))
    assert err.value.code == "nomination.invalid"
    assert err.value.details == {"subjects": ["Hoàng Văn Em (NV101) không thuộc đơn vị đề nghị."]}
    assert "NV101" in err.value.message
    assert office.statuses(inst["id"]) == {}
    assert office.snapshot(inst["id"]) == before
    after = office.complete(task, "sub", proposal("NV001", "NV004"))  # the same task still works
    only_task(after, "receive_appraise")


def test_forms_and_lanes_are_enforced(office: Office) -> None:
    task = only_task(office.start(), "propose")
    for bad in ({**proposal("NV001"), "year": 1999}, {**proposal("NV001"), "award_code": "HC"},
                {**proposal(), "subjects": []}):
        with pytest.raises(InvalidData):
            office.complete(task, "sub", bad)
    task = only_task(office.complete(task, "sub", proposal("NV001")), "receive_appraise")
    with pytest.raises(InvalidData):
        office.complete(task, "sec", {"decision": "return"})  # says nothing about what to add
    with pytest.raises(Forbidden):
        office.complete(task, "council", {"decision": "approve"})
    office.upload(task["instance_id"], "sec", *office.required("LDTT"))
    task = only_task(office.complete(task, "sec", {"decision": "approve"}), "council_review")
    tally = {"members_total": 9, "members_present": 9}
    with pytest.raises(InvalidData) as err:  # NV003 was never put to the council
        office.complete(task, "council", {**tally, "votes": [
            {"subject_code": "NV003", "agree": 9, "disagree": 0, "abstain": 0}]})
    assert err.value.code == "council.invalid"
    assert err.value.details["votes"] == ["«NV003» không có trong danh sách trình Hội đồng.",
                                          "Thiếu số phiếu của «NV001»."]
    with pytest.raises(Forbidden):
        office.complete(task, "chair", {**tally, "votes": []})


def test_the_dossier_must_be_complete_before_the_appraisal_passes(office: Office) -> None:
    inst = office.start()
    office.upload(inst["id"], "sub", "to_trinh")
    inst = office.complete(only_task(inst, "propose"), "sub", proposal("NV001"))
    assert inst["data"]["dossier_missing"] == [
        {"item": "danh_sach", "label": "Danh sách đề nghị khen thưởng"},
        {"item": "bien_ban_binh_xet", "label": "Biên bản họp bình xét"}]
    task = only_task(inst, "receive_appraise")
    before = office.snapshot(inst["id"])
    with pytest.raises(InvalidData) as err:
        office.complete(task, "sec", {"decision": "approve"})
    assert err.value.code == "dossier.incomplete"
    assert err.value.details == {"decision": [err.value.message]}
    assert "còn thiếu Danh sách đề nghị khen thưởng, Biên bản họp bình xét." in err.value.message
    assert office.snapshot(inst["id"]) == before
    inst = office.complete(task, "sec", {"decision": "return",
                                         "supplement_items": ["Danh sách", "Biên bản bình xét"]})
    task = only_task(inst, "supplement")
    office.upload(inst["id"], "sub", "danh_sach", "to_trinh")  # to_trinh: a new version
    office.upload(inst["id"], "sub", "to_trinh")  # byte-identical: the same version
    inst = office.complete(task, "sub", proposal("NV001"))
    assert [m["item"] for m in inst["data"]["dossier_missing"]] == ["bien_ban_binh_xet"]
    office.upload(inst["id"], "sec", "bien_ban_binh_xet")  # the secretariat may file it too
    inst = office.complete(only_task(inst, "receive_appraise"), "sec", {"decision": "approve"})
    assert inst["data"]["dossier_missing"] == [] and inst["data"]["dossier"]["complete"]
    assert office.statuses(inst["id"]) == {"NV001": "in_council"}


def test_a_subject_cannot_be_proposed_twice_for_the_same_title(office: Office) -> None:
    first = office.walk(office.start(), [("propose", "sub", proposal("NV001"))])
    second = office.start()
    task = only_task(second, "propose")
    before = office.snapshot(second["id"])
    with pytest.raises(InvalidData) as err:
        office.complete(task, "sub", proposal("NV002", "NV001"))
    assert err.value.code == "nomination.duplicate"
    assert err.value.details == {"subjects": [
        f"Nguyễn Văn An (NV001) đã được đề nghị «Lao động tiên tiến» năm 2025 trong hồ sơ số "
        f"{first['id']} đang xử lý."]}
    assert office.snapshot(second["id"]) == before
    other_title = office.complete(task, "sub", proposal("NV002", "NV001", award="GK"))
    only_task(other_title, "receive_appraise")
    office.walk(first, [appraise("reject")])  # the first is over: NV001 may be proposed again
    third = office.walk(office.start(), [("propose", "sub", proposal("NV001"))])
    assert office.statuses(third["id"]) == {"NV001": "submitted"}


def test_council_result_is_counted_against_the_titles_threshold(office: Office) -> None:
    inst = office.walk(office.start(), [
        ("propose", "sub", proposal("NV002", "NV005", award="BK_TINH")), appraise("approve")])
    task = only_task(inst, "council_review")
    before = office.snapshot(inst["id"])

    def line(code: str, agree: int, disagree: int = 0, abstain: int = 0) -> dict[str, Any]:
        return {"subject_code": code, "agree": agree, "disagree": disagree, "abstain": abstain}

    good = {"members_total": 9, "members_present": 7, "votes": [line("NV002", 5, 2),
                                                                   line("NV005", 4, 3)]}
    bad: list[tuple[dict[str, Any], str, str]] = [
        ({"passed_subjects": ["NV002"]}, "council.invalid", "votes"),  # typed by hand
        ({**good, "passed_subjects": ["NV002"]}, "data.invalid", "passed_subjects"),
        ({**good, "members_present": 4}, "council.no_quorum", "members_present"),
        ({**good, "members_present": 10}, "council.invalid", "members_present"),
        ({**good, "votes": [line("NV002", 5, 2, 1), line("NV005", 4)]}, "council.invalid",
         "votes"),
        ({**good, "votes": [line("NV002", 5)]}, "council.invalid", "votes"),
        ({**good, "votes": [line("NV002", 5), line("NV002", 5), line("NV005", 1)]},
         "council.invalid", "votes"),
    ]
    for data, code, field in bad:
        with pytest.raises(InvalidData) as err:
            office.complete(task, "council", data)
        assert (err.value.code, list(err.value.details)) == (code, [field]), data
        assert office.snapshot(inst["id"]) == before
    inst = office.complete(task, "council", good)
    vote = inst["data"]["council_vote"]
    # 50 % of the 9 members: 5 agree votes pass; 4 do not, though a majority of those present.
    assert (vote["passed"], vote["not_passed"], vote["count"]) == (["NV002"], ["NV005"], 1)
    assert [(t["required"], t["base"], t["passed"]) for t in vote["tally"]] == [
        (5, 9, True), (5, 9, False)]
    assert office.statuses(inst["id"]) == {"NV002": "voted", "NV005": "not_approved"}
    only_task(inst, "disclosure")


def test_disclosure_waits_the_titles_window_and_answers_every_complaint(office: Office) -> None:
    with office.db.write_session() as s:
        s.get(AwardType, "BK_TINH").disclosure_working_days = 15  # type: ignore[union-attr]
        s.commit()
    inst = office.walk(office.start(), [
        ("propose", "sub", proposal("NV002", "NV005", award="BK_TINH")), appraise("approve"),
        council("NV002", "NV005")])
    task = only_task(inst, "disclosure")
    created = datetime.fromisoformat(task["created_at"])
    assert datetime.fromisoformat(task["not_before"]) == office.eng.calendar.due_at(created, 15)
    assert datetime.fromisoformat(task["due_at"]) == office.eng.calendar.due_at(created, 25)
    before = office.snapshot(inst["id"])
    with pytest.raises(Conflict) as early:
        office.complete(task, "sec", {"complaints": []})
    assert early.value.code == "task.too_early"
    unanswered = complaint("NV002", answer="", answered_date=None)
    for data, code in (({"complaints": [unanswered]}, "data.invalid"),
                       ({"complaints": [complaint("NV002", answered_date="2025-12-01")]},
                        "data.invalid"),
                       ({"complaints": [complaint(None, True)]}, "data.invalid"),
                       ({"complaints": [complaint("NV001", True)]}, "nomination.invalid")):
        with pytest.raises(InvalidData) as err:
            office.complete_later(task, "sec", data)
        assert err.value.code == code, data
    assert set(err.value.details) == {"complaints"}
    assert office.snapshot(inst["id"]) == before
    inst = office.complete_later(task, "sec", {"complaints": [complaint("NV002", True),
                                                              complaint("NV005")]})
    assert inst["data"]["disclosure_outcome"] == {"received": 2, "upheld": ["NV002"],
                                                  "remaining": ["NV005"], "count": 1}
    assert office.statuses(inst["id"]) == {"NV002": "not_approved", "NV005": "disclosed"}
    inst = office.walk(inst, [chair("sign_proposal", "approve"), SENT, answer("approved")])
    assert office.awards(inst["id"]) == [("NV005", "BK_TINH", "15/QĐ-UBND", BK_BONUS)]


@pytest.mark.parametrize("name", ["annual_title_nomination.bpmn", "province_forwarding.bpmn"])
def test_diagram_is_complete_for_the_modeler(name: str) -> None:
    """Every flow node sits in one lane and has a shape; every flow has an edge and a
    gateway's every outgoing flow but its default has a condition and a name."""
    root = etree.parse(str(BPMN_DIR / name)).getroot()
    process = root.find("bpmn:process", NS)
    assert process is not None and process.get("isExecutable") == "true"
    skip = {"laneSet", "sequenceFlow", "documentation", "extensionElements"}
    nodes = {n.get("id") for n in process if etree.QName(n).localname not in skip}
    refs = [r.text for r in process.iterfind(".//bpmn:flowNodeRef", NS)]
    assert sorted(refs) == sorted(nodes)
    shapes = {s.get("bpmnElement") for s in root.iterfind(".//bpmndi:BPMNShape", NS)}
    edges = {e.get("bpmnElement") for e in root.iterfind(".//bpmndi:BPMNEdge", NS)}
    lanes = {lane.get("id") for lane in process.iterfind(".//bpmn:lane", NS)}
    assert nodes | lanes | {"participant_office"} == shapes
    flows = {f.get("id"): f for f in process.iterfind("bpmn:sequenceFlow", NS)}
    assert set(flows) == edges
    for gw in process.iterfind("bpmn:exclusiveGateway", NS):
        for out in gw.iterfind("bpmn:outgoing", NS):
            flow = flows[out.text]
            assert flow.get("name"), out.text
            has_condition = flow.find("bpmn:conditionExpression", NS) is not None
            assert has_condition == (out.text != gw.get("default")), out.text
