"""``/admin/templates``: list, download, replace (test-rendered first), restore; admin only."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from api_kit import Headers
from flask import Flask
from flask.testing import FlaskClient
from test_admin_kit import admin, events, signed_in  # noqa: F401  (fixture)
from test_pages_auth import csrf_token

from workflows.documents.render import PACKAGE_DIR
from workflows.documents.vocab import TEMPLATES


@pytest.fixture
def files(app: Flask, tmp_path: Path) -> Path:
    app.config["FILES_DIR"] = str(tmp_path / "files")
    return tmp_path / "files"


def upload(client: FlaskClient, name: str, data: bytes, filename: str | None = None):
    token = csrf_token(client, "/admin/templates")
    return client.post(f"/admin/templates/{name}", content_type="multipart/form-data",
                       data={"csrf_token": token, "file": (io.BytesIO(data), filename or name)})


def test_the_page_lists_every_template_with_download_links(
        admin: FlaskClient, files: Path) -> None:  # noqa: F811
    html = admin.get("/admin/templates").get_data(as_text=True)
    for info in TEMPLATES:
        assert info.label in html and f'/admin/templates/{info.name}"' in html
    assert html.count("Mẫu gốc") >= len(TEMPLATES)
    r = admin.get("/admin/templates/quyet_dinh.docx")
    assert r.status_code == 200 and r.data == (PACKAGE_DIR / "quyet_dinh.docx").read_bytes()
    assert admin.get("/admin/templates/khong_co.html").status_code == 404


@pytest.mark.parametrize("who", ["sec1", "sub_a", "council1"])
def test_other_roles_get_403(app: Flask, people: dict[str, Headers], files: Path,
                             who: str) -> None:
    client = signed_in(app, who)
    assert client.get("/admin/templates").status_code == 403
    assert client.get("/admin/templates/quyet_dinh.html").status_code == 403
    token = csrf_token(client, "/")
    r = client.post("/admin/templates/quyet_dinh.html", content_type="multipart/form-data",
                    data={"csrf_token": token, "file": (io.BytesIO(b"x"), "quyet_dinh.html")})
    assert r.status_code == 403
    assert not (files / "templates").exists()


def test_a_good_replacement_is_used_audited_and_can_be_restored(
        app: Flask, admin: FlaskClient, files: Path) -> None:  # noqa: F811
    original = (PACKAGE_DIR / "giay_khen.html").read_bytes()
    changed = original.replace("GIẤY KHEN</h1>".encode(), "GIẤY KHEN (mẫu mới)</h1>".encode())
    r = upload(admin, "giay_khen.html", changed)
    assert r.status_code == 302
    assert (files / "templates" / "giay_khen.html").read_bytes() == changed
    assert admin.get("/admin/templates/giay_khen.html").data == changed
    assert admin.get("/admin/templates/giay_khen.html?original=1").data == original
    html = admin.get("/admin/templates").get_data(as_text=True)
    assert "Mẫu đã thay" in html and "Khôi phục mẫu gốc" in html
    [event] = events(app, "template.replaced")
    assert event["name"] == "giay_khen.html" and event["actor"] == "admin1"
    assert event["sha256_before"] != event["sha256"]
    token = csrf_token(admin, "/admin/templates")
    r = admin.post("/admin/templates/giay_khen.html/restore", data={"csrf_token": token})
    assert r.status_code == 302
    assert not (files / "templates" / "giay_khen.html").exists()
    assert [e["name"] for e in events(app, "template.restored")] == ["giay_khen.html"]


@pytest.mark.parametrize("name, data, reason", [
    ("quyet_dinh.html", b"{% extends '_van_ban.html' %}{% block body %}{{ so_quyet_dinh }}"
                        b"{% endblock %}", "so_quyet_dinh"),
    ("quyet_dinh.html", b"{% for r in recipients %}", "dòng 1"),
    ("_van_ban.html", b"<html>{% block body %}{% endblock %}{{ 1 / 0 }}</html>", "division"),
    ("quyet_dinh.html", "Quyết định".encode("utf-16"), "UTF-8"),
    ("quyet_dinh.docx", b"PK\x03\x04 not a zip", "Word"),
    ("bien_ban_kiem_phieu.docx", (PACKAGE_DIR / "giay_khen.html").read_bytes(), "Word"),
])
def test_a_broken_template_is_refused_and_the_old_one_kept(
        app: Flask, admin: FlaskClient, files: Path,  # noqa: F811
        name: str, data: bytes, reason: str) -> None:
    r = upload(admin, name, data)
    assert r.status_code == 422
    html = r.get_data(as_text=True)
    message = re.search(r'role="alert">([^<]*)</div>', html)
    assert message is not None and reason in message.group(1), html[-3000:]
    assert "Mẫu" in message.group(1)
    assert not (files / "templates" / name).exists()
    assert events(app, "template.replaced") == []


def test_a_docx_whose_tags_do_not_render_is_refused(
        admin: FlaskClient, files: Path) -> None:  # noqa: F811
    import docx

    document = docx.Document(str(PACKAGE_DIR / "quyet_dinh.docx"))
    document.add_paragraph("{{ recipients[0].khong_co.x }}")
    out = io.BytesIO()
    document.save(out)
    r = upload(admin, "quyet_dinh.docx", out.getvalue())
    assert r.status_code == 422 and "khong_co" in r.get_data(as_text=True)
    good = io.BytesIO()
    docx.Document(str(PACKAGE_DIR / "quyet_dinh.docx")).save(good)
    assert upload(admin, "quyet_dinh.docx", good.getvalue()).status_code == 302


def test_restoring_an_original_says_there_is_nothing_to_restore(
        admin: FlaskClient, files: Path) -> None:  # noqa: F811
    token = csrf_token(admin, "/admin/templates")
    r = admin.post("/admin/templates/quyet_dinh.html/restore", data={"csrf_token": token})
    assert r.status_code == 422 and "mẫu gốc" in r.get_data(as_text=True)
