"""What an admin types in the properties panel and at once saves is saved (the panel's
debounced inputs are flushed before the diagram is read); the toolbar line and the
summary above the problem list come from one status, so after an edit both say the
last check is out of date, and after a new check both give the same counts."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tests.e2e.test_modeler import copy_deployed, open_modeler  # noqa: F401  (fixture)
from tests.e2e.test_modeler_panel import select

if TYPE_CHECKING:
    from tests.e2e.conftest import LiveServer, Watched


def draft_xml(page: object) -> str:
    return page.evaluate(  # type: ignore[attr-defined]
        """async () => (await fetch(location.pathname + '.xml')).text()""")


def test_typed_text_is_saved_even_without_a_pause(web: Watched, live_server: LiveServer,
                                                  copy_deployed: str) -> None:  # noqa: F811
    page = open_modeler(web)
    select(page, "decide")
    page.get_by_label("Thời hạn xử lý (ngày làm việc)").select_option("number")
    # A number field writes only after its debounce delay (not on blur): click at once.
    page.get_by_label("Thời hạn xử lý: số ngày", exact=True).fill("7")
    page.get_by_role("button", name="Lưu bản nháp").click()
    page.locator("#tdkt-status", has_text="Đã lưu bản nháp").wait_for()
    assert "/admin/processes/drafts/" in page.url
    assert 'name="dueWorkingDays" value="7"' in draft_xml(page)

    page.get_by_label("Mã lệnh chạy sau bước (post-script)").fill("import os")
    page.get_by_role("button", name="Kiểm tra").click()  # the check sees it too
    problem = page.locator('#tdkt-problems button[data-element-id="decide"]'
                           '[data-code="code.rejected"]')
    problem.wait_for()
    assert "Dòng 1: không được dùng lệnh import." in problem.inner_text()
    web.assert_clean()


def test_toolbar_and_problem_summary_tell_the_same_state(
        web: Watched, live_server: LiveServer, copy_deployed: str) -> None:  # noqa: F811
    page = open_modeler(web)
    bar, summary = page.locator("#tdkt-status"), page.locator("#tdkt-problems-summary")
    assert summary.get_attribute("data-state") == "unchecked"

    page.get_by_role("button", name="Kiểm tra").click()
    bar.filter(has_text="Không có lỗi nào.").wait_for()
    assert summary.inner_text() == "Không có lỗi nào."
    assert bar.get_attribute("data-state") == "saved"

    select(page, "decide")
    page.get_by_label("Loại thông báo khi bước sẵn sàng").select_option("dossier.returned")
    assert bar.inner_text() == "Có thay đổi chưa lưu."
    assert bar.get_attribute("data-state") == "unsaved"
    assert summary.get_attribute("data-state") == "stale"
    assert summary.inner_text().startswith("Sơ đồ đã sửa sau lần kiểm tra này")

    page.get_by_role("button", name="Lưu bản nháp").click()
    bar.filter(has_text="Đã lưu bản nháp").wait_for()
    assert summary.get_attribute("data-state") == "stale"  # saved, still not re-checked

    page.get_by_label("Mã lệnh chạy sau bước (post-script)").fill("import os")
    page.get_by_role("button", name="Kiểm tra").click()
    bar.filter(has_text="1 lỗi").wait_for()
    assert summary.get_attribute("data-state") == "current"
    assert summary.inner_text() == bar.inner_text() == "1 lỗi, 0 cảnh báo."
    web.assert_clean()
