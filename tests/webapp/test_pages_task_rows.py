"""List fields of task forms: records as repeatable rows (``complaints-0-summary``), the
rows parsed back into a list of dicts, errors per row and field, choices for open fields."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from api_kit import one_task
from demo_kit import DemoOffice, make_demo_office
from flask.testing import FlaskClient
from test_pages_auth import csrf_token, login
from werkzeug.datastructures import MultiDict

from engine.extensions import FormRegistry
from webapp import forms_parse, forms_render
from webapp.demo import DEMO_PASSWORD
from workflows.forms.nomination import CouncilResultForm, DisclosureResultForm
from workflows.forms.registration import RegistrationForm

COMPLAINT = {"received_date": "05/11/2026", "summary": "Hỏi về số năm liên tục",
             "answer": "Đã trả lời bằng văn bản", "answered_date": "10/11/2026"}


def _row(name: str, index: int, values: dict[str, str]) -> dict[str, str]:
    return {f"{name}-{index}-{k}": v for k, v in values.items()}


# -- the conversion, without a page ---------------------------------------------------------
def test_rows_become_a_list_of_records_and_blank_rows_are_dropped() -> None:
    form = MultiDict({**_row("complaints", 0, COMPLAINT),
                      **_row("complaints", 1, {"summary": " ", "subject_code": ""}),
                      **_row("complaints", 7, {**COMPLAINT, "summary": "Khiếu nại KT07",
                                               "subject_code": "KT07", "upheld": "on"}),
                      "comment": "Hết thời hạn công khai"})
    data, errors = forms_parse.parse(DisclosureResultForm(), form)
    assert errors == {}
    assert data["complaints"] == [
        {"received_date": "2026-11-05", "summary": "Hỏi về số năm liên tục",
         "answer": "Đã trả lời bằng văn bản", "answered_date": "2026-11-10", "upheld": False},
        {"received_date": "2026-11-05", "summary": "Khiếu nại KT07", "subject_code": "KT07",
         "answer": "Đã trả lời bằng văn bản", "answered_date": "2026-11-10", "upheld": True}]
    loaded = DisclosureResultForm().load(data)
    assert [c["upheld"] for c in loaded["complaints"]] == [False, True]


def test_no_row_typed_leaves_the_list_to_its_default() -> None:
    data, _ = forms_parse.parse(DisclosureResultForm(), MultiDict(
        _row("complaints", 0, {"summary": "", "received_date": ""})))
    assert "complaints" not in data and DisclosureResultForm().load(data)["complaints"] == []
    votes, _ = forms_parse.parse(CouncilResultForm(), MultiDict(
        {**_row("votes", 0, {"subject_code": "KT04", "agree": "5", "disagree": "0",
                             "abstain": "x"}), "members_total": "7"}))
    assert votes["votes"] == [{"subject_code": "KT04", "agree": 5, "disagree": 0,
                               "abstain": "x"}]  # the schema reports the «x»


def test_errors_land_on_their_row_and_field_and_what_was_typed_stays() -> None:
    registry = FormRegistry()
    registry.register("disclosure_result", DisclosureResultForm)
    typed = MultiDict({**_row("complaints", 3, COMPLAINT),
                       **_row("complaints", 9, {**COMPLAINT, "answer": ""}),
                       **_row("complaints", 12, {**COMPLAINT, "answered_date": "31/02/2026"})})
    data, _ = forms_parse.parse(DisclosureResultForm(), typed)
    with pytest.raises(Exception) as caught:
        registry.validate("disclosure_result", data)
    errors = caught.value.details  # type: ignore[attr-defined]
    field = forms_render.form_fields(DisclosureResultForm(), typed, None, errors)[0]
    assert field.widget == "rows" and [r.index for r in field.rows] == ["0", "1", "2"]
    first, second, third = ({c.name: c for c in r.cells} for r in field.rows)
    assert all(not c.errors for c in first.values())
    assert first["complaints-0-summary"].value == "Hỏi về số năm liên tục"
    assert second["complaints-1-answer"].errors == [
        "Kiến nghị phải được trả lời trước khi kết thúc công khai."]
    assert second["complaints-1-answer"].id == "f-complaints-1-answer"
    assert third["complaints-2-answered_date"].value == "31/02/2026"
    assert third["complaints-2-answered_date"].errors == ["Ngày không hợp lệ."]
    assert field.blank is not None and field.blank.cells[0].name == "complaints-__i__-received_date"


def test_stored_records_are_shown_as_people_read_them() -> None:
    stored = {"complaints": [{"received_date": "2026-11-05", "summary": "S",
                              "answer": "A", "answered_date": "2026-11-10", "upheld": True}]}
    field = forms_render.form_fields(DisclosureResultForm(), None, stored)[0]
    cells = {c.name: c for c in field.rows[0].cells}
    assert cells["complaints-0-received_date"].value == "05/11/2026"
    upheld = cells["complaints-0-upheld"]
    assert upheld.checked and upheld.widget == "checkbox"
    empty = forms_render.form_fields(DisclosureResultForm())[0]
    assert len(empty.rows) == 1 and all(c.value == "" for c in empty.rows[0].cells)


def test_open_fields_take_the_choices_the_page_gives() -> None:
    options = {"subject_code": [("KT04", "KT04 — Phạm Thị Thu Trang"), ("KT05", "KT05"),
                                ("KT06", "KT06"), ("KT07", "KT07")],
               "award_code": [("LDTT", "Lao động tiên tiến")]}
    field = forms_render.form_fields(RegistrationForm(), None, None, None, options)[2]
    cells = {c.name: c for c in field.rows[0].cells}
    assert cells["entries-0-subject_code"].widget == "select"
    assert cells["entries-0-award_code"].widget == "select"  # even one: it can be left empty
    subjects = forms_render.form_fields(
        CouncilResultForm(), MultiDict([("passed_subjects", "KT04"), ("passed_subjects", "ZZ9")]),
        None, None, {"passed_subjects": options["subject_code"]})
    multi = next(f for f in subjects if f.name == "passed_subjects")
    assert multi.widget == "multi" and multi.selected == ["KT04", "ZZ9"]
    assert multi.choices[-1] == ("ZZ9", "ZZ9")  # a typed code that is no choice is kept


# -- the page ------------------------------------------------------------------------------
@pytest.fixture
def demo(db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
         ) -> Iterator[DemoOffice]:
    office = make_demo_office(db_url, tmp_path, monkeypatch)
    office.app.config["WTF_CSRF_ENABLED"] = True
    yield office
    office.app.extensions["tdkt"].db.dispose()


def _register_task(demo: DemoOffice) -> tuple[int, str, FlaskClient]:
    inst = demo.start("donvi_kt", "emulation_registration", "DK-2026-KT")
    page = demo.app.test_client()
    assert login(page, "donvi_kt", DEMO_PASSWORD).status_code == 302
    return inst["id"], str(one_task(inst, "register")["id"]), page


def _send(page: FlaskClient, task_id: str, form: dict[str, Any]) -> Any:
    return page.post(f"/tasks/{task_id}", data={"csrf_token": csrf_token(page, "/"), **form})


def test_the_registration_form_shows_its_lines_as_rows(demo: DemoOffice) -> None:
    _, task_id, page = _register_task(demo)
    html = page.get(f"/tasks/{task_id}").get_data(as_text=True)
    assert re.search(r'<legend class="form-label fs-6">Danh sách đăng ký <span', html)
    assert 'data-rows="entries"' in html and ">Dòng 1</legend>" in html
    assert '<select class="form-select" id="f-entries-0-subject_code" ' \
           'name="entries-0-subject_code"' in html
    assert '<option value="KT04">KT04 — Phạm Thị Thu Trang</option>' in html
    assert '<option value="LDTT">Lao động tiên tiến</option>' in html and "VX01" not in html
    assert 'name="entries-__i__-award_code"' in html  # the blank row the script clones
    assert "data-row-add hidden>Thêm dòng</button>" in html
    assert "data-row-remove hidden>Xóa dòng</button>" in html
    assert "JSON" not in html and "<noscript>" not in html  # the one blank row is there


def test_a_duplicate_line_is_shown_on_its_row_and_every_line_stays(demo: DemoOffice) -> None:
    instance_id, task_id, page = _register_task(demo)
    line = {"subject_code": "KT04", "award_code": "LDTT"}
    r = _send(page, task_id, {"year": "2026", **_row("entries", 0, line),
                              **_row("entries", 4, {"subject_code": "", "award_code": ""}),
                              **_row("entries", 5, line)})
    html = r.get_data(as_text=True)
    assert r.status_code == 422
    assert 'id="f-entries-1-subject_code-error"' in html and "Trùng với dòng 1" in html
    assert 'id="f-entries-0-subject_code-error"' not in html
    assert html.count('<option value="KT04" selected>') == 2 and ">Dòng 2</legend>" in html
    extra = html[html.index("<noscript>"):html.index("</noscript>")]  # a row more, no script
    assert 'name="entries-2-subject_code"' in extra and ">Dòng 3</legend>" in extra
    inst = demo.ok(demo.get("thuky", f"/instances/{instance_id}"))
    assert [t["name"] for t in inst["tasks"]] == ["register"]


def test_rows_complete_the_step_as_a_list_of_records(demo: DemoOffice) -> None:
    instance_id, task_id, page = _register_task(demo)
    r = _send(page, task_id, {"year": "2026",
                              **_row("entries", 0, {"subject_code": "KT04", "award_code": "LDTT"}),
                              **_row("entries", 1, {"subject_code": "", "award_code": ""}),
                              **_row("entries", 2, {"subject_code": "KT05",
                                                    "award_code": "LDTT"})})
    assert r.status_code == 302, r.get_data(as_text=True)
    inst = demo.ok(demo.get("thuky", f"/instances/{instance_id}"))
    assert inst["data"]["entries"] == [{"subject_code": "KT04", "award_code": "LDTT"},
                                       {"subject_code": "KT05", "award_code": "LDTT"}]
