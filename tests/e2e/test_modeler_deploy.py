"""The modeler asks before it deploys: a modal dialog names the version it will make and
how many dossiers stay on the old one, and lists the changes; «Hủy» (or Esc) deploys
nothing; after a confirmed deploy the page is the new version's, with the message.
Checking twice from a version keeps one draft. Screenshots at 1280 and 375 px."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from playwright.sync_api import expect

from tests.e2e.test_accessibility import audit
from tests.e2e.test_modeler import KEY, copy_deployed, modeler, open_modeler  # noqa: F401

if TYPE_CHECKING:
    from tests.e2e.conftest import LiveServer, Watched


def _draft_count(live_server: LiveServer) -> int:
    from sqlalchemy import func, select

    from engine.store.models import ProcessDraft

    with live_server.app.extensions["tdkt"].db.session() as session:
        return int(session.scalar(select(func.count()).select_from(ProcessDraft).where(
            ProcessDraft.process_key == KEY, ProcessDraft.status == "draft")) or 0)


@pytest.mark.parametrize("size", ["web", "phone"])
def test_deploy_asks_first_then_opens_the_new_version(
        size: str, request: pytest.FixtureRequest, live_server: LiveServer,
        copy_deployed: str) -> None:  # noqa: F811
    watched: Watched = request.getfixturevalue(size)
    suffix = "1280" if size == "web" else "375"
    drafts_before = _draft_count(live_server)
    page = open_modeler(watched, f"/admin/processes/{KEY}/v1")
    had_open = page.locator("#tdkt-open-draft").count() == 1  # (an earlier test's)
    open_after_check = drafts_before + (0 if had_open else 1)
    latest = int(page.locator("#tdkt-page-state a").inner_text().split()[-1]) \
        if page.locator("#tdkt-page-state").count() else 1
    modeler(page, """(m, name) => m.get('modeling').updateLabel(
        m.get('elementRegistry').get('review'), name)""", f"Xem xét ({suffix})")
    for _ in range(2):  # check twice from the version: one draft
        page.get_by_role("button", name="Kiểm tra").click()
        page.locator("#tdkt-status", has_text="Không có lỗi nào.").wait_for()
    assert _draft_count(live_server) == open_after_check  # the open draft was updated
    draft = page.url.rsplit("/", 1)[1]  # the page is the draft's now, and says so
    for crumb in ("#tdkt-crumb", "#tdkt-crumb-trail"):
        expect(page.locator(crumb)).to_have_text(f"Bản nháp #{draft}")
    expect(page.locator("#tdkt-version-state")).to_have_count(0)

    page.get_by_role("button", name="Triển khai phiên bản mới").click()
    dialog = page.get_by_role("dialog", name=f"Triển khai phiên bản {latest + 1}?")
    expect(dialog).to_be_visible()
    assert "hồ sơ" in dialog.inner_text() and f"Xem xét ({suffix})" in dialog.inner_text()
    expect(dialog.get_by_role("button", name="Hủy")).to_be_focused()
    watched.shot(f"modeler-deploy-dialog-{suffix}")
    found = audit(watched, f"deploy dialog ({suffix})")
    page.keyboard.press("Escape")  # nothing deployed
    expect(dialog).to_be_hidden()
    expect(page.locator("#tdkt-status")).to_have_text("Đã hủy triển khai; chưa có gì thay đổi.")

    page.get_by_role("button", name="Triển khai phiên bản mới").click()
    dialog.get_by_role("button", name=f"Triển khai phiên bản {latest + 1}").click()
    page.wait_for_url(f"**/admin/processes/{KEY}/v{latest + 1}")
    page.wait_for_selector("#tdkt-modeler-app[data-ready=true]")
    expect(page.locator("#tdkt-crumb")).to_have_text(f"Phiên bản {latest + 1}")
    expect(page.get_by_text(f"thành phiên bản {latest + 1}.")).to_be_visible()
    expect(page.get_by_text("Đang dùng cho hồ sơ mới")).to_be_visible()
    assert _draft_count(live_server) == open_after_check - 1  # deployed: listed no more
    watched.shot(f"modeler-after-deploy-{suffix}")
    found += audit(watched, f"after deploy ({suffix})")
    watched.assert_clean()
    assert not found, "\n".join(found)
