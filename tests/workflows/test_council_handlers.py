"""The council, complaint and dossier handlers every procedure reuses, called directly.

``record_council_result`` counts the votes against the title's threshold and the quorum
(or takes a list typed by hand where no tally is asked for), ``record_complaints`` drops
upheld candidates, ``check_dossier`` lists (or refuses) the title's missing dossier items.
The desk is in ``desk_kit``: each call runs in its own write session and commits.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from desk_kit import Desk, make_desk, proposal

from engine.errors import InvalidData
from workflows.handlers.nomination import (
    check_dossier,
    create_nominations,
    record_complaints,
    record_council_result,
    set_nomination_status,
)
from workflows.models import Attachment, AwardType, Setting


@pytest.fixture
def desk(db_url: str) -> Iterator[Desk]:
    made = make_desk(db_url)
    yield made
    made.db.dispose()


def test_council_result_only_for_candidates(desk: Desk) -> None:
    inst = desk.new_instance()
    desk.call(create_nominations, inst, proposal("NV001", "NV002", "NV004"))
    desk.call(set_nomination_status, inst, status="in_council", subjects=["NV001", "NV002"],
              others="not_approved")
    with pytest.raises(InvalidData) as err:
        desk.call(record_council_result, inst, {"passed_subjects": ["NV004"]})
    assert "NV004" in err.value.details["passed_subjects"][0]
    out = desk.call(record_council_result, inst, {"passed_subjects": ["NV002"]})
    assert out == {"passed": ["NV002"], "not_passed": ["NV001"], "count": 1}
    assert desk.statuses(inst) == {"NV001": "not_approved", "NV002": "voted",
                                   "NV004": "not_approved"}


def _in_council(desk: Desk, *subjects: str, award: str = "LDTT", year: int = 2025) -> int:
    inst = desk.new_instance()
    desk.call(create_nominations, inst, proposal(*subjects, award=award, year=year))
    desk.call(set_nomination_status, inst, status="in_council")
    return inst


def tally(present: int, *lines: tuple[str, int, int, int], total: int = 9) -> dict[str, Any]:
    return {"members_total": total, "members_present": present,
            "votes": [{"subject_code": c, "agree": a, "disagree": d, "abstain": x}
                      for c, a, d, x in lines]}


def test_titles_without_a_threshold_need_more_than_half_of_the_catalogues_base(desk: Desk
                                                                            ) -> None:
    """LĐTT has no threshold and counts against the council's members (seeded catalogue):
    more than half of 9 is 5, whoever is present; switched to «present» in the catalogue,
    more than half of the 7 present (4) is enough."""
    inst = _in_council(desk, "NV001", "NV002")
    votes = tally(7, ("NV001", 5, 2, 0), ("NV002", 4, 3, 0))
    out = desk.call(record_council_result, inst, votes, tally=True)
    assert (out["passed"], out["not_passed"], out["quorum_pct"]) == (["NV001"], ["NV002"], 50.0)
    assert [(t["vote_base"], t["base"], t["threshold_pct"], t["required"])
            for t in out["tally"]] == [("members", 9, None, 5)] * 2
    assert desk.statuses(inst) == {"NV001": "voted", "NV002": "not_approved"}
    desk.change(AwardType, "LDTT", vote_base="present")
    again = _in_council(desk, "NV001", "NV002", year=2026)
    out = desk.call(record_council_result, again, votes, tally=True)
    assert (out["passed"], out["not_passed"]) == (["NV001", "NV002"], [])
    assert [(t["vote_base"], t["base"], t["required"]) for t in out["tally"]] == [
        ("present", 7, 4)] * 2


def test_threshold_against_those_present_and_a_configured_quorum(desk: Desk) -> None:
    desk.change(AwardType, "BK_TINH", vote_base="present", vote_threshold_pct=60)
    desk.change(Setting, "council_quorum_pct", value=66)
    inst = _in_council(desk, "NV001", "NV002", award="BK_TINH")
    with pytest.raises(InvalidData) as err:  # 5 of 9 is not above 66 %
        desk.call(record_council_result, inst, tally(5, ("NV001", 5, 0, 0), ("NV002", 0, 5, 0)))
    assert err.value.code == "council.no_quorum" and "5/9" in err.value.message
    fine = tally(7, ("NV002", 0, 7, 0))
    for bad in ({"subject_code": "NV001", "agree": True, "disagree": 0, "abstain": 0},
                {"subject_code": "NV001", "agree": -1, "disagree": 0, "abstain": 0}, "NV001"):
        with pytest.raises(InvalidData) as err:
            desk.call(record_council_result, inst, {**fine, "votes": [bad, *fine["votes"]]})
        assert err.value.code == "council.invalid"
    assert desk.statuses(inst) == {"NV001": "in_council", "NV002": "in_council"}
    out = desk.call(record_council_result, inst, tally(7, ("NV001", 5, 2, 0), ("NV002", 4, 0, 3)))
    assert [(t["base"], t["required"], t["passed"]) for t in out["tally"]] == [
        (7, 5, True), (7, 5, False)]  # 60 % of the 7 present: 4.2, so 5 votes


def test_complaints_drop_only_upheld_candidates_on_the_list(desk: Desk) -> None:
    inst = _in_council(desk, "NV001", "NV002", "NV004")
    desk.call(set_nomination_status, inst, status="not_approved", subjects=["NV004"])
    for bad in ([{"subject_code": "NV004", "upheld": True}], [{"upheld": True}], "none"):
        with pytest.raises(InvalidData) as err:
            desk.call(record_complaints, inst, {"complaints": bad})
        assert err.value.code == "nomination.invalid"
    out = desk.call(record_complaints, inst, {"complaints": [
        {"subject_code": "NV001", "upheld": True}, {"subject_code": "NV001", "upheld": True},
        {"subject_code": "NV002", "upheld": False}, {}]})
    assert out == {"received": 4, "upheld": ["NV001"], "remaining": ["NV002"], "count": 1}
    assert desk.statuses(inst) == {"NV001": "not_approved", "NV002": "in_council",
                                   "NV004": "not_approved"}


# -- dossier ----------------------------------------------------------------------------
def _attach(desk: Desk, inst: int, item: str, superseded: bool = False) -> None:
    with desk.db.write_session() as s:
        s.add(Attachment(instance_id=inst, item=item, version=1, filename=f"{item}.pdf",
                         content_type="application/pdf", size=1, sha256="0" * 64,
                         storage_key="00/" + "0" * 64,
                         superseded_at=datetime.now(ZoneInfo("UTC")) if superseded else None))
        s.commit()


def test_check_dossier_lists_missing_items_of_the_title(desk: Desk) -> None:
    inst = desk.new_instance()
    desk.call(create_nominations, inst, proposal("NV001", award="CSTD_CS"))
    _attach(desk, inst, "to_trinh")
    _attach(desk, inst, "danh_sach", superseded=True)  # history, not the dossier
    out = desk.call(check_dossier, inst, exclude=["bien_ban_hoi_dong"])
    assert out["procedure"] == "full" and out["complete"] is False
    assert [m["item"] for m in out["missing"]] == [
        "danh_sach", "bao_cao_thanh_tich", "bien_ban_binh_xet", "qd_sang_kien"]
    assert out["missing"][-1]["label"] == "Quyết định công nhận sáng kiến"
    with pytest.raises(InvalidData) as err:
        desk.call(check_dossier, inst, exclude=["bien_ban_hoi_dong"], refuse=True)
    assert err.value.code == "dossier.incomplete"
    assert "Danh sách đề nghị khen thưởng, Báo cáo thành tích" in err.value.message
    simple = desk.call(check_dossier, inst, simplified=True, refuse=False)
    assert [m["item"] for m in simple["missing"]] == ["tom_tat_thanh_tich"]
    adhoc = desk.new_instance()
    desk.call(create_nominations, adhoc, proposal("NV002", award="GK"), kind="adhoc")
    _attach(desk, adhoc, "to_trinh")
    _attach(desk, adhoc, "tom_tat_thanh_tich")
    out = desk.call(check_dossier, adhoc, refuse=True)
    assert out["procedure"] == "simplified" and out["complete"] and out["missing"] == []
    with pytest.raises(InvalidData):
        desk.call(check_dossier, desk.new_instance())  # nothing proposed yet
