"""The comparison of two versions reads in words and fits a phone: at 375 px the list of
changes wraps (no part of it is cut off or pushes the page sideways). Screenshots
diff_words_1280.png and diff_words_375.png."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from engine.roles import SYSTEM
from tests.e2e.test_browser_walk import log_in
from tests.e2e.test_modeler import BPMN_DIR

if TYPE_CHECKING:
    from tests.e2e.conftest import LiveServer, Watched

KEY = "e2e_diff_words"


@pytest.fixture(scope="module")
def two_versions(live_server: LiveServer) -> str:
    xml = (BPMN_DIR / "award_revocation.bpmn").read_bytes().replace(b"award_revocation",
                                                                    KEY.encode())
    changed = xml.replace(b'name="dueWorkingDays" value="5"',
                          b'name="dueWorkingDays" value="setting:appraisal_working_days"')
    assert changed != xml
    services = live_server.app.extensions["tdkt"]
    with services.db.write_session() as session:
        services.engine.deploy(session, xml, SYSTEM, f"{KEY}.bpmn")
        services.engine.deploy(session, changed, SYSTEM, f"{KEY}.bpmn")
    return KEY


@pytest.mark.parametrize("width", [1280, 375])
def test_changes_read_in_words_and_fit(web: Watched, live_server: LiveServer,
                                       two_versions: str, width: int) -> None:
    page = web.page
    page.set_viewport_size({"width": width, "height": 900})
    log_in(web, "quantri")
    page.goto(f"/admin/processes/{KEY}/diff?a=1&b=2")
    page.wait_for_selector("#tdkt-diff[data-ready=true]")
    row = page.locator('#tdkt-changes tr[data-element-id="decide"]')
    text = " ".join(row.inner_text().split())
    assert "bước người xử lý" in text
    assert "thời hạn xử lý (ngày làm việc): 5 → setting:appraisal_working_days" in text
    assert "{" not in text
    overflow = page.evaluate("""() => {
        const cells = [...document.querySelectorAll('#tdkt-changes td')];
        const right = document.documentElement.clientWidth;
        return { page: document.documentElement.scrollWidth - right,
                 cut: cells.filter(c => c.getBoundingClientRect().right > right + 1
                                        || c.scrollWidth > c.clientWidth + 1).length };
    }""")
    assert overflow == {"page": 0, "cut": 0}, overflow
    row.scroll_into_view_if_needed()
    web.shot(f"diff_words_{width}")
    web.assert_clean()
