"""The process modeler in Chromium: open a version, change a task's name, save the draft,
validate (an injected problem is marked on the diagram and listed), deploy version n+1,
compare the two versions side by side; no console errors. Screenshots at 1280 px in
tests/e2e/screenshots/ (modeler, validation markers, diff, DMN table)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from engine.roles import SYSTEM
from tests.e2e.test_browser_walk import log_in

if TYPE_CHECKING:
    from tests.e2e.conftest import LiveServer, Watched

BPMN_DIR = Path(__file__).resolve().parents[2] / "bpmn"
KEY = "e2e_modeler"
BASE_LIST = "/admin/processes"


@pytest.fixture(scope="module")
def copy_deployed(live_server: LiveServer) -> str:
    """A copy of award_revocation under its own key, so other tests keep theirs."""
    xml = (BPMN_DIR / "award_revocation.bpmn").read_bytes().replace(b"award_revocation",
                                                                    KEY.encode())
    services = live_server.app.extensions["tdkt"]
    with services.db.write_session() as session:
        version = services.engine.deploy(session, xml, SYSTEM, f"{KEY}.bpmn")
    assert version["version"] == 1
    return KEY


def modeler(page: Any, js: str, arg: Any = None) -> Any:
    """Run ``js`` (a function of the bpmn-js modeler and ``arg``) in the page."""
    return page.evaluate(f"([arg]) => ({js})(window.tdktModeler, arg)", [arg])


def test_edit_validate_deploy_and_compare(web: Watched, live_server: LiveServer,
                                          copy_deployed: str) -> None:
    page = web.page
    log_in(web, "quantri")
    page.goto("/admin/processes")
    web.shot("admin_processes_list")
    page.locator(f'a[href="/admin/processes/{KEY}/v1"]').click()
    page.wait_for_selector("#tdkt-modeler-app[data-ready=true]")
    modeler(page, """(m) => m.get('selection').select(m.get('elementRegistry').get('request'))""")
    page.wait_for_selector("#tdkt-properties select[name='tdkt-form-key']")
    web.shot("modeler")

    # Change the name of a task, add an element nothing leads to (a problem to find).
    modeler(page, """(m, name) => {
        const modeling = m.get('modeling'), registry = m.get('elementRegistry');
        modeling.updateLabel(registry.get('review'), name);
        const lane = registry.filter(e => e.type === 'bpmn:Lane')[0];
        const shape = modeling.createShape({ type: 'bpmn:UserTask' },
            { x: lane.x + 200, y: lane.y + lane.height - 45 }, lane.parent);
        modeling.updateProperties(shape, { id: 'orphan_task', name: 'Bước lạc' });
    }""", "Hội đồng xem xét, cho ý kiến")
    # The TĐKT group of the properties panel writes what the engine reads.
    modeler(page, """(m) => m.get('selection').select(m.get('elementRegistry').get('review'))""")
    page.get_by_label("Thời hạn xử lý (ngày làm việc)").select_option("number")
    page.get_by_label("Thời hạn xử lý: số ngày").fill("7")
    page.wait_for_timeout(600)  # the panel's text inputs are debounced
    form_key = page.get_by_label("Biểu mẫu (form key)")
    form_key.select_option("council_result")
    xml = page.evaluate("async () => (await window.tdktModeler.saveXML()).xml")
    review = re.search(r'<bpmn:userTask id="review".*?</bpmn:userTask>', xml, re.S)
    assert review, xml
    assert 'name="dueWorkingDays" value="7"' in review.group(0), review.group(0)
    assert 'name="formKey" value="council_result"' in review.group(0), review.group(0)
    form_key.select_option("revocation_review")  # back: the conditions read its fields
    page.get_by_role("button", name="Kiểm tra").click()
    problem = page.locator('#tdkt-problems button[data-element-id="orphan_task"]')
    problem.first.wait_for()
    assert "Không thể đi tới «Bước lạc»" in problem.first.inner_text()
    marked = page.locator('.djs-element[data-element-id="orphan_task"]')
    assert "tdkt-problem-error" in (marked.get_attribute("class") or "")
    assert re.search(r"/admin/processes/drafts/\d+$", page.url), page.url
    problem.first.click()
    selected = modeler(page, "(m) => m.get('selection').get().map(e => e.id)")
    assert selected == ["orphan_task"]
    web.shot("modeler_validation")

    # Connect the new step from the start event (the problem goes) and deploy: version 2.
    modeler(page, """(m) => {
        const registry = m.get('elementRegistry');
        const start = registry.filter(e => e.type === 'bpmn:StartEvent')[0];
        m.get('modeling').connect(start, registry.get('orphan_task'));
    }""")
    page.get_by_role("button", name="Triển khai phiên bản mới").click()
    dialog = page.get_by_role("dialog", name="Triển khai phiên bản 2?")
    dialog.get_by_role("button", name="Triển khai phiên bản 2").click()  # asked first
    page.wait_for_url(f"**/admin/processes/{KEY}/v2")
    page.wait_for_selector("#tdkt-modeler-app[data-ready=true]")
    assert page.locator("#tdkt-problems li").count() == 0
    web.assert_clean()

    page.goto("/admin/processes")
    assert page.locator(f'a[href="/admin/processes/{KEY}/v2"]').count() == 1
    page.goto(f"/admin/processes/{KEY}/diff?a=1&b=2")
    page.wait_for_selector("#tdkt-diff[data-ready=true]")
    row = page.locator('#tdkt-changes tr[data-element-id="review"]')
    assert "Hội đồng xem xét, cho ý kiến" in row.inner_text()
    assert page.locator('#tdkt-diff-new .djs-element.tdkt-diff-changed[data-element-id="review"]'
                        ).count() == 1
    assert page.locator('#tdkt-diff-new .djs-element.tdkt-diff-added[data-element-id="orphan_task"]'
                        ).count() == 1
    assert page.locator('#tdkt-diff-old [data-element-id="orphan_task"]').count() == 0
    web.shot("modeler_diff")
    web.assert_clean()


def test_dmn_table_opens_in_dmn_js(web: Watched, live_server: LiveServer) -> None:
    page = web.page
    log_in(web, "quantri")
    page.goto("/admin/processes/dmn/CSTD_CS")
    page.wait_for_selector("#tdkt-dmn-app[data-ready=true]")
    assert page.locator(".tjs-table, .dmn-decision-table-container").count() >= 1
    web.shot("dmn_editor")
    web.assert_clean()


@pytest.mark.parametrize("size", ["web", "phone"])
def test_admin_process_pages_pass_axe(size: str, request: pytest.FixtureRequest,
                                      copy_deployed: str) -> None:
    from tests.e2e.test_accessibility import audit

    web: Watched = request.getfixturevalue(size)
    log_in(web, "quantri")
    found: list[str] = []
    for path, ready in ((BASE_LIST, None),
                        (f"/admin/processes/{KEY}/v1", "#tdkt-modeler-app[data-ready=true]"),
                        (f"/admin/processes/{KEY}/diff", "#tdkt-diff[data-ready=true]"),
                        ("/admin/processes/dmn/GK", "#tdkt-dmn-app[data-ready=true]")):
        web.page.goto(path)
        if ready:
            web.page.wait_for_selector(ready)
        found += audit(web, f"{path} ({size})")
        web.assert_clean()
    if size == "phone":
        web.page.goto(BASE_LIST)
        web.shot("admin_processes_list_375")
    assert not found, "\n".join(found)


def test_every_shipped_diagram_survives_the_modeler(web: Watched,
                                                    live_server: LiveServer) -> None:
    """bpmn-js with our moddle extension reads and writes back everything the engine
    reads: the saved XML of each diagram of bpmn/ differs in nothing the diff compares,
    and validates without a problem."""
    from engine.specs.diff import diff

    log_in(web, "quantri")
    page = web.page
    for path in sorted(BPMN_DIR.glob("*.bpmn")):
        page.goto(f"/admin/processes/{path.stem}/v1")
        page.wait_for_selector("#tdkt-modeler-app[data-ready=true]")
        saved = page.evaluate(
            "async () => (await window.tdktModeler.saveXML({format: true})).xml")
        assert diff(path.read_bytes(), saved)["changes"] == [], path.name
        for tag in set(re.findall(r"<spiffworkflow:\w+", path.read_text(encoding="utf-8"))):
            assert saved.count(tag) == path.read_text(encoding="utf-8").count(tag), tag
        page.get_by_role("button", name="Kiểm tra").click()
        page.locator("#tdkt-status", has_text="Không có lỗi nào.").wait_for()
    web.assert_clean()


def test_timers_are_written_so_the_engine_runs_them(web: Watched, live_server: LiveServer,
                                                     copy_deployed: str) -> None:
    """The TĐKT group replaces the stock Timer group (which writes ISO values unquoted, a
    Python name to SpiffWorkflow): a duration is written quoted, working days as
    working_days(n), a date dd/mm/yyyy HH:MM as a quoted ISO moment; a bad value is shown
    and not written; the diagram validates and deploys, and the engine reads the timers."""
    from lxml import etree

    from engine.specs.parser import TdktBpmnParser
    from engine.specs.timers import EngineDateTimer, EngineDurationTimer

    log_in(web, "quantri")
    page = web.page
    page.goto(f"/admin/processes/{KEY}/v1")
    page.wait_for_selector("#tdkt-modeler-app[data-ready=true]")
    modeler(page, """(m) => {
        const registry = m.get('elementRegistry'), modeling = m.get('modeling');
        const factory = m.get('bpmnFactory');
        const review = registry.get('review');
        const late = modeling.createShape({ type: 'bpmn:BoundaryEvent',
            eventDefinitionType: 'bpmn:TimerEventDefinition' },
            { x: review.x + review.width / 2, y: review.y + review.height }, review,
            { attach: true });
        modeling.updateProperties(late, { id: 'late', name: 'Quá hạn xem xét' });
        const end = modeling.createShape({ type: 'bpmn:EndEvent' },
            { x: review.x + review.width / 2, y: review.y + review.height + 80 }, review.parent);
        modeling.updateProperties(end, { id: 'end_late' });
        modeling.connect(late, end);
        m.get('selection').select(late);
    }""")
    assert page.locator('[data-group-id="group-timer"]').count() == 0  # the stock group
    mode = page.locator("select[name='tdkt-timer-mode']")
    value = page.locator("input[name='tdkt-timer-value']")

    def saved_timer() -> tuple[str, str]:
        xml = page.evaluate("async () => (await window.tdktModeler.saveXML()).xml")
        root = etree.fromstring(xml.encode())
        node = root.find(".//{*}boundaryEvent[@id='late']/{*}timerEventDefinition")
        child = [c for c in node if isinstance(c.tag, str)][0]
        return etree.QName(child).localname, child.text or ""

    assert mode.input_value() == "duration"
    value.fill("P3D")
    page.wait_for_timeout(600)  # the panel's text inputs are debounced
    assert saved_timer() == ("timeDuration", '"P3D"')
    value.fill("3 ngày")
    page.wait_for_timeout(600)
    assert "ISO 8601" in page.locator("#tdkt-properties .bio-properties-panel-error").inner_text()
    assert saved_timer() == ("timeDuration", '"P3D"')  # a bad value is not written
    mode.select_option("date")
    value.fill("15/01/2027 08:00")
    page.wait_for_timeout(600)
    assert saved_timer() == ("timeDate", '"2027-01-15T08:00"')
    mode.select_option("working_days")
    value.fill("5")
    page.wait_for_timeout(600)
    assert saved_timer() == ("timeDuration", "working_days(5)")
    web.shot("modeler_timer")

    page.get_by_role("button", name="Kiểm tra").click()
    page.locator("#tdkt-status", has_text="Không có lỗi nào.").wait_for()
    version = deploy_confirmed(page)
    services = live_server.app.extensions["tdkt"]
    with services.db.session() as session:
        xml = services.engine.process_xml(session, KEY, version)
    parser = TdktBpmnParser()
    parser.add_bpmn_str(xml.encode(), "x.bpmn")
    timer = parser.get_spec(KEY).task_specs["late"].event_definition
    assert isinstance(timer, EngineDurationTimer) and not isinstance(timer, EngineDateTimer)
    assert timer.expression == "working_days(5)"
    web.assert_clean()


def open_modeler(web: Watched, path: str = f"/admin/processes/{KEY}/v1") -> Any:
    """Sign in as the admin and open the modeler on ``path``; returns the page."""
    log_in(web, "quantri")
    web.page.goto(path)
    web.page.wait_for_selector("#tdkt-modeler-app[data-ready=true]")
    return web.page


def deploy_confirmed(page: Any) -> int:
    """Click «Triển khai phiên bản mới», confirm in the dialog; the new version's number
    (the editor then opens that version's page)."""
    page.get_by_role("button", name="Triển khai phiên bản mới").click()
    page.locator("#tdkt-deploy-dialog[open]").wait_for()
    page.locator("#tdkt-deploy-confirm").click()
    page.wait_for_url(re.compile(r"/admin/processes/[\w]+/v\d+$"))
    return int(page.url.rsplit("/v", 1)[1])
