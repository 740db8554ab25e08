"""Notifications in the demo office's real procedures: the secretariat is told of a new
dossier, and the unit is told when its dossier is returned for supplement (the diagram's
``notifyKind`` on the ``supplement`` step)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from demo_kit import DemoOffice, make_demo_office
from test_demo_procedures import file_dossier


@pytest.fixture
def demo(db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
         ) -> Iterator[DemoOffice]:
    office = make_demo_office(db_url, tmp_path, monkeypatch)
    yield office
    office.app.extensions["tdkt"].db.dispose()


def notes(demo: DemoOffice, user: str) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = demo.ok(demo.get(user, "/notifications", per_page=100))["items"]
    return items


def test_an_adhoc_dossier_returned_for_supplement_tells_the_unit(demo: DemoOffice) -> None:
    inst = demo.start("donvi_kt", "adhoc_award", "DX-NOTE-KT05")
    file_dossier(demo, inst, "donvi_kt", "GK", simplified=True)
    inst = demo.walk(inst, [("propose", "submitter", "donvi_kt", {
        "nominee_name": "Hoàng Minh Tuấn", "subject_kind": "individual", "award_code": "GK",
        "deed_date": "2026-10-02", "deed_summary": "Phát hiện kịp thời sai sót trong hồ sơ."})])
    new = [n for n in notes(demo, "thuky") if n["instance_id"] == inst["id"]]
    assert [(n["kind"], n["title"], n["body"]) for n in new] == [
        ("task.new", "Công việc mới: Thẩm định hồ sơ", "DX-NOTE-KT05")]
    assert notes(demo, "donvi_vx") == [] and notes(demo, "hoidong") == []

    inst = demo.walk(inst, [("appraise", "secretariat", "thuky", {
        "decision": "return", "comment": "Bổ sung xác nhận của đơn vị."})])
    returned = notes(demo, "donvi_kt")
    assert [(n["kind"], n["title"], n["task_open"]) for n in returned] == [
        ("dossier.returned", "Hồ sơ bị trả lại, cần bổ sung: Bổ sung hồ sơ", True)]
    assert returned[0]["task_id"] == inst["tasks"][0]["id"]
    assert notes(demo, "donvi_vx") == []  # another unit's submitter hears nothing
