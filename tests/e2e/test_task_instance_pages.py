"""The task page and the instance page of a dossier that went the whole way to the chair.

An annual title (Lao động tiên tiến 2026 for KT06 and KT08) is walked through the REST API:
the unit proposes, the secretariat returns it («Thiếu biên bản»), the unit supplements it
with a second version of its tờ trình, the secretariat approves, the council votes (KT06
passes). Then people use the pages in Chromium: the Chief of Office reads the context of
his decision (the history of decisions and comments, the council's vote as a table, the
dossier's files with their versions, titles and people by name) and comments without
deciding; the secretariat writes an internal note; the unit reads the instance page, where
the timeline shows the decisions and comments but not the internal note; the same pages in
English and at 375 px. axe-core finds no WCAG A/AA violation; screenshots go to
tests/e2e/screenshots/.
"""

from __future__ import annotations

import io
import re
from typing import TYPE_CHECKING, Any

import pytest

from engine import identity
from engine.roles import SYSTEM
from tests.e2e.test_accessibility import audit
from tests.e2e.test_browser_walk import log_in, log_out
from tests.webapp.demo_kit import ROLES, DemoOffice

if TYPE_CHECKING:  # the fixtures' types (tests/e2e/conftest.py)
    from tests.e2e.conftest import LiveServer, Watched

KEY = "CN-E2E-CTX"
CHAIR_STEP = "Xem xét, ký quyết định khen thưởng"
RETURN_NOTE = "Thiếu biên bản họp bình xét có chữ ký."


def _upload(office: DemoOffice, instance_id: int, item: str, name: str, text: str) -> None:
    office.ok(office.client.post(
        f"/api/v1/instances/{instance_id}/attachments", headers=office.headers["donvi_kt"],
        data={"item": item, "file": (io.BytesIO(b"%PDF-1.4 " + text.encode()), name)}), 201)


@pytest.fixture(scope="module")
def at_chair(live_server: LiveServer) -> dict[str, Any]:
    """The dossier, walked through the API up to the Chief of Office's decision."""
    app = live_server.app
    office = DemoOffice(app, app.test_client())
    svc = app.extensions["tdkt"]
    with svc.db.write_session() as session:
        for username in ROLES:
            token = identity.create_token(session, SYSTEM, identity.find_user(session, username))
            office.headers[username] = {"Authorization": f"Bearer {token}"}
        session.commit()
    inst = office.start("donvi_kt", "annual_title_nomination", KEY)
    for item in ("to_trinh", "danh_sach", "bien_ban_binh_xet"):  # LDTT's required items
        _upload(office, inst["id"], item, f"{item}.pdf", item)
    inst = office.step(inst, "propose", "submitter", "donvi_kt", {
        "year": 2026, "award_code": "LDTT", "subjects": ["KT06", "KT08"],
        "summary": "Hoàn thành tốt nhiệm vụ năm 2026."})
    inst = office.step(inst, "receive_appraise", "secretariat", "thuky", {
        "decision": "return", "comment": RETURN_NOTE,
        "supplement_items": ["Biên bản họp bình xét"]})
    _upload(office, inst["id"], "to_trinh", "to_trinh_v2.pdf", "v2")
    inst = office.step(inst, "supplement", "submitter", "donvi_kt", {
        "year": 2026, "award_code": "LDTT", "subjects": ["KT06", "KT08"],
        "summary": "Đã bổ sung biên bản."})
    inst = office.step(inst, "receive_appraise", "secretariat", "thuky", {
        "decision": "approve", "comment": "Hồ sơ đầy đủ."})
    inst = office.council_meeting(inst, "thuky", ["KT06"])
    assert [t["name"] for t in inst["tasks"]] == ["decide"], inst
    return {"instance_id": inst["id"], "task_id": inst["tasks"][0]["id"]}


def _main(page: Any) -> str:
    text: str = page.locator("main").inner_text()
    return text


def test_the_chief_reads_the_context_and_comments(web: Watched, at_chair: dict[str, Any]
                                                  ) -> None:
    page = web.page
    log_in(web, "chanhvp")
    page.goto(f"/tasks/{at_chair['task_id']}")
    assert page.get_by_role("heading", name=CHAIR_STEP, level=1).is_visible()
    history = page.get_by_role("region", name="Ý kiến và quyết định")
    said = history.inner_text()
    assert RETURN_NOTE in said and "Trả lại bổ sung" in said and "Hồ sơ đầy đủ." in said
    assert "Tiếp nhận, thẩm định hồ sơ" in said  # at which step
    aside = page.get_by_role("region", name="Hồ sơ", exact=True).inner_text()
    assert "Lao động tiên tiến" in aside and "LDTT" not in aside  # names, not codes
    assert "Đỗ Thị Lan Anh (KT06)" in aside and "nomination_status" not in aside
    vote = page.get_by_role("table", name="Kết quả biểu quyết của Hội đồng")
    assert "Đạt" in vote.inner_text() and "Không đạt" in vote.inner_text()
    files = page.get_by_role("region", name="Tệp hồ sơ")
    assert files.get_by_role("link", name="to_trinh_v2.pdf").is_visible()
    files.get_by_text("Các phiên bản trước (1)").click()
    assert files.get_by_role("link", name="to_trinh.pdf").is_visible()
    assert page.locator("input[type=file]").count() == 0  # read only on this step
    assert page.get_by_role("list", name="Các bước chính của quy trình").is_visible()
    assert audit(web, "task-chair@1280") == []
    web.shot("task-chair-1280")
    web.assert_clean()

    box = page.get_by_role("textbox", name="Gửi ý kiến về hồ sơ")
    box.fill("Đề nghị Phòng TCHCQT gửi kèm bản chụp biên bản.")
    page.get_by_role("button", name="Gửi ý kiến").click()
    page.wait_for_url(re.compile(rf"/tasks/{at_chair['task_id']}"))
    assert page.get_by_role("status").filter(has_text="Đã gửi ý kiến vào hồ sơ.").is_visible()
    said = page.get_by_role("region", name="Ý kiến và quyết định").inner_text()
    assert "Đề nghị Phòng TCHCQT gửi kèm bản chụp biên bản." in said
    assert page.get_by_role("heading", name=CHAIR_STEP, level=1).is_visible()  # not decided
    web.assert_clean()

    page.get_by_role("button", name="Gửi ý kiến").click()  # nothing typed
    error = page.locator("#comment-error")
    assert "Vui lòng nhập nội dung ý kiến." in error.inner_text()
    assert page.get_by_role("textbox", name="Gửi ý kiến về hồ sơ").get_attribute(
        "aria-invalid") == "true"
    web.assert_clean(expected="status of 422")


def test_the_unit_reads_the_timeline_without_internal_notes(
        web: Watched, at_chair: dict[str, Any]) -> None:
    page = web.page
    log_in(web, "thuky")
    page.goto(f"/instances/{at_chair['instance_id']}")
    page.wait_for_selector("#tdkt-diagram[data-ready='true']")
    page.get_by_role("textbox", name="Gửi ý kiến về hồ sơ").fill("Ghi chú cho Hội đồng: đã kiểm.")
    page.get_by_label("Ghi chú nội bộ").check()
    page.get_by_role("button", name="Gửi ý kiến").click()
    page.wait_for_url(re.compile(rf"/instances/{at_chair['instance_id']}"))
    page.wait_for_selector("#tdkt-diagram[data-ready='true']")
    assert "Ghi chú cho Hội đồng: đã kiểm." in _main(page)
    web.assert_clean()
    log_out(web)

    log_in(web, "donvi_kt")
    page.goto(f"/instances/{at_chair['instance_id']}")
    page.wait_for_selector("#tdkt-diagram[data-ready='true']")
    timeline = page.get_by_role("region", name="Diễn biến hồ sơ").inner_text()
    assert RETURN_NOTE in timeline and "Trả lại bổ sung" in timeline
    assert "Ghi chú cho Hội đồng" not in _main(page)
    assert page.get_by_label("Ghi chú nội bộ").count() == 0
    waiting = page.get_by_role("region", name="Bước đang chờ xử lý").inner_text()
    assert CHAIR_STEP in waiting and "ngày làm việc" in waiting
    old = page.locator("tr.tdkt-old-version")
    assert old.count() == 1 and "to_trinh.pdf" in old.inner_text()
    assert audit(web, "instance-unit@1280") == []
    web.shot("instance-unit-1280")
    page.goto(f"/instances/{at_chair['instance_id']}?lang=en")
    page.wait_for_selector("#tdkt-diagram[data-ready='true']")
    text = _main(page)
    assert "Main stages of the procedure" in text and "Return for supplement" in text
    assert "Review and sign the award decision" in text
    web.shot("instance-unit-en-1280")
    page.goto(f"/instances/{at_chair['instance_id']}?lang=vi")
    web.assert_clean()


def test_both_pages_fit_a_phone(phone: Watched, at_chair: dict[str, Any]) -> None:
    page = phone.page
    log_in(phone, "chanhvp")
    found: list[str] = []
    for path, name in ((f"/tasks/{at_chair['task_id']}", "task-chair"),
                       (f"/instances/{at_chair['instance_id']}", "instance-chair")):
        page.goto(path)
        if "/instances/" in path:
            page.wait_for_selector("#tdkt-diagram[data-ready='true']")
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 375, f"{path} scrolls sideways at 375 px ({width} px wide)"
        found += audit(phone, f"{name}@375")
        phone.shot(f"{name}-375")
        phone.assert_clean()
    assert found == [], "\n".join(found)


def test_the_diagram_zooms_from_the_keyboard_and_names_lanes_plainly(
        web: Watched, at_chair: dict[str, Any]) -> None:
    """Zoom in, out and back to the whole diagram with labelled buttons, from the keyboard;
    lanes read «Phòng TCHCQT», not «Phòng TCHCQT (secretariat)»."""
    page = web.page
    log_in(web, "thuky")
    page.goto(f"/instances/{at_chair['instance_id']}")
    diagram = page.locator("#tdkt-diagram[data-ready='true']")
    diagram.wait_for()
    names = page.eval_on_selector_all(
        "#tdkt-diagram .djs-element[data-element-id^='lane_'] text",
        "texts => texts.map(t => t.textContent.trim())")
    assert "Phòng TCHCQT" in " ".join(names) and "Chánh Văn phòng" in " ".join(names)
    assert not [n for n in names if "(" in n], names
    fitted = float(diagram.get_attribute("data-zoom") or 0)
    tools = page.get_by_role("toolbar", name="Thu phóng sơ đồ")
    zoom_in = tools.get_by_role("button", name="Phóng to sơ đồ")
    zoom_in.focus()
    page.keyboard.press("Enter")
    page.keyboard.press("Enter")
    bigger = float(diagram.get_attribute("data-zoom") or 0)
    assert bigger > fitted * 1.5
    page.keyboard.press("Tab")  # on to «Thu nhỏ sơ đồ»
    assert page.evaluate("document.activeElement.dataset.zoom") == "out"
    page.keyboard.press("Space")
    assert fitted < float(diagram.get_attribute("data-zoom") or 0) < bigger
    tools.get_by_role("button", name="Vừa khung").click()
    assert abs(float(diagram.get_attribute("data-zoom") or 0) - fitted) < 0.01
    assert audit(web, "instance-zoom@1280") == []
    web.assert_clean()
    log_out(web)
