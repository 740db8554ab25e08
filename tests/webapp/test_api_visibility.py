"""The API shows an instance's data by the same rule as the dossier page (workflows.visibility).

A unit (submitter) reads its dossier, the comments sent to it and the results through the
API, but not the secretariat's eligibility verdicts with their history rows, nor the
council's tally carried in a delivered message; the secretariat reads everything.
"""

from __future__ import annotations

from typing import Any

from demo_kit import DemoOffice
from test_demo_procedures import appraise, council, file_dossier


def _history(demo: DemoOffice, user: str, instance_id: int) -> list[dict[str, Any]]:
    return list(demo.ok(demo.get(user, f"/instances/{instance_id}/history",
                                 per_page=500))["items"])


def test_a_unit_reads_its_dossier_and_results_but_not_internal_notes(demo: DemoOffice) -> None:
    inst = demo.start("donvi_kt", "annual_title_nomination", "LDTT-2026-VIS")
    file_dossier(demo, inst, "donvi_kt", "LDTT")
    inst = demo.step(inst, "propose", "submitter", "donvi_kt", {
        "year": 2026, "award_code": "LDTT", "subjects": ["KT04"],
        "summary": "Hoàn thành tốt nhiệm vụ năm 2026."})
    inst = demo.walk(inst, [appraise(), council("KT04")])
    full = demo.ok(demo.get("thuky", f"/instances/{inst['id']}"))
    assert "eligibility" in full["data"] and "council_vote" in full["data"]
    mine = demo.ok(demo.get("donvi_kt", f"/instances/{inst['id']}"))
    assert "eligibility" not in mine["data"] and "council_vote" not in mine["data"]
    assert mine["data"]["comment"] == "Hồ sơ đầy đủ, đúng quy định."  # sent to the unit
    assert mine["data"]["year"] == 2026 and mine["tasks"] == full["tasks"]
    listed = demo.ok(demo.get("donvi_kt", "/instances", per_page=500))["items"]
    assert all("eligibility" not in i["data"] for i in listed)
    message = [e for e in _history(demo, "donvi_kt", inst["id"])
               if e["type"] == "instance.message"]
    assert message and "payload" not in message[0]["payload"]  # the tally stays out
    kept = [e for e in _history(demo, "thuky", inst["id"]) if e["type"] == "instance.message"]
    assert kept[0]["payload"]["payload"]  # the secretariat reads what was delivered
