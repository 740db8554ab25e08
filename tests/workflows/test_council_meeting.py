"""The council's meeting on both databases: recusals, the secret ballot's anonymity,
quorum and statuses, paper meetings, and a failed delivery retried.

The office, its 9 council members (hd1…hd9) and the procedures are ``nomination_kit``'s;
every service call runs in its own transaction (``council_kit.call``).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from council_kit import PDF, call, candidates, cast, member_actor, member_ids, open_meeting
from nomination_kit import Office, appraise, make_office, proposal
from sqlalchemy import MetaData, select, text
from test_dossier import DOCX

from engine.errors import Conflict, InvalidData
from engine.roles import SYSTEM
from engine.store.models import AuditEvent
from workflows.council import closing, meetings, members, recusal, voting
from workflows.council.models import CHOICES, CouncilDelivery
from workflows.dossier import list_attachments
from workflows.models import Person


@pytest.fixture
def office(db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Office]:
    made = make_office(db_url, monkeypatch, tmp_path / "files")
    yield made
    made.db.dispose()


def before_council(office: Office, *subjects: str, award: str = "LDTT") -> dict[str, Any]:
    return office.walk(office.start(), [("propose", "sub", proposal(*subjects, award=award)),
                                        appraise("approve")])


def close_and_deliver(office: Office, meeting: int) -> list[dict[str, Any]]:
    call(office.db, closing.close_meeting, office.actors["sec"], meeting)
    with office.db.write_session() as s:
        return closing.deliver_pending(s, office.eng, office.actors["sec"], meeting)


def test_recusals_leave_the_denominator(office: Office) -> None:
    # hd3 is NV001; hd4 is NV002, head of Phòng Kinh tế where NV001 works.
    with office.db.write_session() as s:
        s.get(Person, "NV002").is_leader = True  # type: ignore[union-attr]
        s.commit()
    call(office.db, members.save_member, SYSTEM, "hd3", person_code="NV001", sort_order=3)
    call(office.db, members.save_member, SYSTEM, "hd4", person_code="NV002", sort_order=4)
    inst = before_council(office, "NV001", "NV002")
    sec, mid = office.actors["sec"], member_ids(office.db)
    meeting = open_meeting(office.db, sec, mode="electronic", present=9)
    ids = candidates(office.db, meeting)
    with office.db.session() as s:
        view = {(r["candidate_id"], r["member_id"]): r["reason"]
                for r in recusal_rows(s, meeting)}
    assert view == {(ids["NV001"], mid["hd3"]): "self", (ids["NV001"], mid["hd4"]): "head",
                    (ids["NV002"], mid["hd4"]): "self"}
    call(office.db, meetings.start_voting, sec, meeting)
    with pytest.raises(Conflict) as err:
        cast(office.db, "hd3", meeting, ids["NV001"], "agree")
    assert err.value.code == "council.recused"
    voters = ["hd1", "hd2", "hd5", "hd6", "hd7", "hd8", "hd9"]
    for i, who in enumerate(voters):  # NV001: 4 agree of 7 who may vote
        cast(office.db, who, meeting, ids["NV001"], "agree" if i < 4 else "disagree")
    with pytest.raises(Conflict) as err:  # too late to declare for NV001: hd5 voted
        call(office.db, recusal.declare_recusal, member_actor(office.db, "hd5"), meeting,
             ids["NV001"], None, "Cùng tổ công tác.")
    assert err.value.code == "council.already_voted"
    call(office.db, recusal.declare_recusal, member_actor(office.db, "hd5"), meeting,
         ids["NV002"], None, "Người thân.")
    for i, who in enumerate(["hd1", "hd2", "hd3", "hd6", "hd7", "hd8", "hd9"]):
        cast(office.db, who, meeting, ids["NV002"], ("agree", "agree", "agree", "disagree",
                                                     "disagree", "abstain", "abstain")[i])
    done = close_and_deliver(office, meeting)
    assert [d["status"] for d in done] == ["delivered"]
    tally = {t["subject_code"]: t for t in office.get(inst["id"])["data"]["council_vote"]["tally"]}
    # LĐTT has no threshold: more than half of those present, less the recused.
    assert [(tally[c]["recused"], tally[c]["denominator"], tally[c]["required"],
             tally[c]["passed"]) for c in ("NV001", "NV002")] == [(2, 7, 4, True),
                                                                  (2, 7, 4, False)]
    assert office.statuses(inst["id"]) == {"NV001": "voted", "NV002": "not_approved"}


def recusal_rows(session: Any, meeting: int) -> list[dict[str, Any]]:
    from workflows.council.views import meeting_view
    return list(meeting_view(session, SYSTEM, meeting)["recusals"])


def _rows(office: Office) -> dict[str, list[dict[str, Any]]]:
    """Every row of every table of the database, by table."""
    meta = MetaData()
    with office.db.session() as s:
        meta.reflect(s.connection())
        return {name: [dict(r._mapping) for r in s.execute(table.select()).all()]
                for name, table in meta.tables.items()}


def test_a_secret_ballot_cannot_be_traced_to_its_member(office: Office) -> None:
    inst = before_council(office, "NV002", "NV005", award="BK_TINH")  # secret ballot
    sec = office.actors["sec"]
    meeting = open_meeting(office.db, sec, mode="electronic", present=9)
    ids = candidates(office.db, meeting)
    call(office.db, meetings.start_voting, sec, meeting)
    pattern = ["agree", "disagree", "abstain", "agree", "agree", "disagree", "agree", "agree",
               "abstain"]
    for i, choice in enumerate(pattern, start=1):
        assert cast(office.db, f"hd{i}", meeting, ids["NV002"], choice)["choice"] is None
    with pytest.raises(Conflict) as err:  # cannot be changed, nor cast twice
        cast(office.db, "hd2", meeting, ids["NV002"], "agree")
    assert err.value.code == "council.already_voted"
    rows = _rows(office)
    mid = set(member_ids(office.db).values())
    # Who voted is known …
    assert sorted(r["member_id"] for r in rows["council_vote"]) == sorted(mid)
    assert {r["choice"] for r in rows["council_vote"]} == {None}
    # … what was voted only as counts, with nothing else in their rows.
    counts = {r["choice"]: r["count"] for r in rows["council_tally"]
              if r["candidate_id"] == ids["NV002"]}
    assert counts == {"agree": 5, "disagree": 2, "abstain": 2}
    assert set(rows["council_tally"][0]) == {"candidate_id", "choice", "count"}
    # No row anywhere holds both a member (or user) and a choice.
    users = {r["user_id"] for r in rows["council_member"]}
    for table, items in rows.items():
        for row in items:
            values = {str(v) for v in row.values()}
            has_choice = bool(values & set(CHOICES)) or any(
                any(c in str(v) for c in CHOICES) for k, v in row.items() if k == "payload")
            links_member = any(k in ("member_id", "user_id", "actor_id") and v in mid | users
                               for k, v in row.items())
            assert not (has_choice and links_member), (table, row)
    # The audit trail names the voter and the candidate, never the choice.
    with office.db.session() as s:
        events = s.scalars(select(AuditEvent).where(
            AuditEvent.event_type == "council.vote_cast")).all()
        assert len(events) == 9
        for event in events:
            payload = json.loads(event.payload) if isinstance(event.payload, str) \
                else event.payload
            assert "choice" not in payload and payload["secret"] is True
            assert not set(CHOICES) & {str(v) for v in payload.values()}
    if office.db.engine.dialect.name == "postgresql":
        # The three counters are rewritten together by every vote: one xmin, which says
        # nothing about which of them grew.
        with office.db.session() as s:
            xmins = s.execute(text("SELECT xmin::text FROM council_tally WHERE candidate_id "
                                   "= :c"), {"c": ids["NV002"]}).scalars().all()
        assert len(set(xmins)) == 1
    for i in range(1, 10):
        cast(office.db, f"hd{i}", meeting, ids["NV005"], "disagree" if i < 6 else "agree")
    close_and_deliver(office, meeting)
    assert office.statuses(inst["id"]) == {"NV002": "voted", "NV005": "not_approved"}


def test_quorum_statuses_and_who_may_vote(office: Office) -> None:
    before_council(office, "NV001")
    sec = office.actors["sec"]
    meeting = open_meeting(office.db, sec, mode="electronic", present=4)
    cand = candidates(office.db, meeting)["NV001"]
    with pytest.raises(Conflict) as err:
        call(office.db, meetings.start_voting, sec, meeting)
    assert err.value.code == "council.no_quorum"
    with pytest.raises(Conflict) as err:
        cast(office.db, "hd1", meeting, cand, "agree")
    assert err.value.code == "council.wrong_status"
    call(office.db, meetings.record_attendance, sec, meeting, {member_ids(office.db)["hd5"]:
                                                               True})
    call(office.db, meetings.start_voting, sec, meeting)  # 5 of 9: more than half
    with pytest.raises(Conflict) as err:  # attendance is closed once voting starts
        call(office.db, meetings.record_attendance, sec, meeting,
             {member_ids(office.db)["hd6"]: True})
    assert err.value.code == "council.wrong_status"
    with pytest.raises(InvalidData) as bad:
        call(office.db, voting.cast_vote, office.actors["council"], meeting, cand, "agree")
    assert bad.value.code == "council.not_member"  # the role alone is not a seat
    with pytest.raises(Conflict) as err:
        call(office.db, voting.enter_paper_counts, sec, meeting, [])
    assert err.value.code == "council.electronic_meeting"
    cast(office.db, "hd1", meeting, cand, "agree")
    assert [r["choice"] for r in _rows(office)["council_vote"]] == ["agree"]  # open ballot
    with pytest.raises(InvalidData) as bad:  # a second meeting cannot take the candidate
        call(office.db, meetings.create_meeting, sec, title="Họp lại",
             meeting_date=office_date(), nomination_ids=None)
    assert bad.value.code == "council.empty_agenda"


def office_date() -> Any:
    from datetime import date
    return date(2025, 12, 2)


def test_paper_meeting_and_a_failed_delivery_retried(office: Office,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    inst = before_council(office, "NV001")
    sec = office.actors["sec"]
    meeting = open_meeting(office.db, sec, present=9)
    call(office.db, meetings.start_voting, sec, meeting)
    cand = candidates(office.db, meeting)["NV001"]
    with pytest.raises(Conflict) as err:
        cast(office.db, "hd1", meeting, cand, "agree")
    assert err.value.code == "council.paper_meeting"
    with pytest.raises(Conflict) as err:
        call(office.db, closing.close_meeting, sec, meeting)
    assert err.value.code == "council.scan_missing"
    with pytest.raises(InvalidData) as bad:
        call(office.db, voting.attach_scan, sec, meeting, "bien_ban.pdf", b"MZ not a pdf",
             office.files)
    assert bad.value.code == "attachment.type_not_allowed"
    with pytest.raises(InvalidData) as word:  # a dossier may hold DOCX, a scan may not
        call(office.db, voting.attach_scan, sec, meeting, "bien_ban.docx", DOCX, office.files)
    assert word.value.code == "file.bad_type" and "PDF, JPG hoặc PNG" in word.value.message
    call(office.db, voting.attach_scan, sec, meeting, "bien_ban.pdf", PDF, office.files)
    with pytest.raises(Conflict) as err:
        call(office.db, closing.close_meeting, sec, meeting)
    assert err.value.code == "council.counts_missing"
    call(office.db, voting.enter_paper_counts, sec, meeting,
         [{"candidate_id": cand, "agree": 6, "disagree": 2, "abstain": 1}])
    call(office.db, closing.close_meeting, sec, meeting)
    real = office.eng.runner.deliver

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("mạng chập chờn")

    monkeypatch.setattr(office.eng.runner, "deliver", broken)
    with office.db.write_session() as s:
        failed = closing.deliver_pending(s, office.eng, sec)
    assert [(d["status"], d["error"]) for d in failed] == [("pending", "mạng chập chờn")]
    assert office.get(inst["id"])["tasks"] == []  # still waiting, nothing half-done
    assert office.statuses(inst["id"]) == {"NV001": "in_council"}
    monkeypatch.setattr(office.eng.runner, "deliver", real)
    with office.db.write_session() as s:
        assert [d["status"] for d in closing.deliver_pending(s, office.eng, sec)] == [
            "delivered"]
        row = s.get(CouncilDelivery, (meeting, inst["id"]))
        assert row is not None and (row.status, row.attempts, row.error) == ("delivered", 2,
                                                                             None)
    with office.db.write_session() as s:  # nothing left: a second run delivers nothing
        assert closing.deliver_pending(s, office.eng, sec) == []
    assert office.statuses(inst["id"]) == {"NV001": "voted"}
    assert [t["name"] for t in office.get(inst["id"])["tasks"]] == ["decide"]


def test_a_result_for_an_instance_cancelled_meanwhile_is_void(office: Office) -> None:
    inst = before_council(office, "NV001")
    sec = office.actors["sec"]
    meeting = open_meeting(office.db, sec, mode="electronic", present=9)
    call(office.db, meetings.start_voting, sec, meeting)
    cast(office.db, "hd1", meeting, candidates(office.db, meeting)["NV001"], "agree")
    call(office.db, closing.close_meeting, sec, meeting)
    with office.db.write_session() as s:
        office.eng.cancel_instance(s, inst["id"], office.actors["sub"], "Rút hồ sơ.")
    with office.db.write_session() as s:
        done = closing.deliver_pending(s, office.eng, sec)
    assert [(d["status"], d["error"][:22]) for d in done] == [("void", "Hồ sơ không ở trạng th")]
    with office.db.write_session() as s:
        assert closing.deliver_pending(s, office.eng, sec) == []


def test_the_scheduler_retries_failed_deliveries_up_to_a_limit(
        office: Office, monkeypatch: pytest.MonkeyPatch) -> None:
    """``closing.retry_pending_deliveries`` (for ``tdkt scheduler``): a result that did not
    reach its dossier is delivered by a later run; after ``AUTO_ATTEMPTS`` failures it is
    left to a person. The paper meeting's scan joins the dossier at the close."""
    inst = before_council(office, "NV001")
    sec = office.actors["sec"]
    meeting = open_meeting(office.db, sec, present=9)
    call(office.db, meetings.start_voting, sec, meeting)
    cand = candidates(office.db, meeting)["NV001"]
    call(office.db, voting.enter_paper_counts, sec, meeting,
         [{"candidate_id": cand, "agree": 9, "disagree": 0, "abstain": 0}])
    call(office.db, voting.attach_scan, sec, meeting, "bien_ban.pdf", PDF, office.files)
    call(office.db, closing.close_meeting, sec, meeting)  # the process stops here
    with office.db.session() as s:
        [scan] = [a for a in list_attachments(s, sec, inst["id"], policy=office.eng)
                  if a["item"] == "bien_ban_hoi_dong"]
    assert scan["sha256"] == hashlib.sha256(PDF).hexdigest() and scan["filename"] == "bien_ban.pdf"
    real = office.eng.runner.deliver
    monkeypatch.setattr(office.eng.runner, "deliver", lambda *a, **k: (_ for _ in ()).throw(
        RuntimeError("mạng chập chờn")))
    monkeypatch.setattr(closing, "AUTO_ATTEMPTS", 2)
    for _ in range(3):  # the third run leaves it alone: two failures are the limit
        with office.db.write_session() as s:
            closing.retry_pending_deliveries(s, office.eng, max_attempts=closing.AUTO_ATTEMPTS)
    with office.db.session() as s:
        row = s.get(CouncilDelivery, (meeting, inst["id"]))
        assert row is not None and (row.status, row.attempts) == ("pending", 2)
    monkeypatch.setattr(office.eng.runner, "deliver", real)
    with office.db.write_session() as s:
        assert closing.retry_pending_deliveries(s, office.eng, max_attempts=2) == []
        assert [d["status"] for d in closing.retry_pending_deliveries(s, office.eng)] == [
            "delivered"]  # with the default limit (10) it goes
    assert office.statuses(inst["id"]) == {"NV001": "voted"}
