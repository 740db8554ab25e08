"""Admin pages in Vietnamese have no English left: dmn-js's decision table speaks
Vietnamese (English after switching), and the breadcrumbs of the admin pages are named in
the page's language. Screenshot dmn_table_vi.png."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tests.e2e.test_browser_walk import log_in

if TYPE_CHECKING:
    from tests.e2e.conftest import Watched


def test_decision_table_and_breadcrumbs_in_the_page_language(web: Watched) -> None:
    page: Any = web.page
    log_in(web, "quantri")
    page.goto("/admin/processes/dmn/LDTT")
    page.wait_for_selector("#tdkt-dmn-app[data-ready=true]")
    table = page.locator("#tdkt-dmn").inner_text()
    assert "Khi" in table and "Thì" in table and "Chính sách chọn luật" in table, table
    assert "When" not in table and "Hit policy" not in table
    assert "Gom tất cả (Collect)" in table
    web.shot("dmn_table_vi")
    for path in ("/admin/processes", "/admin/templates", "/admin/migrations"):
        page.goto(path)
        assert page.locator("nav[aria-label='Đường dẫn']").count() == 1, path
        assert page.locator("nav[aria-label='breadcrumb']").count() == 0, path

    page.goto("/admin/processes/dmn/LDTT?lang=en")
    page.wait_for_selector("#tdkt-dmn-app[data-ready=true]")
    assert "Hit policy" in page.locator("#tdkt-dmn").inner_text()
    page.goto("/admin/processes/dmn/LDTT?lang=vi")
    web.assert_clean()
