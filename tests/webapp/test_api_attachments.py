"""Dossier attachments through the API: upload, versions, download, rights (both databases)."""

from __future__ import annotations

import hashlib
import io
import zipfile
from io import BytesIO
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from api_kit import API, Headers, assert_error, complete, one_task, start
from flask import Flask
from flask.testing import FlaskClient

Client = FlaskClient
People = dict[str, Headers]
FIELDS = {"id", "instance_id", "item", "item_label", "version", "filename", "content_type",
          "size", "sha256", "uploaded_by", "uploaded_at", "superseded_at", "current"}
MAX_BYTES = 4096


def ooxml(entry: str) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr(entry, "<root/>")
    return buf.getvalue()


PDF = b"%PDF-1.7\n1 0 obj<</Type/Catalog>>endobj\n%%EOF\n"
SAMPLES = {
    "Tờ trình đề nghị.pdf": (PDF, "application/pdf"),
    "anh.png": (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "image/png"),
    "anh.jpg": (b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\xff\xd9", "image/jpeg"),
    "bao_cao.docx": (ooxml("word/document.xml"),
                     "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    "danh_sach.xlsx": (ooxml("xl/workbook.xml"),
                       "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
}


@pytest.fixture
def files_dir(app: Flask, tmp_path: Path) -> Path:
    path = tmp_path / "files"
    app.config.update(FILES_DIR=str(path), MAX_UPLOAD_BYTES=MAX_BYTES)
    return path


@pytest.fixture
def inst(client: Client, people: People, two_lane: str, files_dir: Path) -> dict[str, Any]:
    """A running instance of unit A at its ``propose`` task."""
    r = start(client, people["sub_a"], two_lane)
    assert r.status_code == 201, r.get_json()
    body: dict[str, Any] = r.get_json()
    return body


def upload(client: Client, headers: Headers, instance_id: int, item: str, filename: str,
           data: bytes, **form: Any) -> Any:
    return client.post(f"{API}/instances/{instance_id}/attachments", headers=headers,
                       data={"item": item, **form, "file": (BytesIO(data), filename)},
                       content_type="multipart/form-data")


def listing(client: Client, headers: Headers, instance_id: int, **query: Any) -> Any:
    return client.get(f"{API}/instances/{instance_id}/attachments", headers=headers,
                      query_string=query)


def download(client: Client, headers: Headers, attachment_id: int) -> Any:
    return client.get(f"{API}/attachments/{attachment_id}/content", headers=headers)


def created(response: Any, status: int = 201) -> dict[str, Any]:
    assert response.status_code == status, response.get_json()
    body: dict[str, Any] = response.get_json()
    assert set(body) >= FIELDS
    return body


def test_each_type_uploads_and_downloads(client: Client, people: People,
                                         inst: dict[str, Any], files_dir: Path) -> None:
    sub = people["sub_a"]
    for filename, (data, content_type) in SAMPLES.items():
        att = created(upload(client, sub, inst["id"], "other", filename, data))
        digest = hashlib.sha256(data).hexdigest()
        assert (att["filename"], att["content_type"], att["size"], att["sha256"]) == (
            filename, content_type, len(data), digest)
        assert (files_dir / digest[:2] / digest).read_bytes() == data
        r = download(client, sub, att["id"])
        assert r.status_code == 200 and r.data == data
        assert r.mimetype == content_type
        assert r.headers["X-Content-Type-Options"] == "nosniff"
        assert r.headers["Content-Disposition"].startswith("attachment;")
    r = download(client, sub, listing(client, sub, inst["id"]).get_json()[-1]["id"])
    assert f"filename*=UTF-8''{quote('Tờ trình đề nghị.pdf')}" in r.headers["Content-Disposition"]


@pytest.mark.parametrize(("filename", "data", "code"), [
    ("virus.pdf", b"MZ\x90\x00\x03\x00\x00\x00", "attachment.type_not_allowed"),
    ("trang.png", b"<html><script>alert(1)</script></html>", "attachment.type_not_allowed"),
    ("trang.html", b"<html></html>", "attachment.type_not_allowed"),
    ("to.pdf", PDF + b"x" * MAX_BYTES, "attachment.too_large"),
    ("rong.pdf", b"", "attachment.empty"),
], ids=["exe-as-pdf", "html-as-png", "html", "too-large", "empty"])
def test_bad_files_are_refused(client: Client, people: People, inst: dict[str, Any],
                               files_dir: Path, filename: str, data: bytes, code: str) -> None:
    body = assert_error(upload(client, people["sub_a"], inst["id"], "to_trinh", filename, data),
                        422, code)
    assert body["details"]["file"]
    assert listing(client, people["sub_a"], inst["id"]).get_json() == []
    assert not files_dir.exists() or not any(files_dir.rglob("*"))


def test_bad_form_fields(client: Client, people: People, inst: dict[str, Any]) -> None:
    sub = people["sub_a"]
    assert_error(upload(client, sub, inst["id"], "giay_to", "a.pdf", PDF), 422,
                 "attachment.bad_item")
    body = assert_error(client.post(f"{API}/instances/{inst['id']}/attachments", headers=sub,
                                    data={"item": "to_trinh"},
                                    content_type="multipart/form-data"), 422)
    assert "file" in body["details"]
    body = assert_error(upload(client, sub, inst["id"], "to_trinh", "a.pdf", PDF,
                               nomination_id="abc"), 422)
    assert "nomination_id" in body["details"]
    assert_error(upload(client, sub, inst["id"], "to_trinh", "a.pdf", PDF, nomination_id="77"),
                 422, "attachment.bad_nomination")
    assert_error(client.post(f"{API}/instances/{inst['id']}/attachments",
                             data={"item": "to_trinh", "file": (BytesIO(PDF), "a.pdf")},
                             content_type="multipart/form-data"), 401)


def test_versions_across_a_return_for_supplement(client: Client, people: People,
                                                 inst: dict[str, Any]) -> None:
    sub, sec, iid = people["sub_a"], people["sec1"], inst["id"]
    v1 = created(upload(client, sub, iid, "to_trinh", "Tờ trình.pdf", PDF))
    same = created(upload(client, sub, iid, "to_trinh", "lại.pdf", PDF), 200)
    assert same["id"] == v1["id"] and same["version"] == 1
    r = complete(client, sub, one_task(inst, "propose")["id"], {"title": "Đề nghị"})
    r = complete(client, sec, one_task(r.get_json(), "appraise")["id"],
                 {"decision": "return", "comment": "Bổ sung"})
    one_task(r.get_json(), "propose")
    v2_data = PDF.replace(b"1.7", b"1.4")
    v2 = created(upload(client, sub, iid, "to_trinh", "Tờ trình bổ sung.pdf", v2_data))
    danh_sach = created(upload(client, sub, iid, "danh_sach", "ds.xlsx",
                               SAMPLES["danh_sach.xlsx"][0]))

    items = listing(client, sec, iid).get_json()
    assert [(a["item"], a["version"], a["current"]) for a in items] == [
        ("to_trinh", 2, True), ("to_trinh", 1, False), ("danh_sach", 1, True)]
    assert items[1]["superseded_at"] and items[0]["item_label"] == "Tờ trình đề nghị khen thưởng"
    assert [a["id"] for a in listing(client, sec, iid,
                                     include_superseded="false").get_json()] == [
        v2["id"], danh_sach["id"]]
    assert download(client, sec, v1["id"]).data == PDF
    assert download(client, sec, v2["id"]).data == v2_data

    events = [e for e in client.get(f"{API}/instances/{iid}/history", headers=sub,
                                    query_string={"per_page": 100}).get_json()["items"]
              if e["type"] == "attachment.added"]
    assert [(e["payload"]["item"], e["payload"]["version"], e["payload"]["sha256"],
             e["payload"]["filename"], e["actor"]) for e in events] == [
        ("to_trinh", 1, v1["sha256"], "Tờ trình.pdf", "sub_a"),
        ("to_trinh", 2, v2["sha256"], "Tờ trình bổ sung.pdf", "sub_a"),
        ("danh_sach", 1, danh_sach["sha256"], "ds.xlsx", "sub_a")]


def test_rights(client: Client, people: People, inst: dict[str, Any]) -> None:
    iid = inst["id"]
    att = created(upload(client, people["sub_a"], iid, "to_trinh", "a.pdf", PDF))
    other = people["sub_b"]
    assert_error(listing(client, other, iid), 404, "instance.not_found")
    assert_error(upload(client, other, iid, "to_trinh", "b.pdf", PDF + b"b"), 404,
                 "instance.not_found")
    assert_error(download(client, other, att["id"]), 404, "attachment.not_found")
    assert_error(download(client, people["sub_a"], 999999), 404, "attachment.not_found")

    council = people["council1"]
    assert_error(upload(client, council, iid, "bien_ban_hoi_dong", "bb.pdf", PDF + b"c"), 403,
                 "attachment.forbidden")
    assert download(client, council, att["id"]).data == PDF
    assert len(listing(client, council, iid).get_json()) == 1
    created(upload(client, people["sec1"], iid, "other", "ghi chú.pdf", PDF + b"s"))


def test_finished_instance_refuses_uploads(client: Client, people: People,
                                           inst: dict[str, Any]) -> None:
    sub, sec, iid = people["sub_a"], people["sec1"], inst["id"]
    att = created(upload(client, sub, iid, "to_trinh", "a.pdf", PDF))
    r = complete(client, sub, one_task(inst, "propose")["id"], {})
    r = complete(client, sec, one_task(r.get_json(), "appraise")["id"], {"decision": "approve"})
    assert r.get_json()["status"] == "completed"
    assert_error(upload(client, sec, iid, "other", "b.pdf", PDF + b"b"), 409,
                 "instance.finished")
    assert download(client, sub, att["id"]).data == PDF


def test_openapi_documents_the_routes(client: Client) -> None:
    paths = client.get(f"{API}/openapi.json").get_json()["paths"]
    upload_doc = paths[f"{API}/instances/{{instance_id}}/attachments"]
    assert {"get", "post"} <= set(upload_doc)
    assert "multipart/form-data" in upload_doc["post"]["requestBody"]["content"]
    assert "get" in paths[f"{API}/attachments/{{attachment_id}}/content"]


@pytest.mark.parametrize(("declared", "ok"), [
    ("application/pdf", True), ("application/octet-stream", True),
    ("application/x-pdf", True), ("application/pdf; charset=binary", True),
    ("text/html", False), ("image/png", False),
    ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", False),
])
def test_the_declared_content_type_must_fit_the_content(
        client: Client, people: People, inst: dict[str, Any], files_dir: Path,
        declared: str, ok: bool) -> None:
    r = client.post(f"{API}/instances/{inst['id']}/attachments", headers=people["sub_a"],
                    data={"item": "to_trinh", "file": (BytesIO(PDF), "to.pdf", declared)},
                    content_type="multipart/form-data")
    if ok:
        assert created(r)["content_type"] == "application/pdf"  # from the content, always
        return
    body = assert_error(r, 422, "attachment.type_mismatch")
    assert body["details"]["file"] == [
        f"Tệp «to.pdf» được gửi với kiểu «{declared}», không khớp với nội dung tệp (PDF); "
        "vui lòng chọn lại đúng tệp."]
    assert listing(client, people["sub_a"], inst["id"]).get_json() == []
