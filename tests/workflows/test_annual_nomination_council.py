"""bpmn/annual_title_nomination.bpmn: the council's tally and the disclosure window.

The council's votes are counted against the title's threshold and the council's quorum
(nothing typed by hand); the list is disclosed for the title's working days when the
catalogue asks for it, every complaint is answered and an upheld one drops its candidate.
The office and its helpers are in ``nomination_kit``.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
from council_kit import call, candidates, cast, open_meeting
from nomination_kit import (
    BK_BONUS,
    COUNCIL_ENDS,
    LDTT_BONUS,
    SENT,
    Office,
    answer,
    appraise,
    chair,
    complaint,
    council,
    make_office,
    only_task,
    proposal,
    waiting_for_council,
)

from engine.errors import Conflict, InvalidData
from workflows.council import closing, meetings
from workflows.models import AwardType


@pytest.fixture
def office(db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Office]:
    made = make_office(db_url, monkeypatch, tmp_path / "files")
    yield made
    made.db.dispose()


def test_council_result_is_counted_against_the_titles_threshold(office: Office) -> None:
    """An electronic meeting, secret ballot (Bằng khen of the province): 7 of 9 present."""
    inst = office.walk(office.start(), [
        ("propose", "sub", proposal("NV002", "NV005", award="BK_TINH")), appraise("approve")])
    waiting_for_council(inst)
    before = office.snapshot(inst["id"])
    sec = office.actors["sec"]
    meeting = open_meeting(office.db, sec, mode="electronic", present=7)
    ids = candidates(office.db, meeting)
    with pytest.raises(Conflict) as err:
        cast(office.db, "hd1", meeting, ids["NV002"], "agree")
    assert err.value.code == "council.wrong_status"  # voting has not started
    call(office.db, meetings.start_voting, sec, meeting)
    with pytest.raises(Conflict) as err:
        cast(office.db, "hd9", meeting, ids["NV002"], "agree")
    assert err.value.code == "council.not_present"
    with pytest.raises(InvalidData) as bad:
        cast(office.db, "hd1", meeting, ids["NV002"], "yes")
    assert bad.value.code == "council.invalid"
    for i in range(1, 8):
        cast(office.db, f"hd{i}", meeting, ids["NV002"], "agree" if i <= 5 else "disagree")
        cast(office.db, f"hd{i}", meeting, ids["NV005"], "agree" if i <= 4 else "disagree")
    assert office.snapshot(inst["id"]) == before  # votes do not touch the instance
    call(office.db, closing.close_meeting, sec, meeting)
    assert office.snapshot(inst["id"]) == before  # until the result is delivered
    with office.db.write_session() as s:
        done = closing.deliver_pending(s, office.eng, sec)
    assert [(d["instance_id"], d["status"]) for d in done] == [(inst["id"], "delivered")]
    inst = office.get(inst["id"])
    vote = inst["data"]["council_vote"]
    # 50 % of the 9 members: 5 agree votes pass; 4 do not, though a majority of those present.
    assert (vote["passed"], vote["not_passed"], vote["count"]) == (["NV002"], ["NV005"], 1)
    assert [(t["required"], t["base"], t["passed"], t["secret_ballot"])
            for t in vote["tally"]] == [(5, 9, True, True), (5, 9, False, True)]
    assert vote["outcome"] == "partial" and vote["members_present"] == 7
    assert office.statuses(inst["id"]) == {"NV002": "voted", "NV005": "not_approved"}
    assert office.ends_reached(inst["id"], COUNCIL_ENDS) == {"end_partly_passed"}
    only_task(inst, "disclosure")


def test_disclosure_before_an_office_decision_when_the_catalogue_asks(office: Office) -> None:
    with office.db.write_session() as s:
        s.get(AwardType, "GK").needs_disclosure = True  # type: ignore[union-attr]
        s.commit()
    inst = office.walk(office.start(), [
        ("propose", "sub", proposal("NV001", "PKT_1", award="GK")), appraise("approve"),
        council("NV001"),
        ("disclosure", "sec", {"complaints": []}), chair("decide", "approve")])
    assert office.ends_reached(inst["id"]) == {"end_decided"}
    assert office.awards(inst["id"]) == [("NV001", "GK", "01/QĐ-VP", LDTT_BONUS)]


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

