"""Switching how a user task's deadline is counted keeps the deadline already there until
a value of the new kind is typed; removing it on purpose is allowed, and the check then
warns on that task (task.deadline_removed) because the version it came from had one."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tests.e2e.test_modeler import copy_deployed, open_modeler  # noqa: F401  (fixture)
from tests.e2e.test_modeler_panel import element_xml, select, type_in

if TYPE_CHECKING:
    from tests.e2e.conftest import LiveServer, Watched

DUE = "Thời hạn xử lý (ngày làm việc)"


def test_switching_the_deadline_kind_keeps_it_and_removing_it_warns(
        web: Watched, live_server: LiveServer, copy_deployed: str) -> None:  # noqa: F811
    page = open_modeler(web)
    select(page, "decide")  # dueWorkingDays = 5 in version 1
    page.get_by_label(DUE).select_option("expression")
    assert 'name="dueWorkingDays" value="5"' in element_xml(page, "userTask", "decide")
    field = page.get_by_label("Thời hạn xử lý: biểu thức", exact=True)
    assert field.input_value() == ""
    assert "«5» được giữ" in page.locator("[data-entry-id='tdkt-due-value']").inner_text()
    field.focus()
    field.blur()  # an empty field left does not erase the kept deadline
    page.wait_for_timeout(600)
    assert 'name="dueWorkingDays" value="5"' in element_xml(page, "userTask", "decide")
    type_in(page, "Thời hạn xử lý: biểu thức", "3 if urgent else 5")
    assert 'name="dueWorkingDays" value="3 if urgent else 5"' in element_xml(
        page, "userTask", "decide")
    assert page.get_by_label(DUE).input_value() == "expression"

    page.get_by_label(DUE).select_option("")  # removed on purpose
    assert "dueWorkingDays" not in element_xml(page, "userTask", "decide")
    page.get_by_role("button", name="Kiểm tra").click()
    warning = page.locator('#tdkt-problems button[data-element-id="decide"]'
                           '[data-code="task.deadline_removed"]')
    warning.wait_for()
    assert "Cảnh báo" in warning.inner_text() and "«5»" in warning.inner_text()
    assert page.locator("#tdkt-status").inner_text() == "0 lỗi, 1 cảnh báo."
    web.assert_clean()
