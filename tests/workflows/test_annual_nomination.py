"""bpmn/annual_title_nomination.bpmn end to end: every gateway branch, through the service layer.

Khen thưởng danh hiệu thi đua hằng năm: the unit proposes and files its dossier, Phòng
TCHCQT appraises (only a complete dossier passes) and checks eligibility (the real
``check_eligibility``), the council's votes are recorded and counted against the title's
threshold, the list is disclosed for the title's working days when the title needs it
(complaints answered; an upheld one drops its candidate), then the Chánh Văn phòng
decides (office titles) or the dossier goes to the province (call activity
``province_forwarding``). Each engine call runs in its own write session, so the
instance is saved and restored between steps. The office and its helpers are in
``nomination_kit``; what the procedure refuses is in test_annual_nomination_checks.py,
the council's tally and the disclosure in test_annual_nomination_council.py.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from diagram_kit import diagram_problems
from nomination_kit import (
    BK_BONUS,
    BPMN_DIR,
    DISCLOSED,
    LDTT_BONUS,
    SENT,
    Office,
    Step,
    answer,
    appraise,
    chair,
    complaint,
    council,
    make_office,
    only_task,
    proposal,
)

from engine.errors import InvalidData


@pytest.fixture
def office(db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Office]:
    made = make_office(db_url, monkeypatch, tmp_path / "files")
    yield made
    made.db.dispose()


# path: (steps, end reached, statuses at the end, awards)
# path: (steps, end reached, statuses at the end, awards)
PATHS: dict[str, tuple[list[Step], set[str], dict[str, str], list[tuple[Any, ...]]]] = {
    "office-decided": ([
        ("propose", "sub", proposal("NV001", "NV002", "NV003")), appraise("approve"),
        council("NV001", "NV002"), chair("decide", "approve"),
    ], {"end_decided"}, {"NV001": "decided", "NV002": "decided", "NV003": "ineligible"},
        [("NV001", "LDTT", "01/QĐ-VP", LDTT_BONUS), ("NV002", "LDTT", "01/QĐ-VP", LDTT_BONUS)]),
    "return-supplement": ([
        ("propose", "sub", proposal("NV001", "NV003")), appraise("return"),
        ("supplement", "sub", proposal("NV001", "NV004")), appraise("approve"),
        council("NV004"), chair("decide", "approve"),
    ], {"end_decided"}, {"NV001": "not_approved", "NV004": "decided"},
        [("NV004", "LDTT", "01/QĐ-VP", LDTT_BONUS)]),
    "appraisal-rejects": ([
        ("propose", "sub", proposal("NV001", "NV002")), appraise("reject"),
    ], {"end_rejected"}, {"NV001": "not_approved", "NV002": "not_approved"}, []),
    "none-eligible": ([
        ("propose", "sub", proposal("NV003")), appraise("approve"),
    ], {"end_ineligible"}, {"NV003": "ineligible"}, []),
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
        [("NV001", "LDTT", "01/QĐ-VP", LDTT_BONUS), ("NV002", "LDTT", "01/QĐ-VP", LDTT_BONUS)]),
    "province-approves": ([
        ("propose", "sub", proposal("NV002", "NV001", award="BK_TINH")), appraise("approve"),
        council("NV002"), DISCLOSED, chair("sign_proposal", "approve"), SENT,
        answer("approved"),
    ], {"end_answered", "end_decided"}, {"NV001": "ineligible", "NV002": "decided"},
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
    expected = {"subject_code": "NV002", "agree": 3, "disagree": 5, "abstain": 1,
                "vote_base": "members", "base": 9, "threshold_pct": 50.0, "required": 5,
                "passed": False, "recused": 0, "secret_ballot": True}
    tally = data["council_vote"]["tally"][0]  # delivered by the meeting's close
    assert {k: tally[k] for k in expected} == expected
    assert data["disclosure_outcome"] == {"received": 0, "upheld": [], "remaining": ["NV005"],
                                          "count": 1}


def test_decision_numbers_follow_each_other(office: Office) -> None:
    numbers = []
    for subject in ("NV001", "NV002"):
        inst = office.walk(office.start(), [
            ("propose", "sub", proposal(subject)), appraise("approve"), council(subject),
            chair("decide", "approve")])
        numbers.append(inst["data"]["decision_issued"]["number"])
        assert office.awards(inst["id"])[0][2] == f"{numbers[-1]:02d}/QĐ-VP"
    assert numbers == [1, 2]


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
    office.upload(inst["id"], "sub", *office.required("LDTT"))
    after = office.complete(task, "sub", proposal("NV001", "NV004"))  # the same task still works
    only_task(after, "receive_appraise")


@pytest.mark.parametrize("name", ["annual_title_nomination.bpmn", "province_forwarding.bpmn"])
def test_diagram_is_complete_for_the_modeler(name: str) -> None:
    """Every flow node sits in one lane and has a shape; every flow has an edge and a
    gateway's every outgoing flow but its default has a condition and a name; the drawing
    is tidy (``diagram_kit``: no overlaps, edges from border to border)."""
    assert diagram_problems(BPMN_DIR / name) == []
