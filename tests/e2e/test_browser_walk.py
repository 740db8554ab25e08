"""An ad-hoc award walked in Chromium: propose, return for supplement, supplement, approve.

The nomination is started and its two dossier files (tờ trình, tóm tắt thành tích) filed
through the services, as a start page is not what is tested here; every step after that is
done by people in the browser: log in through the form, open the task from the inbox, fill
the fields by their labels, press the decision buttons. Every page must be free of console
errors; screenshots go to tests/e2e/screenshots/ (git-ignored).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.error import HTTPError
from urllib.request import urlopen

from engine import identity
from webapp.demo import DEMO_PASSWORD
from workflows.dossier import add_attachment

if TYPE_CHECKING:  # the fixtures' types (tests/e2e/conftest.py)
    from tests.e2e.conftest import LiveServer, Watched

KEY = "adhoc_award"
NOMINEE_CODE, NOMINEE_NAME = "KT05", "Hoàng Minh Tuấn"  # webapp/demo_registry.py
PDF = b"%PDF-1.4\n% dossier item\n"
STEP = {"propose": "Lập tờ trình đề nghị khen thưởng đột xuất", "supplement": "Bổ sung hồ sơ",
        "appraise": "Thẩm định hồ sơ"}


def start_with_dossier(server: LiveServer) -> int:
    """``donvi_kt`` starts an ad-hoc award and files the simplified procedure's dossier."""
    svc = server.app.extensions["tdkt"]
    files = Path(server.app.config["FILES_DIR"])
    with svc.db.write_session() as session:
        actor = identity.actor_of(identity.find_user(session, "donvi_kt"))
        inst = svc.engine.start_instance(session, KEY, actor, business_key="DX-E2E-KT05")
    for item in ("to_trinh", "tom_tat_thanh_tich"):
        with svc.db.write_session() as session:
            add_attachment(session, svc.engine, actor, inst["id"], item, f"{item}.pdf",
                           PDF + item.encode(), files)
    instance_id: int = inst["id"]
    return instance_id


def log_in(web: Watched, username: str, shot: str | None = None) -> None:
    page = web.page
    page.goto("/login")
    if shot:
        web.shot(shot)
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url(re.compile(r"/(\?.*)?$"))
    assert page.get_by_role("heading", name="Hộp công việc").is_visible()
    web.assert_clean()


def log_out(web: Watched) -> None:
    """Sign out from the person's menu (behind the toggler on a phone)."""
    toggler = web.page.locator(".navbar-toggler")
    if toggler.is_visible():
        toggler.click()
        web.page.wait_for_selector("#tdkt-menu.show")
    web.page.locator("summary.tdkt-user-button").click()
    web.page.get_by_role("button", name="Đăng xuất").click()
    web.page.wait_for_url(re.compile(r"/login"))
    web.assert_clean()


def open_task(web: Watched, instance_id: int, step: str) -> None:
    """From the inbox, open the step (through the instance page when the row leads there)."""
    page = web.page
    page.goto("/")
    row = page.locator("tr", has=page.locator(f"a[href$='/instances/{instance_id}']"))
    row.get_by_role("link", name=step).click()
    page.wait_for_load_state()
    if "/instances/" in page.url:
        web.assert_clean()
        page.get_by_role("link", name=step).click()
    page.wait_for_url(re.compile(r"/tasks/"))
    assert page.get_by_role("heading", name=step, level=1).is_visible()
    web.assert_clean()


def fill_proposal(page: Any, summary: str, deed_date: str) -> None:
    page.get_by_label("Tên cá nhân / tập thể được đề nghị").fill(NOMINEE_NAME)
    page.get_by_label("Cá nhân", exact=True).check()
    page.get_by_label("Giấy khen của Chánh Văn phòng").check()
    page.get_by_role("textbox", name="Tóm tắt thành tích").fill(summary)
    page.get_by_label("Ngày lập thành tích").fill(deed_date)


def submit_and_back_to_inbox(web: Watched, button: str) -> None:
    web.page.get_by_role("button", name=button, exact=True).click()
    web.page.wait_for_url(re.compile(r"/(\?.*)?$"))
    assert web.page.get_by_role("status").filter(has_text="Đã hoàn thành").is_visible()
    web.assert_clean()


def test_adhoc_award_returned_supplemented_and_approved(web: Watched, live_server: LiveServer
                                                        ) -> None:
    page = web.page
    instance_id = start_with_dossier(live_server)

    log_in(web, "donvi_kt", shot="login")
    web.shot("inbox")
    open_task(web, instance_id, STEP["propose"])
    fill_proposal(page, "Phát hiện kịp thời sai sót trong hồ sơ thanh toán.", "31/02/2026")
    page.get_by_role("button", name="Hoàn thành").click()
    date_input = page.get_by_label("Ngày lập thành tích")
    assert date_input.get_attribute("aria-invalid") == "true"
    assert page.locator("#f-deed_date-error").inner_text().strip()
    assert date_input.input_value() == "31/02/2026"  # what was typed stays
    summary = page.get_by_role("textbox", name="Tóm tắt thành tích")
    assert summary.input_value().startswith("Phát hiện")
    web.shot("task-form-error")
    web.assert_clean(expected="status of 422")  # the form sent back with its errors
    date_input.fill("02/10/2026")
    submit_and_back_to_inbox(web, "Hoàn thành")
    log_out(web)

    log_in(web, "thuky")
    open_task(web, instance_id, STEP["appraise"])
    page.get_by_label("Ý kiến", exact=True).fill(
        "Bổ sung xác nhận của đơn vị về số tiền phát hiện sai sót.")
    submit_and_back_to_inbox(web, "Trả lại bổ sung")
    log_out(web)

    log_in(web, "donvi_kt")
    open_task(web, instance_id, STEP["supplement"])
    assert page.get_by_label("Tên cá nhân / tập thể được đề nghị").input_value() == NOMINEE_NAME
    page.get_by_role("textbox", name="Tóm tắt thành tích").fill(
        "Phát hiện kịp thời sai sót 120 triệu đồng trong hồ sơ thanh toán; có xác nhận.")
    submit_and_back_to_inbox(web, "Hoàn thành")
    log_out(web)

    log_in(web, "thuky")
    open_task(web, instance_id, STEP["appraise"])
    page.get_by_label("Cá nhân / tập thể được đề nghị", exact=True).select_option(NOMINEE_CODE)
    page.get_by_label("Ý kiến", exact=True).fill("Đúng thành tích, đủ hồ sơ.")
    submit_and_back_to_inbox(web, "Đồng ý")

    page.goto(f"/instances/{instance_id}")
    diagram = page.locator("#tdkt-diagram")
    diagram.locator("svg").first.wait_for()
    page.wait_for_selector("#tdkt-diagram[data-ready='true']")
    decide = diagram.locator("g.djs-element[data-element-id='decide']")
    assert "tdkt-current" in (decide.get_attribute("class") or "")
    done = diagram.locator("g.djs-element.tdkt-done")
    assert {done.nth(i).get_attribute("data-element-id") for i in range(done.count())} >= {
        "propose", "supplement", "appraise"}
    # the chair's step: named for the secretariat, not linked (its page would be 403)
    waiting = page.locator("section[aria-labelledby='tasks-title']")
    assert waiting.get_by_text("Xem xét, quyết định khen thưởng").is_visible()
    assert page.get_by_role("link", name="Xem xét, quyết định khen thưởng").count() == 0
    web.shot("instance")
    web.assert_clean()


def test_inbox_fits_a_phone(phone: Watched, live_server: LiveServer) -> None:
    start_with_dossier(live_server)
    log_in(phone, "donvi_kt")
    width = phone.page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, f"the inbox scrolls sideways at 375 px ({width} px wide)"
    phone.shot("inbox-375")
    phone.assert_clean()


def test_favicon_is_served(live_server: LiveServer) -> None:
    try:
        with urlopen(f"{live_server.url}/favicon.ico") as response:  # the local test server
            status = response.status
    except HTTPError as exc:
        status = exc.code
    assert status == 200
