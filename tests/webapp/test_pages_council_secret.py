# ruff: noqa: F811  (the office fixture, imported from test_pages_council_kit)
"""Council pages: a vote confirmed before it is cast, a secret ballot seen by the member
who cast it, and a result that could not reach its dossier, retried by the secretariat."""

from __future__ import annotations

import re
from typing import Any

import pytest
from demo_kit import DemoOffice
from sqlalchemy import select
from test_pages_council_kit import (
    cast,
    create_meeting,
    office,  # noqa: F401  (fixture)
    post,
    signed_in,
    text,
    waiting_nominations,
)

from engine.roles import SYSTEM
from engine.store.models import AuditEvent
from workflows.council import members
from workflows.council.models import CouncilDelivery, CouncilMeeting, CouncilTally, CouncilVote
from workflows.models import AwardType, Nomination


def _voting_meeting(office: DemoOffice) -> tuple[int, str, list[int]]:
    """A meeting of the waiting nomination, every member present, voting started."""
    inst = waiting_nominations(office)
    secretariat = signed_in(office, "thuky")
    with office.app.extensions["tdkt"].db.session() as s:
        noms = list(s.scalars(select(Nomination.id)
                              .where(Nomination.instance_id == inst["id"])).all())
        ids = list(members.members_by_id(s, active_only=True))
    meeting = create_meeting(secretariat, noms, ids)
    url = f"/council/meetings/{meeting}"
    post(secretariat, f"{url}/open")
    post(secretariat, f"{url}/attendance", {"invited": [str(i) for i in ids],
                                            **{f"present_{i}": "1" for i in ids}})
    assert post(secretariat, f"{url}/start").status_code == 302
    page = secretariat.get(url).get_data(as_text=True)
    return inst["id"], url, [int(i) for i in re.findall(r'id="candidate-(\d+)"', page)]


@pytest.mark.parametrize("secret", [True, False])
def test_a_vote_is_confirmed_before_it_is_cast(office: DemoOffice, secret: bool) -> None:
    """A cast vote cannot be changed (secret or open), so the page asks first: the first
    POST shows the choice to confirm and writes nothing; ``confirm=1`` casts it. No
    JavaScript needed: the confirmation is a form of its own."""
    with office.app.extensions["tdkt"].db.write_session() as s:
        s.get(AwardType, "LDTT").secret_ballot = secret  # type: ignore[union-attr]
        s.commit()
    _inst, url, (kt04, _kt05) = _voting_meeting(office)
    member = signed_in(office, "hoidong")
    asked = post(member, f"{url}/vote", {"candidate_id": kt04, "choice": "disagree"})
    assert asked.status_code == 200
    html = asked.get_data(as_text=True)
    card = html.split(f'id="candidate-{kt04}"')[1].split("<article")[0]
    assert "Xác nhận phiếu của bạn cho Phạm Thị Thu Trang" in card
    assert "Bạn chọn: «Không đồng ý»." in card and "Xác nhận bỏ phiếu" in card
    assert ("không ai biết bạn đã chọn gì" in card) is secret
    assert f'href="{url}#candidate-{kt04}"' in html  # «Chọn lại»: back to the ballot
    assert 'name="confirm" value="1"' in html and 'name="choice" value="disagree"' in html
    # The other candidate still shows its ballot; nothing was written.
    assert "Phiếu của bạn cho Hoàng Minh Tuấn" in html.split(f'id="candidate-{kt04}"')[1]
    with office.app.extensions["tdkt"].db.session() as s:
        assert s.scalars(select(CouncilVote)).all() == []
    cast = post(member, f"{url}/vote", {"candidate_id": kt04, "choice": "disagree",
                                        "confirm": "1"}, follow_redirects=True)
    assert ("Đã bỏ phiếu kín." if secret else "Đã ghi phiếu «Không đồng ý».") in text(cast)
    with office.app.extensions["tdkt"].db.session() as s:
        counts = dict(s.execute(select(CouncilTally.choice, CouncilTally.count)
                                .where(CouncilTally.candidate_id == kt04)).all())
    assert counts == {"agree": 0, "disagree": 1, "abstain": 0}


def test_a_secret_vote_shows_as_cast_and_cannot_be_changed(office: DemoOffice) -> None:
    with office.app.extensions["tdkt"].db.write_session() as s:
        s.get(AwardType, "LDTT").secret_ballot = True  # type: ignore[union-attr]
        s.commit()
    _inst, url, (kt04, _kt05) = _voting_meeting(office)
    member = signed_in(office, "hoidong")
    ballot = text(member.get(url))
    assert "Bỏ phiếu kín" in ballot and "phiếu kín; không thể sửa sau khi bỏ" in ballot
    page = text(cast(member, url, kt04, "disagree", follow_redirects=True))
    assert "Đã bỏ phiếu kín." in page and "Đã bỏ phiếu kín" in page.split("Phạm Thị Thu")[1]
    assert "Không đồng ý" not in page.split("Phạm Thị Thu")[1].split("Hoàng Minh Tuấn")[0]
    changed = cast(member, url, kt04, "agree")
    assert changed.status_code == 409 and "mỗi thành viên chỉ bỏ một phiếu" in text(changed)
    progress = text(signed_in(office, "thuky").get(url))
    assert "Đã bỏ phiếu: 1/6 thành viên được biểu quyết" in progress
    assert "Kết quả biểu quyết" not in progress  # how it went stays hidden until the close
    with office.app.extensions["tdkt"].db.session() as s:
        assert s.scalars(select(CouncilVote.choice)
                         .where(CouncilVote.candidate_id == kt04)).all() == [None]
        counts = dict(s.execute(select(CouncilTally.choice, CouncilTally.count)
                                .where(CouncilTally.candidate_id == kt04)).all())
    assert counts == {"agree": 0, "disagree": 1, "abstain": 0}


def test_a_result_that_did_not_reach_its_dossier_is_retried(
        office: DemoOffice, monkeypatch: pytest.MonkeyPatch) -> None:
    instance_id, url, _cands = _voting_meeting(office)
    svc = office.app.extensions["tdkt"]

    def unreachable(*_args: Any, **_kwargs: Any) -> Any:
        raise RuntimeError("máy chủ quy trình tạm thời không phản hồi.")  # shown capitalised

    with monkeypatch.context() as patch:  # the first delivery fails
        patch.setattr(svc.engine, "deliver_message", unreachable)
        secretariat = signed_in(office, "thuky")
        closed = text(post(secretariat, f"{url}/close", follow_redirects=True))
    assert "1 hồ sơ chưa nhận được kết quả" in closed
    assert "Lỗi khi gửi" in closed and "Máy chủ quy trình tạm thời không phản hồi. (1 lần thử)" \
        in closed and "Gửi lại" in closed
    waiting = office.ok(office.get("thuky", f"/instances/{instance_id}"))
    assert waiting["status"] == "running" and waiting["tasks"] == []  # still waiting
    member = signed_in(office, "hoidong")
    assert "Gửi lại" not in text(member.get(url))
    assert post(member, f"{url}/deliver").status_code == 403
    again = text(post(secretariat, f"{url}/deliver", follow_redirects=True))
    assert "Đã gửi lại: 1 hồ sơ nhận được kết quả, 0 hồ sơ còn lỗi." in again
    assert "Đã nhận kết quả" in again and "Gửi lại" not in again
    with svc.db.session() as s:
        row = s.scalars(select(CouncilDelivery)).one()
    assert (row.status, row.attempts, row.error) == ("delivered", 2, None)
    after = office.ok(office.get("thuky", f"/instances/{instance_id}"))
    # The procedure went on: nobody voted, nobody passed, so it ends here.
    assert after["data"]["council_vote"]["outcome"] == "none", after
    assert after["status"] == "completed" and after["ended_at"]


def test_a_dossier_cancelled_during_the_vote_gets_no_result(office: DemoOffice) -> None:
    instance_id, url, _cands = _voting_meeting(office)
    svc = office.app.extensions["tdkt"]
    with svc.db.write_session() as s:
        svc.engine.cancel_instance(s, instance_id, SYSTEM, "Đơn vị rút hồ sơ.")
    closed = text(post(signed_in(office, "thuky"), f"{url}/close", follow_redirects=True))
    assert "Không gửi: hồ sơ đã kết thúc" in closed and "Gửi lại" not in closed
    assert "Kết quả biểu quyết" in closed  # the council's results stand


def test_closing_a_secret_meeting_from_the_page_wipes_the_counters(office: DemoOffice) -> None:
    """The page's own reading transaction (the signed-in user, the meeting) must not hold
    the wipe back: on SQLite a reader blocks the WAL checkpoint."""
    with office.app.extensions["tdkt"].db.write_session() as s:
        s.get(AwardType, "LDTT").secret_ballot = True  # type: ignore[union-attr]
        s.commit()
    _inst, url, (kt04, kt05) = _voting_meeting(office)
    for username in ("hoidong", "uyvien1"):
        member = signed_in(office, username)
        for candidate in (kt04, kt05):
            cast(member, url, candidate, "agree")
    secretariat = signed_in(office, "thuky")
    secretariat.get(url)  # the page read first, as a person does
    closed = post(secretariat, f"{url}/close", follow_redirects=True)
    assert "Kết quả biểu quyết" in text(closed)
    with office.app.extensions["tdkt"].db.session() as s:
        [payload] = s.scalars(select(AuditEvent.payload).where(
            AuditEvent.event_type == "council.tally_scrubbed")).all()
        meeting = s.get(CouncilMeeting, int(url.rsplit("/", 1)[1]))
        assert meeting is not None and meeting.scrubbed_at is not None
    assert '"ok":true' in payload.replace(" ", ""), payload
