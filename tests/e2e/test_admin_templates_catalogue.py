"""The admin's templates page (with the kept versions) and the award catalogue (the vote's
rule, also without a threshold) in Chromium, at 1280 and 375 px: no console error, no
axe-core WCAG A/AA violation; screenshots to tests/e2e/screenshots/.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import TYPE_CHECKING

import docx

from engine import identity
from engine.roles import SYSTEM
from tests.e2e.test_accessibility import audit
from tests.e2e.test_browser_walk import log_in
from workflows.documents import admin as templates
from workflows.documents.render import PACKAGE_DIR

if TYPE_CHECKING:  # the fixtures' types (tests/e2e/conftest.py)
    from tests.e2e.conftest import LiveServer, Watched


def _two_versions(live_server: LiveServer) -> None:
    """Two replacements of the decision's Word template, so the page has a history."""
    svc = live_server.app.extensions["tdkt"]
    files = Path(live_server.app.config["FILES_DIR"])
    for text in ("Phiên bản thử 1", "Phiên bản thử 2"):
        document = docx.Document(str(PACKAGE_DIR / "quyet_dinh.docx"))
        document.add_paragraph(text)
        out = io.BytesIO()
        document.save(out)
        with svc.db.write_session() as s:
            admin = identity.actor_of(identity.find_user(s, "quantri"))
            templates.replace_template(s, admin, files, "quyet_dinh.docx", out.getvalue())
    with svc.db.write_session() as s:  # back to the original: both stay in the history
        templates.restore_template(s, SYSTEM, files, "quyet_dinh.docx")


def test_templates_and_catalogue_pages(web: Watched, phone: Watched,
                                       live_server: LiveServer) -> None:
    _two_versions(live_server)
    found: list[str] = []
    for watched, width in ((web, 1280), (phone, 375)):
        log_in(watched, "quantri")
        page = watched.page
        page.goto("/admin/templates")
        history = page.locator("details", has_text="Các phiên bản đã dùng (2)")
        assert history.count() == 1
        history.locator("summary").click()
        assert history.get_by_role("button", name="Dùng lại").count() == 2
        watched.shot(f"admin-templates-{width}")
        found += audit(watched, f"templates, {width}")
        watched.assert_clean()
        page.goto("/admin/catalogue")
        assert page.locator("td:visible, li:visible", has_text="quá nửa").count() >= 3
        watched.shot(f"admin-catalogue-{width}")
        found += audit(watched, f"catalogue, {width}")
        watched.assert_clean()
        page.goto("/admin/catalogue/LDTT")
        assert page.get_by_text("áp dụng cả khi để trống tỷ lệ tối thiểu").is_visible()
        watched.shot(f"admin-catalogue-ldtt-{width}")
        found += audit(watched, f"catalogue LDTT, {width}")
        watched.assert_clean()
    assert not found, "\n".join(found)
