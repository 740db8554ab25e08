"""No document is issued with a letterhead that would print «……» or no province: the step
that issues it (the decision, the tally minutes at a meeting's close) is refused with the
setting to fill in, and nothing is written; once the setting is there, it goes through.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from council_kit import LETTERHEAD, call, fill_letterhead, open_meeting, paper_close
from nomination_kit import Office, appraise, council, make_office, only_task, proposal
from sqlalchemy import delete, select

from engine.errors import InvalidData
from workflows import build_engine
from workflows.council import closing, meetings
from workflows.council.models import CouncilMeeting
from workflows.models import Attachment, DecisionCounter, Setting
from workflows.settings_admin import update_settings


@pytest.fixture
def office(db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Office]:
    made = make_office(db_url, monkeypatch, tmp_path / "files")
    made.eng = build_engine(files_dir=made.files)  # documents on, as in the web app
    yield made
    made.db.dispose()


def forget(office: Office, *keys: str) -> None:
    with office.db.write_session() as s:
        s.execute(delete(Setting).where(Setting.key.in_(keys)))
        s.commit()


def test_a_decision_is_not_issued_without_the_place_of_its_date_line(office: Office) -> None:
    inst = office.walk(office.start(), [
        ("propose", "sub", proposal("NV001", award="LDTT")), appraise("approve"),
        council("NV001")])
    forget(office, "document_place")
    before = office.snapshot(inst["id"])
    with pytest.raises(InvalidData) as refused:
        office.complete(only_task(inst, "decide"), "chair", {"decision": "approve",
                                                             "comment": ""})
    assert refused.value.code == "document.letterhead_missing"
    assert "«Địa danh ghi ngày tháng» (document_place)" in refused.value.message
    assert refused.value.details == {"settings": ["Địa danh ghi ngày tháng (document_place)"]}
    assert office.snapshot(inst["id"]) == before
    with office.db.session() as s:
        assert s.scalars(select(DecisionCounter)).all() == []  # no number taken
        assert not s.scalars(select(Attachment).where(Attachment.item == "quyet_dinh")).all()
    fill_letterhead(office.db)
    done = office.complete(only_task(inst, "decide"), "chair", {"decision": "approve",
                                                                "comment": ""})
    assert done["data"]["decision_no"] == "01/QĐ-VP"


def test_placeholders_that_name_no_province_count_as_missing(office: Office) -> None:
    inst = office.walk(office.start(), [
        ("propose", "sub", proposal("NV001", award="LDTT")), appraise("approve"),
        council("NV001")])
    call(office.db, update_settings, office.actors["sec"], {
        "document_parent_body": "UBND TỈNH", "document_issuer_full": "Văn phòng UBND tỉnh"})
    with pytest.raises(InvalidData) as refused:
        office.complete(only_task(inst, "decide"), "chair", {"decision": "approve",
                                                             "comment": ""})
    assert refused.value.details == {"settings": [
        "Cơ quan chủ quản (dòng trên của tiêu đề) (document_parent_body)",
        "Tên đầy đủ cơ quan ban hành (document_issuer_full)"]}


def test_a_meeting_does_not_close_without_the_letterhead_of_its_minutes(office: Office
                                                                        ) -> None:
    office.walk(office.start(), [("propose", "sub", proposal("NV001", award="LDTT")),
                                 appraise("approve")])
    sec = office.actors["sec"]
    meeting = open_meeting(office.db, sec, present=9)
    forget(office, *LETTERHEAD)
    call(office.db, meetings.start_voting, sec, meeting)
    with pytest.raises(InvalidData) as refused:
        paper_close(office.db, office.eng, sec, meeting, {"NV001": (9, 0, 0)}, office.files,
                    voting_started=True)
    assert refused.value.code == "document.letterhead_missing"
    assert len(refused.value.details["settings"]) == 3
    with office.db.session() as s:
        assert s.get(CouncilMeeting, meeting).status == "voting"  # type: ignore[union-attr]
        assert not s.scalars(select(Attachment)
                             .where(Attachment.item == "bien_ban_kiem_phieu")).all()
    fill_letterhead(office.db)
    call(office.db, closing.close_meeting, sec, meeting)
    with office.db.session() as s:
        minutes = s.scalars(select(Attachment)
                            .where(Attachment.item == "bien_ban_kiem_phieu")).all()
    assert len(minutes) == 2  # PDF and DOCX
