"""Validation in the modeler: after "Kiểm tra" every kind of problem is marked on its own
element — red for errors, orange for warnings — and listed; a problem with no element
(the parser's own) is listed too. Screenshot tests/e2e/screenshots/modeler_problems.png."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from tests.e2e.test_browser_walk import log_in
from tests.e2e.test_modeler import KEY, copy_deployed, modeler  # noqa: F401  (fixture)

if TYPE_CHECKING:
    from tests.e2e.conftest import LiveServer, Watched

RED, ORANGE = "rgb(176, 42, 55)", "rgb(179, 92, 0)"
VIETNAMESE = re.compile(r"[^\x00-\x7f«»—–…]")  # a letter with a diacritic

# Each a problem of its own kind, on its own element of award_revocation.
BREAK_EVERYTHING = """(m) => {
    const registry = m.get('elementRegistry'), modeling = m.get('modeling');
    const bo = (id) => registry.get(id).businessObject;
    const ext = (id, type) => bo(id).extensionElements.values.find(v => v.$type === type);
    modeling.updateLabel(registry.get('lane_council'), 'Phòng lạ (nobody)');
    // a step of its own (nothing leads to it: it is unreachable as well), so the unknown
    // form does not hide what the conditions after the other steps read
    const lane = registry.get('lane_secretariat');
    const orphan = modeling.createShape({ type: 'bpmn:UserTask' },
        { x: lane.x + lane.width - 80, y: lane.y + lane.height - 45 }, lane.parent);
    modeling.updateProperties(orphan, { id: 'orphan_form', name: 'Bước biểu mẫu lạ' });
    const props = m.get('moddle').create('spiffworkflow:properties', { properties: [
        m.get('moddle').create('spiffworkflow:property', { name: 'formKey',
                                                           value: 'no_such_form' })] });
    modeling.updateProperties(orphan, { extensionElements:
        m.get('moddle').create('bpmn:ExtensionElements', { values: [props] }) });
    ext('check', 'spiffworkflow:serviceTaskOperator').id = 'no_such_handler';
    modeling.updateProperties(registry.get('gw_decide'), { default: undefined });
    const moddle = m.get('moddle');
    modeling.updateProperties(registry.get('flow_decide_approve'), { conditionExpression:
        moddle.create('bpmn:FormalExpression', { body: '().__class__' }) });
    modeling.updateProperties(registry.get('flow_review_revoke'), { conditionExpression:
        moddle.create('bpmn:FormalExpression', { body: 'recomend == "revoke"' }) });
    const script = m.get('bpmnReplace').replaceElement(registry.get('issue'),
        { type: 'bpmn:ScriptTask' });
    modeling.updateProperties(script, { script: 'import os', scriptFormat: 'python' });
}"""

EXPECTED = (  # element id, code, severity
    ("lane_council", "role.unknown", "error"),
    ("orphan_form", "form.unknown", "error"),
    ("check", "handler.unknown", "error"),
    ("gw_decide", "gateway.no_default", "error"),
    ("flow_decide_approve", "code.rejected", "error"),
    ("issue", "code.rejected", "error"),
    ("flow_review_revoke", "condition.unknown_data", "warning"),
)


def test_each_problem_kind_is_marked_on_its_element(web: Watched, live_server: LiveServer,
                                                    copy_deployed: str) -> None:  # noqa: F811
    page = web.page
    log_in(web, "quantri")
    page.goto(f"/admin/processes/{KEY}/v1")
    page.wait_for_selector("#tdkt-modeler-app[data-ready=true]")
    modeler(page, BREAK_EVERYTHING)
    page.get_by_role("button", name="Kiểm tra").click()
    page.locator("#tdkt-status", has_text="lỗi").wait_for()
    assert page.locator("#tdkt-status").inner_text() == "8 lỗi, 1 cảnh báo."
    listed = page.evaluate("""() => [...document.querySelectorAll('#tdkt-problems button')]
        .map(b => [b.dataset.elementId, b.dataset.code,
                   b.classList.contains('tdkt-problem-warning') ? 'warning' : 'error'])""")
    for ident, code, severity in EXPECTED:
        assert [ident, code, severity] in listed, (ident, code, listed)
        marked = page.locator(f'.djs-element[data-element-id="{ident}"]').first
        assert f"tdkt-problem-{severity}" in (marked.get_attribute("class") or ""), ident
        stroke = marked.evaluate("""(el) => getComputedStyle(
            el.querySelector('.djs-visual > path, .djs-visual > :first-child')).stroke""")
        assert stroke == (ORANGE if severity == "warning" else RED), (ident, stroke)
        badge = page.locator(f'.djs-overlays[data-container-id="{ident}"] '
                             f'.tdkt-problem-badge.tdkt-problem-{severity}')
        assert badge.count() == 1, ident
    # an unknown-data warning is not an error anywhere on the diagram
    assert page.locator('.djs-element.tdkt-problem-error[data-element-id="flow_review_revoke"]'
                        ).count() == 0
    page.locator('#tdkt-problems button[data-element-id="gw_decide"]').click()
    assert modeler(page, "(m) => m.get('selection').get().map(e => e.id)") == ["gw_decide"]
    web.shot("modeler_problems")

    # The gateway mended, a call to a process that does not exist: the parser's problem has
    # no element, and is listed all the same with its message; the gateway is unmarked.
    modeler(page, """(m) => {
        const registry = m.get('elementRegistry'), modeling = m.get('modeling');
        modeling.updateProperties(registry.get('gw_decide'),
            { default: registry.get('flow_decide_reject').businessObject });
        modeling.updateProperties(registry.get('forward_province'),
            { calledElement: 'khong_co_quy_trinh' });
    }""")
    page.get_by_role("button", name="Kiểm tra").click()
    unplaced = page.locator('#tdkt-problems button[data-element-id=""]')
    unplaced.wait_for()
    assert "khong_co_quy_trinh" in unplaced.inner_text()
    assert page.locator('#tdkt-problems button[data-element-id="gw_decide"]').count() == 0
    assert "tdkt-problem" not in (page.locator('.djs-element[data-element-id="gw_decide"]')
                                  .first.get_attribute("class") or "")
    web.assert_clean()


def test_the_english_modeler_lists_and_marks_problems_in_english(
        web: Watched, live_server: LiveServer, copy_deployed: str) -> None:  # noqa: F811
    page = web.page
    log_in(web, "quantri")
    page.goto(f"/admin/processes/{KEY}/v1?lang=en")
    page.wait_for_selector("#tdkt-modeler-app[data-ready=true]")
    modeler(page, BREAK_EVERYTHING)
    page.get_by_role("button", name="Check", exact=True).click()
    page.locator("#tdkt-problems button").first.wait_for()
    messages = page.evaluate("""() => [...document.querySelectorAll('#tdkt-problems button')]
        .map(b => [b.dataset.code, b.querySelector('span').textContent])""")
    assert len(messages) == 9, messages
    for code, text in messages:  # names from the diagram are «quoted»
        assert not VIETNAMESE.search(re.sub(r"«[^»]*»", "", text)), (code, text)
    assert ["form.unknown", "Form «no_such_form» is not registered."] in messages
    assert page.locator("#tdkt-status").inner_text() == "8 errors, 1 warning."
    badge = page.locator('.djs-overlays[data-container-id="check"] .tdkt-problem-badge')
    assert badge.get_attribute("title") == "There is no handler named «no_such_handler»."
    web.shot("modeler_problems_en")
    page.goto(f"/admin/processes/{KEY}/v1?lang=vi")
    web.assert_clean()
