# ruff: noqa: F811  (the office fixture, imported from test_pages_council_kit)
"""Council pages: who sees what, and a whole electronic meeting through the pages.

The set-up (members, nominations waiting for the council) is in ``test_pages_council_kit``.
"""

from __future__ import annotations

import re
from typing import Any

from demo_kit import DemoOffice
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from test_pages_council_kit import (
    SECRETARIAT_NOT_MEMBER,
    SOON,
    cast,
    checksums_aside,
    create_meeting,
    office,  # noqa: F401  (fixture)
    post,
    service,
    signed_in,
    text,
    waiting_nominations,
)

from engine.roles import Actor
from workflows.council import meetings, members
from workflows.council.models import CouncilMeeting, CouncilTally, CouncilVote
from workflows.models import Nomination


def member_ids(office: DemoOffice) -> dict[str, int]:
    with office.app.extensions["tdkt"].db.session() as s:
        return {v["username"]: k for k, v in members.members_by_id(s).items()}


def nomination_ids(office: DemoOffice, instance_id: int) -> dict[str, int]:
    with office.app.extensions["tdkt"].db.session() as s:
        return dict(s.execute(select(Nomination.subject_code, Nomination.id)
                              .where(Nomination.instance_id == instance_id)).all())


def candidate_ids(html: str) -> list[int]:
    return [int(i) for i in re.findall(r'id="candidate-(\d+)"', html)]


def test_who_may_see_and_manage_the_council_pages(office: DemoOffice) -> None:
    inst = waiting_nominations(office)
    outsider, member, secretariat, clerk = (signed_in(office, u) for u in (
        "donvi_kt", "hoidong", "thuky", SECRETARIAT_NOT_MEMBER))
    for path in ("/council", "/council/members", "/council/meetings/new"):
        assert outsider.get(path).status_code == 403, path
    assert member.get("/council/meetings/new").status_code == 403
    listed = secretariat.get("/council")
    assert listed.status_code == 200 and "Tạo cuộc họp" in text(listed)
    assert "Tạo cuộc họp" not in text(member.get("/council"))
    pool = secretariat.get("/council/meetings/new")
    page = text(pool)
    assert pool.status_code == 200
    for shown in ("Phạm Thị Thu Trang", "Hoàng Minh Tuấn", "Phòng Kinh tế", "Lao động tiên tiến",
                  "LDTT-2026-KT", "Khen thưởng danh hiệu thi đua hằng năm"):
        assert shown in page, shown
    assert f'href="/instances/{inst["id"]}"' in pool.get_data(as_text=True)
    ids = member_ids(office)
    noms = nomination_ids(office, inst["id"])
    meeting = create_meeting(secretariat, list(noms.values()), list(ids.values()))
    url = f"/council/meetings/{meeting}"
    assert outsider.get(url).status_code == 403
    assert member.get(url).status_code == 200
    assert secretariat.get("/council/meetings/999999").status_code == 404
    # A member cannot manage; the secretariat cannot vote (not a member).
    for action in ("open", "start", "close", "cancel"):
        assert post(member, f"{url}/{action}").status_code == 403, action
    assert post(outsider, f"{url}/open").status_code == 403
    assert post(secretariat, f"{url}/open").status_code == 302
    service(office, _attend_all, meeting)
    assert post(secretariat, f"{url}/start").status_code == 302
    cand = candidate_ids(secretariat.get(url).get_data(as_text=True))[0]
    # The secretariat manages but votes only as a member: vanthu is not one, thuky is.
    assert clerk.get(url).status_code == 200
    assert "Phiếu của bạn cho" not in text(clerk.get(url))
    refused = cast(clerk, url, cand, "agree")
    assert refused.status_code == 403, refused.headers.get("Location")
    assert "Bạn không phải thành viên Hội đồng." in text(refused)
    assert "Phiếu của bạn cho Phạm Thị Thu Trang" in text(secretariat.get(url))
    for client in (secretariat, member):
        assert cast(client, url, cand, "agree") \
            .status_code == 302
    with office.app.extensions["tdkt"].db.session() as s:
        assert s.scalar(select(func.count()).select_from(CouncilVote)) == 2


def _attend_all(session: Session, actor: Actor, meeting_id: int) -> dict[str, Any]:
    """Every member present (set-up through the service)."""
    ids = list(members.members_by_id(session).keys())
    return meetings.record_attendance(session, actor, meeting_id, dict.fromkeys(ids, True))


def test_a_whole_meeting_through_the_pages(office: DemoOffice) -> None:
    """Create with the agenda → attendance → start → each member votes, one declares a
    conflict → close → results, minutes and the instance continues."""
    inst = waiting_nominations(office)
    secretariat = signed_in(office, "thuky")
    ids, noms = member_ids(office), nomination_ids(office, inst["id"])
    # A bad date is refused beside its field, what was typed is kept.
    bad = post(secretariat, "/council/meetings/new", {
        "title": "Họp xét danh hiệu 2026", "meeting_date": "2026-12-15", "mode": "electronic",
        "nomination_ids": [str(i) for i in noms.values()],
        "member_ids": [str(i) for i in ids.values()]})
    html = bad.get_data(as_text=True)
    assert bad.status_code == 422
    assert 'id="meeting_date-error"' in html and "dd/mm/yyyy, ví dụ 15/12/2026" in html
    assert 'value="Họp xét danh hiệu 2026"' in html and 'value="2026-12-15"' in html
    partial = post(secretariat, "/council/meetings/new", {
        "title": "Họp", "meeting_date": SOON, "mode": "electronic",
        "nomination_ids": [str(noms["KT04"])], "member_ids": [str(ids["hoidong"])]})
    assert partial.status_code == 422 and "còn thiếu KT05" in text(partial)
    with office.app.extensions["tdkt"].db.session() as s:
        assert s.scalar(select(func.count()).select_from(CouncilMeeting)) == 0

    meeting = create_meeting(secretariat, list(noms.values()), list(ids.values()))
    url = f"/council/meetings/{meeting}"
    assert post(secretariat, f"{url}/open").status_code == 302
    page = text(secretariat.get(url))
    assert "Là thủ trưởng đơn vị của đối tượng" in page  # truongkt heads KT: recused
    attendance = {"invited": [str(i) for i in ids.values()],
                  **{f"present_{i}": "1" for i in ids.values()}}
    done = post(secretariat, f"{url}/attendance", attendance, follow_redirects=True)
    assert "Đã điểm danh: 7/7 thành viên có mặt." in text(done)
    assert post(secretariat, f"{url}/start").status_code == 302
    cands = dict(zip(("KT04", "KT05"), candidate_ids(secretariat.get(url).get_data(True)),
                     strict=True))

    head = signed_in(office, "truongkt")
    head_page = text(head.get(url))
    assert head_page.count("Không tham gia biểu quyết Bạn : Là thủ trưởng đơn vị") == 2
    assert "Phiếu của bạn cho" not in head_page
    refused = cast(head, url, cands["KT04"], "agree")
    assert refused.status_code == 409
    assert "Bạn không tham gia biểu quyết đối với đối tượng này." in text(refused)

    uyvien1 = signed_in(office, "uyvien1")
    assert "Khai báo xung đột lợi ích" in text(uyvien1.get(url))
    declared = post(uyvien1, f"{url}/recusal", {"candidate_id": cands["KT05"],
                                               "note": "Người thân trong gia đình"},
                    follow_redirects=True)
    assert "Tự khai có xung đột lợi ích — Người thân trong gia đình" in text(declared)
    votes = {"chanhvp": ("agree", "agree"), "phochanhvp": ("agree", "disagree"),
             "thuky": ("agree", "disagree"), "hoidong": ("disagree", "disagree"),
             "uyvien1": ("abstain", None), "uyvien2": ("agree", "agree")}
    for username, choices in votes.items():
        client = uyvien1 if username == "uyvien1" else \
            secretariat if username == "thuky" else signed_in(office, username)
        for subject, choice in zip(("KT04", "KT05"), choices, strict=True):
            if choice is None:
                continue
            response = cast(client, url, cands[subject], choice, follow_redirects=True)
            assert response.status_code == 200 and "Đã ghi phiếu" in text(response)
        if username == "hoidong":  # half-way: the progress, never the counts
            progress = text(secretariat.get(url))
            assert "Đã bỏ phiếu: 4/6 thành viên được biểu quyết" in progress
            assert "Đã bỏ phiếu: 4/5 thành viên được biểu quyết" in progress
            assert "Kết quả biểu quyết" not in progress
    progress = text(secretariat.get(url))
    assert "Đã bỏ phiếu: 6/6 thành viên được biểu quyết" in progress  # KT04: truongkt out
    assert "Đã bỏ phiếu: 5/5 thành viên được biểu quyết" in progress  # KT05: uyvien1 too

    closed = post(secretariat, f"{url}/close", follow_redirects=True)
    page = text(closed)
    assert "Đã kết thúc biểu quyết và gửi kết quả tới 1 hồ sơ." in page
    body = page.split("Kết quả biểu quyết từng đối tượng")[1]
    # LĐTT: more than half of the members present not recused.
    # KT04: 4 agree, 1 disagree, 1 abstain, 1 recused, of 6 → 4 needed, passes.
    assert re.search(r"Phạm Thị Thu Trang Lao động tiên tiến 4 1 1 1 6 .*? Đạt", body), body
    # KT05: 2 agree, 3 disagree, 2 recused, of 5 → 3 needed, does not pass.
    assert re.search(r"Hoàng Minh Tuấn Lao động tiên tiến 2 3 0 2 5 .*? Không đạt", body)
    assert "Đã nhận kết quả" in page and "Gửi lại" not in page
    html = closed.get_data(as_text=True)
    assert re.search(rf'href="{url}/minutes/\d+"[^>]*>[^<]*\.pdf<', html)
    minutes = re.findall(rf'href="({url}/minutes/\d+)"', html)
    assert minutes, "the tally minutes are linked"
    assert len(checksums_aside(html, "minutes")) == len(minutes)  # in a details, not in view
    member = signed_in(office, "hoidong")
    for link in minutes:
        got = member.get(link)
        assert got.status_code == 200 and got.data[:4] in (b"%PDF", b"PK\x03\x04")
        # Served as every stored file is (webapp.security.send_stored_file).
        assert got.headers["Content-Security-Policy"] == "default-src 'none'; sandbox"
        assert got.headers["X-Content-Type-Options"] == "nosniff"
        assert got.headers["Cache-Control"] == "private, no-cache"
        assert got.headers["Content-Disposition"].startswith("attachment")
        again = member.get(link, headers={"If-None-Match": got.headers["ETag"]})
        assert again.status_code == 304
    after = office.ok(office.get("thuky", f"/instances/{inst['id']}"))
    assert after["status"] == "running" and after["tasks"], after  # went on by itself
    with office.app.extensions["tdkt"].db.session() as s:
        statuses = dict(s.execute(select(Nomination.subject_code, Nomination.status)
                                  .where(Nomination.instance_id == inst["id"])).all())
    assert statuses == {"KT04": "voted", "KT05": "not_approved"}
    assert cast(secretariat, url, cands["KT04"], "agree").status_code in (403, 409)


def test_start_without_quorum_says_present_and_required(office: DemoOffice) -> None:
    inst = waiting_nominations(office)
    secretariat = signed_in(office, "thuky")
    ids = member_ids(office)
    meeting = create_meeting(secretariat, list(nomination_ids(office, inst["id"]).values()),
                             list(ids.values()))
    url = f"/council/meetings/{meeting}"
    post(secretariat, f"{url}/open")
    post(secretariat, f"{url}/attendance", {
        "invited": [str(i) for i in ids.values()],
        **{f"present_{ids[u]}": "1" for u in ("chanhvp", "thuky", "hoidong")}})
    shown = secretariat.get(url)
    page = text(shown)
    assert "có mặt 3/7 thành viên; cần ít nhất 4" in page and "Chưa đủ túc số" in page
    # The button is disabled and says why; the server refuses a start sent anyway.
    button = re.search(r"<button[^>]*>Bắt đầu biểu quyết</button>", shown.get_data(True))
    assert button and " disabled" in button.group(0) and "quorum-missing" in button.group(0)
    assert "Chưa thể bắt đầu biểu quyết: cần thêm 1 thành viên có mặt." in page
    refused = post(secretariat, f"{url}/start")
    html = refused.get_data(as_text=True)
    assert refused.status_code == 409 and 'id="start-error"' in html
    assert "Hội đồng không đủ túc số: 3/7 thành viên có mặt, cần trên 50% số thành viên." \
        in text(refused)
    with office.app.extensions["tdkt"].db.session() as s:
        assert s.get(CouncilMeeting, meeting).status == "open"  # type: ignore[union-attr]
        assert s.scalar(select(func.count()).select_from(CouncilTally)) == 0
    post(secretariat, f"{url}/attendance", {
        "invited": [str(i) for i in ids.values()],
        **{f"present_{ids[u]}": "1" for u in ("chanhvp", "thuky", "hoidong", "uyvien1")}})
    html = secretariat.get(url).get_data(as_text=True)
    button = re.search(r"<button[^>]*>Bắt đầu biểu quyết</button>", html)
    assert button and " disabled" not in button.group(0) and "quorum-missing" not in html


def test_a_vote_sent_twice_from_two_tabs_counts_once(office: DemoOffice) -> None:
    inst = waiting_nominations(office)
    secretariat = signed_in(office, "thuky")
    ids = member_ids(office)
    meeting = create_meeting(secretariat, list(nomination_ids(office, inst["id"]).values()),
                             list(ids.values()))
    url = f"/council/meetings/{meeting}"
    post(secretariat, f"{url}/open")
    service(office, _attend_all, meeting)
    post(secretariat, f"{url}/start")
    member = signed_in(office, "hoidong")
    first_tab, second_tab = member.get(url), member.get(url)  # both show the ballot
    for tab in (first_tab, second_tab):
        assert "Phiếu của bạn cho Phạm Thị Thu Trang" in text(tab)
    cand = candidate_ids(first_tab.get_data(as_text=True))[0]
    ok = cast(member, url, cand, "agree")
    again = cast(member, url, cand, "disagree")
    assert ok.status_code == 302 and again.status_code == 409
    page = text(again)
    assert "Bạn đã bỏ phiếu cho đối tượng này; mỗi thành viên chỉ bỏ một phiếu." in page
    assert "Bạn đã bỏ phiếu" in page
    with office.app.extensions["tdkt"].db.session() as s:
        counts = dict(s.execute(select(CouncilTally.choice, CouncilTally.count)
                                .where(CouncilTally.candidate_id == cand)).all())
        voters = s.scalar(select(func.count()).select_from(CouncilVote)
                          .where(CouncilVote.candidate_id == cand))
    assert counts == {"agree": 1, "disagree": 0, "abstain": 0} and voters == 1


def test_an_absent_member_is_told_why_and_may_not_declare_a_conflict(
        office: DemoOffice) -> None:
    from workflows.council.models import CouncilRecusal

    inst = waiting_nominations(office)
    secretariat = signed_in(office, "thuky")
    ids = member_ids(office)
    meeting = create_meeting(secretariat, list(nomination_ids(office, inst["id"]).values()),
                             list(ids.values()))
    url = f"/council/meetings/{meeting}"
    post(secretariat, f"{url}/open")
    post(secretariat, f"{url}/attendance", {
        "invited": [str(i) for i in ids.values()],
        **{f"present_{i}": "1" for u, i in ids.items() if u != "uyvien2"}})
    post(secretariat, f"{url}/start")
    absent = signed_in(office, "uyvien2")
    shown = absent.get(url)
    page, html = text(shown), shown.get_data(as_text=True)
    assert "Anh/chị được ghi vắng mặt nên không biểu quyết trong phiên này." in page
    assert "Khai báo xung đột lợi ích" not in page and "Phiếu của bạn" not in page
    cand = candidate_ids(html)[0]
    refused = post(absent, f"{url}/recusal", {"candidate_id": cand, "note": "Người thân"})
    assert refused.status_code == 409
    assert "được ghi vắng mặt nên không biểu quyết" in text(refused)
    with office.app.extensions["tdkt"].db.session() as s:
        assert s.scalar(select(func.count()).select_from(CouncilRecusal)
                        .where(CouncilRecusal.reason == "declared")) == 0
    present = signed_in(office, "hoidong")  # a present member still has the form
    assert "Khai báo xung đột lợi ích" in text(present.get(url))
