"""Concurrency on both databases: members voting at the same moment, one member voting
twice from two tabs, and decision numbers taken by concurrent decisions.

Threads start together behind a barrier; each call is one transaction in its own session,
as two requests to two web workers would be.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from council_kit import candidates, member_actor, open_meeting
from nomination_kit import Office, appraise, make_office, proposal
from sqlalchemy import func, select

from engine.errors import Conflict
from engine.runtime.runner import run_command
from workflows.council import closing, meetings, recusal, voting
from workflows.council.models import (
    CouncilCandidate,
    CouncilRecusal,
    CouncilTally,
    CouncilVote,
)
from workflows.handlers.registry import next_decision_number
from workflows.models import DecisionCounter


@pytest.fixture
def office(db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Office]:
    made = make_office(db_url, monkeypatch, tmp_path / "files")
    yield made
    made.db.dispose()


def together(office: Office, jobs: list[Callable[[Any], Any]]) -> list[Any]:
    """Run each job (given a session) in its own thread and transaction, all at once."""
    barrier = threading.Barrier(len(jobs))
    results: list[Any] = [None] * len(jobs)

    def run(i: int) -> None:
        with office.db.write_session() as s:
            barrier.wait()
            try:
                results[i] = run_command(s, lambda: jobs[i](s))
            except Exception as exc:  # kept to assert on
                results[i] = exc

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(jobs))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return results


def vote(office: Office, username: str, meeting: int, cand: int, choice: str
         ) -> Callable[[Any], Any]:
    actor = member_actor(office.db, username)
    return lambda s: voting.cast_vote(s, actor, meeting, cand, choice)


def counts(office: Office, cand: int) -> dict[str, int]:
    with office.db.session() as s:
        return dict(s.execute(select(CouncilTally.choice, CouncilTally.count)
                              .where(CouncilTally.candidate_id == cand)).all())


def voters(office: Office, cand: int) -> int:
    with office.db.session() as s:
        return s.scalar(select(func.count()).select_from(CouncilVote)
                        .where(CouncilVote.candidate_id == cand)) or 0


@pytest.mark.parametrize("award", ["LDTT", "BK_TINH"])  # open and secret ballots
def test_concurrent_votes_all_count_and_a_double_vote_counts_once(office: Office,
                                                                  award: str) -> None:
    inst = office.walk(office.start(), [("propose", "sub", proposal("NV002", "NV005",
                                                                   award=award)),
                                        appraise("approve")])
    sec = office.actors["sec"]
    meeting = open_meeting(office.db, sec, mode="electronic", present=9)
    call_start = meetings.start_voting
    with office.db.write_session() as s:
        run_command(s, lambda: call_start(s, sec, meeting))
    ids = candidates(office.db, meeting)
    first = together(office, [vote(office, "hd1", meeting, ids["NV002"], "agree"),
                              vote(office, "hd2", meeting, ids["NV002"], "disagree")])
    assert not [r for r in first if isinstance(r, Exception)], first
    twice = together(office, [vote(office, "hd3", meeting, ids["NV002"], "agree"),
                              vote(office, "hd3", meeting, ids["NV002"], "agree")])
    refused = [r for r in twice if isinstance(r, Exception)]
    assert len(refused) == 1 and isinstance(refused[0], Conflict), twice
    assert refused[0].code == "council.already_voted"
    assert counts(office, ids["NV002"]) == {"agree": 2, "disagree": 1, "abstain": 0}
    assert voters(office, ids["NV002"]) == 3
    everyone = together(office, [vote(office, f"hd{i}", meeting, ids["NV005"],
                                      "agree" if i % 3 else "abstain") for i in range(1, 10)])
    assert not [r for r in everyone if isinstance(r, Exception)], everyone
    assert counts(office, ids["NV005"]) == {"agree": 6, "disagree": 0, "abstain": 3}
    assert voters(office, ids["NV005"]) == 9
    # A close racing a late vote: the vote is either counted or refused, never lost.
    late = together(office, [vote(office, "hd9", meeting, ids["NV002"], "agree"),
                             lambda s: closing.close_meeting(s, sec, meeting)])
    assert not isinstance(late[1], Exception), late
    counted = sum(counts(office, ids["NV002"]).values())
    result = {r["subject_code"]: r for r in late[1]["results"]}["NV002"]
    assert result["agree"] + result["disagree"] + result["abstain"] == counted
    assert counted == (4 if not isinstance(late[0], Exception) else 3)
    assert inst["id"] in late[1]["instances"]


def declare(office: Office, username: str, meeting: int, cand: int) -> Callable[[Any], Any]:
    actor = member_actor(office.db, username)
    return lambda s: recusal.declare_recusal(s, actor, meeting, cand, note="Người thân")


def test_a_vote_and_a_recusal_at_the_same_moment_never_both_succeed(office: Office) -> None:
    """A member votes on a candidate in one tab and declares a conflict of interest on it in
    another, at the same moment: one wins, the other is told why, never both (18 races)."""
    office.walk(office.start(), [("propose", "sub", proposal("NV002", "NV005", award="BK_TINH")),
                                 appraise("approve")])
    sec = office.actors["sec"]
    meeting = open_meeting(office.db, sec, mode="electronic", present=9)
    with office.db.write_session() as s:
        run_command(s, lambda: meetings.start_voting(s, sec, meeting))
    ids = candidates(office.db, meeting)
    outcomes: dict[str, int] = {"voted": 0, "recused": 0}
    for code in ("NV002", "NV005"):
        for i in range(1, 10):
            # Alternate which job starts first in the list, so both orders are raced.
            jobs = [vote(office, f"hd{i}", meeting, ids[code], "agree"),
                    declare(office, f"hd{i}", meeting, ids[code])]
            if i % 2:
                jobs.reverse()
            results = together(office, jobs)
            refused = [r for r in results if isinstance(r, Exception)]
            assert len(refused) == 1, (code, i, results)
            won = next(r for r in results if not isinstance(r, Exception))
            if "reason" in won:  # the recusal won: the vote is refused as recused
                assert isinstance(refused[0], Conflict) and refused[0].code == "council.recused"
                outcomes["recused"] += 1
            else:
                assert isinstance(refused[0], Conflict), refused
                assert refused[0].code == "council.already_voted", refused
                outcomes["voted"] += 1
    with office.db.session() as s:
        both = s.execute(select(CouncilVote.candidate_id, CouncilVote.member_id).join(
            CouncilRecusal, (CouncilRecusal.candidate_id == CouncilVote.candidate_id)
            & (CouncilRecusal.member_id == CouncilVote.member_id))).all()
        voted = s.scalar(select(func.count()).select_from(CouncilVote)) or 0
        recused = s.scalar(select(func.count()).select_from(CouncilRecusal)) or 0
    assert both == []  # nobody both voted and recused
    assert (voted, recused) == (outcomes["voted"], outcomes["recused"])
    assert voted + recused == 18
    for code in ("NV002", "NV005"):  # the counters hold exactly the votes that won
        assert sum(counts(office, ids[code]).values()) == voters(office, ids[code])


def test_decision_numbers_stay_sequential_and_unique_under_concurrent_decisions(
        office: Office) -> None:
    def take(s: Any) -> int:
        return next_decision_number(s, 2026, "QĐ-VP")

    def take_then_fail(s: Any) -> int:
        next_decision_number(s, 2026, "QĐ-VP")
        raise RuntimeError("the decision failed after taking its number")

    jobs: list[Callable[[Any], Any]] = [take] * 8 + [take_then_fail] * 2
    results = together(office, jobs)
    numbers = sorted(r for r in results if isinstance(r, int))
    assert numbers == list(range(1, 9))  # no gap, no repeat: a failed one gave its back
    assert sum(isinstance(r, RuntimeError) for r in results) == 2
    with office.db.session() as s:
        counter = s.get(DecisionCounter, (2026, "QĐ-VP"))
        assert counter is not None and counter.last_number == 8
    more = together(office, [take] * 4)
    assert sorted(more) == [9, 10, 11, 12]


def test_two_meetings_created_at_once_cannot_take_the_same_nomination(office: Office) -> None:
    office.walk(office.start(), [("propose", "sub", proposal("NV002", award="LDTT")),
                                 appraise("approve")])
    sec = office.actors["sec"]

    def create(s: Any) -> Any:
        return meetings.create_meeting(s, sec, title="Phiên họp", meeting_date=date(2025, 12, 1),
                                       mode="paper")
    results = together(office, [create, create])
    made = [r for r in results if isinstance(r, dict)]
    refused = [r for r in results if isinstance(r, Exception)]
    assert len(made) == 1 and len(refused) == 1, results
    assert getattr(refused[0], "code", "") == "council.empty_agenda", refused
    with office.db.session() as s:
        taken = s.execute(select(CouncilCandidate.meeting_id, CouncilCandidate.nomination_id)
                          ).all()
    assert len(taken) == 1 and taken[0][0] == made[0]["id"]
