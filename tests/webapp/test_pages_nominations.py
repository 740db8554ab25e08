"""Dossier lists: the ones I started, my unit's, all of them (office-wide roles), reachable
from the inbox as tabs; each row says its step or what it waits for."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from demo_kit import DemoOffice, make_demo_office
from flask.testing import FlaskClient
from test_pages_auth import login
from test_pages_council_kit import waiting_nominations

from engine import identity
from engine.roles import SYSTEM
from webapp.demo import DEMO_PASSWORD


@pytest.fixture
def demo(db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
         ) -> Iterator[DemoOffice]:
    office = make_demo_office(db_url, tmp_path, monkeypatch)
    office.app.config["WTF_CSRF_ENABLED"] = True  # these pages are proven with CSRF on
    svc = office.app.extensions["tdkt"]
    with svc.db.write_session() as s:  # a colleague of donvi_kt, in the same unit
        user = identity.create_user(s, SYSTEM, "donvi_kt2", DEMO_PASSWORD, ["submitter"],
                                    svc.engine.settings.roles, "KT", "Vũ Thị Kim")
        office.headers["donvi_kt2"] = {
            "Authorization": f"Bearer {identity.create_token(s, SYSTEM, user)}"}
        s.commit()
    yield office
    svc.db.dispose()


def _signed_in(demo: DemoOffice, username: str) -> FlaskClient:
    client = demo.app.test_client()
    r = login(client, username, DEMO_PASSWORD)
    assert r.status_code == 302, r.get_data(as_text=True)
    return client


def _listed(html: str) -> set[str]:
    return set(re.findall(r'href="/instances/\d+">([^<]+)</a>', html))


def _title(html: str) -> str:
    found = re.search(r'<h1 class="h3 mb-0">([^<]+)</h1>', html)
    assert found, html
    return found[1]


def _tabs(html: str) -> list[tuple[str, bool]]:
    block = html.split('aria-label="Công việc và hồ sơ"')[1].split("</nav>")[0]
    return [(label, "active" in cls) for cls, label in re.findall(
        r'<a class="nav-link([^"]*)" href="[^"]+"\s*(?:aria-current="page")?\s*>([^<]+)</a>',
        block)]


def test_mine_is_what_i_started_not_what_my_colleague_did(demo: DemoOffice) -> None:
    demo.start("donvi_kt", "adhoc_award", "DN-KT-1")
    demo.start("donvi_kt2", "adhoc_award", "DN-KT-2")
    demo.start("donvi_vx", "adhoc_award", "DN-VX-1")
    kt = _signed_in(demo, "donvi_kt")
    mine = kt.get("/nominations?view=mine").get_data(as_text=True)
    assert _title(mine) == "Hồ sơ do tôi khởi tạo" and _listed(mine) == {"DN-KT-1"}
    unit = kt.get("/nominations?view=unit").get_data(as_text=True)
    assert _title(unit) == "Hồ sơ của đơn vị tôi" and "Phòng Kinh tế · 2 hồ sơ" in unit
    assert _listed(unit) == {"DN-KT-1", "DN-KT-2"}
    assert _listed(kt.get("/nominations?mine=1").get_data(as_text=True)) == {"DN-KT-1"}
    colleague = _signed_in(demo, "donvi_kt2").get("/nominations?view=mine").get_data(True)
    assert _listed(colleague) == {"DN-KT-2"}


def test_each_role_lands_on_its_view_with_an_honest_title(demo: DemoOffice) -> None:
    demo.start("donvi_kt", "adhoc_award", "DN-KT-1")
    demo.start("donvi_vx", "adhoc_award", "DN-VX-1")
    kt = _signed_in(demo, "donvi_kt").get("/nominations").get_data(as_text=True)
    assert _title(kt) == "Hồ sơ của đơn vị tôi" and _listed(kt) == {"DN-KT-1"}
    assert _tabs(kt) == [("Việc cần làm", False), ("Do tôi khởi tạo", False),
                         ("Của đơn vị tôi", True)]  # no "all": a unit sees its own
    assert _listed(_signed_in(demo, "donvi_kt").get("/nominations?view=all")
                   .get_data(True)) == {"DN-KT-1"}  # an unoffered view falls back

    thuky = _signed_in(demo, "thuky")
    every = thuky.get("/nominations").get_data(as_text=True)
    assert _title(every) == "Tất cả hồ sơ đề nghị khen thưởng"
    assert _listed(every) == {"DN-KT-1", "DN-VX-1"}
    assert _tabs(every)[-1] == ("Tất cả hồ sơ", True)
    own = thuky.get("/nominations?view=unit").get_data(as_text=True)
    assert _title(own) == "Hồ sơ của đơn vị tôi" and _listed(own) == set()
    assert "Phòng Tổ chức - Hành chính - Quản trị · 0 hồ sơ" in own
    assert _listed(thuky.get("/nominations?view=mine").get_data(True)) == set()

    inbox = thuky.get("/").get_data(as_text=True)  # the same tabs above the inbox
    assert _tabs(inbox) == [("Việc cần làm", True), ("Do tôi khởi tạo", False),
                            ("Của đơn vị tôi", False), ("Tất cả hồ sơ", False)]
    assert 'href="/nominations?view=mine"' in inbox and 'href="/nominations?view=all"' in inbox
    assert demo.client.get("/nominations").status_code == 302  # login required


def test_filters_status_labels_and_the_current_step(demo: DemoOffice) -> None:
    demo.start("donvi_kt", "adhoc_award", "DN-KT-1")
    done = demo.start("donvi_kt", "emulation_registration", "DK-KT-2")
    demo.ok(demo.post("donvi_kt", f"/instances/{done['id']}/cancel", {"reason": "Nhầm"}))
    kt = _signed_in(demo, "donvi_kt")
    html = kt.get("/nominations").get_data(as_text=True)
    assert "Khen thưởng đột xuất (thủ tục đơn giản)" in html and "Đang xử lý" in html
    assert "Đã hủy" in html and "Nguyễn Văn An" in html and re.search(r"\d{2}/\d{2}/\d{4}", html)
    assert "Lập tờ trình đề nghị khen thưởng đột xuất" in html  # the current step
    page = kt.get("/nominations?process=adhoc_award").get_data(as_text=True)
    assert _listed(page) == {"DN-KT-1"}
    assert _listed(kt.get("/nominations?status=cancelled").get_data(True)) == {"DK-KT-2"}
    assert _listed(kt.get("/nominations?status=completed").get_data(True)) == set()
    english = kt.get("/nominations?lang=en").get_data(as_text=True)
    assert "Cancelled" in english and "My unit's dossiers" in english


def test_a_dossier_at_the_council_says_what_it_waits_for(demo: DemoOffice) -> None:
    inst = waiting_nominations(demo)
    html = _signed_in(demo, "donvi_kt").get("/nominations").get_data(as_text=True)
    row = html.split(f'href="/instances/{inst["id"]}"')[1].split("</tr>")[0]
    assert "Chờ: Phiên họp Hội đồng kết thúc, có kết quả kiểm phiếu" in row
    assert "—" not in row.split('data-label="Bước hiện tại"')[1].split("</td>")[0]


def test_paging_keeps_the_filters_and_the_view(demo: DemoOffice,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    import webapp.nominations_pages as pages

    monkeypatch.setattr(pages, "PER_PAGE", 1)
    demo.start("donvi_kt", "adhoc_award", "DN-KT-1")
    demo.start("donvi_kt", "adhoc_award", "DN-KT-2")
    kt = _signed_in(demo, "donvi_kt")
    first = kt.get("/nominations?process=adhoc_award&view=mine").get_data(as_text=True)
    links = first.split('aria-label="Phân trang"')[1]
    assert "page=2" in links and "process=adhoc_award" in links and "view=mine" in links
    second = kt.get("/nominations?process=adhoc_award&view=mine&page=2").get_data(True)
    assert _listed(first) | _listed(second) == {"DN-KT-1", "DN-KT-2"}
