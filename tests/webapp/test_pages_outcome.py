"""A dossier's outcome on the pages: /nominations shows each row's title, nominees and
outcome; the instance page shows the outcome and why a nominee was found ineligible; the
unit's notification of the end says the outcome."""

from __future__ import annotations

import re
from typing import Any

from demo_kit import DemoOffice
from flask.testing import FlaskClient
from test_demo_procedures import appraise, chair, council, file_dossier
from test_pages_auth import login

from webapp.demo import DEMO_PASSWORD


def signed_in(demo: DemoOffice, username: str) -> FlaskClient:
    client = demo.app.test_client()
    assert login(client, username, DEMO_PASSWORD).status_code == 302
    return client


def ldtt(demo: DemoOffice, key: str, year: int, subjects: list[str]) -> dict[str, Any]:
    inst = demo.start("donvi_kt", "annual_title_nomination", key)
    file_dossier(demo, inst, "donvi_kt", "LDTT")
    return demo.step(inst, "propose", "submitter", "donvi_kt", {
        "year": year, "award_code": "LDTT", "subjects": subjects,
        "summary": f"Hoàn thành tốt nhiệm vụ năm {year}."})


def row_of(html: str, key: str) -> str:
    found = re.search(rf'<tr role="row">\s*<td[^>]*><a href="/instances/\d+">{key}</a>'
                      r'(.*?)</tr>', html, re.S)
    assert found, html
    return " ".join(re.sub(r"<[^>]+>", " ", found[1]).split())


def section(html: str, title_id: str) -> str:
    part = html[html.index(f'id="{title_id}"'):]
    return " ".join(re.sub(r"<[^>]+>", " ", part[:part.index("</section>")]).split())


def test_outcome_title_nominees_and_reasons_on_the_pages(demo: DemoOffice) -> None:
    partly = demo.walk(ldtt(demo, "LDTT-2026-KT", 2026, ["KT04", "KT05"]),
                       [appraise(), council("KT04"), chair()])
    refused = demo.walk(ldtt(demo, "LDTT-2021-KT07", 2021, ["KT07"]), [appraise()])
    running = ldtt(demo, "LDTT-2026-KT06", 2026, ["KT06"])
    assert (partly["status"], refused["status"], running["status"]) == (
        "completed", "completed", "running")
    kt = signed_in(demo, "donvi_kt")

    listed = kt.get("/nominations").get_data(as_text=True)
    assert row_of(listed, "LDTT-2026-KT").count("Lao động tiên tiến") == 1
    assert "Phạm Thị Thu Trang, Hoàng Minh Tuấn" in row_of(listed, "LDTT-2026-KT")
    assert "Được khen thưởng một phần" in row_of(listed, "LDTT-2026-KT")
    assert "Vũ Đức Thắng" in row_of(listed, "LDTT-2021-KT07")
    assert "Không được khen thưởng" in row_of(listed, "LDTT-2021-KT07")
    assert "khen thưởng" not in row_of(listed, "LDTT-2026-KT06").split("Đỗ Thị Lan Anh")[1]
    english = signed_in(demo, "donvi_kt").get("/nominations?lang=en").get_data(as_text=True)
    assert "Được khen thưởng" not in english  # the catalogue's title names stay its own
    assert "Partly awarded" in row_of(english, "LDTT-2026-KT")

    page = kt.get(f"/instances/{partly['id']}").get_data(as_text=True)
    shown = section(page, "result-title")
    assert "Được khen thưởng một phần (1/2 đối tượng được khen thưởng)" in shown
    assert "Phạm Thị Thu Trang (KT04) Đã có quyết định" in shown
    assert "Hoàng Minh Tuấn (KT05) Không được khen thưởng" in shown

    page = kt.get(f"/instances/{refused['id']}").get_data(as_text=True)
    shown = section(page, "result-title")  # the unit reads why its nominee was ineligible
    assert "Không bị kỷ luật trong năm xét" in shown and "khiển trách" in shown
    assert "Xếp loại năm 2021: Hoàn thành nhiệm vụ (HTNV)".lower() in shown.lower()
    assert "annual_rating" not in page  # the history rows the check read stay inside
    assert signed_in(demo, "donvi_vx").get(f"/instances/{refused['id']}").status_code == 404

    notes = {n["instance_id"]: n for n in demo.ok(demo.get("donvi_kt", "/notifications"))[
        "items"] if n["kind"] == "instance.completed"}
    assert notes[partly["id"]]["body"] == (
        "LDTT-2026-KT · Kết quả: Được khen thưởng một phần (1/2 đối tượng)")
    assert notes[refused["id"]]["body"] == "LDTT-2021-KT07 · Kết quả: Không được khen thưởng"


def test_the_end_notification_shows_the_outcome_in_the_readers_language(
        demo: DemoOffice) -> None:
    demo.walk(ldtt(demo, "LDTT-2026-KT", 2026, ["KT04", "KT05"]),
              [appraise(), council("KT04"), chair()])
    kt = signed_in(demo, "donvi_kt")
    [note] = [n for n in kt.get("/notifications/bell.json").get_json()["latest"]
              if "LDTT-2026-KT" in n["title"]]
    assert note["title"] == "Hồ sơ đã kết thúc: LDTT-2026-KT"
    assert "Được khen thưởng một phần" in note["meta"]
    [note] = [n for n in kt.get("/notifications/bell.json?lang=en").get_json()["latest"]
              if "LDTT-2026-KT" in n["title"]]
    assert note["title"] == "Dossier ended: LDTT-2026-KT" and "Partly awarded" in note["meta"]
    html = kt.get("/notifications").get_data(as_text=True)
    assert '<span class="tdkt-note-outcome">Partly awarded</span>' in html


def test_the_chair_decides_only_on_those_still_in_the_running_and_reads_the_councils_no(
        demo: DemoOffice) -> None:
    inst = demo.walk(ldtt(demo, "LDTT-2026-KT", 2026, ["KT04", "KT05"]),
                     [appraise(), council("KT04")])
    chair_page = signed_in(demo, "chanhvp")
    inbox = chair_page.get("/").get_data(as_text=True)  # the «Đối tượng» column
    assert "Phạm Thị Thu Trang" in inbox and "Hoàng Minh Tuấn" not in inbox
    page = chair_page.get(f"/instances/{inst['id']}").get_data(as_text=True)
    shown = section(page, "result-title")
    assert re.search(r"Hoàng Minh Tuấn \(KT05\) Không được khen thưởng Hội đồng không thông "
                     r"qua: 0/6 đồng ý \(cần 4\)", shown), shown  # not «—»
    # the office decides LĐTT itself: the province's stage is not one to come
    assert re.search(r'tdkt-stage-skipped" title="Không áp dụng"[^>]*>\s*<span[^>]*>–</span>'
                     r'\s*[^<]*Trình UBND tỉnh', page), page[page.index("tdkt-stages"):][:3000]


def test_the_process_filters_list_only_procedures_people_start_or_act_in(
        demo: DemoOffice) -> None:
    def offered(username: str, url: str) -> set[str]:
        html = signed_in(demo, username).get(url).get_data(as_text=True)
        select = html[html.index('name="process"'):]
        return set(re.findall(r'<option value="(\w+)"', select[:select.index("</select>")]))

    for url in ("/", "/nominations"):
        unit = offered("donvi_kt", url)
        assert "annual_title_nomination" in unit and "adhoc_award" in unit, unit
        office = offered("thuky", url)
        for called in ("council_review", "province_forwarding"):  # parts of a procedure
            assert called not in unit and called not in office, (url, called)
        assert unit <= office
