"""Starting a proposal (/nominations/new): the procedure, the year, the title, the people or
the collective of the unit and the dossier files are picked once; the first step's form
opens with them filled in. Bad picks or files create nothing; too much at once is a 413
that keeps the form."""

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


def _signed_in(demo: DemoOffice, username: str = "donvi_kt") -> FlaskClient:
    client = demo.app.test_client()
    r = login(client, username, DEMO_PASSWORD)
    assert r.status_code == 302, r.get_data(as_text=True)
    return client


def _count(demo: DemoOffice, model: Any) -> int:
    with demo.app.extensions["tdkt"].db.session() as s:
        return int(s.scalar(select(func.count()).select_from(model)) or 0)


File = tuple[str, str, bytes] | tuple[str, str, bytes, str]


def _submit(client: FlaskClient, key: str, files: list[File] | None = None,
            csrf: bool = True, **picked: Any) -> Any:
    data: dict[str, Any] = {"process": key, **picked}
    if csrf:
        data["csrf_token"] = csrf_token(client, "/nominations/new")
    for n, (item, name, content, *kind) in enumerate(files or [], start=1):
        data[f"item_{n}"] = item
        data[f"file_{n}"] = (BytesIO(content), name, *kind)
    return client.post("/nominations/new", data=data, content_type="multipart/form-data")


def _option(html: str, code: str) -> str:
    found = re.search(rf'<option value="{code}"[^>]*>', html)
    assert found, code
    return found[0]


def test_the_form_offers_what_the_unit_may_pick(demo: DemoOffice) -> None:
    html = _signed_in(demo).get("/nominations/new").get_data(as_text=True)
    for name in ("Khen thưởng đột xuất (thủ tục đơn giản)", "Đăng ký thi đua",
                 "Khen thưởng danh hiệu thi đua hằng năm", "Khen thưởng chuyên đề"):
        assert name in html
    assert "Hủy bỏ quyết định khen thưởng" not in html
    assert re.search(r"DN-\d{4}-KT-001", html) and "Tờ trình đề nghị khen thưởng" in html
    assert "Quyết định công nhận sáng kiến" in html  # one list of a unit's dossier items
    # titles from the catalogue, each with the procedures that take it and its kind
    ldtt = _option(html, "LDTT")
    assert 'data-kind="individual"' in ldtt and "annual_title_nomination" in ldtt
    assert "adhoc_award" not in ldtt and "emulation_registration" in ldtt
    gk = _option(html, "GK")
    assert 'data-kind="both"' in gk and "adhoc_award" in gk and "thematic_award" in gk
    assert 'data-kind="collective"' in _option(html, "TTLDTT")
    # the dossier items each title requires of the unit, per procedure (the list above the
    # file rows follows the choice; start.js)
    assert ('data-required="{&#34;annual_title_nomination&#34;: [&#34;to_trinh&#34;, '
            '&#34;danh_sach&#34;, &#34;bien_ban_binh_xet&#34;], '
            '&#34;emulation_registration&#34;') not in ldtt  # registration files no dossier
    assert ('data-required="{&#34;annual_title_nomination&#34;: [&#34;to_trinh&#34;, '
            '&#34;danh_sach&#34;, &#34;bien_ban_binh_xet&#34;]}"') in ldtt
    assert '&#34;adhoc_award&#34;: [&#34;to_trinh&#34;, &#34;tom_tat_thanh_tich&#34;]' in gk
    assert re.search(r'id="required-items"[^>]*hidden', html)  # no title chosen yet
    # the unit's people and the unit itself, not another unit's
    assert 'value="KT02"' in html and "Nguyễn Thị Minh Hằng" in html
    assert 'id="unit-KT"' in html and 'value="VX01"' not in html and 'id="unit-VX"' not in html


def test_an_annual_proposal_starts_with_its_picks_and_files(demo: DemoOffice) -> None:
    client = _signed_in(demo)
    r = _submit(client, "annual_title_nomination", [("to_trinh", "Tờ trình.pdf", PDF)],
                year="2026", subject_kind="individual", award_code="LDTT", subjects=["KT04"],
                business_key="DN-2026-KT-007", movement_code="NONE")  # a bad pick
    html = r.get_data(as_text=True)
    assert r.status_code == 422 and not re.search(r'id="required-items"[^>]*hidden', html)
    listed = html[html.index('id="required-items"'):html.index("</p>",
                                                                html.index('id="required-items"'))]
    assert ("Tờ trình đề nghị khen thưởng, Danh sách đề nghị khen thưởng, Biên bản họp bình "
            "xét</span>") in listed
    r = _submit(client, "annual_title_nomination", [
        ("to_trinh", "Tờ trình.pdf", PDF), ("danh_sach", "Danh sách.pdf", PDF + b"2"),
        ("bien_ban_binh_xet", "Biên bản.pdf", PDF + b"3")],
        year="2026", subject_kind="individual", award_code="LDTT",
        subjects=["KT04", "KT02"], business_key="DN-2026-KT-007")
    assert r.status_code == 302 and r.location.startswith("/tasks/"), r.get_data(True)
    task = demo.ok(demo.get("donvi_kt", f"/tasks/{r.location.rsplit('/', 1)[1]}"))
    assert task["name"] == "propose"
    inst = demo.ok(demo.get("donvi_kt", f"/instances/{task['instance_id']}"))
    assert inst["business_key"] == "DN-2026-KT-007" and inst["unit"] == "KT"
    assert {k: inst["data"][k] for k in ("year", "award_code", "subjects")} == {
        "year": 2026, "award_code": "LDTT", "subjects": ["KT04", "KT02"]}
    files = demo.ok(demo.get("donvi_kt", f"/instances/{inst['id']}/attachments"))
    assert sorted((f["item"], f["filename"]) for f in files) == [
        ("bien_ban_binh_xet", "Biên bản.pdf"), ("danh_sach", "Danh sách.pdf"),
        ("to_trinh", "Tờ trình.pdf")]
    page = client.get(r.location).get_data(as_text=True)
    # the task page marks the title's required items at once (from the start data)
    assert page.count("bắt buộc với hình thức khen thưởng này") == 3
    assert "Đã tạo hồ sơ DN-2026-KT-007." in page
    assert re.search(r'value="2026"', page)  # the first step's form, filled in
    assert re.search(r'value="KT02"[^>]*checked', page) and re.search(r'value="KT04"[^>]*checked',
                                                                      page)
    # completed as it stands: nothing typed twice
    done = demo.step(inst, "propose", "submitter", "donvi_kt", {
        k: inst["data"][k] for k in ("year", "award_code", "subjects")})
    assert done["status"] == "running", done.get("error")


def test_an_adhoc_award_names_one_person_and_a_registration_lists_entries(
        demo: DemoOffice) -> None:
    client = _signed_in(demo)
    two = _submit(client, "adhoc_award", subject_kind="individual", award_code="GK",
                  subjects=["KT05", "KT06"])
    assert two.status_code == 422
    assert "Khen thưởng đột xuất đề nghị cho một cá nhân hoặc một tập thể." in two.get_data(True)
    r = _submit(client, "adhoc_award", subject_kind="individual", award_code="GK",
                subjects=["KT05"], year="1999")  # an ad-hoc award takes no year: ignored
    assert r.status_code == 302, r.get_data(True)
    adhoc = demo.ok(demo.get("donvi_kt", "/instances", process_key="adhoc_award"))["items"][0]
    assert {k: adhoc["data"].get(k) for k in ("nominee_name", "nominee_code", "subject_kind",
                                               "award_code", "year")} == {
        "nominee_name": "Hoàng Minh Tuấn", "nominee_code": "KT05",
        "subject_kind": "individual", "award_code": "GK", "year": None}
    r = _submit(client, "emulation_registration", year="2026", subject_kind="collective",
                award_code="TTLDTT", subjects=["KT"])
    assert r.status_code == 302, r.get_data(True)
    reg = demo.ok(demo.get("donvi_kt", "/instances",
                           process_key="emulation_registration"))["items"][0]
    assert reg["data"]["entries"] == [{"subject_code": "KT", "award_code": "TTLDTT"}]


@pytest.mark.parametrize(("picked", "field", "message"), [
    ({"subject_kind": "individual", "award_code": "TTLDTT", "subjects": ["KT02"]},
     "award_code", "«Tập thể lao động tiên tiến» không xét cho cá nhân."),
    ({"subject_kind": "individual", "award_code": "LDTT", "subjects": ["VX01"]},
     "subjects", "Không thuộc đơn vị của bạn (hoặc không đúng loại đối tượng đã chọn): VX01."),
    ({"subject_kind": "collective", "award_code": "TTLDTT", "subjects": ["KT02"]},
     "subjects", "Không thuộc đơn vị của bạn (hoặc không đúng loại đối tượng đã chọn): KT02."),
    ({"subject_kind": "individual", "award_code": "LDTT", "subjects": []},
     "subjects", "Vui lòng chọn ít nhất một cá nhân hoặc tập thể được đề nghị."),
    ({"subject_kind": "individual", "award_code": "LDTT", "subjects": ["KT02"], "year": "x"},
     "year", "Vui lòng chọn năm khen thưởng (từ 2000 đến 2100)."),
    ({"subject_kind": "individual", "award_code": "NOPE", "subjects": ["KT02"]},
     "award_code", "Vui lòng chọn danh hiệu / hình thức khen thưởng mà thủ tục này xét."),
])
def test_a_bad_pick_creates_nothing_and_keeps_the_form(
        demo: DemoOffice, picked: dict[str, Any], field: str, message: str) -> None:
    client = _signed_in(demo)
    r = _submit(client, "annual_title_nomination", [("to_trinh", "a.pdf", PDF)],
                **{"year": "2026", "business_key": "DN-KEEP", **picked})
    html = r.get_data(as_text=True)
    assert r.status_code == 422 and "Chưa tạo hồ sơ" in html
    assert f'id="{field}-error">{message}' in html.replace("&#34;", '"')
    assert 'value="DN-KEEP"' in html and 'id="process-annual_title_nomination"' in html
    assert re.search(r'id="process-annual_title_nomination"\s+value="[^"]+" checked', html)
    assert _count(demo, ProcessInstance) == 0 and _count(demo, Attachment) == 0


def test_a_bad_file_or_a_false_content_type_creates_nothing(demo: DemoOffice) -> None:
    client = _signed_in(demo)
    picks = {"subject_kind": "individual", "award_code": "GK", "subjects": ["KT05"]}
    r = _submit(client, "adhoc_award", [("to_trinh", "a.pdf", PDF),
                                        ("danh_sach", "virus.pdf", EXE)], **picks)
    html = r.get_data(as_text=True)
    assert r.status_code == 422 and "Chỉ nhận tệp PDF, DOCX, XLSX, JPG hoặc PNG" in html
    assert "virus.pdf" in html
    r = _submit(client, "adhoc_award", [("to_trinh", "a.pdf", PDF, "text/html")], **picks)
    assert r.status_code == 422
    assert ("Tệp «a.pdf» được gửi với kiểu «text/html», không khớp với nội dung tệp (PDF)"
            in r.get_data(as_text=True))
    assert _count(demo, ProcessInstance) == 0 and _count(demo, Attachment) == 0
    r = _submit(client, "adhoc_award", [("to_trinh", "a.pdf", PDF, "application/octet-stream")],
                **picks)  # "some bytes" says nothing false
    assert r.status_code == 302 and _count(demo, Attachment) == 1


def test_files_over_the_request_limit_get_413_and_the_form_back(demo: DemoOffice) -> None:
    demo.app.config.update(MAX_UPLOAD_BYTES=150_000, MAX_CONTENT_LENGTH=200_000)
    client = _signed_in(demo)
    big = PDF + b"0" * 120_000
    r = _submit(client, "annual_title_nomination", [
        ("to_trinh", "a.pdf", big), ("danh_sach", "b.pdf", big + b"1")],
        year="2026", subject_kind="individual", award_code="CSTD_CS",
        subjects=["KT02", "KT04"], business_key="DN-BIG")
    html = r.get_data(as_text=True)
    assert r.status_code == 413, html[:500]
    assert re.search(r"Các tệp gửi cùng lúc \(23\d KB\) vượt quá 195 KB cho một lần gửi nên "
                     r"chưa tạo hồ sơ", html)
    assert 'value="DN-BIG"' in html and re.search(r'value="CSTD_CS"[^>]*selected', html)
    assert re.search(r'value="KT02"\s+checked', html) and re.search(r'value="KT04"\s+checked',
                                                                    html)
    assert not re.search(r'value="KT05"\s+checked', html)
    assert _count(demo, ProcessInstance) == 0
    # far beyond the limit: the body is not read, the form still answers
    demo.app.config.update(MAX_CONTENT_LENGTH=20_000)
    r = _submit(client, "annual_title_nomination", [("to_trinh", "a.pdf", big)], year="2026")
    assert r.status_code == 413 and "Lập đề nghị khen thưởng" in r.get_data(as_text=True)


def test_a_council_member_cannot_start_and_csrf_is_required(demo: DemoOffice) -> None:
    client = _signed_in(demo, "hoidong")
    html = client.get("/nominations/new").get_data(as_text=True)
    assert "Vai trò của bạn không được khởi tạo thủ tục đề nghị khen thưởng nào." in html
    r = _submit(client, "adhoc_award", [("to_trinh", "a.pdf", PDF)])
    assert r.status_code == 403
    assert "Chỉ Đơn vị đề nghị được khởi tạo thủ tục này" in r.get_data(as_text=True)
    kt = _signed_in(demo)
    r = _submit(kt, "")
    assert r.status_code == 422
    assert "Vui lòng chọn thủ tục đề nghị khen thưởng." in r.get_data(as_text=True)
    assert _submit(kt, "adhoc_award", csrf=False).status_code == 400
    assert _count(demo, ProcessInstance) == 0


def _key_of(demo: DemoOffice, response: Any) -> str:
    assert response.status_code == 302, response.get_data(as_text=True)
    task = demo.ok(demo.get("donvi_kt", f"/tasks/{response.location.rsplit('/', 1)[1]}"))
    inst = demo.ok(demo.get("donvi_kt", f"/instances/{task['instance_id']}"))
    return str(inst["business_key"])


def test_a_business_key_is_never_taken_twice(demo: DemoOffice) -> None:
    client = _signed_in(demo)
    picked = {"year": "2026", "subject_kind": "individual", "award_code": "LDTT",
              "subjects": ["KT04"]}
    stale = re.search(r'placeholder="(DN-\d{4}-KT-001)"',
                      client.get("/nominations/new").get_data(as_text=True))
    assert stale, "the page suggests the unit's first number"
    first = _key_of(demo, _submit(client, "annual_title_nomination", **picked,
                                  business_key=""))
    assert first == stale[1]
    # the suggestion another tab still shows, typed in, was taken meanwhile: the next one
    second = _key_of(demo, _submit(client, "annual_title_nomination", **picked,
                                   business_key=stale[1]))
    assert second == stale[1][:-3] + "002"
    mine = _key_of(demo, _submit(client, "annual_title_nomination", **picked,
                                 business_key="HS-RIENG-01"))
    assert mine == "HS-RIENG-01"
    before = _count(demo, ProcessInstance)
    again = _submit(client, "annual_title_nomination", **picked, business_key="HS-RIENG-01")
    assert again.status_code == 422
    assert "Mã hồ sơ «HS-RIENG-01» đã được dùng" in again.get_data(as_text=True)
    assert _count(demo, ProcessInstance) == before  # nothing created


def test_two_starts_at_once_take_two_numbers(pg_url: str, tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    import threading

    from engine import identity
    from workflows import nomination_start as ns

    demo = make_demo_office(pg_url, tmp_path, monkeypatch)
    svc = demo.app.extensions["tdkt"]
    keys: list[str] = []
    errors: list[BaseException] = []
    barrier = threading.Barrier(2)

    def start() -> None:
        try:
            with svc.db.write_session() as s:
                actor = identity.actor_of(identity.find_user(s, "donvi_kt"))
                s.rollback()
                barrier.wait()
                started = ns.start_nomination(
                    s, svc.engine, actor,
                    ns.StartChoice("annual_title_nomination", "2026", "LDTT", "individual",
                                   ["KT04"]), [], tmp_path / "files", 1 << 20)
                keys.append(started.instance["business_key"])
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=start) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    svc.db.dispose()
    assert not errors, errors
    assert len(keys) == 2 and len(set(keys)) == 2, keys
    assert sorted(k[-3:] for k in keys) == ["001", "002"]


def test_every_missing_pick_is_flagged_at_once_beside_its_field(demo: DemoOffice) -> None:
    client = _signed_in(demo)
    r = _submit(client, "", year="", award_code="")
    html = r.get_data(as_text=True)
    assert r.status_code == 422 and "Chưa tạo hồ sơ" in html
    for field in ("process", "year", "award_code", "subjects"):
        assert f'id="{field}-error"' in html, field
    assert re.search(r'id="year"[^>]*value=""', html)  # not a year it did not take
    assert _count(demo, ProcessInstance) == 0


def _preview(client: FlaskClient, year: str, *subjects: str) -> Any:
    return client.post("/nominations/new", data={
        "csrf_token": csrf_token(client, "/nominations/new"), "action": "preview",
        "process": "annual_title_nomination", "year": year, "award_code": "LDTT",
        "subject_kind": "individual", "subjects": list(subjects)},
        content_type="multipart/form-data")


def _preview_text(html: str) -> str:
    part = html[html.index('id="eligibility-preview"'):]
    return " ".join(re.sub(r"<[^>]+>", " ", part[:part.index("</section>")]).split())


def test_the_eligibility_preview_shows_pass_or_fail_with_reasons(demo: DemoOffice) -> None:
    client = _signed_in(demo)
    r = _preview(client, "2026", "KT04")
    assert r.status_code == 200
    shown = _preview_text(r.get_data(as_text=True))
    assert "Đủ điều kiện Phạm Thị Thu Trang (KT04)" in shown and "Không đủ" not in shown
    r = _preview(client, "2021", "KT07", "KT04")
    shown = _preview_text(r.get_data(as_text=True))
    assert "Không đủ điều kiện Vũ Đức Thắng (KT07)" in shown and "khiển trách" in shown
    assert "Không đủ điều kiện Phạm Thị Thu Trang (KT04)" in shown and "221/QĐ-VP" in shown
    html = r.get_data(as_text=True)  # the picks stay as they were
    assert re.search(r'id="person-KT07" value="KT07"\s+checked', html)
    missing = _preview(client, "2026")  # nothing picked: said beside the field
    assert missing.status_code == 422 and 'id="subjects-error"' in missing.get_data(True)
    assert _count(demo, ProcessInstance) == 0  # a preview starts nothing


def test_a_warning_every_pick_shares_is_said_once(demo: DemoOffice) -> None:
    client = _signed_in(demo)
    html = _preview(client, "2026", "KT04", "KT01", "KT02").get_data(as_text=True)
    shown = _preview_text(html)
    warning = "Chưa đăng ký thi đua Lao động tiên tiến năm 2026"
    assert 'id="preview-shared"' in html and shown.count(warning) == 1, shown
    assert "bắt buộc đăng ký thi đua: không" not in shown  # no settings internals
    single = _preview_text(_preview(client, "2026", "KT04").get_data(as_text=True))
    assert single.count(warning) == 1 and "Lưu ý chung" not in single
