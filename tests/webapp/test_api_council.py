"""/api/v1/council with the demo office: roles, stable error codes, a paper meeting with its
scan, and a double vote refused. The demo council has 7 members (chanhvp chairs, thuky is
the secretary); thuky runs the meetings."""

from __future__ import annotations

import io
from typing import Any

from demo_kit import API, DemoOffice
from test_demo_procedures import file_dossier

PDF = b"%PDF-1.4\n% minutes\n"


def put(demo: DemoOffice, user: str, path: str, body: Any) -> Any:
    return demo.client.put(f"{API}{path}", headers=demo.headers[user], json=body)


def error(response: Any, status: int) -> str:
    assert response.status_code == status, (response.status_code, response.get_data(True))
    body = response.get_json()
    assert body["message"]
    return str(body["code"])


def before_council(demo: DemoOffice, *subjects: str) -> dict[str, Any]:
    inst = demo.start("donvi_kt", "annual_title_nomination", "LDTT-2026-KT")
    file_dossier(demo, inst, "donvi_kt", "LDTT")
    return demo.walk(inst, [
        ("propose", "submitter", "donvi_kt", {"year": 2026, "award_code": "LDTT",
                                              "subjects": list(subjects),
                                              "summary": "Hoàn thành tốt nhiệm vụ."}),
        ("receive_appraise", "secretariat", "thuky", {"decision": "approve",
                                                      "comment": "Đạt."})])


def test_roles_and_errors(demo: DemoOffice) -> None:
    members = demo.ok(demo.get("hoidong", "/council/members"))
    assert [(m["username"], m["position"]) for m in members][:3] == [
        ("chanhvp", "chair"), ("phochanhvp", "vice_chair"), ("thuky", "secretary")]
    assert len(members) == 7
    assert error(demo.get("donvi_kt", "/council/members"), 403) == "council.forbidden"
    assert error(demo.get("donvi_kt", "/council/meetings"), 403) == "council.forbidden"
    assert error(demo.get("thuky", "/council/meetings/999"), 404) == \
        "council.meeting_not_found"
    body = {"title": "Họp", "meeting_date": "2026-11-25"}
    assert error(demo.post("thuky", "/council/meetings", body), 422) == "council.empty_agenda"
    assert error(demo.post("thuky", "/council/meetings", {"title": ""}), 422) == "data.invalid"
    before_council(demo, "KT04")
    assert error(demo.post("hoidong", "/council/meetings", body), 403) == "council.forbidden"
    meeting = demo.ok(demo.post("thuky", "/council/meetings", body), 201)
    assert [c["subject_code"] for c in meeting["candidates"]] == ["KT04"]
    path = f"/council/meetings/{meeting['id']}"
    assert error(demo.post("thuky", f"{path}/voting"), 409) == "council.wrong_status"
    demo.ok(demo.post("thuky", f"{path}/open"))
    ids = [m["id"] for m in meeting["invited"]]
    demo.ok(put(demo, "thuky", f"{path}/attendance",
                {"attendance": [{"member_id": i, "present": n < 3} for n, i in enumerate(ids)]}))
    assert error(demo.post("thuky", f"{path}/voting"), 409) == "council.no_quorum"  # 3 of 7
    demo.ok(put(demo, "thuky", f"{path}/attendance",
                {"attendance": [{"member_id": i, "present": True} for i in ids]}))
    voting = demo.ok(demo.post("thuky", f"{path}/voting"))
    cand = voting["candidates"][0]["candidate_id"]
    vote = {"candidate_id": cand, "choice": "agree"}
    demo.ok(demo.post("hoidong", f"{path}/votes", vote), 201)
    assert error(demo.post("hoidong", f"{path}/votes", vote), 409) == "council.already_voted"
    assert error(demo.post("donvi_kt", f"{path}/votes", vote), 422) == "council.not_member"
    assert error(demo.post("uyvien1", f"{path}/votes", {**vote, "choice": "x"}), 422) == \
        "data.invalid"
    assert error(demo.get("thuky", f"{path}/results"), 409) == "council.not_closed"
    seen = demo.ok(demo.get("hoidong", path))
    assert seen["mine"]["voted"] == [cand] and seen["candidates"][0]["agree"] is None
    for user in ("chanhvp", "phochanhvp", "uyvien1", "uyvien2"):
        demo.ok(demo.post(user, f"{path}/votes", vote), 201)
    closed = demo.ok(demo.post("thuky", f"{path}/close"))
    assert closed["status"] == "closed" and closed["deliveries"][0]["status"] == "delivered"
    results = demo.ok(demo.get("thuky", f"{path}/results"))
    assert [(c["agree"], c["denominator"], c["passed"]) for c in results["candidates"]] == [
        (5, 6, True)]  # the head of Phòng Kinh tế (KT04's unit) is recused
    assert demo.ok(demo.post("thuky", "/council/deliveries")) == []


def test_a_paper_meeting_with_its_scan(demo: DemoOffice) -> None:
    inst = before_council(demo, "KT04", "KT05")
    meeting = demo.ok(demo.post("thuky", "/council/meetings", {
        "title": "Họp Hội đồng (phiếu giấy)", "meeting_date": "2026-11-25", "mode": "paper"}),
        201)
    path = f"/council/meetings/{meeting['id']}"
    demo.ok(demo.post("thuky", f"{path}/open"))
    demo.ok(put(demo, "thuky", f"{path}/attendance", {"attendance": [
        {"member_id": m["id"], "present": True} for m in meeting["invited"]]}))
    voting = demo.ok(demo.post("thuky", f"{path}/voting"))
    cands = {c["subject_code"]: c["candidate_id"] for c in voting["candidates"]}
    assert error(demo.post("hoidong", f"{path}/votes", {"candidate_id": cands["KT04"],
                                                        "choice": "agree"}), 409) == \
        "council.paper_meeting"
    # 7 present, less the head of Phòng Kinh tế recused for both: 6 ballots at most.
    lines = [{"candidate_id": cands["KT04"], "agree": 5, "disagree": 1, "abstain": 0},
             {"candidate_id": cands["KT05"], "agree": 3, "disagree": 2, "abstain": 1}]
    assert error(put(demo, "thuky", f"{path}/paper-counts", {"lines": [
        {**lines[0], "agree": 6}]}), 422) == "council.invalid"  # 7 ballots
    demo.ok(put(demo, "thuky", f"{path}/paper-counts", {"lines": lines}))
    assert error(demo.post("thuky", f"{path}/close"), 409) == "council.scan_missing"
    upload = demo.client.post(f"{API}{path}/scan", headers=demo.headers["thuky"],
                              data={"file": (io.BytesIO(PDF), "bien_ban.pdf")},
                              content_type="multipart/form-data")
    assert upload.status_code == 201, upload.get_data(True)
    closed = demo.ok(demo.post("thuky", f"{path}/close"))
    assert closed["scan"]["filename"] == "bien_ban.pdf"
    result = {c["subject_code"]: c["passed"] for c in closed["candidates"]}
    assert result == {"KT04": True, "KT05": False}  # 3 of 6: not more than half
    after = demo.ok(demo.get("thuky", f"/instances/{inst['id']}"))
    assert after["data"]["council_vote"]["passed"] == ["KT04"]
    assert [t["name"] for t in after["tasks"]] == ["decide"]


def _told(demo: DemoOffice) -> list[tuple[str, str]]:
    from sqlalchemy import select

    from engine.store.models import Notification, User

    with demo.app.extensions["tdkt"].db.session() as s:
        return [(u, k) for u, k in s.execute(
            select(User.username, Notification.kind).join(User, User.id == Notification.user_id)
            .where(Notification.kind.like("council.%")).order_by(Notification.id)).all()]


def test_invited_members_are_told_of_the_meeting_its_changes_and_its_cancelling(
        demo: DemoOffice) -> None:
    before_council(demo, "KT04")
    ids = {m["username"]: m["id"] for m in demo.ok(demo.get("thuky", "/council/members"))}
    body = {"title": "Họp", "meeting_date": "2026-12-20",
            "member_ids": [ids["hoidong"], ids["thuky"]]}
    meeting = demo.ok(demo.post("thuky", "/council/meetings", body), 201)
    assert _told(demo) == [("hoidong", "council.invited")]  # not thuky, who scheduled it
    path = f"/council/meetings/{meeting['id']}"
    demo.ok(demo.client.patch(f"{API}{path}", headers=demo.headers["thuky"],
                              json={"member_ids": [ids["hoidong"], ids["uyvien1"]]}))
    assert _told(demo)[1:] == [("uyvien1", "council.invited")]  # the date did not change
    demo.ok(demo.client.patch(f"{API}{path}", headers=demo.headers["thuky"],
                              json={"meeting_date": "2026-12-22",
                                    "member_ids": [ids["hoidong"], ids["uyvien1"],
                                                   ids["uyvien2"]]}))
    assert sorted(_told(demo)[2:]) == [("hoidong", "council.rescheduled"),
                                       ("uyvien1", "council.rescheduled"),
                                       ("uyvien2", "council.invited")]
    demo.ok(demo.post("thuky", f"{path}/cancel", {"reason": "Đổi kế hoạch"}))
    assert sorted(_told(demo)[5:]) == [("hoidong", "council.cancelled"),
                                       ("uyvien1", "council.cancelled"),
                                       ("uyvien2", "council.cancelled")]
