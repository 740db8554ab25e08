"""A step with a waiting time (``notBeforeWorkingDays``, the disclosure period): the task
page says from when it may be completed, and its buttons stay disabled until then; the
server refuses an early completion (``task.too_early``) and keeps what was typed."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from demo_kit import DemoOffice
from test_demo_procedures import appraise, council, file_dossier
from test_pages_auth import csrf_token, login

import engine.runtime.runner as runner
import webapp.instance_views as instance_views
from webapp.demo import DEMO_PASSWORD


def _at_disclosure(demo: DemoOffice) -> dict[str, Any]:
    """CSTĐ cấp tỉnh for KT02: the council has voted, the list is being disclosed."""
    inst = demo.start("donvi_kt", "annual_title_nomination", "CSTD-TINH-2025-W")
    file_dossier(demo, inst, "donvi_kt", "CSTD_TINH")
    inst = demo.walk(inst, [("propose", "submitter", "donvi_kt", {
        "year": 2025, "award_code": "CSTD_TINH", "subjects": ["KT02"]}), appraise(),
        council("KT02")])
    task: dict[str, Any] = inst["tasks"][0]
    assert task["name"] == "disclosure" and task["not_before"], task
    return task


def test_the_disclosure_step_waits_for_its_period_then_may_be_completed(
        demo: DemoOffice, monkeypatch: pytest.MonkeyPatch) -> None:
    task = _at_disclosure(demo)
    page = demo.app.test_client()
    assert login(page, "thuky", DEMO_PASSWORD).status_code == 302
    html = page.get(f"/tasks/{task['id']}").get_data(as_text=True)
    day = re.search(r'id="not-before">Sau khi hết ngày (\d\d/\d\d/\d{4})<', html)
    assert day, "the page says from when the step may be completed"
    assert f"phải chờ hết ngày {day[1]}" in html and 'id="too-early"' in html
    button = re.search(r'<button type="submit" class="btn btn-primary"[^>]*>', html)
    assert button and "disabled" in button[0] and 'aria-describedby="too-early"' in button[0]

    r = page.post(f"/tasks/{task['id']}", data={
        "csrf_token": csrf_token(page, "/"), "comment": "Niêm yết tại trụ sở."})
    html = r.get_data(as_text=True)
    assert r.status_code == 409 and "Chưa đến thời hạn hoàn thành bước" in html
    assert "Niêm yết tại trụ sở.</textarea>" in html  # nothing typed is lost
    r = demo.post("thuky", f"/tasks/{task['id']}/complete", {"data": {"complaints": []}})
    assert r.status_code == 409 and r.get_json()["code"] == "task.too_early"

    later = runner.utcnow() + timedelta(days=60)
    monkeypatch.setattr(instance_views, "datetime", _Later(later))
    html = page.get(f"/tasks/{task['id']}").get_data(as_text=True)
    assert f"Sau khi hết ngày {day[1]}" in html and 'id="too-early"' not in html
    button = re.search(r'<button type="submit" class="btn btn-primary"[^>]*>', html)
    assert button and "disabled" not in button[0]


class _Later:
    """``datetime`` as the page module uses it, with ``now`` moved to ``moment``."""

    def __init__(self, moment: Any) -> None:
        self.moment = moment

    def now(self, tz: Any = None) -> Any:
        return self.moment

    def __getattr__(self, name: str) -> Any:
        from datetime import datetime
        return getattr(datetime, name)
