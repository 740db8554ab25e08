"""bpmn-js's own texts (palette, context pad, replace menu, panel header) follow the
page's language: Vietnamese by default, English after switching to English."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from tests.e2e.test_modeler import KEY, copy_deployed, modeler, open_modeler  # noqa: F401  (fixture)

if TYPE_CHECKING:
    from tests.e2e.conftest import LiveServer, Watched


def titles(page: Any, selector: str) -> list[str]:
    return page.evaluate("(s) => [...document.querySelectorAll(s)].map(e => e.title)", selector)


def open_menus(page: Any) -> None:
    """Select the task "review" and open its replace menu (Change element)."""
    modeler(page, "(m) => m.get('selection').select(m.get('elementRegistry').get('review'))")
    page.locator(".djs-context-pad .entry[data-action='replace']").click()
    page.locator(".djs-popup").wait_for()


def test_palette_context_pad_and_replace_menu_speak_the_page_language(
        web: Watched, live_server: LiveServer, copy_deployed: str) -> None:  # noqa: F811
    page = open_modeler(web)
    palette = titles(page, ".djs-palette .entry")
    assert "Tạo bước (task)" in palette and "Tạo cổng rẽ nhánh" in palette
    assert not [t for t in palette if t.startswith(("Create", "Activate"))], palette
    open_menus(page)
    pad = titles(page, ".djs-context-pad .entry")
    assert "Xoá" in pad and "Đổi loại phần tử" in pad, pad
    menu = page.locator(".djs-popup").inner_text()
    assert "Bước tự động (service task)" in menu and "Service task" not in menu
    header = page.locator(".bio-properties-panel-header-type").inner_text()
    assert header.lower() == "bước người xử lý", header
    web.shot("modeler_replace_menu_vi")
    page.keyboard.press("Escape")

    page.goto(f"/admin/processes/{KEY}/v1?lang=en")
    page.wait_for_selector("#tdkt-modeler-app[data-ready=true]")
    assert "Create task" in titles(page, ".djs-palette .entry")
    open_menus(page)
    assert "Delete" in titles(page, ".djs-context-pad .entry")
    assert "Service task" in page.locator(".djs-popup").inner_text()
    page.goto(f"/admin/processes/{KEY}/v1?lang=vi")
    web.assert_clean()


VIETNAMESE = re.compile(r"[^\x00-\x7f«»—–…]")  # a letter with a diacritic


def panel_texts(page: Any, ident: str) -> list[str]:
    """The headers, labels and descriptions the properties panel shows for ``ident``
    (our groups: the TĐKT one and the handler's parameters)."""
    modeler(page, "(m, id) => m.get('selection').select(m.get('elementRegistry').get(id))",
            ident)
    page.locator("#tdkt-properties [data-group-id='group-tdkt']").wait_for()
    return page.evaluate("""() => [...document.querySelectorAll(
        "#tdkt-properties [data-group-id^='group-tdkt'] "
        + ":is(.bio-properties-panel-group-header-title, .bio-properties-panel-label,"
        + " .bio-properties-panel-description)")]
        .map(e => e.textContent.trim()).filter(Boolean)""")


def test_tdkt_group_speaks_the_page_language(
        web: Watched, live_server: LiveServer, copy_deployed: str) -> None:  # noqa: F811
    page = open_modeler(web)
    texts = panel_texts(page, "decide")
    assert "TĐKT (động cơ quy trình)" in texts and "Thời hạn xử lý (ngày làm việc)" in texts

    page.goto(f"/admin/processes/{KEY}/v1?lang=en")
    page.wait_for_selector("#tdkt-modeler-app[data-ready=true]")
    seen = {}
    for ident in ("lane_chair", "decide", "check", "flow_decide_approve"):
        seen[ident] = panel_texts(page, ident)
        assert not [t for t in seen[ident] if VIETNAMESE.search(t.replace("TĐKT", ""))], seen[ident]
    assert "Role that does the work (lane)" in seen["lane_chair"]
    assert {"TĐKT (process engine)", "Form (form key)", "Deadline (working days)",
            "Script run before the step (pre-script)"} <= set(seen["decide"]), seen["decide"]
    assert {"Handler", "Handler parameters"} <= set(seen["check"]), seen["check"]
    assert "Condition (Python expression)" in seen["flow_decide_approve"]
    panel_texts(page, "decide")
    due = page.get_by_label("Deadline (working days)")
    assert due.locator("option").first.inner_text() == "— not set —"
    web.shot("modeler_panel_en")
    page.goto(f"/admin/processes/{KEY}/v1?lang=vi")
    web.assert_clean()
