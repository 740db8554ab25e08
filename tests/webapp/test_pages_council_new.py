# ruff: noqa: F811  (the office fixture, imported from test_pages_council_kit)
"""Council pages: the candidate pool on /council, and a new meeting whose date is in the
past or far ahead, asked to be confirmed before it is created."""

from __future__ import annotations

import re
from datetime import timedelta

from demo_kit import DemoOffice
from sqlalchemy import func, select
from test_pages_council_kit import (
    office,  # noqa: F401  (fixture)
    post,
    signed_in,
    text,
    waiting_nominations,
)

from workflows.council import members
from workflows.council.models import CouncilMeeting
from workflows.handlers.registry import office_today
from workflows.models import Nomination


def _meetings(office: DemoOffice) -> int:
    with office.app.extensions["tdkt"].db.session() as s:
        return int(s.scalar(select(func.count()).select_from(CouncilMeeting)) or 0)


def _form(office: DemoOffice, day: str, **extra: str) -> dict[str, object]:
    with office.app.extensions["tdkt"].db.session() as s:
        noms = s.scalars(select(Nomination.id).where(Nomination.status == "in_council")).all()
        ids = list(members.members_by_id(s, active_only=True))
    return {"title": "Họp xét danh hiệu", "meeting_date": day, "mode": "electronic",
            "nomination_ids": [str(i) for i in noms], "member_ids": [str(i) for i in ids],
            **extra}


def test_the_council_page_counts_the_pool(office: DemoOffice) -> None:
    secretariat = signed_in(office, "thuky")
    assert "Đề nghị chờ Hội đồng xét: 0" in text(secretariat.get("/council"))
    waiting_nominations(office)  # KT04 and KT05
    page = text(secretariat.get("/council"))
    assert "Đề nghị chờ Hội đồng xét: 2" in page and "Đưa vào một cuộc họp mới" in page
    member = text(signed_in(office, "hoidong").get("/council"))
    assert "Đề nghị chờ Hội đồng xét: 2" in member and "Đưa vào một cuộc họp mới" not in member


def test_a_past_date_is_warned_about_and_created_once_confirmed(office: DemoOffice) -> None:
    waiting_nominations(office)
    secretariat = signed_in(office, "thuky")
    past = (office_today() - timedelta(days=3)).strftime("%d/%m/%Y")
    asked = post(secretariat, "/council/meetings/new", _form(office, past))
    html = asked.get_data(as_text=True)
    assert asked.status_code == 200 and _meetings(office) == 0
    assert re.search(r'class="alert alert-warning[^"]*"[^>]*id="date-notice"', html)
    assert f"Ngày {past} là 3 ngày trước hôm nay." in text(asked)
    assert 'aria-describedby="date-notice"' in html
    assert f'name="confirm_date" value="{past}"' in html
    assert 'value="Họp xét danh hiệu"' in html  # what was typed is kept
    done = post(secretariat, "/council/meetings/new", _form(office, past, confirm_date=past))
    assert done.status_code == 302 and _meetings(office) == 1


def test_a_far_date_is_asked_again_when_changed(office: DemoOffice) -> None:
    waiting_nominations(office)
    secretariat = signed_in(office, "thuky")
    far = (office_today() + timedelta(days=400)).strftime("%d/%m/%Y")
    asked = post(secretariat, "/council/meetings/new", _form(office, far))
    assert asked.status_code == 200 and "còn 400 ngày nữa (hơn 180 ngày)" in text(asked)
    assert 'class="alert alert-info mb-0" id="date-notice"' in asked.get_data(as_text=True)
    farther = (office_today() + timedelta(days=500)).strftime("%d/%m/%Y")
    again = post(secretariat, "/council/meetings/new", _form(office, farther, confirm_date=far))
    assert again.status_code == 200 and "còn 500 ngày nữa" in text(again)
    assert _meetings(office) == 0
    soon = (office_today() + timedelta(days=10)).strftime("%d/%m/%Y")
    done = post(secretariat, "/council/meetings/new", _form(office, soon))  # nothing to ask
    assert done.status_code == 302 and _meetings(office) == 1
