"""An annual title walked in Chromium from the nominations page, with its dossier files.

``donvi_kt`` starts the nomination on /nominations/new with a PDF, proposes KT04 for
Lao động tiên tiến on the task page (refused beside the dossier while a required item has
no file, then sent with it); ``thuky`` returns it for supplement; ``donvi_kt`` supplements
it with a new version of the tờ trình and a report (after a file the page refuses, beside
its input, with the typed data kept); ``thuky`` approves it and the
instance page's diagram marks the council's step as the current one. Also: the rows of a
list field added and removed with the keyboard, at 375 px. No page may log a console
error; screenshots go to tests/e2e/screenshots/.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tests.e2e.test_browser_walk import log_in, log_out, open_task, submit_and_back_to_inbox

if TYPE_CHECKING:  # the fixtures' types (tests/e2e/conftest.py)
    from tests.e2e.conftest import LiveServer, Watched

PROCESS = "Khen thưởng danh hiệu thi đua hằng năm"
KEY = "CN-E2E-KT04"
STEP = {"propose": "Lập hồ sơ, tờ trình đề nghị khen thưởng", "supplement": "Bổ sung hồ sơ",
        "appraise": "Tiếp nhận, thẩm định hồ sơ"}
ITEM = {"to_trinh": "Tờ trình đề nghị khen thưởng", "danh_sach": "Danh sách đề nghị khen thưởng",
        "bao_cao": "Báo cáo thành tích", "bien_ban": "Biên bản họp bình xét",
        "tom_tat": "Tóm tắt thành tích"}


def pdf(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_bytes(b"%PDF-1.4\n% " + text.encode() + b"\n")
    return path


def file_input(page: Any, item: str, new_version: bool = False) -> Any:
    prefix = "Tải phiên bản mới" if new_version else "Tải lên"
    return page.get_by_label(f"{prefix}: {ITEM[item]}", exact=True)


def instance_id_of(page: Any) -> int:
    link = page.get_by_role("link", name="Xem toàn bộ hồ sơ và sơ đồ quy trình")
    match = re.search(r"/instances/(\d+)$", link.get_attribute("href") or "")
    assert match, link.get_attribute("href")
    return int(match.group(1))


def start_nomination(web: Watched, tmp_path: Path) -> int:
    """``donvi_kt`` starts the nomination with its tờ trình, the year, the title and KT04
    picked on the start page; the proposal's form opens with them filled in."""
    page = web.page
    page.goto("/nominations/new")
    page.get_by_label(PROCESS).check()
    page.get_by_label("Năm khen thưởng").fill("2026")
    assert page.get_by_label("Cá nhân", exact=True).is_checked()
    award = page.get_by_label("Danh hiệu / hình thức khen thưởng")
    # the titles this procedure takes for an individual: no collective title is offered
    offered = award.locator("option:not([disabled])").all_inner_texts()
    assert "Lao động tiên tiến" in offered and "Tập thể lao động tiên tiến" not in offered
    award.select_option("LDTT")
    page.get_by_label(re.compile("^Phạm Thị Thu Trang")).check()
    assert not page.get_by_label(re.compile("^Phòng Kinh tế")).is_visible()  # units hidden
    page.get_by_label("Mã hồ sơ (không bắt buộc)").fill(KEY)
    page.get_by_label("Tệp 1", exact=True).set_input_files(pdf(tmp_path, "to-trinh.pdf", "v1"))
    web.shot("nomination-new")
    page.get_by_role("button", name="Khởi tạo hồ sơ").click()
    page.wait_for_url(re.compile(r"/tasks/"))
    assert page.get_by_role("heading", name=STEP["propose"], level=1).is_visible()
    assert page.get_by_role("link", name="to-trinh.pdf").is_visible()
    web.assert_clean()
    assert page.get_by_label("Năm xét khen thưởng").input_value() == "2026"
    assert page.get_by_label("Danh hiệu / hình thức khen thưởng").input_value() == "LDTT"
    assert page.get_by_label("KT04 — Phạm Thị Thu Trang").is_checked()
    file_input(page, "danh_sach").set_input_files(pdf(tmp_path, "danh-sach.pdf", "ds"))
    instance_id = instance_id_of(page)
    web.shot("task-proposal")
    page.get_by_role("button", name="Hoàn thành").click()  # the review's minutes are missing
    page.wait_for_load_state()
    assert "còn thiếu Biên bản họp bình xét" in page.locator("#dossier-error").inner_text()
    assert page.get_by_role("link", name="danh-sach.pdf").is_visible()  # kept, not lost
    web.shot("task-proposal-incomplete")
    web.assert_clean(expected="status of 422")
    file_input(page, "bien_ban").set_input_files(pdf(tmp_path, "bien-ban.pdf", "bb"))
    submit_and_back_to_inbox(web, "Hoàn thành")
    return instance_id


def supplement(web: Watched, tmp_path: Path, instance_id: int) -> None:
    page = web.page
    open_task(web, instance_id, STEP["supplement"])
    note = page.get_by_role("note")
    assert "Bổ sung báo cáo thành tích" in note.inner_text() and "Biên bản họp bình xét" in (
        note.inner_text())
    missing = page.locator("li", has=page.get_by_text("Còn thiếu", exact=True))
    assert missing.count() == 0  # the unit could not send the dossier without its items
    assert page.get_by_label("KT04 — Phạm Thị Thu Trang").is_checked()
    summary = page.get_by_label("Tóm tắt thành tích", exact=True)
    summary.fill("Hoàn thành tốt nhiệm vụ; đã bổ sung hồ sơ.")
    page.get_by_text("Thành phần khác (4)").click()  # the items the title does not require
    bad = tmp_path / "bao-cao.pdf"
    bad.write_bytes(b"\x89PNG\r\n\x1a\n not a pdf")
    file_input(page, "bao_cao").set_input_files(bad)
    page.get_by_role("button", name="Hoàn thành").click()
    error = page.locator("#f-file-bao_cao_thanh_tich-error")
    assert "không phải là tệp PDF hợp lệ" in error.inner_text()
    assert file_input(page, "bao_cao").get_attribute("aria-invalid") == "true"
    assert summary.input_value().endswith("đã bổ sung hồ sơ.")
    web.shot("task-supplement-file-error")
    web.assert_clean(expected="status of 422")

    file_input(page, "to_trinh", new_version=True).set_input_files(
        pdf(tmp_path, "to-trinh-v2.pdf", "v2 có chữ ký"))
    file_input(page, "bao_cao").set_input_files(pdf(tmp_path, "bao-cao.pdf", "bc"))
    page.get_by_role("button", name="Chỉ tải tệp lên").click()
    page.wait_for_load_state()
    assert page.get_by_role("status").filter(has_text="Đã lưu 2 tệp").is_visible()
    assert page.get_by_role("link", name="to-trinh-v2.pdf").is_visible()
    assert page.get_by_text("Các phiên bản trước (1)").is_visible()
    assert summary.input_value().endswith("đã bổ sung hồ sơ.")
    web.shot("task-supplement-uploaded")
    web.assert_clean()
    submit_and_back_to_inbox(web, "Hoàn thành")


def test_annual_nomination_with_files_returned_supplemented_and_approved(
        web: Watched, live_server: LiveServer, tmp_path: Path) -> None:
    page = web.page
    log_in(web, "donvi_kt")
    instance_id = start_nomination(web, tmp_path)
    log_out(web)

    log_in(web, "thuky")
    open_task(web, instance_id, STEP["appraise"])
    page.get_by_label("Ý kiến thẩm định").fill("Bổ sung báo cáo thành tích và biên bản bình xét.")
    page.get_by_label("Nội dung cần bổ sung").fill("Báo cáo thành tích\nBiên bản họp bình xét")
    submit_and_back_to_inbox(web, "Trả lại bổ sung")
    log_out(web)

    log_in(web, "donvi_kt")
    supplement(web, tmp_path, instance_id)
    log_out(web)

    log_in(web, "thuky")
    open_task(web, instance_id, STEP["appraise"])
    page.get_by_label("Ý kiến thẩm định").fill("Đủ hồ sơ, đủ điều kiện.")
    submit_and_back_to_inbox(web, "Đồng ý")

    page.goto(f"/instances/{instance_id}")
    diagram = page.locator("#tdkt-diagram")
    page.wait_for_selector("#tdkt-diagram[data-ready='true']")
    current = diagram.locator("g.djs-element.tdkt-current")
    assert [current.nth(i).get_attribute("data-element-id")
            for i in range(current.count())] == ["council_review"]
    done = diagram.locator("g.djs-element.tdkt-done")
    assert {done.nth(i).get_attribute("data-element-id") for i in range(done.count())} >= {
        "propose", "receive_appraise", "supplement"}
    assert page.get_by_text("to-trinh-v2.pdf").first.is_visible()
    web.shot("nomination-instance")
    web.assert_clean()


def test_rows_of_a_list_field_by_keyboard_on_a_phone(phone: Watched, live_server: LiveServer
                                                      ) -> None:
    page = phone.page
    log_in(phone, "donvi_vx")
    page.goto("/nominations/new")
    page.get_by_label("Đăng ký thi đua", exact=True).check()
    page.get_by_label("Năm khen thưởng").fill("2026")
    page.get_by_label("Danh hiệu / hình thức khen thưởng").select_option("LDTT")
    page.get_by_label(re.compile("^Ngô Thị Hương")).check()
    phone.shot("nomination-new-375")
    page.get_by_role("button", name="Khởi tạo hồ sơ").click()
    page.wait_for_url(re.compile(r"/tasks/"))
    phone.assert_clean()
    assert page.get_by_label("Năm đăng ký").input_value() == "2026"  # from the start page
    rows = page.locator("[data-rows='entries'] [data-rows-list] > [data-row]")
    assert rows.count() == 1
    assert page.get_by_label("Cá nhân / tập thể").input_value() == "VX04"
    page.get_by_label("Cá nhân / tập thể").select_option("VX04")
    page.get_by_label("Danh hiệu / hình thức khen thưởng").select_option("LDTT")
    add = page.get_by_role("button", name="Thêm dòng")
    add.focus()
    page.keyboard.press("Enter")
    assert rows.count() == 2
    focused = page.evaluate("document.activeElement.name")
    assert focused == "entries-1-subject_code"  # the new row's first input has the focus
    page.keyboard.press("Tab")  # on to the award of the new row
    assert page.evaluate("document.activeElement.name") == "entries-1-award_code"
    add.press("Enter")
    assert rows.count() == 3
    assert rows.nth(2).locator("legend").inner_text() == "Dòng 3"
    page.get_by_role("button", name="Xóa dòng 2").press("Enter")
    assert rows.count() == 2 and rows.nth(1).locator("legend").inner_text() == "Dòng 2"
    rows.nth(1).get_by_label("Cá nhân / tập thể").select_option("VX03")
    rows.nth(1).get_by_label("Danh hiệu / hình thức khen thưởng").select_option("LDTT")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, f"the task form scrolls sideways at 375 px ({width} px wide)"
    phone.shot("task-rows-375")
    phone.assert_clean()
    page.get_by_role("button", name="Hoàn thành").click()
    page.wait_for_url(re.compile(r"/(\?.*)?$"))
    phone.assert_clean()


def test_a_task_page_with_its_dossier_fits_a_phone(phone: Watched, live_server: LiveServer,
                                                    tmp_path: Path) -> None:
    page = phone.page
    log_in(phone, "donvi_vx")
    page.goto("/nominations/new")
    page.get_by_label("Khen thưởng đột xuất (thủ tục đơn giản)").check()
    assert not page.get_by_label("Năm khen thưởng").is_visible()  # the deed's date says it
    page.get_by_label("Danh hiệu / hình thức khen thưởng").select_option("GK")
    page.get_by_label(re.compile("^Phan Văn Dũng")).check()
    page.get_by_label("Tệp 1", exact=True).set_input_files(pdf(tmp_path, "to-trinh.pdf", "dx"))
    page.get_by_role("button", name="Khởi tạo hồ sơ").click()
    page.wait_for_url(re.compile(r"/tasks/"))
    assert page.get_by_role("link", name="to-trinh.pdf").is_visible()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, f"the task page scrolls sideways at 375 px ({width} px wide)"
    phone.shot("task-dossier-375")
    phone.assert_clean()

    config = live_server.app.config
    limit = config["MAX_UPLOAD_BYTES"]
    config["MAX_UPLOAD_BYTES"] = 1000
    try:
        page.reload()
        big = tmp_path / "tom-tat.pdf"
        big.write_bytes(b"%PDF-1.4\n" + b"x" * 2000)
        chooser = file_input(page, "tom_tat")  # required by the simplified procedure
        chooser.set_input_files(big)  # refused in the page, before anything is sent
        assert chooser.get_attribute("aria-invalid") == "true"
        assert page.locator("#f-file-tom_tat_thanh_tich-size-error").inner_text() == (
            "Tệp vượt quá dung lượng cho phép (1000 byte).")
        page.get_by_role("button", name="Chỉ tải tệp lên").click()
        assert page.evaluate("document.activeElement.id") == "f-file-tom_tat_thanh_tich"
        phone.shot("task-dossier-too-large-375")
        phone.assert_clean()
    finally:
        config["MAX_UPLOAD_BYTES"] = limit
