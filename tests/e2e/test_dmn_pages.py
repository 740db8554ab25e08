"""Decision tables in Chromium: "Kiểm tra" marks the bad cell in dmn-js's table and names
its rule in the list; the editor says a deployed table applies to every check from then
on; two versions compared as one table. Screenshots dmn_problems.png, dmn_diff.png (1280)
and dmn_diff_375.png, audited with axe-core."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tests.e2e.test_accessibility import audit
from tests.e2e.test_browser_walk import log_in

if TYPE_CHECKING:
    from tests.e2e.conftest import Watched


def test_a_bad_cell_is_marked_in_the_table(web: Watched) -> None:
    page: Any = web.page
    log_in(web, "quantri")
    page.goto("/admin/processes/dmn/LDTT")
    page.wait_for_selector("#tdkt-dmn-app[data-ready=true]")
    assert "kể cả các hồ sơ đang chạy" in page.locator("#tdkt-dmn-scope").inner_text()
    page.evaluate("""() => {  // the first rule's first condition becomes nonsense
        const m = window.tdktDmn.getActiveViewer();
        const entry = m.get('elementRegistry').get('rating_1_rating_rank');
        m.get('modeling').editCell(entry.businessObject, '>= = 2');
    }""")
    page.get_by_role("button", name="Kiểm tra").click()
    item = page.locator('#tdkt-problems button[data-element-id="rating_1_rating_rank"]')
    item.wait_for()
    assert "quy tắc số 1 (rating_1)" in item.inner_text()
    cell = page.locator('#tdkt-dmn td[data-element-id="rating_1_rating_rank"]')
    assert "tdkt-problem-error" in (cell.get_attribute("class") or "")
    assert cell.evaluate("(el) => getComputedStyle(el).backgroundColor") == "rgb(248, 215, 218)"
    item.click()  # the cell gets the focus; dmn-js re-renders it and the mark stays
    page.wait_for_function("""() => {
        const cell = document.querySelector(
            '#tdkt-dmn td[data-element-id="rating_1_rating_rank"]');
        return cell.contains(document.activeElement)
            && cell.classList.contains('tdkt-problem-error');
    }""")
    web.shot("dmn_problems")
    web.assert_clean()


def test_two_versions_compared_as_a_table(web: Watched, phone: Watched) -> None:
    found: list[str] = []
    for watched, name in ((web, "dmn_diff"), (phone, "dmn_diff_375")):
        page: Any = watched.page
        log_in(watched, "quantri")
        page.goto("/admin/processes/dmn/LDTT")
        page.wait_for_selector("#tdkt-dmn-app[data-ready=true]")
        if name == "dmn_diff":  # deploy once a table written differently, same rules
            page.evaluate("""() => {
                const m = window.tdktDmn.getActiveViewer();
                const entry = m.get('elementRegistry').get('no_discipline_1_discipline_rank');
                m.get('modeling').editCell(entry.businessObject, '== 0');  // same meaning
            }""")
            page.get_by_role("button", name="Triển khai phiên bản mới").click()
            page.locator("#tdkt-deploy-confirm").click()  # the confirmation dialog
            page.wait_for_url("**/dmn/LDTT?version=*")
            page.wait_for_selector("#tdkt-dmn-app[data-ready=true]")
        page.get_by_role("link", name="So sánh các phiên bản").click()
        page.wait_for_url("**/dmn/LDTT/diff")
        row = page.locator('tr[data-rule-id="no_discipline_1"]')
        assert row.get_attribute("data-status") == "changed"
        assert row.locator("del").first.inner_text() == "0"
        found += audit(watched, name)
        watched.shot(name)
        watched.assert_clean()
    assert not found, "\n".join(found)
