"""A dossier waiting on a timer, in Chromium: the timer and its due time beside the
diagram, at 1280 and 375 px, with axe-core (WCAG 2 A/AA). Screenshots instance_timer*."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from engine import identity
from engine.roles import SYSTEM
from tests.e2e.test_accessibility import audit
from tests.e2e.test_browser_walk import log_in

if TYPE_CHECKING:
    from tests.e2e.conftest import LiveServer, Watched

FIXTURE = "timer_escalation.bpmn"


@pytest.fixture(scope="module")
def waiting(live_server: LiveServer) -> int:
    from conftest import fixture_bytes

    svc = live_server.app.extensions["tdkt"]
    with svc.db.write_session() as session:
        svc.engine.deploy(session, fixture_bytes(FIXTURE), SYSTEM, FIXTURE)
    with svc.db.write_session() as session:
        actor = identity.actor_of(identity.find_user(session, "donvi_kt"))
        return int(svc.engine.start_instance(session, "web_timer", actor,
                                             business_key="HG-2026-001")["id"])


@pytest.mark.parametrize("size", ["web", "phone"])
def test_the_waiting_timer_is_shown_with_its_due_time(size: str, waiting: int,
                                                      request: pytest.FixtureRequest) -> None:
    web: Watched = request.getfixturevalue(size)
    log_in(web, "donvi_kt")
    page = web.page
    page.goto(f"/instances/{waiting}")
    page.wait_for_selector("#tdkt-diagram[data-ready='true']")
    timers = page.get_by_role("list", name="Hẹn giờ đang chờ")
    assert timers.count() == 1
    text = timers.inner_text()
    assert "Quá hạn xem xét" in text and "Gắn trên bước «Xem xét»" in text
    due = timers.locator("time")
    assert due.get_attribute("datetime")
    assert due.inner_text().count("/") == 2 and ":" in due.inner_text()  # dd/mm/yyyy HH:MM
    web.shot("instance_timer" if size == "web" else "instance_timer_375")
    found = audit(web, f"instance-timer@{size}")
    assert not found, "\n".join(found)
    web.assert_clean()
