"""The generated documents on the instance page, downloaded through the checked file route."""

from __future__ import annotations

import hashlib
import io
import re

import docx
from demo_kit import DemoOffice
from flask import Flask
from flask.testing import FlaskClient
from pypdf import PdfReader
from test_demo_procedures import adhoc_award_for_kt05
from test_pages_auth import login

from webapp.demo import DEMO_PASSWORD


def signed_in(app: Flask, username: str) -> FlaskClient:
    client = app.test_client()
    assert login(client, username, DEMO_PASSWORD).status_code == 302
    return client


def test_the_decision_and_certificate_are_listed_and_downloadable(demo: DemoOffice) -> None:
    inst, _award = adhoc_award_for_kt05(demo)
    kt = signed_in(demo.app, "donvi_kt")
    html = kt.get(f"/instances/{inst['id']}").get_data(as_text=True)
    section = html[html.index('id="documents-title"'):]
    section = section[:section.index("</section>")]
    # The number as issued (the file name writes «-» for «/»).
    assert "Quyết định 01/QĐ-VP" in section and "01-QĐ-VP" not in section
    assert "Giấy khen - Hoàng Minh Tuấn" in section
    assert "Quyết định khen thưởng" in section and "KB" in section
    rows = re.findall(r"<tr>(.*?)</tr>", section, re.S)[1:]
    assert len(rows) == 2
    decision = rows[0]
    pdf_id, docx_id = re.findall(r'href="/attachments/(\d+)"', decision)
    shown = re.search(r'<code title="([0-9a-f]{64})">([0-9a-f]{12})</code>', decision)
    assert shown is not None and shown.group(1).startswith(shown.group(2))

    r = kt.get(f"/attachments/{pdf_id}")
    assert r.status_code == 200 and r.mimetype == "application/pdf"
    # The plain-ASCII name folds đ, Đ (not dropped); browsers take the UTF-8 one.
    assert r.headers["Content-Disposition"] == (
        "attachment; filename=\"Quyet dinh 01-QD-VP.pdf\"; "
        "filename*=UTF-8''Quy%E1%BA%BFt%20%C4%91%E1%BB%8Bnh%2001-Q%C4%90-VP.pdf")
    assert hashlib.sha256(r.data).hexdigest() == shown.group(1)
    text = " ".join(PdfReader(io.BytesIO(r.data)).pages[0].extract_text().split())
    assert "Hoàng Minh Tuấn" in text and "702.000 đ" in text and "Số: 01/QĐ-VP" in text
    r = kt.get(f"/attachments/{docx_id}")
    assert r.status_code == 200 and "wordprocessingml" in r.mimetype
    shown = re.findall(r'<code title="([0-9a-f]{64})">', decision)
    assert shown[1] == hashlib.sha256(r.data).hexdigest()  # the DOCX's hash is shown too
    body = docx.Document(io.BytesIO(r.data)).tables
    assert any("702.000 đ" in c.text for t in body for row in t.rows for c in row.cells)

    outsider = signed_in(demo.app, "donvi_vx")  # another unit: as if it did not exist
    assert outsider.get(f"/attachments/{pdf_id}").status_code == 404
    assert outsider.get(f"/attachments/{docx_id}").status_code == 404


def test_the_documents_kind_is_named_in_the_persons_language(demo: DemoOffice) -> None:
    inst, _award = adhoc_award_for_kt05(demo)
    kt = signed_in(demo.app, "donvi_kt")

    def kinds(query: str) -> list[str]:
        html = kt.get(f"/instances/{inst['id']}{query}").get_data(as_text=True)
        section = html[html.index('id="documents-title"'):]
        section = section[:section.index("</section>")]
        return [re.findall(r"<td>(.*?)</td>", row, re.S)[1].strip()
                for row in re.findall(r"<tr>(.*?)</tr>", section, re.S)[1:]]

    assert kinds("") == ["Quyết định khen thưởng", "Giấy khen"]
    english = kinds("?lang=en")
    assert "quyet_dinh" not in english and "giay_khen" not in english
    assert english[0] != "Quyết định khen thưởng" and english[1] != "Giấy khen", english
