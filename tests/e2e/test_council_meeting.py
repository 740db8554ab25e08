"""A council meeting in Chromium: the secretariat creates and opens it, records attendance,
starts the vote; two members vote on their phones and laptops; the secretariat closes and
everyone sees the results. Nominations reach the council through the API first (donvi_vx
proposes VX03 and VX06 for Lao động tiên tiến 2026, thuky approves). No page may log a
console error nor fail axe-core's WCAG A/AA rules; screenshots (1280 and 375 px) go to
tests/e2e/screenshots/.
"""

from __future__ import annotations

import io
import re
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from playwright.sync_api import expect

from engine import identity
from engine.roles import SYSTEM
from tests.e2e.test_accessibility import audit
from tests.e2e.test_browser_walk import log_in, log_out
from workflows.handlers.registry import office_today

if TYPE_CHECKING:  # the fixtures' types (tests/e2e/conftest.py)
    from tests.e2e.conftest import LiveServer, Watched

API = "/api/v1"
KEY = "E2E-HD-VX"
TITLE = "Phiên họp Hội đồng TĐKT (thử nghiệm trình duyệt)"
SOON = (office_today() + timedelta(days=9)).strftime("%d/%m/%Y")
PRESENT = ("Lê Thị Thu", "Phạm Văn Hùng",  # members are named as their linked person
           "Đặng Minh Quân", "Lý Thị Hồng")


def _headers(live_server: LiveServer, username: str) -> dict[str, str]:
    db = live_server.app.extensions["tdkt"].db
    with db.write_session() as s:
        token = identity.create_token(s, SYSTEM, identity.find_user(s, username))
        s.commit()
    return {"Authorization": f"Bearer {token}"}


def _complete(client: Any, headers: dict[str, str], instance_id: int, name: str,
              data: dict[str, Any]) -> None:
    tasks = client.get(f"{API}/tasks", headers=headers, query_string={"per_page": 500})
    task = [t for t in tasks.get_json()["items"]
            if t["instance_id"] == instance_id and t["name"] == name]
    assert len(task) == 1, tasks.get_json()
    done = client.post(f"{API}/tasks/{task[0]['id']}/complete", headers=headers,
                       json={"data": data})
    assert done.status_code == 200, done.get_data(as_text=True)


def waiting_for_council(live_server: LiveServer) -> int:
    """VX03 and VX06 proposed by donvi_vx and approved by thuky, through the API."""
    client = live_server.app.test_client()
    unit, office = _headers(live_server, "donvi_vx"), _headers(live_server, "thuky")
    inst = client.post(f"{API}/processes/annual_title_nomination/instances", headers=unit,
                       json={"business_key": KEY}).get_json()
    items = client.get(f"{API}/catalogue/LDTT", headers=unit).get_json()["dossier_items"]
    for item in items:
        if item != "bien_ban_hoi_dong":
            sent = client.post(f"{API}/instances/{inst['id']}/attachments", headers=unit,
                               data={"item": item, "file": (io.BytesIO(b"%PDF-1.4 " +
                                                                       item.encode()),
                                                            f"{item}.pdf")})
            assert sent.status_code == 201, sent.get_data(as_text=True)
    _complete(client, unit, inst["id"], "propose", {
        "year": 2026, "award_code": "LDTT", "subjects": ["VX03", "VX06"],
        "summary": "Hoàn thành tốt nhiệm vụ năm 2026."})
    _complete(client, office, inst["id"], "receive_appraise",
              {"decision": "approve", "comment": "Hồ sơ đầy đủ."})
    after = client.get(f"{API}/instances/{inst['id']}", headers=office).get_json()
    assert after["status"] == "running" and after["tasks"] == [], after
    return int(inst["id"])


def create_and_open(web: Watched, found: list[str]) -> str:
    """thuky creates the meeting with this dossier only, opens it, records attendance."""
    page = web.page
    page.goto("/council")
    page.get_by_role("link", name="Tạo cuộc họp").click()
    page.wait_for_url(re.compile(r"/council/meetings/new$"))
    page.get_by_label("Tên phiên họp").fill(TITLE)
    page.get_by_label("Ngày họp").fill(SOON)  # a past or far date would be asked about
    for box in page.locator("input[name=nomination_ids]").all():  # only this dossier
        row = box.locator("xpath=ancestor::tr")
        if KEY not in row.inner_text():
            box.uncheck()
    web.shot("council-new-1280")
    found += audit(web, "new meeting")
    web.assert_clean()
    page.get_by_role("button", name="Tạo cuộc họp").click()
    page.wait_for_url(re.compile(r"/council/meetings/\d+$"))
    url = page.url
    page.get_by_role("button", name="Khai mạc phiên họp").click()
    page.wait_for_url(re.compile(r"#attendance$"))
    for box in page.locator("input[name^=present_]").all():
        box.uncheck()
    for name in PRESENT[:3]:
        page.get_by_label(name).check()
    page.get_by_role("button", name="Lưu điểm danh").click()
    start = page.get_by_role("button", name="Bắt đầu biểu quyết")
    assert start.is_disabled()  # 3 of 7: no quorum, said beside the button
    assert "cần thêm 1 thành viên có mặt" in page.locator("#quorum-missing").inner_text()
    web.assert_clean()
    page.get_by_label(PRESENT[3]).check()
    page.get_by_role("button", name="Lưu điểm danh").click()
    assert page.get_by_text("Đã điểm danh: 4/7 thành viên có mặt.").is_visible()
    page.get_by_role("button", name="Bắt đầu biểu quyết").click()
    assert page.get_by_text("Đã bắt đầu biểu quyết.").is_visible()
    web.shot("council-meeting-secretariat-1280")
    found += audit(web, "meeting, secretariat")
    web.assert_clean()
    return url


def vote_all(web: Watched, url: str, choice: str, found: list[str],
             shot: str | None = None) -> None:
    page = web.page
    page.goto(url)
    ballots = "form[action*='/vote#']:not(.tdkt-vote-confirm)"
    count = page.locator(ballots).count()
    assert count == 2, page.content()
    if shot:
        web.shot(shot)
        found += audit(web, shot)
    for i in range(count):
        page.locator(ballots).first.get_by_role("button", name=choice, exact=True).click()
        page.wait_for_load_state()  # a vote cannot be changed: the choice is confirmed first
        confirm = page.locator("form.tdkt-vote-confirm")
        assert f"Bạn chọn: «{choice}»." in confirm.inner_text()
        expect(confirm).to_be_in_viewport(ratio=1)  # scrolled to, also on a phone
        if shot and i == 0:
            web.shot(f"{shot}-confirm")
            found += audit(web, f"{shot}-confirm")
        confirm.get_by_role("button", name="Xác nhận bỏ phiếu").click()
        page.wait_for_load_state()
        assert page.get_by_text("Đã ghi phiếu").first.is_visible()
    assert page.locator("form[action*='/vote#']").count() == 0
    assert page.get_by_text("Bạn đã bỏ phiếu").count() == 2
    web.assert_clean()


def test_a_council_meeting_in_the_browser(web: Watched, phone: Watched,
                                          live_server: LiveServer) -> None:
    instance_id = waiting_for_council(live_server)
    found: list[str] = []  # axe-core's violations, all pages
    log_in(web, "thuky")
    url = create_and_open(web, found)
    log_out(web)

    log_in(phone, "hoidong")
    phone.page.goto("/council")
    assert phone.page.get_by_role("heading", name="Bạn có 2 ứng viên chưa bỏ phiếu").is_visible()
    phone.shot("council-list-member-375")
    found += audit(phone, "list, member, 375")
    phone.assert_clean()
    vote_all(phone, url, "Đồng ý", found, shot="council-ballot-member-375")
    phone.shot("council-voted-member-375")

    log_in(web, "uyvien1")
    vote_all(web, url, "Đồng ý", found, shot="council-ballot-member-1280")
    log_out(web)
    log_in(web, "uyvien2")
    vote_all(web, url, "Đồng ý", found)
    log_out(web)

    log_in(web, "thuky")
    web.page.goto(url)
    assert web.page.get_by_text("Đã bỏ phiếu: 3/4 thành viên được biểu quyết").count() == 2
    vote_all(web, url, "Đồng ý", found)
    asked: list[str] = []
    web.page.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.accept()))
    web.page.get_by_role("button", name="Kết thúc biểu quyết").click()
    assert web.page.get_by_text("Đã kết thúc biểu quyết và gửi kết quả tới 1 hồ sơ.") \
        .is_visible()
    assert asked and "không thể bỏ phiếu thêm" in asked[0]  # asked before closing
    results = web.page.locator("#results")
    table = results.locator("table")
    assert table.is_visible() and table.get_by_role("row").count() == 3
    # LĐTT counts against the council's 7 members (catalogue): 4 agree are more than half.
    assert table.get_by_text("Đạt", exact=True).count() == 2
    assert web.page.get_by_text("Đã nhận kết quả").is_visible()
    assert results.locator("a[href*='/minutes/']").count() >= 1
    web.shot("council-results-1280")
    found += audit(web, "results, 1280")
    web.assert_clean()
    web.page.goto("/council/members")
    web.shot("council-members-1280")
    found += audit(web, "members, secretariat")
    web.assert_clean()

    phone.page.goto(url)
    cards = phone.page.locator("#results ul.list-group svg[role=img]")
    assert cards.count() == 2 and cards.first.is_visible()  # cards, not a wide table
    assert not phone.page.locator("#results table").is_visible()
    phone.shot("council-results-375")
    found += audit(phone, "results, 375")
    phone.assert_clean()
    inst = live_server.app.test_client().get(
        f"{API}/instances/{instance_id}", headers=_headers(live_server, "thuky")).get_json()
    assert inst["tasks"], inst  # the procedure went on by itself
    phone.page.context.clear_cookies()  # the membership on a phone, one row being changed
    log_in(phone, "thuky")
    phone.page.goto("/council/members")
    phone.page.locator("summary", has_text="Sửa").first.click()
    assert phone.page.get_by_label("Chức danh trong Hội đồng").first.is_visible()
    phone.shot("council-members-375")
    found += audit(phone, "members, 375")
    phone.assert_clean()
    assert found == [], "\n".join(found)
