"""The TĐKT group of the properties panel writes what the engine reads: a lane's role, a
user task's notification kind and deadlines (a number, a configured setting, an
expression), a service task's handler and parameters, a condition, a script, the pre- and
post-scripts. Each edit is read back from the saved XML; the saved draft validates.
Screenshots modeler_panel_task.png and modeler_panel_service.png (1280 px) and
modeler_panel_375.png."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from tests.e2e.test_browser_walk import log_in
from tests.e2e.test_modeler import KEY, copy_deployed, modeler  # noqa: F401  (fixture)

if TYPE_CHECKING:
    from tests.e2e.conftest import LiveServer, Watched

DEBOUNCE_MS = 600  # the panel's text inputs are debounced (300 ms)


def select(page: Any, ident: str) -> None:
    modeler(page, "(m, id) => m.get('selection').select(m.get('elementRegistry').get(id))",
            ident)
    page.locator("#tdkt-properties [data-group-id='group-tdkt']").wait_for()


def element_xml(page: Any, tag: str, ident: str) -> str:
    xml = page.evaluate("async () => (await window.tdktModeler.saveXML()).xml")
    found = re.search(rf'<bpmn:{tag} id="{ident}".*?</bpmn:{tag}>', xml, re.S)
    assert found, (ident, xml[:2000])
    return found.group(0)


def type_in(page: Any, label: str, text: str) -> None:
    field = page.get_by_label(label, exact=True)
    field.fill(text)
    page.wait_for_timeout(DEBOUNCE_MS)


def test_user_task_lane_and_flow_edits_reach_the_xml(web: Watched, live_server: LiveServer,
                                                     copy_deployed: str) -> None:  # noqa: F811
    page = web.page
    log_in(web, "quantri")
    page.goto(f"/admin/processes/{KEY}/v1")
    page.wait_for_selector("#tdkt-modeler-app[data-ready=true]")

    select(page, "lane_chair")  # lane -> role: the label keeps its text, the code changes
    page.get_by_label("Vai trò thực hiện (làn)").select_option("secretariat")
    xml = page.evaluate("async () => (await window.tdktModeler.saveXML()).xml")
    assert 'id="lane_chair" name="Chánh Văn phòng (secretariat)"' in xml
    page.get_by_label("Vai trò thực hiện (làn)").select_option("chair")

    select(page, "decide")
    page.get_by_label("Loại thông báo khi bước sẵn sàng").select_option("dossier.returned")
    due = page.get_by_label("Thời hạn xử lý (ngày làm việc)")
    due.select_option("setting:appraisal_working_days")
    assert "hiện 10 ngày" in due.locator("option:checked").inner_text()
    xml = element_xml(page, "userTask", "decide")
    assert 'name="notifyKind" value="dossier.returned"' in xml, xml
    assert 'name="dueWorkingDays" value="setting:appraisal_working_days"' in xml, xml
    due.select_option("expression")
    type_in(page, "Thời hạn xử lý: biểu thức", "5 if urgent else 10")
    page.get_by_label("Không hoàn thành trước (ngày làm việc)").select_option("number")
    type_in(page, "Không hoàn thành trước: số ngày", "3")
    type_in(page, "Mã lệnh chạy trước bước (pre-script)", "urgent = False")
    type_in(page, "Mã lệnh chạy sau bước (post-script)", "decided = True")
    web.shot("modeler_panel_task")
    xml = element_xml(page, "userTask", "decide")
    assert 'name="dueWorkingDays" value="5 if urgent else 10"' in xml, xml
    assert 'name="notBeforeWorkingDays" value="3"' in xml, xml
    assert "<spiffworkflow:preScript>urgent = False</spiffworkflow:preScript>" in xml, xml
    assert "<spiffworkflow:postScript>decided = True</spiffworkflow:postScript>" in xml, xml
    page.get_by_label("Loại thông báo khi bước sẵn sàng").select_option("")
    assert "notifyKind" not in element_xml(page, "userTask", "decide")

    select(page, "flow_decide_approve")  # a condition
    type_in(page, "Điều kiện (biểu thức Python)", 'decision == "approve" and decided')
    xml = element_xml(page, "sequenceFlow", "flow_decide_approve")
    assert ('<bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">decision == '
            '"approve" and decided</bpmn:conditionExpression>') in xml, xml

    page.get_by_role("button", name="Kiểm tra").click()  # the engine reads it all back
    page.locator("#tdkt-status", has_text="Không có lỗi nào.").wait_for()
    web.assert_clean()


def test_service_and_script_task_edits_reach_the_xml(web: Watched, live_server: LiveServer,
                                                     copy_deployed: str) -> None:  # noqa: F811
    page = web.page
    log_in(web, "quantri")
    page.goto(f"/admin/processes/{KEY}/v1")
    page.wait_for_selector("#tdkt-modeler-app[data-ready=true]")

    select(page, "issue")
    page.get_by_label("Bộ xử lý (handler)").select_option("echo")
    type_in(page, "Lưu kết quả vào biến", "sent")
    group = page.locator("[data-group-id='group-tdkt-parameters']")
    before = element_xml(page, "serviceTask", "issue").count("<spiffworkflow:parameter ")
    group.locator(".bio-properties-panel-add-entry").click()
    item = group.locator(".bio-properties-panel-list-item").last
    item.locator(".bio-properties-panel-collapsible-entry-header").click() \
        if item.get_by_label("Tên tham số").count() == 0 else None
    item.get_by_label("Tên tham số").fill("recipients")
    item.get_by_label("Giá trị (biểu thức Python)").fill('"secretariat"')
    page.wait_for_timeout(DEBOUNCE_MS)
    web.shot("modeler_panel_service")
    xml = element_xml(page, "serviceTask", "issue")
    assert '<spiffworkflow:serviceTaskOperator id="echo" resultVariable="sent">' in xml, xml
    assert ('<spiffworkflow:parameter id="recipients" type="any" value="&#34;secretariat&#34;"'
            in xml or "<spiffworkflow:parameter id=\"recipients\" type=\"any\" "
            "value='\"secretariat\"'" in xml), xml
    assert xml.count("<spiffworkflow:parameter ") == before + 1
    item.locator(".bio-properties-panel-remove-entry").click()
    assert element_xml(page, "serviceTask", "issue").count("<spiffworkflow:parameter ") \
        == before

    # a script task: its code, written as Python
    script = modeler(page, """(m) => m.get('bpmnReplace').replaceElement(
        m.get('elementRegistry').get('revoke'), { type: 'bpmn:ScriptTask' }).id""")
    select(page, script)
    type_in(page, "Mã lệnh (Python, chạy trong hộp cát)", "revoked = True")
    xml = element_xml(page, "scriptTask", script)
    assert 'scriptFormat="python"' in xml and "<bpmn:script>revoked = True</bpmn:script>" in xml
    web.assert_clean()


def test_panel_on_a_phone(phone: Watched, copy_deployed: str) -> None:  # noqa: F811
    log_in(phone, "quantri")
    page = phone.page
    page.goto(f"/admin/processes/{KEY}/v1")
    page.wait_for_selector("#tdkt-modeler-app[data-ready=true]")
    select(page, "decide")
    phone.shot("modeler_panel_375")
    phone.assert_clean()
