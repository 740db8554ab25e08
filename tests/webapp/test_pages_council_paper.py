# ruff: noqa: F811  (the office fixture, imported from test_pages_council_kit)
"""Council pages: a paper meeting (counts typed from the ballots, the scanned minutes) and
the membership page."""

from __future__ import annotations

import hashlib
import re
from io import BytesIO
from pathlib import Path

from demo_kit import DemoOffice
from sqlalchemy import select
from test_pages_council_kit import (
    EXE,
    PDF,
    checksums_aside,
    create_meeting,
    office,  # noqa: F401  (fixture)
    post,
    signed_in,
    text,
    waiting_nominations,
)

from workflows.council import members
from workflows.council.models import CouncilMeeting, CouncilMember, CouncilTally
from workflows.models import Nomination


def _db(office: DemoOffice):  # type: ignore[no-untyped-def]
    return office.app.extensions["tdkt"].db


def _files(office: DemoOffice) -> set[Path]:
    root = Path(office.app.config["FILES_DIR"])
    return {p for p in root.rglob("*") if p.is_file()} if root.exists() else set()


def _scan(client, url: str, name: str, data: bytes):  # type: ignore[no-untyped-def]
    return post(client, f"{url}/scan", {"scan": (BytesIO(data), name)},
                content_type="multipart/form-data")


def test_a_paper_meeting_with_counts_and_the_scanned_minutes(office: DemoOffice) -> None:
    inst = waiting_nominations(office)
    secretariat = signed_in(office, "thuky")
    with _db(office).session() as s:
        noms = dict(s.execute(select(Nomination.subject_code, Nomination.id)
                              .where(Nomination.instance_id == inst["id"])).all())
        ids = list(members.members_by_id(s, active_only=True))
    meeting = create_meeting(secretariat, list(noms.values()), ids, mode="paper")
    url = f"/council/meetings/{meeting}"
    post(secretariat, f"{url}/open")
    post(secretariat, f"{url}/attendance", {"invited": [str(i) for i in ids],
                                            **{f"present_{i}": "1" for i in ids[:6]}})
    assert post(secretariat, f"{url}/start").status_code == 302
    page = secretariat.get(url).get_data(as_text=True)
    assert "Kết quả kiểm phiếu giấy" in page and "Phiếu của bạn cho" not in page
    cands = [int(i) for i in re.findall(r'name="candidate_ids" value="(\d+)"', page)]
    kt04, kt05 = cands
    # KT04: 6 present, truongkt (present) recused → at most 5 ballots.
    too_many = post(secretariat, f"{url}/paper", {
        "candidate_ids": [str(kt04), str(kt05)], f"agree_{kt04}": "5", f"disagree_{kt04}": "1",
        f"abstain_{kt04}": "0", f"agree_{kt05}": "x", f"disagree_{kt05}": "",
        f"abstain_{kt05}": ""})
    html = too_many.get_data(as_text=True)
    assert too_many.status_code == 422
    assert f'id="paper-{kt05}-error"' in html and "là số nguyên không âm" in html
    assert f'name="agree_{kt04}" inputmode="numeric" pattern="[0-9]*" value="5"' in html
    over = post(secretariat, f"{url}/paper", {
        "candidate_ids": [str(kt04)], f"agree_{kt04}": "5", f"disagree_{kt04}": "1",
        f"abstain_{kt04}": "0"})
    assert over.status_code == 422 and f'id="paper-{kt04}-error"' in over.get_data(True)
    # The service's «Dòng 1: tổng số phiếu …» beside KT04, as a sentence of its own.
    assert "Tổng số phiếu vượt số thành viên có mặt được biểu quyết (5)" in text(over)
    with _db(office).session() as s:
        assert sum(s.scalars(select(CouncilTally.count)).all()) == 0  # nothing written
    saved = post(secretariat, f"{url}/paper", {
        "candidate_ids": [str(kt04), str(kt05)], f"agree_{kt04}": "4", f"disagree_{kt04}": "1",
        f"abstain_{kt04}": "0", f"agree_{kt05}": "1", f"disagree_{kt05}": "4",
        f"abstain_{kt05}": "0"}, follow_redirects=True)
    assert "Đã lưu số phiếu của 2 đối tượng." in text(saved)
    early = post(secretariat, f"{url}/close")
    assert early.status_code == 409 and 'id="close-error"' in early.get_data(True)
    assert "cần bản chụp biên bản kiểm phiếu" in text(early)

    before = _files(office)
    bad = _scan(secretariat, url, "bien_ban.pdf", EXE)
    assert bad.status_code == 422 and 'id="scan-error"' in bad.get_data(as_text=True)
    with _db(office).session() as s:
        assert s.get(CouncilMeeting, meeting).scan_sha256 is None  # type: ignore[union-attr]
    assert _files(office) == before  # nothing written
    assert _scan(secretariat, url, "bien_ban.pdf", PDF).status_code == 302
    html = secretariat.get(url).get_data(as_text=True)
    assert "Đã đính kèm: bien_ban.pdf" in text(secretariat.get(url))
    assert checksums_aside(html, "scan") == [hashlib.sha256(PDF).hexdigest()]
    download = secretariat.get(f"{url}/scan")
    assert download.status_code == 200 and download.data == PDF
    assert download.headers["Content-Security-Policy"] == "default-src 'none'; sandbox"
    assert download.headers["Cache-Control"] == "private, no-cache"
    assert signed_in(office, "donvi_kt").get(f"{url}/scan").status_code == 403

    closed = text(post(secretariat, f"{url}/close", follow_redirects=True))
    body = closed.split("Kết quả biểu quyết từng đối tượng")[1]
    # LĐTT counts against the council's 7 members (catalogue), less truongkt recused: 6.
    assert re.search(r"Phạm Thị Thu Trang Lao động tiên tiến 4 1 0 1 6 .*? Đạt", body), body
    assert re.search(r"Hoàng Minh Tuấn Lao động tiên tiến 1 4 0 1 6 .*? Không đạt", body)
    assert "Bản chụp biên bản: bien_ban.pdf" in closed and "Đã nhận kết quả" in closed


def test_the_membership_page(office: DemoOffice) -> None:
    secretariat, chair, member = (signed_in(office, u) for u in ("thuky", "chanhvp", "hoidong"))
    assert signed_in(office, "donvi_kt").get("/council/members").status_code == 403
    page = text(secretariat.get("/council/members"))
    for shown in ("Hoàng Văn Chánh (Chánh Văn phòng)", "Chủ tịch Hội đồng", "Thư ký Hội đồng",
                  "KT01", "Thêm thành viên"):
        assert shown in page, shown
    for viewer in (chair, member):  # they see the membership, the service lets them change none
        shown = viewer.get("/council/members")
        assert shown.status_code == 200 and "Thêm thành viên" not in text(shown)
        assert post(viewer, "/council/members", {"username": "donvi_kt",
                                                 "position": "member"}).status_code == 403
    taken = post(secretariat, "/council/members", {
        "username": "quantri", "position": "chair", "person_code": "", "sort_order": "9"})
    html = taken.get_data(as_text=True)
    assert taken.status_code == 422 and 'id="new-position-error"' in html
    assert "Hội đồng đã có Chủ tịch Hội đồng." in text(taken)
    assert re.search(r'<option value="quantri" selected>', html)  # input kept
    added = post(secretariat, "/council/members", {
        "username": "quantri", "position": "member", "person_code": "VX01", "sort_order": "9"},
        follow_redirects=True)
    assert "Đã lưu thành viên Nguyễn Văn Hải." in text(added)
    with _db(office).session() as s:
        row = s.scalars(select(CouncilMember).where(CouncilMember.person_code == "VX01")).one()
    stopped = post(secretariat, f"/council/members/{row.id}", {
        "username": "quantri", "position": "member", "person_code": "VX01",
        "sort_order": "9", "active": "0"}, follow_redirects=True)
    assert "Nguyễn Văn Hải đã ngừng là thành viên Hội đồng." in text(stopped)
    assert "Đã ngừng" in text(stopped)
    with _db(office).session() as s:
        assert s.get(CouncilMember, row.id).active is False  # type: ignore[union-attr]
