"""Acceptance of issue 4: with the demo data, every diagram in ``bpmn/`` is walked through the
REST API by the right roles to a decided end, and the registry shows the result.

Each test loads the demo (``webapp.demo``: units, the six demo users, the registry history
with ratings 2020–2026 and titles 2020–2025, every diagram) on a fresh database and talks
to ``/api/v1`` only, with each demo user's token: the step is found in the inbox of the
user whose role the lane names (``GET /tasks``) and completed by that user. At every step
``donvi_vx`` (submitter of VX) must see neither the KT instance (404) nor its tasks.
Afterwards the history names who did each step and the registry (``/registry/awards``,
``/registry/subjects/<code>``) shows the award with its decision number.

The demo's today is late 2026, during the year-end review: the 2026 ratings are in and the
titles of 2026 are what the procedures decide. The demo has no emulation movement, and the
API cannot create one yet: the thematic walk adds one through the ORM.
"""

from __future__ import annotations

import io
import re
from datetime import date, timedelta
from typing import Any

import pytest
from demo_kit import DemoOffice

import engine.runtime.runner as runner
from workflows.models import EmulationMovement

OFFICE_DECISION = re.compile(r"^(0[1-9]|[1-9]\d+)/QĐ-VP$")
LDTT_BONUS, GK_BONUS, CSTD_TINH_BONUS = 702_000, 702_000, 7_020_000  # coefficient × 2.340.000
Step = tuple[str, str, str, dict[str, Any]]  # task name, lane role, demo user, form data


def appraise(decision: str = "approve") -> Step:
    return ("receive_appraise", "secretariat", "thuky",
            {"decision": decision, "comment": "Hồ sơ đầy đủ, đúng quy định."})


def council(*passed: str) -> Step:
    """A meeting of the demo council (7 members, thuky runs it): every member present votes
    for the candidates named here, against the others (``DemoOffice.council_meeting``)."""
    return ("council_review", "council", "thuky", {"passed": list(passed)})


def file_dossier(demo: DemoOffice, inst: dict[str, Any], user: str, award_code: str,
                 simplified: bool = False) -> None:
    """Upload the title's dossier items (the council's minutes come later) through the API;
    ``simplified``: the simplified procedure's items (ad-hoc awards)."""
    entry = demo.ok(demo.get(user, f"/catalogue/{award_code}"))
    items = entry["simplified_dossier_items" if simplified else "dossier_items"]
    assert items, entry
    for item in items:
        if item != "bien_ban_hoi_dong":
            demo.ok(demo.client.post(
                f"/api/v1/instances/{inst['id']}/attachments", headers=demo.headers[user],
                data={"item": item, "file": (io.BytesIO(b"%PDF-1.4 " + item.encode()),
                                             f"{item}.pdf")}), 201)


def chair(name: str = "decide", decision: str = "approve") -> Step:
    return (name, "chair", "chanhvp", {"decision": decision, "comment": "Đồng ý."})


def registry_row(demo: DemoOffice, inst: dict[str, Any], subject: str) -> dict[str, Any]:
    """The one registry row the instance wrote for ``subject`` (as the secretariat sees it)."""
    rows = [a for a in demo.awards("thuky", subject_code=subject)
            if a["instance_id"] == inst["id"]]
    assert len(rows) == 1, rows
    assert rows[0]["source"] == "workflow" and rows[0]["revoked"] is False
    return rows[0]


def assert_subject_shows(demo: DemoOffice, user: str, award: dict[str, Any]) -> None:
    """``GET /registry/subjects/<code>`` lists the award with its decision number."""
    history = demo.subject(user, award["subject_code"])
    shown = [a for a in history["awards"] if a["id"] == award["id"]]
    assert shown == [award], history["awards"]


def reasons(verdict: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {r["rule"]: r for r in verdict["reasons"]}


# -- annual titles ---------------------------------------------------------------------
def test_office_title_ldtt_2026_for_kt04(demo: DemoOffice) -> None:
    """Lao động tiên tiến 2026 for KT04: unit → TCHCQT → council → Chánh Văn phòng (NN/QĐ-VP)."""
    paths = demo.ok(demo.client.get("/api/v1/openapi.json"))["paths"]
    for path in ("/api/v1/processes/{key}/instances", "/api/v1/tasks",
                 "/api/v1/tasks/{task_id}/complete", "/api/v1/instances/{instance_id}/history",
                 "/api/v1/registry/awards", "/api/v1/registry/subjects/{code}",
                 "/api/v1/eligibility", "/api/v1/catalogue/{code}"):
        assert path in paths, path
    assert demo.ok(demo.get("donvi_kt", "/catalogue/LDTT"))["within_office_power"] is True

    assert demo.awards("thuky", subject_code="KT04", year=2026) == []  # 2026 not decided yet
    verdict = demo.eligibility("donvi_kt", "KT04", "LDTT", 2026)
    assert verdict["eligible"] is True and verdict["subject"]["unit_code"] == "KT"
    assert verdict["year"] == 2026
    why = reasons(verdict)
    assert [r["rule"] for r in verdict["reasons"]][:2] == ["subject_kind", "not_yet_awarded"]
    assert {"subject_kind", "not_yet_awarded", "rating", "no_discipline",
            "no_pending_case"} <= set(why)
    assert all(r["ok"] for r in verdict["reasons"])
    assert why["not_yet_awarded"]["rows"] == []
    assert {"table": "annual_rating", "subject_code": "KT04", "year": 2026,
            "rating": "HTTNV"} in why["rating"]["rows"]
    assert [w["rule"] for w in verdict["warnings"]] == ["registration"]  # not required for LDTT
    assert demo.post("donvi_vx", "/eligibility", {"subject_code": "KT04", "award_code": "LDTT",
                                                  "year": 2026}).status_code == 404

    inst = demo.start("donvi_kt", "annual_title_nomination", "LDTT-2026-KT")
    file_dossier(demo, inst, "donvi_kt", "LDTT")
    inst = demo.step(inst, "propose", "submitter", "donvi_kt", {
        "year": 2026, "award_code": "LDTT", "subjects": ["KT04"],
        "summary": "Hoàn thành tốt nhiệm vụ năm 2026."})
    task = inst["tasks"][0]
    for stranger in ("donvi_kt", "hoidong"):  # not their lane: 403, and nothing moves
        response = demo.post(stranger, f"/tasks/{task['id']}/complete",
                             {"data": {"decision": "approve"}})
        assert response.status_code == 403, response.get_data(True)
    inst = demo.walk(inst, [appraise(), council("KT04"), chair()])

    assert inst["status"] == "completed" and inst["tasks"] == [], inst.get("error")
    number = inst["data"]["decision_no"]
    assert OFFICE_DECISION.match(number), number
    award = registry_row(demo, inst, "KT04")
    assert (award["year"], award["award_code"], award["kind"], award["decision_no"],
            award["bonus_amount"]) == (2026, "LDTT", "annual", number, LDTT_BONUS)
    assert award["decision_date"] == inst["data"]["decision_date"]
    assert demo.awards("donvi_kt", year=2026, award_code="LDTT") == [award]
    assert_subject_shows(demo, "donvi_kt", award)
    assert demo.get("donvi_vx", "/registry/subjects/KT04").status_code == 404
    assert not [a for a in demo.awards("donvi_vx") if a["subject_code"].startswith("KT")]

    assert demo.who_did("thuky", inst["id"]) == [
        ("propose", "donvi_kt"), ("receive_appraise", "thuky"),
        ("decide", "chanhvp")]
    events = demo.history("donvi_kt", inst["id"])
    assert (events[0]["type"], events[0]["actor"]) == ("instance.started", "donvi_kt")
    assert events[-1]["type"] == "instance.completed"

    again = demo.eligibility("donvi_kt", "KT04", "LDTT", 2026)  # the year is now closed
    assert again["eligible"] is False
    assert [r["rule"] for r in again["reasons"] if not r["ok"]] == ["not_yet_awarded"]
    closed = reasons(again)["not_yet_awarded"]
    assert number in closed["detail"]
    assert [(r["id"], r["decision_no"]) for r in closed["rows"]] == [(award["id"], number)]


def test_provincial_title_cstd_tinh_2025_for_kt02_goes_through_the_province(
        demo: DemoOffice, monkeypatch: pytest.MonkeyPatch) -> None:
    """CSTĐ cấp tỉnh: the council votes, the list is disclosed, the Chánh Văn phòng signs the
    tờ trình, TCHCQT sends it and records the province's decision (call activity)."""
    verdict = demo.eligibility("thuky", "KT02", "CSTD_TINH", 2025)
    assert verdict["eligible"] is True
    why = reasons(verdict)
    assert why["prerequisite"]["ok"] and why["initiative"]["ok"]
    used = {(r["year"], r["decision_no"]) for r in why["prerequisite"]["rows"]
            if r["table"] == "award_record"}
    assert used == {(2023, "233/QĐ-VP"), (2024, "234/QĐ-VP"), (2025, "235/QĐ-VP")}
    assert [(r["year"], r["level"]) for r in why["initiative"]["rows"]
            if r["table"] == "initiative"] == [(2025, "tinh")]
    catalogue = demo.ok(demo.get("donvi_kt", "/catalogue/CSTD_TINH"))
    assert catalogue["needs_disclosure"] and not catalogue["within_office_power"]

    inst = demo.start("donvi_kt", "annual_title_nomination", "CSTD-TINH-2025-KT")
    file_dossier(demo, inst, "donvi_kt", "CSTD_TINH")
    inst = demo.walk(inst, [
        ("propose", "submitter", "donvi_kt", {
            "year": 2025, "award_code": "CSTD_TINH", "subjects": ["KT02"],
            "summary": "CSTĐ cơ sở 3 năm liền, sáng kiến cấp tỉnh năm 2025."}),
        appraise(), council("KT02")])
    later = runner.utcnow() + timedelta(days=60)  # the disclosure stays open 10 working days
    with monkeypatch.context() as m:
        m.setattr(runner, "utcnow", lambda: later)
        inst = demo.step(inst, "disclosure", "secretariat", "thuky", {
            "complaints": [], "comment": "Niêm yết 10 ngày làm việc, không có ý kiến."})
    inst = demo.walk(inst, [
        chair("sign_proposal"),
        ("send_to_province", "secretariat", "thuky",
         {"document_no": "45/TTr-VP", "sent_date": "2026-01-05"}),
        ("record_answer", "secretariat", "thuky", {
            "outcome": "approved", "decision_no": "312/QĐ-UBND",
            "decision_date": "2026-02-10"}),
    ])

    assert inst["status"] == "completed", inst.get("error")
    assert inst["data"]["outcome"] == "approved"
    award = registry_row(demo, inst, "KT02")
    assert (award["year"], award["award_code"], award["kind"], award["decision_no"],
            award["decision_date"], award["bonus_amount"]) == (
        2025, "CSTD_TINH", "annual", "312/QĐ-UBND", "2026-02-10", CSTD_TINH_BONUS)
    assert_subject_shows(demo, "donvi_kt", award)
    assert demo.who_did("chanhvp", inst["id"]) == [
        ("propose", "donvi_kt"), ("receive_appraise", "thuky"),
        ("disclosure", "thuky"), ("sign_proposal", "chanhvp"), ("send_to_province", "thuky"),
        ("record_answer", "thuky")]


# -- ad-hoc and thematic awards --------------------------------------------------------------
def adhoc_award_for_kt05(demo: DemoOffice) -> tuple[dict[str, Any], dict[str, Any]]:
    """Walk a Giấy khen đột xuất for KT05; return the instance and its registry row."""
    inst = demo.start("donvi_kt", "adhoc_award", "DX-2026-KT05")
    file_dossier(demo, inst, "donvi_kt", "GK", simplified=True)
    inst = demo.walk(inst, [
        ("propose", "submitter", "donvi_kt", {
            "nominee_name": "Hoàng Minh Tuấn", "subject_kind": "individual",
            "award_code": "GK", "deed_date": "2026-10-02",
            "deed_summary": "Phát hiện, ngăn chặn kịp thời sai sót trong hồ sơ thanh toán."}),
        ("appraise", "secretariat", "thuky",
         {"decision": "approve", "nominee_code": "KT05", "comment": "Đúng thành tích."}),
        chair(),
    ])
    assert inst["status"] == "completed", inst.get("error")
    return inst, registry_row(demo, inst, "KT05")


def test_adhoc_award_gk_for_kt05(demo: DemoOffice) -> None:
    inst, award = adhoc_award_for_kt05(demo)
    assert inst["data"]["dossier"]["procedure"] == "simplified"  # tờ trình, tóm tắt thành tích
    assert inst["data"]["dossier_missing"] == []
    number = inst["data"]["decision_no"]
    assert OFFICE_DECISION.match(number), number
    assert (award["year"], award["award_code"], award["kind"], award["decision_no"],
            award["bonus_amount"]) == (2026, "GK", "adhoc", number, GK_BONUS)
    assert_subject_shows(demo, "donvi_kt", award)
    earlier = [(a["year"], a["kind"], a["decision_no"])
               for a in demo.subject("thuky", "KT05")["awards"] if a["award_code"] == "GK"]
    assert earlier == [(2023, "adhoc", "131/QĐ-VP"), (2026, "adhoc", number)]
    assert demo.who_did("donvi_kt", inst["id"]) == [
        ("propose", "donvi_kt"), ("appraise", "thuky"), ("decide", "chanhvp")]


def test_thematic_award_gk_in_a_movement_made_for_the_test(demo: DemoOffice) -> None:
    with demo.app.extensions["tdkt"].db.write_session() as session:  # no API for movements
        movement = EmulationMovement(code="CDS2026", name="Thi đua chuyển đổi số năm 2026",
                                     kind="thematic", year=2026, start_date=date(2026, 3, 1))
        session.add(movement)
        session.commit()
        movement_id = movement.id
    verdict = demo.eligibility("donvi_kt", "KT06", "GK", 2026, kind="thematic")
    assert verdict["eligible"] is True, verdict["reasons"]

    inst = demo.start("donvi_kt", "thematic_award", "CD-2026-KT")
    file_dossier(demo, inst, "donvi_kt", "GK")
    inst = demo.walk(inst, [
        ("propose", "submitter", "donvi_kt", {
            "year": 2026, "award_code": "GK", "movement_code": "CDS2026",
            "subjects": ["KT06", "KT"], "summary": "Dẫn đầu phong trào chuyển đổi số 2026."}),
        ("appraise", "secretariat", "thuky", {"decision": "approve", "comment": "Đạt."}),
        council("KT06", "KT"), chair(),
    ])

    assert inst["status"] == "completed", inst.get("error")
    assert inst["data"]["dossier_missing"] == []
    assert inst["data"]["council_vote"]["passed"] == ["KT06", "KT"]  # counted from the votes
    number = inst["data"]["decision_no"]
    assert OFFICE_DECISION.match(number), number
    for code in ("KT06", "KT"):
        award = registry_row(demo, inst, code)
        assert (award["year"], award["award_code"], award["kind"], award["decision_no"],
                award["movement_id"], award["bonus_amount"]) == (
            2026, "GK", "thematic", number, movement_id, GK_BONUS)
        assert_subject_shows(demo, "donvi_kt", award)
    assert [name for name, _ in demo.who_did("thuky", inst["id"])] == [
        "propose", "appraise", "decide"]  # the council's part is its meeting, not a task
    messages = [e for e in demo.history("thuky", inst["id"]) if e["type"] == "instance.message"]
    assert [(e["actor"], e["payload"]["message"]) for e in messages] == [
        ("thuky", "council_result")]
    tally = {t["subject_code"]: t for t in messages[0]["payload"]["payload"]["candidates"]}
    # The head of Phòng Kinh tế sits on the council: recused for KT06 and for KT itself.
    assert [(tally[c]["recused"], tally[c]["denominator"]) for c in ("KT06", "KT")] == [
        (1, 6), (1, 6)]


# -- registration and revocation -------------------------------------------------------------
def test_emulation_registration_2026_of_kt(demo: DemoOffice) -> None:
    entries = [{"subject_code": "KT04", "award_code": "LDTT"},
               {"subject_code": "KT02", "award_code": "CSTD_CS"},
               {"subject_code": "KT", "award_code": "TTLDTT"}]
    inst = demo.start("donvi_kt", "emulation_registration", "DK-2026-KT")
    task = inst["tasks"][0]
    refused = demo.post("donvi_kt", f"/tasks/{task['id']}/complete", {"data": {
        "year": 2026, "entries": [*entries, {"subject_code": "VX01", "award_code": "LDTT"}]}})
    assert refused.status_code == 422 and refused.get_json()["code"] == "registration.invalid"
    assert "3" in refused.get_json()["details"]["entries"]  # VX01 is not KT's
    inst = demo.walk(inst, [
        ("register", "submitter", "donvi_kt", {"year": 2026, "entries": entries[:2]}),
        ("review", "secretariat", "thuky",
         {"decision": "return", "comment": "Bổ sung đăng ký của tập thể phòng."}),
        ("correct", "submitter", "donvi_kt", {"year": 2026, "entries": entries}),
        ("review", "secretariat", "thuky", {"decision": "approve", "comment": ""}),
    ])

    assert inst["status"] == "completed", inst.get("error")
    counts = {"year": 2026, "count": 3, "created": 1, "unchanged": 2, "updated": 0,
              "removed": 0}
    assert {k: inst["data"]["registered"][k] for k in counts} == counts
    assert inst["data"]["registered"]["deadline"] == "2026-03-31"  # late: a warning only
    for entry in entries:  # eligibility now finds each registration
        verdict = demo.eligibility("donvi_kt", entry["subject_code"], entry["award_code"], 2026)
        registration = reasons(verdict)["registration"]
        assert registration["ok"] and "đã đăng ký" in registration["detail"], registration
        assert "registration" not in {w["rule"] for w in verdict["warnings"]}
    assert demo.who_did("thuky", inst["id"]) == [
        ("register", "donvi_kt"), ("review", "thuky"), ("correct", "donvi_kt"),
        ("review", "thuky")]


def test_award_revocation_of_the_adhoc_award_just_made(demo: DemoOffice) -> None:
    _, award = adhoc_award_for_kt05(demo)
    denied = demo.post("donvi_kt", "/processes/award_revocation/instances", {})
    assert denied.status_code == 403, denied.get_data(True)

    inst = demo.start("thuky", "award_revocation", f"HB-{award['id']}")
    inst = demo.walk(inst, [
        ("request", "secretariat", "thuky", {
            "award_id": award["id"], "evidence_summary": "Biên bản xác minh ngày 15/11/2026.",
            "reason": "Thành tích kê khai không đúng sự thật (kết quả xác minh)."}),
        ("review", "council", "hoidong", {"recommend": "revoke", "comment": ""}),
        chair(),
    ])

    assert inst["status"] == "completed", inst.get("error")
    assert inst["data"]["award"]["decision_no"] == award["decision_no"]
    revoking = inst["data"]["decision_no"]
    assert OFFICE_DECISION.match(revoking) and revoking != award["decision_no"]
    kept = demo.awards("thuky", subject_code="KT05", year=2026)
    assert kept == [{**award, "revoked": True, "revoked_decision_no": revoking,
                     "revoked_date": inst["data"]["decision_date"],
                     "revoked_reason": "Thành tích kê khai không đúng sự thật "
                                       "(kết quả xác minh)."}]
    assert_subject_shows(demo, "donvi_kt", kept[0])
    assert demo.who_did("hoidong", inst["id"]) == [
        ("request", "thuky"), ("review", "hoidong"), ("decide", "chanhvp")]


# -- what the demo history shows ---------------------------------------------------------
def test_eligibility_names_the_same_title_already_held_that_year(demo: DemoOffice) -> None:
    """KT04 holds LĐTT 2025 (225/QĐ-VP, demo history): LĐTT 2025 cannot be given twice."""
    held = demo.awards("thuky", subject_code="KT04", year=2025, award_code="LDTT")
    assert [a["decision_no"] for a in held] == ["225/QĐ-VP"]
    verdict = demo.eligibility("thuky", "KT04", "LDTT", 2025)
    assert verdict["eligible"] is False
    assert [r["rule"] for r in verdict["reasons"] if not r["ok"]] == ["not_yet_awarded"]
    why = reasons(verdict)["not_yet_awarded"]
    assert "225/QĐ-VP" in why["detail"] and "2025" in why["detail"]
    assert [(r["table"], r["id"], r["decision_no"]) for r in why["rows"]] == [
        ("award_record", held[0]["id"], "225/QĐ-VP")]
