"""The outcome of a dossier (workflows/outcome.py): awarded, partly awarded, not awarded,
read from its nominations once the procedure ended, and told to the unit that started it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from nomination_kit import Office, appraise, chair, council, make_office, proposal
from sqlalchemy import select

from engine.store.models import EmailOutbox, Notification
from workflows.outcome import dossier_results, outcome_of


@pytest.fixture
def office(db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Office]:
    made = make_office(db_url, monkeypatch, tmp_path / "files")
    yield made
    made.db.dispose()


def ended_note(office: Office, instance_id: int) -> tuple[str, str]:
    with office.db.session() as s:
        row = s.execute(select(Notification.title, Notification.body).where(
            Notification.instance_id == instance_id,
            Notification.kind == "instance.completed")).one()
        mail = s.scalars(select(EmailOutbox.body_text).join(
            Notification, Notification.id == EmailOutbox.notification_id).where(
            Notification.instance_id == instance_id,
            Notification.kind == "instance.completed")).all()
    assert all(row.body in text for text in mail)
    return row.title, row.body


def test_outcome_of_statuses() -> None:
    assert outcome_of(["decided", "decided"], ended=True) == "awarded"
    assert outcome_of(["decided", "not_approved"], ended=True) == "partial"
    assert outcome_of(["not_approved", "ineligible"], ended=True) == "not_awarded"
    assert outcome_of(["voted"], ended=False) is None  # still running
    assert outcome_of([], ended=True) is None  # nobody proposed


def test_a_partly_awarded_dossier_says_so_with_the_reasons_of_the_ineligible(
        office: Office) -> None:
    inst = office.walk(office.start(), [
        ("propose", "sub", proposal("NV001", "NV002", "NV003")), appraise("approve")])
    with office.db.session() as s:
        running = dossier_results(s, [inst["id"]])[inst["id"]]
    assert running.outcome is None and {n.awarded for n in running.nominees} == {None}
    inst = office.walk(inst, [council("NV001", "NV002"), chair("decide", "approve")])
    assert inst["status"] == "completed"
    with office.db.session() as s:
        found = dossier_results(s, [inst["id"]])[inst["id"]]
    assert found.outcome == "partial" and found.outcome_label == "Được khen thưởng một phần"
    assert (found.award_code, found.awarded_count) == ("LDTT", 2)
    assert [(n.code, n.name, n.awarded) for n in found.nominees] == [
        ("NV001", "Nguyễn Văn An", True), ("NV002", "Trần Thị Bình", True),
        ("NV003", "Lê Văn Cường", False)]
    ineligible = found.nominees[2]
    assert ineligible.reasons and all(ineligible.reasons)  # why NV003 failed
    assert found.nominees[0].reasons == ()
    title, body = ended_note(office, inst["id"])
    assert title.startswith("Hồ sơ đã kết thúc")
    assert body.endswith("Kết quả: Được khen thưởng một phần (2/3 đối tượng)")


def test_a_dossier_nobody_is_awarded_for_and_one_fully_awarded(office: Office) -> None:
    lost = office.walk(office.start(), [
        ("propose", "sub", proposal("NV001")), appraise("approve"), council()])
    won = office.walk(office.start(), [
        ("propose", "sub", proposal("NV004")), appraise("approve"), council("NV004"),
        chair("decide", "approve")])
    with office.db.session() as s:
        found = dossier_results(s, [lost["id"], won["id"]])
    assert (found[lost["id"]].outcome, found[won["id"]].outcome) == ("not_awarded", "awarded")
    assert ended_note(office, lost["id"])[1].endswith("Kết quả: Không được khen thưởng")
    assert ended_note(office, won["id"])[1].endswith("Kết quả: Được khen thưởng")


def test_an_ineligible_nominee_stays_ineligible_and_the_council_says_why_it_refused(
        office: Office) -> None:
    from datetime import date
    from decimal import Decimal

    from workflows.council.models import CouncilCandidate, CouncilMeeting
    from workflows.models import Nomination

    inst = office.walk(office.start(), [
        ("propose", "sub", proposal("NV001", "NV002", "NV003")), appraise("approve")])
    assert office.statuses(inst["id"])["NV003"] == "ineligible"  # not «không được khen thưởng»
    inst = office.walk(inst, [council("NV001")])
    assert office.statuses(inst["id"]) == {"NV001": "voted", "NV002": "not_approved",
                                     "NV003": "ineligible"}
    with office.db.session() as s:
        nom = s.scalars(select(Nomination).where(Nomination.instance_id == inst["id"],
                                                 Nomination.subject_code == "NV002")).one()
        for status, agree in (("closed", 3), ("draft", 6)):  # an open meeting says nothing
            meeting = CouncilMeeting(title="Phiên họp", meeting_date=date(2024, 12, 1),
                                     status=status)
            s.add(meeting)
            s.flush()
            s.add(CouncilCandidate(meeting_id=meeting.id, nomination_id=nom.id,
                                   instance_id=inst["id"], subject_code="NV002",
                                   award_code="LDTT", threshold_pct=Decimal("50"),
                                   agree=agree, denominator=6, required=4, passed=False))
        s.commit()
        found = {n.code: n for n in dossier_results(s, [inst["id"]])[inst["id"]].nominees}
    assert found["NV002"].reasons == (
        "Hội đồng không thông qua: 3/6 đồng ý, chưa đạt ngưỡng 50% (cần 4)",)
    assert found["NV003"].status == "ineligible" and found["NV003"].reasons
    assert found["NV001"].reasons == ()
