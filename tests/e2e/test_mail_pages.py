"""The e-mail pages in Chromium at 1280 and 375 px: the outbox, the settings page's test
mail (refused without SMTP, then sent to a real SMTP server), one's own e-mail choice.

Screenshots: tests/e2e/screenshots/mail-<page>-<width>.png.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import TYPE_CHECKING, Any

import pytest
from smtp_kit import ANSWER, SmtpServer, smtp_server  # noqa: F401  (fixture)
from sqlalchemy import delete, update

from engine.roles import SYSTEM
from engine.store.models import EmailOutbox, User, utcnow
from tests.e2e.test_accessibility import audit, log_in
from workflows import settings_admin

if TYPE_CHECKING:
    from tests.e2e.conftest import LiveServer, Watched

SUBJECTS = ("[TĐKT] Công việc mới: Thẩm định hồ sơ đề nghị",
            "[TĐKT] Hồ sơ bị trả lại: Bổ sung hồ sơ",
            "[TĐKT] Anh/chị có 3 thông báo mới")


@pytest.fixture
def outbox_rows(live_server: LiveServer) -> None:
    """A few e-mails of every status (afresh for each test), and an address for ``thuky``."""
    db = live_server.app.extensions["tdkt"].db
    now = utcnow()
    with db.write_session() as s:
        s.execute(delete(EmailOutbox))
        s.execute(update(User).where(User.username == "thuky")
                  .values(email="thuky@vanphong.tinh.gov.vn"))
        for n, (status, attempts, error) in enumerate((
                ("sent", 1, None), ("queued", 0, None),
                ("queued", 2, "Máy chủ SMTP mail.tinh.gov.vn:587 từ chối kết nối. Kiểm tra "
                 "tên máy chủ, cổng và tường lửa."),
                ("failed", 1, "Máy chủ từ chối địa chỉ nhận «nguoi.da.nghi@tinh.gov.vn» "
                 "(550 5.1.1 Không có hộp thư này).")), start=1):
            s.add(EmailOutbox(
                recipient=f"can.bo{n}@vanphong.tinh.gov.vn", subject=SUBJECTS[n % 3],
                body_text="…", body_html="<p>…</p>", status=status, attempts=attempts,
                last_error=error, created_at=now - timedelta(hours=n),
                next_attempt_at=now + timedelta(minutes=5 * attempts),
                sent_at=now if status == "sent" else None))
        s.commit()


def _settings(live_server: LiveServer, **values: Any) -> None:
    with live_server.app.extensions["tdkt"].db.write_session() as s:
        settings_admin.update_settings(s, SYSTEM, dict(values))
        s.commit()


def _visit(watched: Watched, path: str, name: str, width: int) -> list[str]:
    watched.page.goto(path)
    watched.page.wait_for_load_state("networkidle")
    found = audit(watched, f"{path} @{width}")
    watched.assert_clean()
    scroll = watched.page.evaluate("document.documentElement.scrollWidth")
    assert scroll <= width, f"{path} is {scroll} px wide at {width} px"
    watched.shot(f"mail-{name}-{width}")
    return found


@pytest.mark.parametrize("device", ["web", "phone"])
def test_mail_pages_are_accessible(device: str, request: pytest.FixtureRequest,
                                   outbox_rows: None) -> None:
    watched: Watched = request.getfixturevalue(device)
    width = 1280 if device == "web" else 375
    page = watched.page
    log_in(watched, "quantri")
    found = _visit(watched, "/admin/mail", "outbox", width)
    assert page.get_by_text("Chưa cấu hình SMTP.").first.is_visible()
    found += _visit(watched, "/admin/mail?status=failed", "outbox-failed", width)
    page.get_by_role("button", name="Gửi lại thư gửi can.bo4@vanphong.tinh.gov.vn").click()
    page.wait_for_load_state("networkidle")
    assert page.get_by_text("Đã đưa thư gửi can.bo4@vanphong.tinh.gov.vn vào hàng chờ").is_visible()
    found += _visit(watched, "/admin/settings#test-mail", "settings", width)
    page.get_by_label("Địa chỉ nhận thư thử").fill("quantri@tinh.gov.vn")
    page.get_by_role("button", name="Gửi thư thử").click()
    page.wait_for_load_state("networkidle")
    alert = page.locator("#test-mail [role=alert]")
    assert "Chưa cấu hình SMTP: cần máy chủ SMTP và địa chỉ gửi thư" in alert.inner_text()
    assert alert.is_visible()  # the answer's URL ends in #test-mail: the card is in view
    found += audit(watched, f"settings test-mail error @{width}")
    watched.assert_clean()
    watched.shot(f"mail-settings-test-error-{width}")
    assert not found, "\n".join(found)


def test_the_test_mail_reaches_a_real_server(web: Watched, live_server: LiveServer,
                                             smtp_server: SmtpServer) -> None:  # noqa: F811
    _settings(live_server, smtp_host=smtp_server.host, smtp_port=smtp_server.port,
              smtp_tls="none", smtp_sender="tdkt@vanphong.tinh.gov.vn")
    try:
        page = web.page
        log_in(web, "quantri")
        page.goto("/admin/settings")
        page.get_by_label("Địa chỉ nhận thư thử").fill("quantri@tinh.gov.vn")
        page.get_by_role("button", name="Gửi thư thử").click()
        page.wait_for_load_state("networkidle")
        status = page.locator("#test-mail [role=status]")
        assert "Đã gửi thư thử đến quantri@tinh.gov.vn." in status.inner_text()
        assert ANSWER in status.inner_text()
        assert len(smtp_server.inbox.to("quantri@tinh.gov.vn")) == 1
        assert not audit(web, "settings test-mail sent")
        web.assert_clean()
        web.shot("mail-settings-test-sent-1280")
    finally:
        _settings(live_server, smtp_host="", smtp_sender="")


@pytest.fixture
def thuky_mail(live_server: LiveServer, outbox_rows: None) -> Iterator[None]:
    yield
    with live_server.app.extensions["tdkt"].db.write_session() as s:
        s.execute(update(User).where(User.username == "thuky").values(email_notifications=True))
        s.commit()


@pytest.mark.parametrize("device", ["web", "phone"])
def test_a_person_turns_notification_mail_off(device: str, request: pytest.FixtureRequest,
                                              thuky_mail: None) -> None:
    watched: Watched = request.getfixturevalue(device)
    width = 1280 if device == "web" else 375
    page = watched.page
    log_in(watched, "thuky")
    found = _visit(watched, "/password", "account", width)
    box = page.get_by_label("Nhận thông báo qua thư điện tử")
    assert box.is_checked() and page.get_by_text("thuky@vanphong.tinh.gov.vn").is_visible()
    box.press("Space")  # the keyboard is enough
    page.get_by_role("button", name="Lưu lựa chọn").click()
    page.wait_for_load_state("networkidle")
    assert page.get_by_text("Đã tắt thư thông báo").is_visible()
    assert not page.get_by_label("Nhận thông báo qua thư điện tử").is_checked()
    watched.shot(f"mail-account-off-{width}")
    assert not found, "\n".join(found)
