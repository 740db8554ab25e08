"""Accessibility audit: axe-core (from npm) in every page people use, at 1280 and 375 px.

Each page must have no violation of the WCAG 2.0/2.1 A and AA rules axe checks (contrast,
labels, landmarks, names of links and buttons, ...). The navigation's drop-down lists
(the bell, the steps of the inbox) are opened and audited too. Screenshots of the inbox,
the dossier lists, the start page, the bell and the notifications page go to
tests/e2e/screenshots/. Every page is served with its Content-Security-Policy: a page
whose bundle broke it would log a console error and fail ``visit``.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from engine import identity
from webapp.demo import DEMO_PASSWORD
from workflows.dossier import add_attachment

if TYPE_CHECKING:  # the fixtures' types (tests/e2e/conftest.py)
    from tests.e2e.conftest import LiveServer, Watched

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
PDF = b"%PDF-1.4\n% dossier item\n"


@pytest.fixture(scope="module")
def at_appraisal(live_server: LiveServer) -> dict[str, Any]:
    """An ad-hoc award proposed by ``donvi_kt``, now at the secretariat's appraisal (so
    ``thuky`` has a task and a notification)."""
    svc, files = live_server.app.extensions["tdkt"], Path(live_server.app.config["FILES_DIR"])
    with svc.db.write_session() as session:
        kt = identity.actor_of(identity.find_user(session, "donvi_kt"))
        inst = svc.engine.start_instance(session, "adhoc_award", kt, business_key="DX-A11Y")
    for item in ("to_trinh", "tom_tat_thanh_tich"):
        with svc.db.write_session() as session:
            add_attachment(session, svc.engine, kt, inst["id"], item, f"{item}.pdf",
                           PDF + item.encode(), files)
    with svc.db.write_session() as session:
        after = svc.engine.complete_task(session, inst["tasks"][0]["id"], kt, {
            "nominee_name": "Hoàng Minh Tuấn", "subject_kind": "individual",
            "award_code": "GK", "deed_summary": "Phát hiện kịp thời sai sót trong hồ sơ.",
            "deed_date": "2026-10-02"})
    assert after["status"] == "running", after.get("error")
    return {"instance_id": inst["id"], "task_id": after["tasks"][0]["id"]}


def audit(web: Watched, where: str) -> list[str]:
    """axe-core's WCAG A/AA violations on the current page, one line per element."""
    page = web.page
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        # through DevTools, not a <script> element: the pages' CSP allows no inline script
        page.evaluate(AXE.read_text(encoding="utf-8"))
    result = page.evaluate(
        "async (tags) => await axe.run(document, {runOnly: {type: 'tag', values: tags}})",
        TAGS)
    return [f"{where}: {v['id']} ({v['impact']}) {v['help']} → {n['target']} "
            f"{n.get('failureSummary', '')}".replace("\n", " ")
            for v in result["violations"] for n in v["nodes"]]


def visit(web: Watched, path: str, where: str) -> list[str]:
    web.page.goto(path)
    web.page.wait_for_load_state("networkidle")
    if path.startswith("/instances/"):
        web.page.wait_for_selector("#tdkt-diagram[data-ready='true']")
    found = audit(web, where)
    web.assert_clean()
    return found


def log_in(web: Watched, username: str) -> None:
    page = web.page
    page.goto("/login")
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url(re.compile(r"/(\?.*)?$"))


def open_menu(web: Watched) -> None:
    """On a phone the navigation is folded behind its toggler: open it."""
    toggler = web.page.locator(".navbar-toggler")
    if toggler.is_visible():
        toggler.click()
        web.page.wait_for_selector("#tdkt-menu.show")


def audit_all(web: Watched, case: dict[str, Any], size: str) -> list[str]:
    found = visit(web, "/login", f"login@{size}")
    log_in(web, "donvi_kt")
    for path, name in (("/nominations", "nominations"), ("/nominations/new", "nomination-new"),
                       ("/nominations?view=mine", "nominations-mine"),
                       ("/password", "password"), (f"/instances/{case['instance_id']}",
                                                   "instance-submitter"),
                       ("/registry", "registry"), ("/movements", "movements")):
        found += visit(web, path, f"{name}@{size}")
        if name.startswith("nomination"):
            web.shot(f"{name}-{size}")
    open_menu(web)
    web.page.locator("summary.tdkt-user-button").click()
    found += audit(web, f"user-menu@{size}")  # the open menu passes axe too
    web.page.get_by_role("button", name="Đăng xuất").click()
    web.page.wait_for_url(re.compile(r"/login"))

    log_in(web, "thuky")
    found += visit(web, "/", f"inbox@{size}")
    web.shot(f"inbox-{size}")
    found += visit(web, "/nominations", f"nominations-all@{size}")
    web.shot(f"nominations-all-{size}")
    found += visit(web, "/registry", f"registry-office@{size}")
    found += visit(web, "/movements", f"movements-office@{size}")
    web.page.goto("/")
    steps = web.page.locator(".tdkt-nav-inbox summary")
    if steps.is_visible():  # on a phone the inbox page's own list of steps stands in
        steps.click()
        found += audit(web, f"inbox-steps-open@{size}")
        web.shot(f"inbox-steps-open-{size}")
    else:
        open_menu(web)
        found += audit(web, f"menu-open@{size}")
        web.shot(f"menu-open-{size}")
    found += visit(web, f"/tasks/{case['task_id']}", f"task@{size}")
    found += visit(web, f"/instances/{case['instance_id']}", f"instance@{size}")
    found += visit(web, "/notifications", f"notifications@{size}")
    web.shot(f"notifications-{size}")
    web.page.locator(".tdkt-bell summary").click()
    found += audit(web, f"bell-open@{size}")
    web.shot(f"bell-open-{size}")
    return found


def test_every_page_passes_axe_on_a_laptop(web: Watched, at_appraisal: dict[str, Any]) -> None:
    violations = audit_all(web, at_appraisal, "1280")
    assert not violations, "\n".join(violations)


def test_every_page_passes_axe_on_a_phone(phone: Watched, at_appraisal: dict[str, Any]
                                          ) -> None:
    violations = audit_all(phone, at_appraisal, "375")
    width = phone.page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, f"the page scrolls sideways at 375 px ({width} px wide)"
    assert not violations, "\n".join(violations)


def test_the_bell_closes_with_escape_and_opens_the_task(web: Watched,
                                                        at_appraisal: dict[str, Any]) -> None:
    page = web.page
    log_in(web, "thuky")
    bell = page.locator("details.tdkt-bell")
    summary = bell.locator("summary")
    label = summary.get_attribute("aria-label") or ""
    assert re.fullmatch(r"Thông báo: [1-9]\d* chưa đọc", label), label
    summary.click()
    assert bell.get_attribute("open") is not None
    page.keyboard.press("Escape")
    assert bell.get_attribute("open") is None
    assert page.evaluate("document.activeElement.tagName") == "SUMMARY"
    summary.click()
    page.locator("h1").click()  # a click elsewhere closes it too
    assert bell.get_attribute("open") is None

    summary.click()
    bell.get_by_role("button", name=re.compile("Thẩm định hồ sơ")).first.click()
    page.wait_for_url(re.compile(rf"/tasks/{at_appraisal['task_id']}$"))
    after = page.locator("details.tdkt-bell summary").get_attribute("aria-label")
    assert after == f"Thông báo: {int(label.split()[2]) - 1} chưa đọc"
    web.assert_clean()


def test_the_inbox_fits_a_phone_as_cards_with_the_claim_button_in_view(
        phone: Watched, at_appraisal: dict[str, Any]) -> None:
    page = phone.page
    log_in(phone, "thuky")
    page.goto("/")
    claim = page.get_by_role("button", name=re.compile("^Nhận việc: ")).first
    box = claim.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 375, box
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    header = page.locator("table.tdkt-cards thead")
    assert header.evaluate("el => getComputedStyle(el).position") == "absolute"
    assert page.get_by_role("columnheader", name="Hạn xử lý").count() == 1  # still a table
    phone.shot("inbox-cards-375")
    phone.assert_clean()


def test_the_bell_counts_a_new_notification_without_a_reload(
        web: Watched, live_server: LiveServer, at_appraisal: dict[str, Any]) -> None:
    page = web.page
    log_in(web, "thuky")
    count = page.locator("details.tdkt-bell .tdkt-bell-count")
    before = int(count.inner_text() or 0) if count.is_visible() else 0
    svc = live_server.app.extensions["tdkt"]
    with svc.db.write_session() as session:  # a colleague's unit proposes another award
        kt = identity.actor_of(identity.find_user(session, "donvi_kt"))
        inst = svc.engine.start_instance(session, "adhoc_award", kt, business_key="DX-BELL")
    for item in ("to_trinh", "tom_tat_thanh_tich"):
        with svc.db.write_session() as session:
            add_attachment(session, svc.engine, kt, inst["id"], item, f"{item}.pdf",
                           PDF + item.encode(), Path(live_server.app.config["FILES_DIR"]))
    with svc.db.write_session() as session:
        svc.engine.complete_task(session, inst["tasks"][0]["id"], kt, {
            "nominee_name": "Vũ Đức Thắng", "subject_kind": "individual", "award_code": "GK",
            "deed_summary": "Xử lý nhanh một hồ sơ khẩn.", "deed_date": "2026-10-05"})
    page.evaluate("window.dispatchEvent(new Event('focus'))")  # as when one comes back to it
    summary = page.locator("details.tdkt-bell summary")
    summary.and_(page.locator(f"[aria-label='Thông báo: {before + 1} chưa đọc']")).wait_for()
    assert count.inner_text() == str(before + 1)
    summary.click()
    page.locator(".tdkt-bell-menu").get_by_text("DX-BELL").first.wait_for()
    web.shot("bell-refreshed-1280")
    web.assert_clean()
