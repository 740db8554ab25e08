"""The task page's dossier files: versions per item, upload with the form, errors beside
the file input, nothing lost when a file or a field is refused."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from api_kit import one_task
from demo_kit import DemoOffice, make_demo_office
from flask.testing import FlaskClient
from test_pages_auth import csrf_token, login

from webapp.demo import DEMO_PASSWORD

PDF = b"%PDF-1.4\n% to trinh\n"
PROPOSAL = {"year": "2026", "award_code": "LDTT", "subjects": "KT04",
            "summary": "Hoàn thành tốt nhiệm vụ năm 2026."}
PROPOSAL_API = {"year": 2026, "award_code": "LDTT", "subjects": ["KT04"]}
# LDTT's required items a unit files (the catalogue's dossier_items less the council's)
REQUIRED = {"to_trinh": (PDF, "to-trinh.pdf"), "danh_sach": (PDF + b"ds", "ds.pdf"),
            "bien_ban_binh_xet": (PDF + b"bb", "bien-ban.pdf")}


@pytest.fixture
def demo(db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
         ) -> Iterator[DemoOffice]:
    office = make_demo_office(db_url, tmp_path, monkeypatch)
    office.app.config["WTF_CSRF_ENABLED"] = True
    yield office
    office.app.extensions["tdkt"].db.dispose()


def _page(demo: DemoOffice, username: str) -> FlaskClient:
    client = demo.app.test_client()
    assert login(client, username, DEMO_PASSWORD).status_code == 302
    return client


def _proposal(demo: DemoOffice, key: str = "CN-2026-F1") -> tuple[int, str]:
    inst = demo.start("donvi_kt", "annual_title_nomination", key)
    return inst["id"], str(one_task(inst, "propose")["id"])


def _send(page: FlaskClient, task_id: str, files: dict[str, tuple[bytes, str]],
          **form: Any) -> Any:
    data: dict[str, Any] = {"csrf_token": csrf_token(page, "/"), **form}
    for item, (content, name) in files.items():
        data[f"file-{item}"] = (io.BytesIO(content), name)
    return page.post(f"/tasks/{task_id}", data=data, content_type="multipart/form-data")


def _files(demo: DemoOffice, instance_id: int) -> list[dict[str, Any]]:
    body: list[dict[str, Any]] = demo.ok(demo.get("thuky",
                                                  f"/instances/{instance_id}/attachments"))
    return body


def _ready(demo: DemoOffice, instance_id: int) -> list[str]:
    inst = demo.ok(demo.get("thuky", f"/instances/{instance_id}"))
    return [t["name"] for t in inst["tasks"]]


def test_the_proposal_step_lists_the_dossier_items_with_a_file_input_each(
        demo: DemoOffice) -> None:
    _, task_id = _proposal(demo)
    html = _page(demo, "donvi_kt").get(f"/tasks/{task_id}").get_data(as_text=True)
    assert 'enctype="multipart/form-data"' in html and "Tệp hồ sơ" in html
    for item, label in (("to_trinh", "Tờ trình đề nghị khen thưởng"),
                        ("bao_cao_thanh_tich", "Báo cáo thành tích"),
                        ("bien_ban_binh_xet", "Biên bản họp bình xét")):
        assert f'id="f-file-{item}" name="file-{item}"' in html
        assert f'for="f-file-{item}">Tải lên: {label}</label>' in html
    assert 'accept=".pdf,.docx,.xlsx,.jpg,.jpeg,.png"' in html
    assert "tối đa 20 MB mỗi tệp" in html and "Chỉ tải tệp lên</button>" in html


def test_a_file_with_the_wrong_content_saves_nothing_and_keeps_what_was_typed(
        demo: DemoOffice) -> None:
    instance_id, task_id = _proposal(demo)
    page = _page(demo, "donvi_kt")
    r = _send(page, task_id, {"to_trinh": (PDF, "to-trinh.pdf"),
                              "danh_sach": (b"GIF89a not a pdf", "danh-sach.pdf")}, **PROPOSAL)
    html = r.get_data(as_text=True)
    assert r.status_code == 422
    assert 'id="f-file-danh_sach-error"' in html
    assert "nội dung tệp «danh-sach.pdf» không phải là tệp PDF hợp lệ" in html
    assert 'aria-describedby="f-file-danh_sach-error"' in html and "Vui lòng chọn lại tệp." in html
    assert 'value="2026"' in html and "Hoàn thành tốt nhiệm vụ năm 2026.</textarea>" in html
    assert 'name="subjects" value="KT04" checked' in html
    assert _files(demo, instance_id) == []  # the good file was not saved either
    assert _ready(demo, instance_id) == ["propose"]


def test_a_file_over_the_limit_is_refused_beside_its_input(demo: DemoOffice) -> None:
    demo.app.config["MAX_UPLOAD_BYTES"] = 64
    instance_id, task_id = _proposal(demo)
    r = _send(_page(demo, "donvi_kt"), task_id, {"to_trinh": (PDF + b"x" * 100, "a.pdf")},
              **PROPOSAL)
    html = r.get_data(as_text=True)
    assert r.status_code == 422 and 'id="f-file-to_trinh-error"' in html
    assert "Tệp vượt quá dung lượng cho phép (64 byte)." in html
    assert _files(demo, instance_id) == []


def test_upload_only_then_a_new_version_keeps_the_first(demo: DemoOffice) -> None:
    instance_id, task_id = _proposal(demo)
    page = _page(demo, "donvi_kt")
    r = _send(page, task_id, {"to_trinh": (PDF, "tờ trình.pdf")}, action="upload", **PROPOSAL)
    html = r.get_data(as_text=True)
    assert r.status_code == 200 and "Đã lưu 1 tệp vào hồ sơ" in html
    assert 'value="2026"' in html  # the form stays as typed, not completed
    assert _ready(demo, instance_id) == ["propose"]
    assert "tờ trình.pdf" in html and "phiên bản 1" in html

    r = _send(page, task_id, {"to_trinh": (PDF + b"v2", "to-trinh-v2.pdf")}, action="upload")
    html = r.get_data(as_text=True)
    assert "to-trinh-v2.pdf" in html and "phiên bản 2" in html
    assert "Các phiên bản trước (1)" in html
    assert "Tải phiên bản mới: Tờ trình đề nghị khen thưởng" in html
    versions = [(f["version"], f["filename"], f["current"]) for f in _files(demo, instance_id)]
    assert versions == [(2, "to-trinh-v2.pdf", True), (1, "tờ trình.pdf", False)]
    links = re.findall(r'href="/attachments/(\d+)"', html)
    assert sorted(int(i) for i in links) == sorted(f["id"] for f in _files(demo, instance_id))
    assert page.get(f"/attachments/{links[0]}").data.startswith(b"%PDF-")


def test_files_and_form_in_one_submit_complete_the_step(demo: DemoOffice) -> None:
    instance_id, task_id = _proposal(demo)
    r = _send(_page(demo, "donvi_kt"), task_id, REQUIRED, **PROPOSAL)
    assert r.status_code == 302, r.get_data(as_text=True)
    assert {f["item"] for f in _files(demo, instance_id)} == set(REQUIRED)
    assert _ready(demo, instance_id) == ["receive_appraise"]
    events = [e["type"] for e in demo.history("thuky", instance_id)]
    assert events.count("attachment.added") == 3


def test_the_required_items_are_marked_and_sending_without_one_is_refused(
        demo: DemoOffice) -> None:
    instance_id, task_id = _proposal(demo)
    page = _page(demo, "donvi_kt")
    html = page.get(f"/tasks/{task_id}").get_data(as_text=True)
    assert 'id="dossier-required-note"' not in html  # no title chosen yet
    r = _send(page, task_id, {"to_trinh": (PDF, "to-trinh.pdf")}, **PROPOSAL)
    html = r.get_data(as_text=True)
    assert r.status_code == 422
    assert 'id="dossier-required-note"' in html  # the typed title (LDTT) asks three items
    for item, missing in (("to_trinh", False), ("danh_sach", True),
                          ("bien_ban_binh_xet", True)):
        at = html.index(f'for="f-file-{item}"')
        block = html[html.rindex("<li", 0, at):at]
        assert "bắt buộc với hình thức khen thưởng này" in block
        assert ("Còn thiếu" in block) is missing
    assert html.count("bắt buộc với hình thức khen thưởng này") == 3
    error = html[html.index('id="dossier-error"'):]
    assert error.index("còn thiếu Danh sách đề nghị khen thưởng, Biên bản họp bình xét") \
        < error.index('for="f-file-to_trinh"')  # beside the dossier's files, above them
    assert 'aria-describedby="dossier-hint dossier-error"' in html
    assert 'value="2026"' in html and "Hoàn thành tốt nhiệm vụ năm 2026.</textarea>" in html
    assert "Đã lưu 1 tệp vào hồ sơ; không cần chọn lại." in html
    assert _ready(demo, instance_id) == ["propose"]
    assert [f["item"] for f in _files(demo, instance_id)] == ["to_trinh"]
    r = demo.post("donvi_kt", f"/tasks/{task_id}/complete", {"data": PROPOSAL_API})
    assert r.status_code == 422 and r.get_json()["code"] == "dossier.incomplete"
    assert _send(page, task_id, {k: v for k, v in REQUIRED.items() if k != "to_trinh"},
                 **PROPOSAL).status_code == 302
    assert _ready(demo, instance_id) == ["receive_appraise"]


def test_a_refused_completion_keeps_the_files_already_saved(demo: DemoOffice) -> None:
    instance_id, task_id = _proposal(demo)
    r = _send(_page(demo, "donvi_kt"), task_id, {"to_trinh": (PDF, "to-trinh.pdf")},
              **{**PROPOSAL, "year": "1999"})
    html = r.get_data(as_text=True)
    assert r.status_code == 422 and 'id="f-year-error"' in html
    assert "Đã lưu 1 tệp vào hồ sơ; không cần chọn lại." in html and "to-trinh.pdf" in html
    assert [f["item"] for f in _files(demo, instance_id)] == ["to_trinh"]
    assert _ready(demo, instance_id) == ["propose"]


def test_another_unit_cannot_upload_and_other_steps_take_no_files(demo: DemoOffice) -> None:
    instance_id, task_id = _proposal(demo)
    r = _send(_page(demo, "donvi_vx"), task_id, {"to_trinh": (PDF, "x.pdf")}, **PROPOSAL)
    assert r.status_code == 404 and _files(demo, instance_id) == []
    r = _send(_page(demo, "thuky"), task_id, {"to_trinh": (PDF, "x.pdf")}, **PROPOSAL)
    assert r.status_code == 403 and _files(demo, instance_id) == []

    assert _send(_page(demo, "donvi_kt"), task_id, REQUIRED, **PROPOSAL).status_code == 302
    appraise = next(t for t in demo.inbox("thuky", instance_id))
    html = _page(demo, "thuky").get(f"/tasks/{appraise['id']}").get_data(as_text=True)
    assert 'type="file"' not in html and "multipart" not in html


def test_the_supplement_step_says_what_to_add_and_folds_the_items_not_required(
        demo: DemoOffice) -> None:
    instance_id, task_id = _proposal(demo)
    assert _send(_page(demo, "donvi_kt"), task_id, REQUIRED, **PROPOSAL).status_code == 302
    appraise = demo.inbox("thuky", instance_id)[0]
    demo.ok(demo.post("thuky", f"/tasks/{appraise['id']}/complete", {"data": {
        "decision": "return", "comment": "Thiếu danh sách",
        "supplement_items": ["Danh sách đề nghị", "Biên bản bình xét"]}}))
    supplement = demo.inbox("donvi_kt", instance_id)[0]
    html = _page(demo, "donvi_kt").get(f"/tasks/{supplement['id']}").get_data(as_text=True)
    note = html[html.index('role="note"'):html.index("</div>", html.index('role="note"'))]
    assert "Hồ sơ được trả lại, yêu cầu bổ sung" in note and "Thiếu danh sách" in note
    assert "<li>Danh sách đề nghị</li>" in note and "<li>Biên bản bình xét</li>" in note
    # the nominee by name, the title by the catalogue's name, the state of the nomination
    assert '<th scope="row" class="fw-normal">Phạm Thị Thu Trang (KT04)</th>' \
           "<td>Lao động tiên tiến</td><td>Đã trả lại để bổ sung</td>" in html
    history = html[html.index('id="comments-title"'):]  # the decision, by whom, the comment
    assert "Trả lại bổ sung</span>" in history and "Thiếu danh sách" in history
    assert "Lê Thị Thu" in history and "Tiếp nhận, thẩm định hồ sơ" in history
    main, _, folded = html.partition("Thành phần khác (")
    for item in ("to_trinh", "danh_sach", "bien_ban_binh_xet"):  # LDTT's required items
        assert f'name="file-{item}"' in main
    for item in ("bao_cao_thanh_tich", "tom_tat_thanh_tich", "qd_sang_kien", "other"):
        assert f'name="file-{item}"' in folded and f'name="file-{item}"' not in main
    assert main.count("bắt buộc với hình thức khen thưởng này") == 3
    assert main.count("Đã có</span>") == 3 and "Còn thiếu</span>" not in main


def test_files_over_the_request_limit_together_are_refused_in_vietnamese(
        demo: DemoOffice) -> None:
    demo.app.config["MAX_CONTENT_LENGTH"] = 4096
    instance_id, task_id = _proposal(demo)
    page = _page(demo, "donvi_kt")
    r = _send(page, task_id, {"to_trinh": (PDF + b"x" * 3000, "a.pdf"),
                              "danh_sach": (PDF + b"y" * 3000, "b.pdf")}, **PROPOSAL)
    html = r.get_data(as_text=True)
    assert r.status_code == 413
    assert "<li>Các tệp gửi cùng lúc vượt quá 4096 byte nên chưa được lưu" in html
    assert 'data-max-total="' in html and "Chỉ tải tệp lên" in html
    assert _files(demo, instance_id) == [] and _ready(demo, instance_id) == ["propose"]


def test_a_second_appraisal_opens_empty_and_the_first_round_stays_in_the_history(
        demo: DemoOffice) -> None:
    instance_id, task_id = _proposal(demo)
    assert _send(_page(demo, "donvi_kt"), task_id, REQUIRED, **PROPOSAL).status_code == 302
    appraise = demo.inbox("thuky", instance_id)[0]
    demo.ok(demo.post("thuky", f"/tasks/{appraise['id']}/complete", {"data": {
        "decision": "return", "comment": "Chưa có chữ ký",
        "supplement_items": ["Biên bản bình xét có chữ ký"]}}))
    supplement = demo.inbox("donvi_kt", instance_id)[0]
    assert _send(_page(demo, "donvi_kt"), str(supplement["id"]),
                 {"bien_ban_binh_xet": (PDF + b"signed", "bb-ky.pdf")},
                 **PROPOSAL).status_code == 302
    again = demo.inbox("thuky", instance_id)[0]
    assert again["name"] == "receive_appraise" and again["id"] != appraise["id"]
    html = _page(demo, "thuky").get(f"/tasks/{again['id']}").get_data(as_text=True)
    form = html[html.index('id="f-supplement_items"'):]
    assert form[:form.index("</textarea>")].endswith(">")  # the new round starts empty
    assert not re.search(r'name="decision"[^>]*checked', html)
    history = html[html.index('id="comments-title"'):]
    assert "Biên bản bình xét có chữ ký" in history and "Chưa có chữ ký" in history
