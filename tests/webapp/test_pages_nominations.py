"""Nomination pages for submitters: the unit's dossiers, starting one with its files."""

from __future__ import annotations

import re
from collections.abc import Iterator
from io import BytesIO
from pathlib import Path
from typing import Any

import pytest
from demo_kit import DemoOffice, make_demo_office
from flask.testing import FlaskClient
from sqlalchemy import func, select
from test_pages_auth import csrf_token, login

from engine.store.models import ProcessInstance
from webapp.demo import DEMO_PASSWORD
from workflows.models import Attachment

PDF = b"%PDF-1.7\n1 0 obj<</Type/Catalog>>endobj\n%%EOF\n"
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 64


@pytest.fixture
def demo(db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
         ) -> Iterator[DemoOffice]:
    office = make_demo_office(db_url, tmp_path, monkeypatch)
    office.app.config["WTF_CSRF_ENABLED"] = True  # these pages are proven with CSRF on
    yield office
    office.app.extensions["tdkt"].db.dispose()


def _signed_in(demo: DemoOffice, username: str) -> FlaskClient:
    client = demo.app.test_client()
    r = login(client, username, DEMO_PASSWORD)
    assert r.status_code == 302, r.get_data(as_text=True)
    return client


def _count(demo: DemoOffice, model: Any) -> int:
    with demo.app.extensions["tdkt"].db.session() as s:
        return int(s.scalar(select(func.count()).select_from(model)) or 0)


def _submit(client: FlaskClient, key: str, business_key: str = "",
            files: list[tuple[str, str, bytes]] | None = None, csrf: bool = True) -> Any:
    data: dict[str, Any] = {"process": key, "business_key": business_key}
    if csrf:
        data["csrf_token"] = csrf_token(client, "/nominations/new")
    for n, (item, name, content) in enumerate(files or [], start=1):
        data[f"item_{n}"] = item
        data[f"file_{n}"] = (BytesIO(content), name)
    return client.post("/nominations/new", data=data, content_type="multipart/form-data")


def _listed(html: str) -> set[str]:
    return set(re.findall(r'href="/instances/\d+">([^<]+)</a>', html))


def test_the_list_shows_only_visible_instances_and_filters_work(demo: DemoOffice) -> None:
    demo.start("donvi_kt", "adhoc_award", "DN-KT-1")
    demo.start("donvi_kt", "emulation_registration", "DK-KT-2")
    demo.start("donvi_vx", "adhoc_award", "DN-VX-1")
    kt = _signed_in(demo, "donvi_kt")
    r = kt.get("/nominations")
    html = r.get_data(as_text=True)
    assert r.status_code == 200 and "Hồ sơ của đơn vị tôi" in html
    assert _listed(html) == {"DN-KT-1", "DK-KT-2"}  # unit VX's dossier is absent
    assert "Khen thưởng đột xuất (thủ tục đơn giản)" in html and "Đang xử lý" in html
    assert "Nguyễn Văn An" in html and re.search(r"\d{2}/\d{2}/\d{4}", html)
    assert "Lập tờ trình đề nghị khen thưởng đột xuất" in html  # the current step
    page = kt.get("/nominations?process=adhoc_award").get_data(as_text=True)
    assert _listed(page) == {"DN-KT-1"}
    assert _listed(kt.get("/nominations?status=completed").get_data(as_text=True)) == set()
    assert _listed(kt.get("/nominations?status=running&mine=1").get_data(as_text=True)) \
        == {"DN-KT-1", "DK-KT-2"}
    secretariat = _signed_in(demo, "thuky").get("/nominations?mine=1").get_data(as_text=True)
    assert _listed(secretariat) == set()  # sees all three, started none
    assert len(_listed(_signed_in(demo, "thuky").get("/nominations").get_data(True))) == 3
    assert demo.client.get("/nominations").status_code == 302  # login required


def test_the_form_offers_the_unit_procedures_and_a_business_key(demo: DemoOffice) -> None:
    html = _signed_in(demo, "donvi_kt").get("/nominations/new").get_data(as_text=True)
    for name in ("Khen thưởng đột xuất (thủ tục đơn giản)", "Đăng ký thi đua",
                 "Khen thưởng danh hiệu thi đua hằng năm", "Khen thưởng chuyên đề"):
        assert name in html
    assert "Hủy bỏ quyết định khen thưởng" not in html
    assert re.search(r"DN-\d{4}-KT-001", html) and "Tờ trình đề nghị khen thưởng" in html


def test_starting_adhoc_award_with_two_pdfs_attaches_them_and_opens_the_proposal(
        demo: DemoOffice) -> None:
    client = _signed_in(demo, "donvi_kt")
    r = _submit(client, "adhoc_award", "DN-2026-KT-007", [
        ("to_trinh", "Tờ trình.pdf", PDF), ("bao_cao_thanh_tich", "Báo cáo.pdf", PDF + b"2")])
    assert r.status_code == 302 and r.location.startswith("/tasks/"), r.get_data(True)
    task = demo.ok(demo.get("donvi_kt", f"/tasks/{r.location.rsplit('/', 1)[1]}"))
    assert task["name"] == "propose"
    inst = demo.ok(demo.get("donvi_kt", f"/instances/{task['instance_id']}"))
    assert inst["business_key"] == "DN-2026-KT-007" and inst["unit"] == "KT"
    files = demo.ok(demo.get("donvi_kt", f"/instances/{inst['id']}/attachments"))
    items = files["items"] if isinstance(files, dict) else files
    assert sorted((f["item"], f["filename"]) for f in items) == [
        ("bao_cao_thanh_tich", "Báo cáo.pdf"), ("to_trinh", "Tờ trình.pdf")]
    page = client.get(r.location).get_data(as_text=True)
    assert "Đã tạo hồ sơ DN-2026-KT-007." in page


def test_a_bad_file_creates_nothing_and_says_why(demo: DemoOffice) -> None:
    client = _signed_in(demo, "donvi_kt")
    r = _submit(client, "adhoc_award", "DN-X", [
        ("to_trinh", "a.pdf", PDF), ("danh_sach", "virus.pdf", EXE)])
    html = r.get_data(as_text=True)
    assert r.status_code == 422
    assert "Chỉ nhận tệp PDF, DOCX, XLSX, JPG hoặc PNG" in html and "virus.pdf" in html
    assert "Chưa tạo hồ sơ" in html
    assert _count(demo, ProcessInstance) == 0 and _count(demo, Attachment) == 0


def test_a_council_member_cannot_start_a_unit_procedure(demo: DemoOffice) -> None:
    client = _signed_in(demo, "hoidong")
    html = client.get("/nominations/new").get_data(as_text=True)
    assert "Vai trò của bạn không được khởi tạo thủ tục đề nghị khen thưởng nào." in html
    r = _submit(client, "adhoc_award", files=[("to_trinh", "a.pdf", PDF)])
    assert r.status_code == 403
    assert "Chỉ Đơn vị đề nghị được khởi tạo thủ tục này" in r.get_data(as_text=True)
    assert _count(demo, ProcessInstance) == 0


def test_no_procedure_chosen_and_missing_csrf_are_refused(demo: DemoOffice) -> None:
    client = _signed_in(demo, "donvi_kt")
    r = _submit(client, "")
    assert r.status_code == 422
    assert "Vui lòng chọn thủ tục đề nghị khen thưởng." in r.get_data(as_text=True)
    assert _submit(client, "adhoc_award", csrf=False).status_code == 400
    assert _count(demo, ProcessInstance) == 0


def test_paging_keeps_the_filters(demo: DemoOffice, monkeypatch: pytest.MonkeyPatch) -> None:
    import webapp.nominations_pages as pages

    monkeypatch.setattr(pages, "PER_PAGE", 1)
    demo.start("donvi_kt", "adhoc_award", "DN-KT-1")
    demo.start("donvi_kt", "adhoc_award", "DN-KT-2")
    kt = _signed_in(demo, "donvi_kt")
    first = kt.get("/nominations?process=adhoc_award&mine=1").get_data(as_text=True)
    links = first.split('aria-label="Phân trang"')[1]
    assert "page=2" in links and "process=adhoc_award" in links and "mine=1" in links
    second = kt.get("/nominations?process=adhoc_award&mine=1&page=2").get_data(as_text=True)
    assert _listed(first) | _listed(second) == {"DN-KT-1", "DN-KT-2"}
