"""A refused or missing page answers with a page (Vietnamese), the API with JSON."""

from __future__ import annotations

from demo_kit import DemoOffice
from test_pages_auth import login

from webapp.demo import DEMO_PASSWORD


def test_pages_refuse_with_a_page_and_the_api_with_json(demo: DemoOffice) -> None:
    inst = demo.start("donvi_kt", "adhoc_award", "DX-ERR-1")
    client = demo.app.test_client()
    assert login(client, "donvi_vx", DEMO_PASSWORD).status_code == 302
    for path, status, heading in ((f"/instances/{inst['id']}", 404, "Không tìm thấy"),
                                  ("/khong-co-trang-nay", 404, "Không tìm thấy"),
                                  ("/council", 403, "Không có quyền truy cập")):
        page = client.get(path)
        assert page.status_code == status, path
        assert page.mimetype == "text/html", path
        html = page.get_data(as_text=True)
        assert heading in html and "Về hộp công việc" in html, path
    api = demo.get("donvi_vx", f"/instances/{inst['id']}")
    assert api.status_code == 404 and api.is_json and api.get_json()["code"]
    missing = demo.client.get("/api/v1/khong-co", headers=demo.headers["donvi_vx"])
    assert missing.status_code == 404 and missing.is_json
