# ruff: noqa: F811  (the office fixture, imported from test_pages_council_kit)
"""Council members read the dossiers they vote on, whatever their own roles; and a meeting
says when a member's conflicts of interest cannot be computed.

``donvi_vx`` (submitter of Phòng Văn hóa - Xã hội, no office role) is made a council member:
invited to a meeting on KT's candidates, they open KT's dossier from the meeting page and
download its files and the tally minutes, read only; before the invitation, and for a
meeting that was cancelled, the dossier stays hidden.
"""

from __future__ import annotations

import io
import re

from demo_kit import DemoOffice
from sqlalchemy import delete
from test_pages_council import member_ids, nomination_ids
from test_pages_council_kit import (
    PDF,
    create_meeting,
    office,  # noqa: F401  (fixture)
    post,
    service,
    signed_in,
    text,
    waiting_nominations,
)

from workflows.council import members
from workflows.models import Setting


def test_a_member_with_only_a_unit_role_reads_the_dossiers_of_the_meeting(
        office: DemoOffice) -> None:
    inst = waiting_nominations(office)  # KT's dossier
    service(office, members.save_member, "donvi_vx", position="member", sort_order=8)
    unit_member = signed_in(office, "donvi_vx")
    dossier = f"/instances/{inst['id']}"
    assert unit_member.get(dossier).status_code == 404  # not on any meeting yet
    secretariat = signed_in(office, "thuky")
    ids = member_ids(office)
    cancelled = create_meeting(secretariat, list(nomination_ids(office, inst["id"]).values()),
                               list(ids.values()), title="Phiên họp bị hủy")
    post(secretariat, f"/council/meetings/{cancelled}/cancel", {"reason": "Đổi ngày"})
    assert unit_member.get(dossier).status_code == 404  # a cancelled meeting grants nothing

    meeting = create_meeting(secretariat, list(nomination_ids(office, inst["id"]).values()),
                             list(ids.values()), mode="paper")
    url = f"/council/meetings/{meeting}"
    page = unit_member.get(url)
    assert page.status_code == 200
    assert f'href="{dossier}"' in page.get_data(as_text=True)  # the link on the card
    opened = unit_member.get(dossier)
    assert opened.status_code == 200, text(opened)
    files = re.findall(r'href="(/attachments/\d+)"', opened.get_data(as_text=True))
    assert files, "the dossier's files are listed"
    got = unit_member.get(files[0])
    assert got.status_code == 200 and got.data  # and downloadable
    # Read only: a file cannot be added to it.
    refused = office.client.post(f"/api/v1/instances/{inst['id']}/attachments", data={
        "item": "to_trinh", "file": (io.BytesIO(PDF), "to_trinh.pdf")},
        headers=office.headers["donvi_vx"], content_type="multipart/form-data")
    assert refused.status_code == 403, refused.get_data(as_text=True)
    # nor a comment: the page offers no form, the API and the form's address refuse it
    assert 'name="text"' not in opened.get_data(as_text=True)
    assert "ý kiến về ứng viên nêu tại phiên họp" in text(opened)
    said = office.client.post(f"/api/v1/instances/{inst['id']}/comments",
                              json={"text": "Ý kiến của thành viên"},
                              headers=office.headers["donvi_vx"])
    assert said.status_code == 403 and said.get_json()["code"] == "comment.forbidden"
    posted = post(unit_member, f"{dossier}/comments", {"text": "Ý kiến của thành viên"})
    assert posted.status_code == 403 and "không gửi ý kiến vào hồ sơ" in text(posted)
    history = office.ok(office.get("donvi_kt", f"/instances/{inst['id']}/comments"))
    assert "Ý kiến của thành viên" not in str(history)
    listed = office.ok(office.get("donvi_vx", "/instances"))
    assert inst["id"] in [i["id"] for i in listed["items"]]
    assert office.get("donvi_kt", f"/instances/{inst['id']}").status_code == 200

    # The paper meeting closes; the member downloads the tally minutes from its page.
    post(secretariat, f"{url}/open")
    post(secretariat, f"{url}/attendance", {
        "invited": [str(i) for i in ids.values()],
        **{f"present_{i}": "1" for i in ids.values()}})
    post(secretariat, f"{url}/start")
    cands = {c: i for c, i in zip(("KT04", "KT05"), re.findall(
        r'id="candidate-(\d+)"', secretariat.get(url).get_data(as_text=True)), strict=True)}
    post(secretariat, f"{url}/paper", {
        "candidate_ids": list(cands.values()),
        **{f"{k}_{cid}": v for cid in cands.values()
           for k, v in (("agree", "6"), ("disagree", "1"), ("abstain", "0"))}})
    post(secretariat, f"{url}/scan", {"scan": (io.BytesIO(PDF), "bb.pdf")},
         content_type="multipart/form-data")
    closed = post(secretariat, f"{url}/close", follow_redirects=True)
    assert "Đã kết thúc biểu quyết" in text(closed), text(closed)
    links = re.findall(rf'href="({url}/minutes/\d+)"',
                       unit_member.get(url).get_data(as_text=True))
    assert len(links) == 2  # PDF and DOCX
    for link in links:
        got = unit_member.get(link)
        assert got.status_code == 200 and got.data[:4] in (b"%PDF", b"PK\x03\x04")
    outsider = signed_in(office, "donvi_kt")  # not a member: neither the page nor the file
    assert outsider.get(links[0]).status_code == 403
    assert secretariat.get(f"{url}/minutes/999999").status_code == 404


def test_a_meeting_says_whose_conflicts_of_interest_it_cannot_compute(office: DemoOffice
                                                                      ) -> None:
    inst = waiting_nominations(office)
    secretariat = signed_in(office, "thuky")
    ids = member_ids(office)
    meeting = create_meeting(secretariat, list(nomination_ids(office, inst["id"]).values()),
                             list(ids.values()))
    url = f"/council/meetings/{meeting}"
    # the demo links every member to a person: nothing to say
    assert "Không tự xác định được xung đột lợi ích" not in text(secretariat.get(url))
    for order, username in ((4, "hoidong"), (6, "uyvien1")):  # two lose their person
        service(office, members.save_member, username, position="member", person_code=None,
                sort_order=order)
    page = text(secretariat.get(url))
    assert "Không tự xác định được xung đột lợi ích của 2 thành viên:" in page
    named = page.split("Không tự xác định được")[1].split(".")[0]
    assert "Phạm Văn Hùng" in named and "Đặng Minh Quân" in named
    assert "Trần Quốc Khánh" not in named
    assert "Gắn thành viên với cán bộ" in page
    member_page = text(signed_in(office, "uyvien1").get(url))
    assert "Không tự xác định được xung đột lợi ích của 2 thành viên:" in member_page
    assert "Gắn thành viên với cán bộ" not in member_page  # only managers link members
    service(office, members.save_member, "uyvien1", position="member", person_code="VX03",
            sort_order=6)
    page = text(secretariat.get(url))
    assert "Không tự xác định được xung đột lợi ích của 1 thành viên:" in page


def test_managers_are_told_before_the_meeting_that_the_letterhead_is_missing(
        office: DemoOffice) -> None:
    inst = waiting_nominations(office)
    secretariat = signed_in(office, "thuky")
    ids = member_ids(office)
    meeting = create_meeting(secretariat, list(nomination_ids(office, inst["id"]).values()),
                             list(ids.values()))
    url = f"/council/meetings/{meeting}"
    assert 'id="letterhead"' not in secretariat.get(url).get_data(as_text=True)  # demo: set
    with office.app.extensions["tdkt"].db.write_session() as s:
        s.execute(delete(Setting).where(Setting.key == "document_place"))
        s.commit()
    page = text(secretariat.get(url))
    assert ("Chưa lập được biên bản kiểm phiếu: tiêu đề văn bản còn thiếu Địa danh ghi ngày "
            "tháng (document_place).") in page
    member = signed_in(office, "uyvien1").get(url).get_data(as_text=True)
    assert 'id="letterhead"' not in member  # members cannot fix it: not their message
