"""Notifications in the demo office's real procedures: the secretariat is told of a new
dossier, and the unit is told when its dossier is returned for supplement (the diagram's
``notifyKind`` on the ``supplement`` step)."""

from __future__ import annotations

from typing import Any

from demo_kit import DemoOffice
from test_demo_procedures import file_dossier
from test_pages_auth import login

from webapp.demo import DEMO_PASSWORD


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
        ("dossier.returned", "Hồ sơ bị trả lại: Bổ sung hồ sơ", True)]
    assert returned[0]["task_id"] == inst["tasks"][0]["id"]
    # Why, and what to add: the words the unit reads on the dossier's page.
    assert returned[0]["body"] == "DX-NOTE-KT05\nLý do: Bổ sung xác nhận của đơn vị."
    assert notes(demo, "donvi_vx") == []  # another unit's submitter hears nothing
    page = demo.app.test_client()
    login(page, "donvi_kt", DEMO_PASSWORD)
    html = page.get("/notifications").get_data(as_text=True)
    html = html[html.index("<main"):]
    assert '<span class="tdkt-note-detail">Lý do: Bổ sung xác nhận của đơn vị.</span>' in html
    assert "Bổ sung hồ sơ" in html and "cần bổ sung: Bổ sung" not in html


def test_a_return_note_quotes_only_what_the_unit_may_read() -> None:
    """The reason and the items are in the unit's section of the data (visibility); any
    other key of the appraisal (its eligibility notes, say) is never quoted."""
    from workflows.notices import task_note
    from workflows.visibility import section_of, visible_sections

    unit = visible_sections(["submitter"])
    assert section_of("comment") in unit and section_of("supplement_items") in unit
    assert section_of("eligibility") not in unit
    data = {"comment": "  Thiếu   biên bản. ", "supplement_items": ["", "Biên bản họp"],
            "eligibility": {"note": "nội bộ"}}
    assert task_note("dossier.returned", data) == "Lý do: Thiếu biên bản.\nCần bổ sung: " \
        "Biên bản họp"
    assert task_note("task.new", data) is None
    assert task_note("dossier.returned", {"eligibility": "x"}) is None
