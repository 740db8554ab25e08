"""Rules through whole electronic meetings, on both databases: ties, the catalogue's
denominator for titles without a threshold, and members linked to no person.

The office, its 9 members (hd1…hd9, linked to nobody) and the procedures are
``nomination_kit``'s; every call is its own transaction.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from council_kit import call, candidates, cast, member_actor, member_ids, open_meeting
from nomination_kit import Office, appraise, make_office, proposal
from sqlalchemy import select

from engine.roles import SYSTEM
from engine.store.models import AuditEvent
from workflows import catalogue_admin
from workflows.council import closing, meetings, members, recusal, views
from workflows.council.models import CouncilCandidate, CouncilMeeting


@pytest.fixture
def office(db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Office]:
    made = make_office(db_url, monkeypatch, tmp_path / "files")
    yield made
    made.db.dispose()


def before_council(office: Office, *subjects: str, award: str) -> dict[str, Any]:
    return office.walk(office.start(), [("propose", "sub", proposal(*subjects, award=award)),
                                        appraise("approve")])


def vote_all(office: Office, meeting: int, cand: int, choices: dict[int, str]) -> None:
    for i, choice in choices.items():
        cast(office.db, f"hd{i}", meeting, cand, choice)


def close(office: Office, meeting: int) -> dict[str, Any]:
    with office.db.write_session() as s:
        return dict(closing.close_and_deliver(s, office.eng, office.actors["sec"], meeting))


def results(closed: dict[str, Any]) -> dict[str, tuple[int, int, int, int, bool]]:
    return {r["subject_code"]: (r["agree"], r["disagree"], r["denominator"], r["required"],
                                r["passed"]) for r in closed["results"]}


def test_ties_through_a_whole_meeting(office: Office) -> None:
    """Bằng khen (secret, 50 % of the members): hd9 recused, 4 agree and 4 disagree of a
    denominator of 8 reach 50 % and pass. Lao động tiên tiến (no threshold, the members):
    4 agree, 4 disagree, 1 abstains — not more than half of 9, it does not pass."""
    bk = before_council(office, "NV002", award="BK_TINH")
    ld = before_council(office, "NV001", award="LDTT")
    sec = office.actors["sec"]
    meeting = open_meeting(office.db, sec, mode="electronic", present=9)
    ids = candidates(office.db, meeting)
    call(office.db, recusal.declare_recusal, member_actor(office.db, "hd9"), meeting,
         ids["NV002"], note="Vợ của đối tượng")
    call(office.db, meetings.start_voting, sec, meeting)
    vote_all(office, meeting, ids["NV002"],
             {i: "agree" if i <= 4 else "disagree" for i in range(1, 9)})
    vote_all(office, meeting, ids["NV001"],
             {i: "agree" if i <= 4 else "disagree" if i <= 8 else "abstain"
              for i in range(1, 10)})
    closed = close(office, meeting)
    assert results(closed) == {"NV002": (4, 4, 8, 4, True), "NV001": (4, 4, 9, 5, False)}
    assert [d["status"] for d in closed["deliveries"]] == ["delivered", "delivered"]
    assert office.statuses(bk["id"]) == {"NV002": "voted"}
    assert office.statuses(ld["id"]) == {"NV001": "not_approved"}
    with office.db.session() as s:
        row = s.get(CouncilMeeting, meeting)
        cands = list(s.scalars(select(CouncilCandidate).where(
            CouncilCandidate.meeting_id == meeting).order_by(CouncilCandidate.sort_order)))
        data = views.minutes_data(s, row, cands)
    tie = next(c for c in data["candidates"] if c["award_code"] == "BK_TINH")
    assert tie["recused_members"] == [{"name": "hd9", "reason": "tự khai có xung đột lợi ích: "
                                                                "Vợ của đối tượng"}]


def test_a_catalogue_change_of_the_denominator_decides_the_next_meeting(office: Office
                                                                        ) -> None:
    """LĐTT counts against the council's members (seeded): 5 agree of 7 present pass,
    4 do not. Switched to «present» in the catalogue, the next meeting counts 4 of 7."""
    before_council(office, "NV001", award="LDTT")
    sec = office.actors["sec"]
    first = open_meeting(office.db, sec, mode="electronic", present=7)
    call(office.db, meetings.start_voting, sec, first)
    ids = candidates(office.db, first)
    vote_all(office, first, ids["NV001"], {i: "agree" if i <= 4 else "disagree"
                                           for i in range(1, 8)})
    assert results(close(office, first))["NV001"] == (4, 3, 9, 5, False)

    call(office.db, catalogue_admin.update_award_type, office.actors["sec"], "LDTT",
         {"vote_base": "present"})
    before_council(office, "NV002", award="LDTT")
    second = open_meeting(office.db, sec, mode="electronic", present=7)
    call(office.db, meetings.start_voting, sec, second)
    ids = candidates(office.db, second)
    vote_all(office, second, ids["NV002"], {i: "agree" if i <= 4 else "disagree"
                                            for i in range(1, 8)})
    closed = close(office, second)
    assert results(closed)["NV002"] == (4, 3, 7, 4, True)
    assert closed["results"][0]["vote_base"] == "present"


def test_a_meeting_names_the_members_whose_recusals_it_cannot_compute(office: Office
                                                                      ) -> None:
    """hd1…hd9 are linked to no person: at the opening, their automatic recusals (the
    candidate, the head of the candidate's unit) cannot be computed — the meeting says so
    (view and audit) instead of skipping them silently."""
    call(office.db, members.save_member, SYSTEM, "hd3", person_code="NV001", sort_order=3)
    before_council(office, "NV001", award="LDTT")
    meeting = open_meeting(office.db, office.actors["sec"], mode="electronic", present=9)
    mid = member_ids(office.db)
    with office.db.session() as s:
        view = views.meeting_view(s, office.actors["sec"], meeting)
        opened = s.scalars(select(AuditEvent).where(
            AuditEvent.event_type == "council.meeting_opened")).one()
    unlinked = [f"hd{i}" for i in range(1, 10) if i != 3]
    assert [u["name"] for u in view["unlinked"]] == unlinked
    assert json.loads(opened.payload)["unlinked_member_ids"] == sorted(
        mid[name] for name in unlinked)
    # hd3 is NV001: recused automatically, so the link that exists is used.
    assert [(r["member_id"], r["reason"]) for r in view["recusals"]] == [(mid["hd3"], "self")]
