"""The import form of /admin/processes in Chromium: a diagram drawn in Camunda Modeler
(a role as candidateGroups, a Java delegate, a Groovy script) becomes a draft; the draft
page lists what was mapped and what must be redone, the modeler opens it, and "Kiểm tra"
names the Groovy script. Screenshots import_draft.png (1280 px), import_draft_375.png."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from tests.e2e.test_browser_walk import log_in

if TYPE_CHECKING:
    from tests.e2e.conftest import Watched

BPMN_DIR = Path(__file__).resolve().parents[2] / "bpmn"


def camunda_file(tmp_path: Path, key: str) -> Path:
    xml = (BPMN_DIR / "award_revocation.bpmn").read_text(encoding="utf-8")
    xml = xml.replace("award_revocation", key).replace(
        'xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"',
        'xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" '
        'xmlns:camunda="http://camunda.org/schema/1.0/bpmn"').replace(
        'name="Phòng TCHCQT (secretariat)"', 'name="Phòng TCHCQT"').replace(
        '<bpmn:userTask id="request" ',
        '<bpmn:userTask camunda:candidateGroups="secretariat" id="request" ').replace(
        '<bpmn:serviceTask id="revoke" ',
        '<bpmn:serviceTask camunda:class="org.example.Revoke" id="revoke" ').replace(
        '<bpmn:serviceTask id="issue" name="Cấp số quyết định hủy bỏ">',
        '<bpmn:scriptTask id="issue" name="Cấp số quyết định hủy bỏ" scriptFormat="groovy">'
        '<bpmn:script>println "x"</bpmn:script>')
    start = xml.index('<bpmn:scriptTask id="issue"')
    end = xml.index("</bpmn:serviceTask>", start)
    xml = xml[:end] + "</bpmn:scriptTask>" + xml[end + len("</bpmn:serviceTask>"):]
    revoke = xml.index('id="revoke"')
    op_start = xml.index("<spiffworkflow:serviceTaskOperator", revoke)
    op_end = xml.index("</spiffworkflow:serviceTaskOperator>", op_start)
    xml = xml[:op_start] + xml[op_end + len("</spiffworkflow:serviceTaskOperator>"):]
    path = tmp_path / f"{key}.bpmn"
    path.write_text(xml, encoding="utf-8")
    return path


@pytest.mark.parametrize("size", ["web", "phone"])
def test_import_a_camunda_diagram(size: str, request: pytest.FixtureRequest,
                                  tmp_path: Path) -> None:
    web: Watched = request.getfixturevalue(size)
    page: Any = web.page
    log_in(web, "quantri")
    page.goto("/admin/processes")
    page.get_by_label("Tệp .bpmn hoặc .dmn").set_input_files(
        str(camunda_file(tmp_path, f"e2e_import_{size}")))
    page.get_by_role("button", name="Nhập thành bản nháp").click()
    page.wait_for_url("**/admin/processes/drafts/*")
    page.wait_for_selector("#tdkt-modeler-app[data-ready=true]")
    notes = page.locator("details.alert")
    assert "camunda:candidateGroups=«secretariat» → làn «Phòng TCHCQT (secretariat)»" \
        in notes.inner_text()
    assert "camunda:class=«org.example.Revoke» là mã Java" in notes.inner_text()
    assert notes.locator(".badge", has_text="cần làm lại").count() == 2
    assert notes.locator(".badge", has_text="đã chuyển").count() == 1
    page.get_by_role("button", name="Kiểm tra").click()
    problem = page.locator('#tdkt-problems button[data-element-id="issue"]')
    problem.first.wait_for()
    assert "Mã lệnh viết bằng «groovy»" in problem.first.inner_text()
    assert page.locator('#tdkt-problems button[data-element-id="revoke"]'
                        '[data-code="handler.missing"]').count() == 1
    web.shot("import_draft" if size == "web" else "import_draft_375")
    web.assert_clean()
