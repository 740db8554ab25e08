"""The admin pages for people and data in Chromium: axe-core clean at 1280 and 375 px.

Each page is opened as the demo admin ``quantri``, audited for WCAG A/AA violations and
photographed to tests/e2e/screenshots/admin-<page>-<width>.png; the unit tree's branches
fold with the keyboard, and a refused form shows its errors beside the fields.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from tests.e2e.test_accessibility import audit, log_in

if TYPE_CHECKING:
    from tests.e2e.conftest import Watched

PAGES = {
    "index": "/admin",
    "users": "/admin/users",
    "user-new": "/admin/users/new",
    "user-edit": "/admin/users/1",
    "units": "/admin/units",
    "unit-edit": "/admin/units/KT",
    "catalogue": "/admin/catalogue",
    "catalogue-edit": "/admin/catalogue/CSTD_CS",
    "catalogue-new": "/admin/catalogue/new",
    "settings": "/admin/settings",
}


@pytest.mark.parametrize("device", ["web", "phone"])
def test_admin_pages_are_accessible(device: str, request: pytest.FixtureRequest) -> None:
    watched: Watched = request.getfixturevalue(device)
    width = 1280 if device == "web" else 375
    log_in(watched, "quantri")
    found: list[str] = []
    for name, path in PAGES.items():
        watched.page.goto(path)
        watched.page.wait_for_load_state("networkidle")
        found += audit(watched, f"{path} @{width}")
        watched.assert_clean()
        scroll = watched.page.evaluate("document.documentElement.scrollWidth")
        assert scroll <= width, f"{path} is {scroll} px wide at {width} px"
        watched.shot(f"admin-{name}-{width}")
    assert not found, "\n".join(found)


def test_unit_tree_folds_and_a_refused_form_shows_errors(web: Watched) -> None:
    page = web.page
    log_in(web, "quantri")
    page.goto("/admin/units")
    toggle = page.locator("li[data-unit='VP'] > button[data-bs-toggle='collapse']")
    kt = page.locator("li[data-unit='KT']")
    assert kt.is_visible() and toggle.get_attribute("aria-expanded") == "true"
    toggle.focus()
    page.keyboard.press("Enter")
    kt.wait_for(state="hidden")
    assert toggle.get_attribute("aria-expanded") == "false"
    page.keyboard.press("Enter")
    kt.wait_for(state="visible")
    page.goto("/admin/users/new")
    page.get_by_label("Tên đăng nhập").fill("a b")
    page.get_by_label("Họ và tên").fill("Nguyễn Văn Mới")
    page.get_by_label("Mật khẩu ban đầu").fill("123")
    page.get_by_role("button", name="Tạo tài khoản").click()
    page.wait_for_load_state("networkidle")
    web.assert_clean(expected="422")
    assert page.get_by_label("Họ và tên").input_value() == "Nguyễn Văn Mới"
    assert page.locator("#f-username-error").is_visible()
    assert page.get_by_label("Tên đăng nhập").get_attribute("aria-invalid") == "true"
    web.shot("admin-user-new-errors-1280")


def test_a_new_title_then_retired_in_the_browser(web: Watched) -> None:
    page = web.page
    log_in(web, "quantri")
    page.goto("/admin/catalogue")
    page.get_by_role("link", name="Thêm danh hiệu, hình thức").click()
    page.get_by_label("Mã").fill("gk_e2e")
    page.get_by_label("Tên danh hiệu, hình thức").fill("Giấy khen thử nghiệm")
    page.get_by_label("Cấp quyết định").fill("Chánh Văn phòng")
    page.get_by_label("Sao chép giá trị và điều kiện từ").select_option("GK")
    page.get_by_role("button", name="Thêm vào danh mục").click()
    page.wait_for_url("**/admin/catalogue/GK_E2E")
    assert "Đã thêm Giấy khen thử nghiệm (GK_E2E)" in page.locator("main").inner_text()
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Ngừng sử dụng").click()
    page.get_by_role("button", name="Dùng lại").wait_for()
    web.shot("admin-catalogue-retired-1280")
    page.goto("/admin/catalogue")
    row = page.locator("tr", has_text="GK_E2E")
    assert "Ngừng dùng" in row.inner_text()
    web.assert_clean()
