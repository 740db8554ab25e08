"""What a reviewer reads on a task page: the dossier's files on every step, the data by
name (titles, units, people) with the council's vote and the nominations' states as
tables, the forms' help texts, the catalogue's titles in the select, and all of it in
English when the person's session is English."""

from __future__ import annotations

import io
import re
from typing import Any

from demo_kit import DemoOffice
from flask.testing import FlaskClient
from test_pages_auth import csrf_token, login

from webapp.demo import DEMO_PASSWORD
from workflows.models import AwardType

PROPOSAL = {"year": 2026, "award_code": "LDTT", "subjects": ["KT04", "KT03"],
            "summary": "Hoàn thành tốt nhiệm vụ năm 2026."}


def _page(demo: DemoOffice, username: str) -> FlaskClient:
    client = demo.app.test_client()
    assert login(client, username, DEMO_PASSWORD).status_code == 302
    return client


def _upload(demo: DemoOffice, user: str, instance_id: int, item: str, name: str) -> None:
    demo.ok(demo.client.post(
        f"/api/v1/instances/{instance_id}/attachments", headers=demo.headers[user],
        data={"item": item, "file": (io.BytesIO(b"%PDF-1.4 " + name.encode()), name)}), 201)


def _at_appraisal(demo: DemoOffice, *more: str) -> dict[str, Any]:
    """A unit's LDTT proposal (its required items, and ``more``) at the secretariat's
    appraisal."""
    inst = demo.start("donvi_kt", "annual_title_nomination", "CN-CTX-2026")
    _upload(demo, "donvi_kt", inst["id"], "to_trinh", "to-trinh-v1.pdf")
    _upload(demo, "donvi_kt", inst["id"], "danh_sach", "danh-sach.pdf")
    _upload(demo, "donvi_kt", inst["id"], "bien_ban_binh_xet", "bien-ban.pdf")
    for item in more:
        _upload(demo, "donvi_kt", inst["id"], item, f"{item}.pdf")
    return demo.step(inst, "propose", "submitter", "donvi_kt", PROPOSAL)


def test_an_appraisal_shows_the_dossier_files_with_versions_and_what_is_required(
        demo: DemoOffice) -> None:
    inst = _at_appraisal(demo)
    _upload(demo, "thuky", inst["id"], "to_trinh", "to-trinh-v2.pdf")  # a second version
    task_id = inst["tasks"][0]["id"]
    html = _page(demo, "thuky").get(f"/tasks/{task_id}").get_data(as_text=True)
    files = html[html.index('id="files-title"'):html.index(f'action="/tasks/{task_id}"')]
    links = dict(re.findall(r'href="/attachments/(\d+)">([^<]+)</a>', files))
    assert sorted(links.values()) == ["bien-ban.pdf", "danh-sach.pdf", "to-trinh-v1.pdf",
                                      "to-trinh-v2.pdf"]
    assert "Các phiên bản trước (1)" in files and "phiên bản 2" in files
    biên_bản = files[files.index("Biên bản họp bình xét"):]
    assert "bắt buộc với hình thức khen thưởng này" in biên_bản[:400]  # LDTT requires it
    assert files.count("Đã có</span>") == 3 and "Còn thiếu" not in files  # the unit sent all
    assert 'type="file"' not in html and "multipart" not in html  # read only here
    for attachment_id in links:
        for user in ("thuky", "donvi_kt"):
            r = _page(demo, user).get(f"/attachments/{attachment_id}")
            assert r.status_code == 200 and r.get_data().startswith(b"%PDF-1.4")
        assert _page(demo, "donvi_vx").get(f"/attachments/{attachment_id}").status_code == 404


def test_the_chiefs_page_reads_names_and_tables_not_codes_or_json(demo: DemoOffice) -> None:
    inst = _at_appraisal(demo, "bien_ban_binh_xet")
    inst = demo.step(inst, "receive_appraise", "secretariat", "thuky",
                     {"decision": "approve", "comment": "Đủ hồ sơ."})
    inst = demo.council_meeting(inst, "thuky", ["KT04"])
    html = _page(demo, "chanhvp").get(f"/tasks/{inst['tasks'][0]['id']}").get_data(True)
    aside = html[html.index('id="context-title"'):html.index('id="comments-title"')]
    for code in (">LDTT<", ">KT<", "nomination_status", "council_vote", "council_result",
                 "eligibility", "Chi tiết kỹ thuật", "{"):
        assert code not in aside, code
    assert "Lao động tiên tiến" in aside and "Phòng Kinh tế" in aside
    status = aside[aside.index("Trạng thái từng đối tượng"):]
    assert "<th scope=\"row\" class=\"fw-normal\">Phạm Thị Thu Trang (KT04)</th>" in status
    assert "Đã bỏ phiếu" in status and "Không được khen thưởng" in status
    vote = aside[aside.index("Kết quả biểu quyết của Hội đồng — Lao động tiên tiến"):]
    assert re.search(r"Phạm Thị Thu Trang \(KT04\)</th><td>\d+</td><td>0</td><td>0</td>", vote)
    assert "<td>Đạt</td>" in vote and "<td>Không đạt</td>" in vote
    # one word for recusal on every page: the meeting page's, not «Tránh xung đột»
    assert "Không tham gia biểu quyết" in vote and "Tránh xung đột" not in html
    assert "Thành viên có mặt / tổng số" in aside
    stages = html[html.index('class="tdkt-stages'):]
    assert 'aria-current="step"' in stages and "Không áp dụng" in stages  # no disclosure


def test_help_texts_are_shown_and_tied_to_their_inputs(demo: DemoOffice) -> None:
    inst = demo.start("donvi_kt", "adhoc_award", "DX-CTX-1")
    html = _page(demo, "donvi_kt").get(f"/tasks/{inst['tasks'][0]['id']}").get_data(True)
    assert re.search(r'id="f-deed_summary"[^>]*aria-describedby="f-deed_summary-help"', html)
    assert ('<div class="form-text" id="f-deed_summary-help">Thủ tục đơn giản chỉ cần bản '
            'tóm tắt thành tích (Luật Điều 85)') in html
    assert "năm của ngày này là năm xét khen thưởng" in html  # deed_date's help


def test_the_form_and_the_page_switch_to_english(demo: DemoOffice) -> None:
    inst = _at_appraisal(demo)
    page = _page(demo, "thuky")
    html = page.get(f"/tasks/{inst['tasks'][0]['id']}?lang=en").get_data(as_text=True)
    main = html[html.index("<main"):]
    for english in ("Receive and appraise the dossier", "Annual emulation titles",
                    "Appraisal comment", "To supplement", "«Agree»: the dossier is complete",
                    ">Agree</button>", ">Return for supplement</button>",
                    ">Disagree</button>", "Comments and decisions", "Dossier files",
                    "Status of each nominee", "Award proposal (tờ trình)"):
        assert english in main, english
    for vietnamese in ("Ý kiến thẩm định", "Tiếp nhận, thẩm định hồ sơ", "Trả lại bổ sung",
                       "Nội dung cần bổ sung", "Tệp hồ sơ"):
        assert vietnamese not in main, vietnamese
    propose = demo.start("donvi_kt", "adhoc_award", "DX-CTX-EN")
    html = _page(demo, "donvi_kt").get(f"/tasks/{propose['tasks'][0]['id']}?lang=en").get_data(
        True)
    assert "Date of the deed" in html and "its year is the year of the award" in html
    assert ">Individual</label>" in html and "Giấy khen của Chánh Văn phòng" in html  # data


def test_the_titles_offered_are_the_catalogues(demo: DemoOffice) -> None:
    with demo.app.extensions["tdkt"].db.write_session() as s:
        ldtt = s.get(AwardType, "LDTT")
        assert ldtt is not None
        ldtt.name = "Lao động tiên tiến (năm)"
        s.get(AwardType, "CO_TINH").active = False  # type: ignore[union-attr]
        s.add(AwardType(code="GK_CDS", name="Giấy khen chuyển đổi số", subject_kind="both",
                        level="office", decided_by="Chánh Văn phòng", kinds=["annual"],
                        sort_order=99))
        s.commit()
    inst = demo.start("donvi_kt", "annual_title_nomination", "CN-CTX-CAT")
    page = _page(demo, "donvi_kt")
    path = f"/tasks/{inst['tasks'][0]['id']}"
    html = page.get(path).get_data(as_text=True)
    select = html[html.index('id="f-award_code"'):]
    select = select[:select.index("</select>")]
    assert '<option value="LDTT">Lao động tiên tiến (năm)</option>' in select
    assert '<option value="GK_CDS">Giấy khen chuyển đổi số</option>' in select
    assert "CO_TINH" not in select
    r = page.post(path, data={"csrf_token": csrf_token(page, "/"), **{
        k: v for k, v in PROPOSAL.items() if k != "award_code"}, "year": "2026",
        "award_code": "CO_TINH"})
    html = r.get_data(as_text=True)
    assert r.status_code == 422
    error = re.search(r'id="f-award_code-error">([^<]+)<', html)
    assert error and error.group(1).startswith("«CO_TINH» không có trong danh sách được chọn.")
    assert "Lao động tiên tiến (năm)" in error.group(1) and "Giấy khen chuyển đổi số" in (
        error.group(1))
