"""bpmn/province_forwarding.bpmn on its own: every branch, the answer in the data.

Trình UBND tỉnh (qua Sở Nội vụ): the Chánh Văn phòng signs the tờ trình (or sends it back to
Phòng TCHCQT, or refuses: outcome ``not_proposed``), the signed tờ trình takes the next number
of the register (series TTr-VP), Phòng TCHCQT sends the dossier and records the province's
answer. As a call activity it is walked in test_annual_nomination.py, test_adhoc_award.py,
test_thematic.py and test_revocation.py; here it runs alone, started by the secretariat, with
no nominations behind it.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

import pytest
from nomination_kit import Office, answer, chair, make_office, only_task
from sqlalchemy import select

from engine.errors import Forbidden, InvalidData
from workflows.handlers.registry import office_today
from workflows.models import DecisionCounter

KEY = "province_forwarding"
SENT = ("send_to_province", "sec", {"sent_date": "2025-12-01", "comment": "Gửi qua iOffice."})


def register(office: Office) -> dict[tuple[int, str], int]:
    """The registers' counters: (year, series) → last number taken."""
    with office.db.session() as s:
        return {(c.year, c.series): c.last_number for c in s.scalars(select(DecisionCounter))}


@pytest.fixture
def office(db_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[Office]:
    made = make_office(db_url, monkeypatch)
    yield made
    made.db.dispose()


PATHS: dict[str, tuple[list[tuple[str, str, dict[str, Any]]], str, dict[str, Any]]] = {
    "signed-approved": ([chair("sign_proposal", "approve"), SENT, answer("approved")],
                        "end_answered",
                        {"outcome": "approved", "decision_no": "15/QĐ-UBND",
                         "decision_date": "2025-12-20", "approved_subjects": []}),
    "returned-then-partial": ([
        chair("sign_proposal", "return"),
        ("prepare_dossier", "sec", {"comment": "Sửa tờ trình theo ý kiến Chánh Văn phòng."}),
        chair("sign_proposal", "approve"), SENT, answer("partial", "NV002"),
    ], "end_answered", {"outcome": "partial", "approved_subjects": ["NV002"]}),
    "signed-rejected-by-province": ([chair("sign_proposal", "approve"), SENT,
                                     answer("rejected")],
                                    "end_answered", {"outcome": "rejected"}),
    "not-signed": ([chair("sign_proposal", "reject")], "end_not_sent",
                   {"outcome": "not_proposed", "approved_subjects": []}),
}


@pytest.mark.parametrize("path", list(PATHS))
def test_every_branch_alone(office: Office, path: str) -> None:
    steps, end, expected = PATHS[path]
    inst = office.walk(office.start("sec", KEY), steps)
    assert inst["status"] == "completed", inst.get("error")
    assert office.ends_reached(inst["id"]) == {end}
    assert {k: inst["data"].get(k) for k in expected} == expected
    if end == "end_answered":
        assert inst["data"]["document_no"] == "01/TTr-VP"
        assert inst["data"]["document_date"] == office_today().isoformat()
        assert inst["data"]["sent_date"] == "2025-12-01"
        assert inst["data"]["province_answer"]["outcome"] == expected["outcome"]
        assert register(office) == {(office_today().year, "TTr-VP"): 1}
    else:  # not signed: no number taken, nothing sent
        assert "document_no" not in inst["data"] and "province_answer" not in inst["data"]
        assert register(office) == {}


def test_proposals_are_numbered_from_their_own_register(office: Office) -> None:
    """Each signed tờ trình takes the next TTr-VP number; decisions (QĐ-VP) keep theirs."""
    year = office_today().year
    with office.db.write_session() as s:
        s.add(DecisionCounter(year=year, series="QĐ-VP", last_number=41))
        s.add(DecisionCounter(year=year - 1, series="TTr-VP", last_number=97))
        s.commit()
    first = office.walk(office.start("sec", KEY), [chair("sign_proposal", "approve")])
    refused = office.walk(office.start("sec", KEY), [chair("sign_proposal", "reject")])
    second = office.walk(office.start("sec", KEY), [chair("sign_proposal", "approve")])
    assert first["data"]["document_no"] == "01/TTr-VP"
    assert second["data"]["document_no"] == "02/TTr-VP"
    assert refused["data"]["outcome"] == "not_proposed" and "document_no" not in refused["data"]
    assert register(office) == {(year, "QĐ-VP"): 41, (year - 1, "TTr-VP"): 97,
                                (year, "TTr-VP"): 2}
    task = only_task(second, "send_to_province")
    # The number comes from the register: one typed in the form is not taken.
    done = office.complete(task, "sec", {"document_no": "999/TTr-VP", "sent_date": "2025-12-02"})
    assert done["data"]["document_no"] == "02/TTr-VP"
    assert office.eng.forms.schema("province_submission").fields["document_no"].dump_only


def test_only_the_secretariat_starts_it(office: Office) -> None:
    for who in ("sub", "chair"):
        with pytest.raises(Forbidden):
            office.start(who, KEY)


def test_answer_waits_30_working_days_and_needs_a_decision(office: Office) -> None:
    inst = office.walk(office.start("sec", KEY), [chair("sign_proposal", "approve")])
    task = only_task(inst, "send_to_province")
    with pytest.raises(Forbidden):
        office.complete(task, "chair", SENT[2])
    for bad in ({"sent_date": "01/12/2025"}, {"comment": "Chưa có ngày gửi."}):
        with pytest.raises(InvalidData):
            office.complete(task, "sec", bad)
    task = only_task(office.complete(task, "sec", SENT[2]), "record_answer")
    created = datetime.fromisoformat(task["created_at"])
    assert datetime.fromisoformat(task["due_at"]) == office.eng.calendar.due_at(created, 30)
    for bad in ({"outcome": "approved"}, {"outcome": "partial", "decision_no": "15/QĐ-UBND",
                                          "decision_date": "2025-12-20"},
                {"outcome": "maybe"}):
        with pytest.raises(InvalidData):
            office.complete(task, "sec", bad)
    done = office.complete(task, "sec", answer("approved")[2])
    assert done["status"] == "completed"
