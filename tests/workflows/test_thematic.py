"""bpmn/thematic_award.bpmn end to end (khen thưởng chuyên đề), through the service layer.

A unit proposes people and collectives for a Giấy khen at a milestone of a
thematic movement and files the full dossier; Phòng TCHCQT appraises (returning for
supplements; only a complete dossier passes), the eligibility rules run, the council's
votes pass some against the form's threshold, the Chánh Văn phòng signs; the
registry then holds the awards with kind "thematic". In a movement launched by the
province, a Bằng khen of the province may be proposed: after the council it goes
through the call activity province_forwarding and is recorded under the province's
decision. Every gateway branch is walked on both databases, one write session per
engine call. The office and its helpers are in ``thematic_kit``; the dossier and the
council's tally in detail in test_thematic_council.py.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from council_kit import call, open_meeting, paper_close
from diagram_kit import diagram_problems
from lxml import etree
from sqlalchemy import update
from thematic_kit import (
    BK_PROPOSAL,
    BPMN_FILE,
    PROPOSAL,
    REQUIRED,
    SENT,
    SUPPLEMENT,
    Office,
    Steps,
    answer,
    appraisal,
    bk,
    chair,
    council,
    gk,
    make_office,
    only_task,
)

from engine.errors import Forbidden, InvalidData, NotFound
from workflows.council import meetings
from workflows.models import AwardType


@pytest.fixture
def office(db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Office]:
    made = make_office(db_url, monkeypatch, tmp_path / "files")
    yield made
    made.db.dispose()


BK_SIGNED: Steps = [("propose", "sub", BK_PROPOSAL), ("appraise", "sec", appraisal("approve")),
                    ("council_review", "council", council("P1", "PKT")),
                    ("sign_proposal", "chair", chair("approve")), SENT]
# Each path: steps after start, the ends reached, the registry after, the nominations' statuses.
PATHS: dict[str, tuple[Steps, set[str] | str, list[tuple[Any, ...]], dict[str, str]]] = {
    "approved": ([
        ("propose", "sub", PROPOSAL),
        ("appraise", "sec", appraisal("approve")),
        ("council_review", "council", council("P1", "PKT")),
        ("decide", "chair", chair("approve")),
    ], "end_decided", gk("P1", "PKT"),
        {"P1": "decided", "PKT": "decided", "P2": "not_approved"}),
    "one-ineligible": ([
        ("propose", "sub", {**PROPOSAL, "subjects": ["P1", "P3"]}),
        ("appraise", "sec", appraisal("approve")),
        ("council_review", "council", council("P1")),
        ("decide", "chair", chair("approve")),
    ], "end_decided", gk("P1"), {"P1": "decided", "P3": "ineligible"}),
    "returned-supplemented": ([
        ("propose", "sub", PROPOSAL),
        ("appraise", "sec", appraisal("return", "Bà Bình chưa có xác nhận thành tích.")),
        ("supplement", "sub", SUPPLEMENT),
        ("appraise", "sec", appraisal("approve")),
        ("council_review", "council", council("P1", "PKT")),
        ("decide", "chair", chair("approve")),
    ], "end_decided", gk("P1", "PKT"), {"P1": "decided", "PKT": "decided"}),
    "chair-returns": ([
        ("propose", "sub", PROPOSAL),
        ("appraise", "sec", appraisal("approve")),
        ("council_review", "council", council("P1", "P2")),
        ("decide", "chair", chair("return")),
        ("appraise", "sec", appraisal("approve", "Đã rà soát lại.")),
        ("council_review", "council", council("P1")),
        ("decide", "chair", chair("approve")),
    ], "end_decided", gk("P1"), {"P1": "decided", "P2": "not_approved", "PKT": "not_approved"}),
    "rejected-at-appraisal": ([
        ("propose", "sub", PROPOSAL),
        ("appraise", "sec", appraisal("reject", "Thành tích chưa tiêu biểu.")),
    ], "end_rejected", [], {"P1": "not_approved", "P2": "not_approved", "PKT": "not_approved"}),
    "none-eligible": ([
        ("propose", "sub", {**PROPOSAL, "subjects": ["P3"]}),
        ("appraise", "sec", appraisal("approve")),
    ], "end_ineligible", [], {"P3": "ineligible"}),
    "council-passes-none": ([
        ("propose", "sub", PROPOSAL),
        ("appraise", "sec", appraisal("approve")),
        ("council_review", "council", council()),
    ], "end_not_voted", [], {"P1": "not_approved", "P2": "not_approved", "PKT": "not_approved"}),
    "chair-rejects": ([
        ("propose", "sub", PROPOSAL),
        ("appraise", "sec", appraisal("approve")),
        ("council_review", "council", council("P1")),
        ("decide", "chair", chair("reject")),
    ], "end_not_approved", [], {"P1": "not_approved", "P2": "not_approved",
                                "PKT": "not_approved"}),
    "province-approves": ([*BK_SIGNED, answer("approved")], {"end_answered", "end_decided"},
                          bk("P1", "PKT"), {"P1": "decided", "PKT": "decided",
                                            "P2": "not_approved"}),
    "province-approves-part": ([*BK_SIGNED, answer("partial", "PKT")],
                               {"end_answered", "end_decided"}, bk("PKT"),
                               {"P1": "not_approved", "PKT": "decided", "P2": "not_approved"}),
    "province-rejects": ([*BK_SIGNED, answer("rejected")], {"end_answered", "end_not_approved"},
                         [], {"P1": "not_approved", "PKT": "not_approved",
                              "P2": "not_approved"}),
    "chair-does-not-propose": ([*BK_SIGNED[:3], ("sign_proposal", "chair", chair("reject"))],
                               {"end_not_sent", "end_not_approved"}, [],
                               {"P1": "not_approved", "PKT": "not_approved",
                                "P2": "not_approved"}),
}


@pytest.mark.parametrize("path", list(PATHS))
def test_every_gateway_branch_end_to_end(office: Office, path: str) -> None:
    steps, ends, registry, statuses = PATHS[path]
    inst = office.walk(office.start(), steps)
    proposed = steps[0][2]
    assert isinstance(proposed, dict)
    assert inst["status"] == "completed", inst.get("error")
    assert office.ends_reached(inst["id"]) == (ends if isinstance(ends, set) else {ends})
    assert office.registry() == registry
    assert office.nominations(inst["id"]) == statuses
    assert inst["data"]["movement"]["code"] == proposed["movement_code"]
    assert inst["data"]["nominated"]["kind"] == "thematic"
    to_province = proposed["award_code"] == "BK_TINH"
    assert inst["data"]["nominated"]["within_office_power"] is not to_province
    # The form's full dossier was filed (the council's minutes come later) and checked.
    dossier = inst["data"]["dossier"]
    assert [i["item"] for i in dossier["required"]] == REQUIRED[proposed["award_code"]]
    assert dossier["procedure"] == "full" and inst["data"]["dossier_missing"] == []
    if "council_vote" in inst["data"]:  # counted from the votes, never typed
        vote = inst["data"]["council_vote"]
        assert [t["passed"] for t in vote["tally"]] == [
            t["subject_code"] in vote["passed"] for t in vote["tally"]]
    if registry:
        assert inst["data"]["decision_no"] == registry[0][4]
        assert inst["data"]["registry"]["total_bonus"] == sum(row[6] for row in registry)
    else:
        assert "registry" not in inst["data"]
    if to_province:  # the office numbered no decision of its own
        last = steps[-1][2]
        assert isinstance(last, dict)
        assert "decision_issued" not in inst["data"]
        assert inst["data"]["outcome"] == last.get("outcome", "not_proposed")
    elif not registry:
        assert "decision_no" not in inst["data"]


BAD_PROPOSALS: dict[str, tuple[dict[str, Any], str, str]] = {
    "no movement": ({k: v for k, v in PROPOSAL.items() if k != "movement_code"},
                    "data.invalid", "movement_code"),
    "a title, not a form": ({**PROPOSAL, "award_code": "LDTT"}, "data.invalid", "award_code"),
    "unknown movement": ({**PROPOSAL, "movement_code": "NO_SUCH"}, "thematic.invalid",
                         "movement_code"),
    "annual movement": ({**PROPOSAL, "movement_code": "TDHN2026"}, "thematic.invalid",
                        "movement_code"),
    "another unit's movement": ({**PROPOSAL, "movement_code": "TP2026"}, "thematic.invalid",
                                "movement_code"),
    "movement of another year": ({**PROPOSAL, "movement_code": "CDS2025"}, "nomination.invalid",
                                 "movement_code"),
    "another unit's person": ({**PROPOSAL, "subjects": ["P1", "P9"]}, "nomination.invalid",
                              "subjects"),
    "unknown person": ({**PROPOSAL, "subjects": ["NOBODY"]}, "nomination.invalid", "subjects"),
    "province form in the office's movement": ({**PROPOSAL, "award_code": "BK_TINH"},
                                               "thematic.invalid", "award_code"),
    "a national form": ({**BK_PROPOSAL, "award_code": "BK_TTG"}, "data.invalid", "award_code"),
}


@pytest.mark.parametrize("case", list(BAD_PROPOSALS))
def test_bad_proposals_are_refused_and_change_nothing(office: Office, case: str) -> None:
    data, code, field = BAD_PROPOSALS[case]
    inst = office.start()
    task = only_task(inst, "propose")
    before = office.state(inst["id"])
    with pytest.raises(InvalidData) as err:
        office.complete(task, "sub", data)
    assert err.value.code == code
    assert field in err.value.details
    assert office.state(inst["id"]) == before
    office.upload(inst["id"], "sub", *REQUIRED["GK"])
    assert only_task(office.complete(task, "sub", PROPOSAL), "appraise")


def test_forms_above_the_office_power_are_refused(office: Office) -> None:
    """The catalogue, not the code, says who decides: a GK moved up is refused here."""
    with office.db.write_session() as s:
        s.execute(update(AwardType).where(AwardType.code == "GK").values(level="province"))
        s.commit()
    inst = office.start()
    before = office.state(inst["id"])
    with pytest.raises(InvalidData) as err:
        office.complete(only_task(inst, "propose"), "sub", PROPOSAL)
    assert err.value.code == "thematic.invalid" and list(err.value.details) == ["award_code"]
    assert office.state(inst["id"]) == before


def test_lanes_gate_who_acts(office: Office) -> None:
    with pytest.raises(Forbidden):
        office.start("sec")
    inst = office.start()
    task = only_task(inst, "propose")
    with pytest.raises(NotFound):
        office.complete(task, "sub_other", PROPOSAL)
    office.upload(inst["id"], "sub", *REQUIRED["GK"])
    task = only_task(office.complete(task, "sub", PROPOSAL), "appraise")
    for intruder in ("sub", "council", "chair"):
        with pytest.raises(Forbidden):
            office.complete(task, intruder, appraisal("approve"))
    inst = office.complete(task, "sec", appraisal("approve"))
    assert inst["tasks"] == []  # the council's part is a meeting, run by the secretariat
    for intruder in ("sub", "chair", "council"):  # "council" has the role, not a seat
        with pytest.raises(Forbidden):
            call(office.db, meetings.create_meeting, office.actors[intruder], title="Họp",
                 meeting_date=date(2026, 11, 2))
    meeting = open_meeting(office.db, office.actors["sec"], present=9)
    paper_close(office.db, office.eng, office.actors["sec"], meeting,
                {"P1": (9, 0, 0), "P2": (3, 5, 1), "PKT": (3, 5, 1)}, office.files)
    task = only_task(office.get(inst["id"]), "decide")
    for intruder in ("sec", "council"):
        with pytest.raises(Forbidden):
            office.complete(task, intruder, chair("approve"))


def test_diagram_is_complete_for_the_modeler() -> None:
    """Complete (lanes, shapes, edges, named and conditioned gateway flows) and tidy."""
    assert diagram_problems(BPMN_FILE) == []


def test_the_diagram_check_sees_an_untidy_drawing(tmp_path: Path) -> None:
    """The check is not vacuous: a task moved onto another and a nameless branch are seen."""
    root = etree.parse(str(BPMN_FILE)).getroot()
    [bounds] = root.xpath('//*[@bpmnElement="confirm_dossier"]/*[local-name()="Bounds"]')
    bounds.set("x", "1260")  # onto check_conditions (x 1310)
    [flow] = root.xpath('//*[local-name()="sequenceFlow"][@id="flow_voted_none"]')
    del flow.attrib["name"]
    broken = tmp_path / "broken.bpmn"
    broken.write_bytes(etree.tostring(root))
    problems = diagram_problems(broken)
    assert "check_conditions overlaps confirm_dossier" in problems
    assert "flow_voted_none leaves gw_voted without a name" in problems
    assert "flow_appraise_approve does not end on confirm_dossier" in problems
