"""/admin/migrations in Chromium: dry run, a job followed live to its end, rollback.

Runs on its own process (``api_two_lane``, v1 and a v2 whose ``appraise`` step changed
id) so the demo's procedures stay as the other browser tests expect. Photographed to
tests/e2e/screenshots/migrations-*-{1280,375}.png and audited with axe-core.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from sqlalchemy import select, update

from engine import identity
from engine.migration import create_job, parse_filters
from engine.roles import SYSTEM
from engine.store.models import MigrationJob, User, utcnow
from tests.e2e.test_accessibility import audit, log_in

if TYPE_CHECKING:
    from tests.e2e.conftest import LiveServer, Watched

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "api_two_lane.bpmn"


@pytest.fixture(scope="module")
def two_versions(live_server: LiveServer) -> dict[str, Any]:
    """Five instances on v1 (three at propose, two at appraise), then v2 deployed."""
    svc = live_server.app.extensions["tdkt"]
    v1 = FIXTURE.read_bytes()
    v2 = v1.replace(b"appraise", b"review").replace('name="Đề nghị"'.encode(),
                                                    'name="Lập đề nghị"'.encode())
    with svc.db.write_session() as s:
        svc.engine.deploy(s, v1, SYSTEM, "v1.bpmn")
        user = s.scalars(select(User).where(User.username == "donvi_kt")).one()
        actor = identity.actor_of(user)
    ids = []
    for n in range(5):
        with svc.db.write_session() as s:
            inst = svc.engine.start_instance(s, "api_two_lane", actor,
                                             business_key=f"DC-2026-{n + 1:03d}")
        if n >= 3:
            with svc.db.write_session() as s:
                svc.engine.complete_task(s, inst["tasks"][0]["id"], actor, {})
        ids.append(inst["id"])
    with svc.db.write_session() as s:
        svc.engine.deploy(s, v2, SYSTEM, "v2.bpmn")
    return {"ids": ids}


def check(watched: Watched, where: str, width: int) -> list[str]:
    watched.page.wait_for_load_state("networkidle")
    found = audit(watched, where)
    scroll = watched.page.evaluate("document.documentElement.scrollWidth")
    assert scroll <= width, f"{where} is {scroll} px wide at {width} px"
    return found


def test_dry_run_move_and_roll_back(web: Watched, phone: Watched,
                                    two_versions: dict[str, Any]) -> None:
    found: list[str] = []
    page = web.page
    log_in(web, "quantri")
    page.goto("/admin/migrations")
    page.get_by_label("Quy trình").select_option("api_two_lane")  # the page reloads
    page.wait_for_url(re.compile(r"process=api_two_lane"))
    found += check(web, "form@1280", 1280)
    web.shot("migrations-form-1280")

    page.get_by_role("button", name="Chạy thử").click()
    page.get_by_text("5 hồ sơ: 3 di chuyển được, 2 không di chuyển được").wait_for()
    found += check(web, "dry-run@1280", 1280)
    web.shot("migrations-dry-run-1280")
    page.get_by_role("link", name="Không di chuyển (2)").click()  # a GET: nothing written
    page.wait_for_url(re.compile(r"dry_run=1.*state=refused"))
    assert page.locator("tbody tr").count() == 2
    assert page.locator(".badge", has_text="Di chuyển được").count() == 0
    found += check(web, "dry-run-refused@1280", 1280)
    web.shot("migrations-dry-run-refused-1280")
    page.get_by_role("link", name="Tất cả (5)").click()
    page.get_by_text("5 hồ sơ: 3 di chuyển được, 2 không di chuyển được").wait_for()

    page.get_by_role("button", name="Di chuyển", exact=True).click()
    page.wait_for_url(re.compile(r"/admin/migrations/\d+$"))
    job_url = page.url
    page.get_by_text("Hồ sơ đã chuyển (3)").wait_for(timeout=30_000)  # reloaded when done
    assert page.locator("[role=progressbar]").get_attribute("aria-valuenow") == "100"
    found += check(web, "job@1280", 1280)
    web.assert_clean()
    web.shot("migrations-job-1280")
    first = two_versions["ids"][0]
    page.once("dialog", lambda dialog: dialog.accept())  # one instance back to version 1
    page.locator(f'tr:has(a[href="/instances/{first}"]) form[action$="/back"] button').click()
    page.get_by_text(f"Đã chuyển hồ sơ #{first} về phiên bản 1.").wait_for()
    assert page.get_by_role("button", name="Chuyển hồ sơ này về phiên bản 1").count() == 2
    web.shot("migrations-job-moved-back-1280")
    web.assert_clean()

    small = phone.page
    log_in(phone, "quantri")
    small.goto("/admin/migrations?process=api_two_lane")
    found += check(phone, "form@375", 375)
    phone.shot("migrations-form-375")
    small.get_by_role("button", name="Chạy thử").click()
    small.get_by_text("3 hồ sơ: 1 di chuyển được, 2 không di chuyển được").wait_for()
    found += check(phone, "dry-run@375", 375)
    phone.shot("migrations-dry-run-375")

    small.goto(job_url)
    found += check(phone, "job@375", 375)
    phone.shot("migrations-job-375")
    small.once("dialog", lambda dialog: dialog.accept())
    small.get_by_role("button", name=re.compile("Hoàn tác")).click()
    small.get_by_text("Đợt hoàn tác").first.wait_for()
    small.get_by_text("Hồ sơ đã chuyển (2)").wait_for(timeout=30_000)  # one went back before
    assert small.get_by_text("Hồ sơ không chuyển được (1)").count() == 1
    phone.assert_clean()
    phone.shot("migrations-rollback-375")
    assert not found, "\n".join(found)


def test_progress_bar_follows_a_running_job(web: Watched, live_server: LiveServer,
                                            two_versions: dict[str, Any]) -> None:
    """Another worker runs the job: the page shows its counters as they change, then
    reloads itself when the job is done."""
    svc = live_server.app.extensions["tdkt"]
    with svc.db.write_session() as s:
        job_id = create_job(svc.engine, s, SYSTEM, "api_two_lane", 1, 2,
                            parse_filters({"instance_ids": two_versions["ids"][3:]}))
        s.execute(update(MigrationJob).where(MigrationJob.id == job_id).values(
            status="running", worker="elsewhere", heartbeat_at=utcnow()))
        s.commit()

    def set_job(**values: Any) -> None:
        with svc.db.write_session() as s:
            s.execute(update(MigrationJob).where(MigrationJob.id == job_id).values(**values))
            s.commit()

    page = web.page
    log_in(web, "quantri")
    page.goto(f"/admin/migrations/{job_id}")
    bar = page.locator("[data-migration-bar]")
    assert bar.text_content() == "0%"
    set_job(refused=1, heartbeat_at=utcnow())
    # a locator that waits (no string evaluated in the page: its CSP forbids eval)
    bar.filter(has_text="50%").wait_for()
    assert page.locator("[role=progressbar]").get_attribute("aria-valuenow") == "50"
    assert "1/2" in page.locator("[data-migration-counts]").text_content()
    web.shot("migrations-running-1280")
    set_job(refused=2, status="done", finished_at=utcnow())
    page.get_by_text("Đã xong").wait_for()
    web.assert_clean()
