"""bpmn/annual_title_nomination.bpmn: what the procedure refuses; a refusal changes nothing.

Forms and lanes, a dossier missing items when the appraisal says it is complete, and a
subject proposed twice for the same title while another instance pursues it. The office
and its helpers are in ``nomination_kit``; each engine call runs in its own write session.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from nomination_kit import Office, appraise, make_office, only_task, proposal

from engine.errors import Forbidden, InvalidData


@pytest.fixture
def office(db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Office]:
    made = make_office(db_url, monkeypatch, tmp_path / "files")
    yield made
    made.db.dispose()


def test_forms_and_lanes_are_enforced(office: Office) -> None:
    task = only_task(office.start(), "propose")
    for bad in ({**proposal("NV001"), "year": 1999}, {**proposal("NV001"), "award_code": "HC"},
                {**proposal(), "subjects": []}):
        with pytest.raises(InvalidData):
            office.complete(task, "sub", bad)
    task = only_task(office.complete(task, "sub", proposal("NV001")), "receive_appraise")
    with pytest.raises(InvalidData):
        office.complete(task, "sec", {"decision": "return"})  # says nothing about what to add
    with pytest.raises(Forbidden):
        office.complete(task, "council", {"decision": "approve"})
    office.upload(task["instance_id"], "sec", *office.required("LDTT"))
    task = only_task(office.complete(task, "sec", {"decision": "approve"}), "council_review")
    tally = {"members_total": 9, "members_present": 9}
    with pytest.raises(InvalidData) as err:  # NV003 was never put to the council
        office.complete(task, "council", {**tally, "votes": [
            {"subject_code": "NV003", "agree": 9, "disagree": 0, "abstain": 0}]})
    assert err.value.code == "council.invalid"
    assert err.value.details["votes"] == ["«NV003» không có trong danh sách trình Hội đồng.",
                                          "Thiếu số phiếu của «NV001»."]
    with pytest.raises(Forbidden):
        office.complete(task, "chair", {**tally, "votes": []})


def test_the_dossier_must_be_complete_before_the_appraisal_passes(office: Office) -> None:
    inst = office.start()
    office.upload(inst["id"], "sub", "to_trinh")
    inst = office.complete(only_task(inst, "propose"), "sub", proposal("NV001"))
    assert inst["data"]["dossier_missing"] == [
        {"item": "danh_sach", "label": "Danh sách đề nghị khen thưởng"},
        {"item": "bien_ban_binh_xet", "label": "Biên bản họp bình xét"}]
    task = only_task(inst, "receive_appraise")
    before = office.snapshot(inst["id"])
    with pytest.raises(InvalidData) as err:
        office.complete(task, "sec", {"decision": "approve"})
    assert err.value.code == "dossier.incomplete"
    assert err.value.details == {"decision": [err.value.message]}
    assert "còn thiếu Danh sách đề nghị khen thưởng, Biên bản họp bình xét." in err.value.message
    assert office.snapshot(inst["id"]) == before
    inst = office.complete(task, "sec", {"decision": "return",
                                         "supplement_items": ["Danh sách", "Biên bản bình xét"]})
    task = only_task(inst, "supplement")
    office.upload(inst["id"], "sub", "danh_sach", "to_trinh")  # to_trinh: a new version
    office.upload(inst["id"], "sub", "to_trinh")  # byte-identical: the same version
    inst = office.complete(task, "sub", proposal("NV001"))
    assert [m["item"] for m in inst["data"]["dossier_missing"]] == ["bien_ban_binh_xet"]
    office.upload(inst["id"], "sec", "bien_ban_binh_xet")  # the secretariat may file it too
    inst = office.complete(only_task(inst, "receive_appraise"), "sec", {"decision": "approve"})
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
    other_title = office.complete(task, "sub", proposal("NV002", "NV001", award="GK"))
    only_task(other_title, "receive_appraise")
    office.walk(first, [appraise("reject")])  # the first is over: NV001 may be proposed again
    third = office.walk(office.start(), [("propose", "sub", proposal("NV001"))])
    assert office.statuses(third["id"]) == {"NV001": "submitted"}

