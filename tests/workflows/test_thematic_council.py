"""bpmn/thematic_award.bpmn: the dossier's completeness and the council's tally in detail.

The unit files the form's full dossier (hồ sơ đầy đủ, Luật Điều 84): what is missing is
listed when it submits, and the appraisal cannot pass while an item is missing. The
council meets (a paper meeting here): only with its quorum, the secretary records the
counts per candidate (biên bản kiểm phiếu) and who passes is computed against the form's
threshold at the close, never typed by hand.
A refused command changes nothing. The office and its helpers are in ``thematic_kit``.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from council_kit import call, candidates, open_meeting, paper_close
from sqlalchemy import select
from thematic_kit import (
    BK_PROPOSAL,
    PROPOSAL,
    REQUIRED,
    Office,
    appraisal,
    line,
    make_office,
    only_task,
)

from engine.errors import Conflict, InvalidData
from workflows.council import meetings, voting
from workflows.models import Nomination


@pytest.fixture
def office(db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Office]:
    made = make_office(db_url, monkeypatch, tmp_path / "files")
    yield made
    made.db.dispose()


def in_council(office: Office, proposal: dict[str, Any]) -> dict[str, Any]:
    """An instance whose proposal, with its full dossier, is before the council."""
    inst = office.start()
    office.upload(inst["id"], "sub", *REQUIRED[proposal["award_code"]])
    inst = office.complete(only_task(inst, "propose"), "sub", proposal)
    return office.complete(only_task(inst, "appraise"), "sec", appraisal("approve"))


def test_the_unit_cannot_send_a_dossier_missing_required_items(office: Office) -> None:
    inst = office.start()
    office.upload(inst["id"], "sub", "to_trinh")
    task = only_task(inst, "propose")
    before = office.state(inst["id"])
    with pytest.raises(InvalidData) as err:
        office.complete(task, "sub", PROPOSAL)
    assert err.value.code == "dossier.incomplete"
    assert err.value.details == {"dossier": [err.value.message]}
    assert "còn thiếu Danh sách đề nghị khen thưởng, Báo cáo thành tích." in err.value.message
    assert office.state(inst["id"]) == before
    office.upload(inst["id"], "sub", "danh_sach", "bao_cao_thanh_tich")
    inst = office.complete(task, "sub", PROPOSAL)
    dossier = inst["data"]["dossier"]
    assert (dossier["award_code"], dossier["procedure"]) == ("GK", "full")
    assert [i["item"] for i in dossier["required"]] == REQUIRED["GK"]
    assert inst["data"]["dossier_missing"] == [] and dossier["complete"]
    inst = office.complete(only_task(inst, "appraise"), "sec", appraisal("approve"))
    assert inst["tasks"] == []  # before the council: waits for its meeting
    assert office.nominations(inst["id"]) == {"P1": "in_council", "P2": "in_council",
                                              "PKT": "in_council"}


def test_a_province_form_needs_the_minutes_of_the_units_review(office: Office) -> None:
    """A Bằng khen of the province: the full dossier adds the review meeting's minutes."""
    inst = office.start()
    office.upload(inst["id"], "sub", *REQUIRED["GK"])
    with pytest.raises(InvalidData) as err:
        office.complete(only_task(inst, "propose"), "sub", BK_PROPOSAL)
    assert err.value.code == "dossier.incomplete" and "Biên bản họp bình xét" in err.value.message
    office.upload(inst["id"], "sub", "bien_ban_binh_xet")
    inst = office.complete(only_task(inst, "propose"), "sub", BK_PROPOSAL)
    assert inst["data"]["dossier_missing"] == []


def test_only_candidates_reach_the_councils_agenda(office: Office) -> None:
    inst = in_council(office, {**PROPOSAL, "subjects": ["P1", "P3"]})
    assert inst["tasks"] == [] and office.nominations(inst["id"]) == {
        "P1": "in_council", "P3": "ineligible"}
    with office.db.session() as s:
        p3 = s.scalars(select(Nomination.id).where(Nomination.subject_code == "P3")).one()
    before = office.state(inst["id"])
    with pytest.raises(InvalidData) as err:  # P3 was not eligible: not in the pool
        call(office.db, meetings.create_meeting, office.actors["sec"], title="Họp",
             meeting_date=date(2026, 11, 2), nomination_ids=[p3])
    assert err.value.code == "council.invalid"
    assert err.value.details == {"nomination_ids": [f"#{p3} không chờ Hội đồng xét."]}
    assert office.state(inst["id"]) == before
    meeting = open_meeting(office.db, office.actors["sec"], present=9)
    assert list(candidates(office.db, meeting)) == ["P1"]


def test_a_giay_khen_needs_more_than_half_of_the_councils_members(office: Office) -> None:
    """The Giấy khen has no threshold in the catalogue and counts against the council's
    members (its ``vote_base``): more than half of 9, however many are present."""
    inst = in_council(office, PROPOSAL)
    sec = office.actors["sec"]
    few = open_meeting(office.db, sec, present=4)
    before = office.state(inst["id"])
    with pytest.raises(Conflict) as err:  # 4 of 9: no quorum
        call(office.db, meetings.start_voting, sec, few)
    assert err.value.code == "council.no_quorum"
    assert (err.value.details["present"], err.value.details["members_total"]) == (4, 9)
    call(office.db, meetings.cancel_meeting, sec, few, "Không đủ túc số.")
    meeting = open_meeting(office.db, sec, present=7)
    call(office.db, meetings.start_voting, sec, meeting)
    ids = candidates(office.db, meeting)
    with pytest.raises(InvalidData) as bad:  # 8 ballots from 7 members present
        call(office.db, voting.enter_paper_counts, sec, meeting,
             [{"candidate_id": ids["P1"], "agree": 4, "disagree": 4, "abstain": 0}])
    assert bad.value.code == "council.invalid"
    assert office.state(inst["id"]) == before
    closed = paper_close(office.db, office.eng, sec, meeting, {
        "P1": (5, 2, 0), "P2": (4, 2, 1), "PKT": (7, 0, 0)}, office.files, voting_started=True)
    assert [d["status"] for d in closed["deliveries"]] == ["delivered"]
    inst = office.get(inst["id"])
    vote = inst["data"]["council_vote"]
    # P2 has a majority of the 7 present (4), not more than half of the 9 members (5).
    assert (vote["passed"], vote["not_passed"], vote["count"]) == (["P1", "PKT"], ["P2"], 2)
    assert [(t["vote_base"], t["base"], t["threshold_pct"], t["required"])
            for t in vote["tally"]] == [("members", 9, None, 5)] * 3
    assert office.nominations(inst["id"]) == {"P1": "voted", "P2": "not_approved",
                                              "PKT": "voted"}
    only_task(inst, "decide")


def test_a_bang_khen_counts_against_the_councils_members(office: Office) -> None:
    """Bằng khen of the province: 50 % of the 9 members, however many are present."""
    inst = in_council(office, BK_PROPOSAL)
    inst = office.council_meeting(inst, {
        "members_total": 9, "members_present": 7,
        "votes": [line("P1", 5, 2), line("P2", 7), line("PKT", 4, 3)]})
    vote = inst["data"]["council_vote"]
    # PKT has a majority of those present (4 of 7), not the 5 votes of 50 % of 9 members.
    assert (vote["passed"], vote["not_passed"]) == (["P1", "P2"], ["PKT"])
    assert [(t["vote_base"], t["base"], t["required"]) for t in vote["tally"]] == [
        ("members", 9, 5)] * 3
    assert office.nominations(inst["id"]) == {"P1": "voted", "P2": "voted",
                                              "PKT": "not_approved"}
    only_task(inst, "sign_proposal")
