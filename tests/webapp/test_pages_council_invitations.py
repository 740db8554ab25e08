# ruff: noqa: F811  (the office fixture, imported from test_pages_council_kit)
"""Scheduling a council meeting notifies each invited member: in the app (title with the
meeting's date, opening it leads to the meeting) and by e-mail with a link to it; a
member invited later, a new date and a meeting called off are told too."""

from __future__ import annotations

import re

from demo_kit import DemoOffice
from sqlalchemy import select, update
from test_pages_auth import csrf_token
from test_pages_council import member_ids, nomination_ids
from test_pages_council_kit import (
    SOON,
    create_meeting,
    office,  # noqa: F401  (fixture)
    post,
    signed_in,
    waiting_nominations,
)

from engine.store.models import EmailOutbox, Notification, User


def test_scheduling_a_meeting_invites_each_member(office: DemoOffice) -> None:
    inst = waiting_nominations(office)
    secretariat = signed_in(office, "thuky")
    ids = member_ids(office)
    invited = [ids["hoidong"], ids["truongkt"]]
    db = office.app.extensions["tdkt"].db
    with db.write_session() as s:  # hoidong reads e-mail
        s.execute(update(User).where(User.username == "hoidong").values(
            email="hoidong@example.org", email_notifications=True))
        s.commit()
    meeting = create_meeting(secretariat, list(nomination_ids(office, inst["id"]).values()),
                             invited, title="Họp xét danh hiệu 2026")
    # opening the meeting on its day invites no one again
    assert post(secretariat, f"/council/meetings/{meeting}/open").status_code == 302
    with db.session() as s:
        rows = s.execute(select(User.username, Notification.title, Notification.id)
                         .join(User, User.id == Notification.user_id)
                         .where(Notification.kind == "council.invited")).all()
        mails = s.scalars(select(EmailOutbox.body_text).where(
            EmailOutbox.notification_id.in_([r.id for r in rows]))).all()
    assert sorted(r.username for r in rows) == ["hoidong", "truongkt"]  # not the others
    assert {r.title for r in rows} == {
        f"Mời họp Hội đồng Thi đua - Khen thưởng: Họp xét danh hiệu 2026 ({SOON})"}
    assert len(mails) == 1 and all(f"/council/meetings/{meeting}" in body for body in mails)
    assert f"Họp ngày {SOON}, bỏ phiếu điện tử" in mails[0] and "Hồ sơ:" not in mails[0]
    with db.session() as s:
        assert set(s.scalars(select(Notification.link).where(
            Notification.kind == "council.invited"))) == {f"/council/meetings/{meeting}"}

    member = signed_in(office, "hoidong")
    html = member.get("/notifications").get_data(as_text=True)
    assert f"Họp xét danh hiệu 2026 ({SOON})" in html
    # The line under the title names the meeting's day; no empty slot before «·».
    meta = re.findall(r'<span class="tdkt-note-meta">(.*?)</span>', html, re.S)
    assert meta and all(m.startswith(f"Họp ngày {SOON}, bỏ phiếu điện tử · ") for m in meta)
    note_id = re.search(r'/notifications/(\d+)/open', html)
    assert note_id
    opened = member.post(f"/notifications/{note_id[1]}/open",
                         data={"csrf_token": csrf_token(member, "/")})
    assert opened.headers["Location"].endswith(f"/council/meetings/{meeting}")
    english = member.get("/notifications?lang=en").get_data(as_text=True)
    assert "Invitation to the Emulation and Commendation Council meeting: Họp xét" in english
    with db.write_session() as s:  # only a path on this site is followed
        s.execute(update(Notification).where(Notification.id == int(note_id[1]))
                  .values(link="//evil.example/x"))
        s.commit()
    opened = member.post(f"/notifications/{note_id[1]}/open",
                         data={"csrf_token": csrf_token(member, "/")})
    assert opened.headers["Location"].endswith("/notifications")
