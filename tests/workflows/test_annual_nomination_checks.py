"""bpmn/annual_title_nomination.bpmn: what the procedure refuses; a refusal changes nothing.

Forms and lanes, a dossier missing items when the appraisal says it is complete, and a
subject proposed twice for the same title while another instance pursues it. The office
and its helpers are in ``nomination_kit``; each engine call runs in its own write session.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from council_kit import call, candidates, open_meeting
from nomination_kit import (
    Office,
    appraise,
    make_office,
    only_task,
    proposal,
    waiting_for_council,
)

from engine.errors import Forbidden, InvalidData
from workflows.council import meetings, voting
from workflows.models import AwardType


@pytest.fixture
def office(db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Office]:
    made = make_office(db_url, monkeypatch, tmp_path / "files")
    yield made
    made.db.dispose()


def test_forms_and_lanes_are_enforced(office: Office) -> None:
    inst = office.start()
    task = only_task(inst, "propose")
    office.upload(inst["id"], "sub", *office.required("LDTT"))
    for bad in ({**proposal("NV001"), "year": 1999}, {**proposal("NV001"), "award_code": "HC"},
                {**proposal(), "subjects": []}):
        with pytest.raises(InvalidData):
            office.complete(task, "sub", bad)
    task = only_task(office.complete(task, "sub", proposal("NV001")), "receive_appraise")
    with pytest.raises(InvalidData):
        office.complete(task, "sec", {"decision": "return"})  # says nothing about what to add
    with pytest.raises(Forbidden):
        office.complete(task, "council", {"decision": "approve"})
    inst = office.complete(task, "sec", {"decision": "approve"})
    waiting_for_council(inst)  # no task: the instance waits for the council's meeting
    meeting = open_meeting(office.db, office.actors["sec"], present=9)
    call(office.db, meetings.start_voting, office.actors["sec"], meeting)
    ids = candidates(office.db, meeting)
    assert list(ids) == ["NV001"]
    with pytest.raises(InvalidData) as err:  # a candidate of no meeting, counts too many
        call(office.db, voting.enter_paper_counts, office.actors["sec"], meeting, [
            {"candidate_id": 999, "agree": 9, "disagree": 0, "abstain": 0},
            {"candidate_id": ids["NV001"], "agree": 9, "disagree": 1, "abstain": 0}])
    assert err.value.code == "council.invalid"
    assert err.value.details["lines"] == [
        "Dòng 1: không có đối tượng #999 trong phiên họp.",
        "Dòng 2: tổng số phiếu vượt số thành viên có mặt được biểu quyết (9)."]
    for who in ("chair", "sub"):
        with pytest.raises(Forbidden):
            call(office.db, voting.enter_paper_counts, office.actors[who], meeting, [
                {"candidate_id": ids["NV001"], "agree": 9, "disagree": 0, "abstain": 0}])


def test_the_unit_cannot_send_a_dossier_missing_required_items(office: Office) -> None:
    inst = office.start()
    office.upload(inst["id"], "sub", "to_trinh")
    task = only_task(inst, "propose")
    before = office.snapshot(inst["id"])
    with pytest.raises(InvalidData) as err:
        office.complete(task, "sub", proposal("NV001"))
    assert err.value.code == "dossier.incomplete"
    assert err.value.details == {"dossier": [err.value.message]}
    assert "còn thiếu Danh sách đề nghị khen thưởng, Biên bản họp bình xét." in err.value.message
    assert office.snapshot(inst["id"]) == before and office.statuses(inst["id"]) == {}
    office.upload(inst["id"], "sub", "danh_sach", "bien_ban_binh_xet")
    inst = office.complete(task, "sub", proposal("NV001"))
    assert inst["data"]["dossier_missing"] == []
    inst = office.complete(only_task(inst, "receive_appraise"), "sec", {
        "decision": "return", "supplement_items": ["Báo cáo thành tích có xác nhận"]})
    task = only_task(inst, "supplement")
    with office.db.session() as s:  # meanwhile the catalogue asks one more item of the title
        award = s.get(AwardType, "LDTT")
        assert award is not None
        award.dossier_items = [*award.dossier_items, "bao_cao_thanh_tich"]
        s.commit()
    with pytest.raises(InvalidData) as err:  # the supplement is checked the same way
        office.complete(task, "sub", proposal("NV001"))
    assert err.value.code == "dossier.incomplete" and "Báo cáo thành tích" in err.value.message
    office.upload(inst["id"], "sub", "bao_cao_thanh_tich", "to_trinh")  # to_trinh: version 2
    inst = office.complete(task, "sub", proposal("NV001"))
    assert inst["data"]["dossier_missing"] == [] and inst["data"]["dossier"]["complete"]


def test_the_appraisal_checks_the_dossier_against_the_catalogue_again(office: Office) -> None:
    inst = office.walk(office.start(), [("propose", "sub", proposal("NV001"))])
    task = only_task(inst, "receive_appraise")
    with office.db.session() as s:  # the catalogue asks one more item after the unit sent it
        award = s.get(AwardType, "LDTT")
        assert award is not None
        award.dossier_items = [*award.dossier_items, "tom_tat_thanh_tich"]
        s.commit()
    before = office.snapshot(inst["id"])
    with pytest.raises(InvalidData) as err:
        office.complete(task, "sec", {"decision": "approve"})
    assert err.value.code == "dossier.incomplete"
    assert err.value.details == {"decision": [err.value.message]}
    assert "còn thiếu Tóm tắt thành tích." in err.value.message
    assert office.snapshot(inst["id"]) == before
    office.upload(inst["id"], "sec", "tom_tat_thanh_tich")  # the secretariat may file it too
    inst = office.complete(task, "sec", {"decision": "approve"})
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
    office.upload(second["id"], "sub", *office.required("GK"))
    other_title = office.complete(task, "sub", proposal("NV002", "NV001", award="GK"))
    only_task(other_title, "receive_appraise")
    office.walk(first, [appraise("reject")])  # the first is over: NV001 may be proposed again
    third = office.walk(office.start(), [("propose", "sub", proposal("NV001"))])
    assert office.statuses(third["id"]) == {"NV001": "submitted"}

