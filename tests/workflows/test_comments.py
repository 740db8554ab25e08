"""Comments on a dossier and the history of its decisions (workflows/comments.py).

The annual procedure is walked with a return for supplement then an approval: both
decisions keep their comments in the history (the secretariat's «Thiếu báo cáo thành
tích» does not disappear when the dossier is approved), with who, which step and when.
Comments added without completing a step are audited; internal notes stay in the office.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from nomination_kit import Office, appraise, make_office, only_task, proposal
from sqlalchemy import select

from engine import audit
from engine.errors import Forbidden, InvalidData, NotFound
from engine.store.models import AuditEvent
from workflows import comments
from workflows.visibility import redact_event


@pytest.fixture
def office(db_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[Office]:
    made = make_office(db_url, monkeypatch, tmp_path)
    yield made
    made.db.dispose()


def _returned_then_approved(office: Office) -> dict[str, Any]:
    inst = office.walk(office.start(), [("propose", "sub", proposal("NV001")),
                                        appraise("return")])
    task = only_task(inst, "supplement")
    inst = office.complete(task, "sub", proposal("NV001"))
    return office.walk(inst, [appraise("approve")])


def _history(office: Office, who: str, instance_id: int) -> list[dict[str, Any]]:
    return office.write(lambda s: comments.comment_history(s, office.eng, office.actors[who],
                                                           instance_id))


def _add(office: Office, who: str, instance_id: int, text: Any, internal: bool = False
         ) -> dict[str, Any]:
    return office.write(lambda s: comments.add_comment(s, office.eng, office.actors[who],
                                                       instance_id, text, internal))


def test_every_decision_keeps_its_comment_step_and_author(office: Office) -> None:
    inst = _returned_then_approved(office)
    entries = _history(office, "sub", inst["id"])
    decisions = [(e["step_name"], e["decision"], e["text"], e["actor"], e["form_key"])
                 for e in entries]
    assert decisions == [
        ("receive_appraise", "return", "Thiếu báo cáo thành tích.", "sec", "appraisal"),
        ("receive_appraise", "approve", "Đủ hồ sơ.", "sec", "appraisal")]
    assert all(e["step"] == "Tiếp nhận, thẩm định hồ sơ" and e["at"] for e in entries)
    assert entries[0]["at"] < entries[1]["at"]  # oldest first


def test_a_comment_is_audited_with_the_steps_the_dossier_was_at(office: Office) -> None:
    inst = office.walk(office.start(), [("propose", "sub", proposal("NV001"))])
    added = _add(office, "sub", inst["id"], "  Đơn vị sẽ gửi bản gốc qua bưu điện.  ")
    assert added["text"] == "Đơn vị sẽ gửi bản gốc qua bưu điện."  # trimmed
    assert added["steps"] == ["Tiếp nhận, thẩm định hồ sơ"]
    with office.db.session() as s:
        event = s.scalars(select(AuditEvent).where(AuditEvent.event_type == comments.ADDED)
                          ).one()
        assert event.instance_id == inst["id"] and event.actor_name == "sub"
        assert audit.verify(s).ok  # in the hash chain like every other event
    entries = _history(office, "sec", inst["id"])
    assert [(e["kind"], e["text"], e["step"]) for e in entries] == [
        ("comment", "Đơn vị sẽ gửi bản gốc qua bưu điện.", "Tiếp nhận, thẩm định hồ sơ")]


@pytest.mark.parametrize(("text", "wanted"), [
    ("", "Vui lòng nhập nội dung ý kiến."), ("   ", "Vui lòng nhập nội dung ý kiến."),
    (None, "Vui lòng nhập nội dung ý kiến."),
    ("x" * (comments.MAX_COMMENT + 1), "không được quá 2000 ký tự (hiện có 2001 ký tự)")])
def test_an_empty_or_too_long_comment_is_refused_and_writes_nothing(
        office: Office, text: Any, wanted: str) -> None:
    inst = office.start()
    with pytest.raises(InvalidData) as err:
        _add(office, "sub", inst["id"], text)
    assert err.value.code == "comment.invalid" and wanted in err.value.details["text"][0]
    assert _history(office, "sec", inst["id"]) == []


def test_another_unit_cannot_comment_nor_read_the_history(office: Office) -> None:
    inst = office.start()
    with pytest.raises(NotFound):
        _add(office, "sub_other", inst["id"], "Ý kiến của đơn vị khác")
    with pytest.raises(NotFound):
        _history(office, "sub_other", inst["id"])
    assert _history(office, "sec", inst["id"]) == []


def test_internal_notes_stay_in_the_office(office: Office) -> None:
    inst = office.walk(office.start(), [("propose", "sub", proposal("NV001"))])
    with pytest.raises(Forbidden) as err:
        _add(office, "sub", inst["id"], "Ghi chú của đơn vị", internal=True)
    assert err.value.code == "comment.internal_forbidden"
    _add(office, "sec", inst["id"], "Cần kiểm tra lại xếp loại năm 2024.", internal=True)
    _add(office, "sec", inst["id"], "Đã nhận hồ sơ giấy.")
    for who in ("sec", "council", "chair"):
        said = [(e["text"], e["internal"]) for e in _history(office, who, inst["id"])]
        assert said == [("Cần kiểm tra lại xếp loại năm 2024.", True),
                        ("Đã nhận hồ sơ giấy.", False)], who
    assert [e["text"] for e in _history(office, "sub", inst["id"])] == ["Đã nhận hồ sơ giấy."]
    with office.db.session() as s:  # the API's history gives the unit the event, not its words
        events = office.eng.instance_history(s, inst["id"], office.actors["sub"], 1, 100).items
    notes = [redact_event(["submitter"], e) for e in events if e["type"] == comments.ADDED]
    assert [n["payload"].get("text") for n in notes] == [None, "Đã nhận hồ sơ giấy."]
