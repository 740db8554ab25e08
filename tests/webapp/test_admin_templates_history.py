"""``/admin/templates``: Word templates may not reach outside themselves; every version is
kept and any earlier one can be used again; the template in use changes only after its
audit entry is committed."""

from __future__ import annotations

import hashlib
import io
import re
from pathlib import Path

import docx
import pytest
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from flask import Flask
from flask.testing import FlaskClient
from test_admin_kit import admin, events, signed_in  # noqa: F401  (fixture)
from test_admin_templates import files, upload  # noqa: F401  (fixture)
from test_pages_auth import csrf_token

from engine import audit
from workflows.documents import template_files
from workflows.documents.render import PACKAGE_DIR

NAME = "quyet_dinh.docx"
ATTACHED_TEMPLATE = ("http://schemas.openxmlformats.org/officeDocument/2006/relationships/"
                     "attachedTemplate")


def _saved(document: docx.Document) -> bytes:
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _template() -> docx.Document:
    return docx.Document(str(PACKAGE_DIR / NAME))


def with_hyperlink() -> bytes:
    document = _template()
    document.part.relate_to("https://example.org/theo-doi", RT.HYPERLINK, is_external=True)
    return _saved(document)


def with_linked_image() -> bytes:
    document = _template()
    document.part.relate_to("http://127.0.0.1/logo.png", RT.IMAGE, is_external=True)
    return _saved(document)


def with_attached_template() -> bytes:
    document = _template()
    document.part._settings_part.relate_to("file:///C:/mau/Normal.dotm",
                                           ATTACHED_TEMPLATE, is_external=True)
    return _saved(document)


def with_field(code: str) -> bytes:
    document = _template()
    run = document.add_paragraph().add_run()
    instr = OxmlElement("w:instrText")
    instr.set(qn("xml:space"), "preserve")
    instr.text = code
    run._r.append(instr)
    return _saved(document)


def _variant(marker: str) -> bytes:
    document = _template()
    document.add_paragraph(marker)
    return _saved(document)


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@pytest.mark.parametrize("data, found", [
    (with_hyperlink(), "liên kết (hyperlink): https://example.org/theo-doi"),
    (with_linked_image(), "hình ảnh liên kết tới tệp bên ngoài (không nhúng): "
                          "http://127.0.0.1/logo.png"),
    (with_attached_template(), "mẫu đính kèm (attached template): file:///C:/mau/Normal.dotm"),
    (with_field(' INCLUDEPICTURE "http://127.0.0.1/a.png" \\d '), "trường INCLUDEPICTURE"),
    (with_field(' INCLUDETEXT "\\\\\\\\may-chu\\\\chia-se\\\\a.docx" '), "trường INCLUDETEXT"),
])
def test_a_word_template_reaching_outside_is_refused(
        app: Flask, admin: FlaskClient, files: Path,  # noqa: F811
        data: bytes, found: str) -> None:
    r = upload(admin, NAME, data)
    assert r.status_code == 422
    message = re.search(r'role="alert">([^<]*)</div>', r.get_data(as_text=True))
    assert message is not None
    text = message.group(1).replace("&#34;", '"').replace("&#39;", "'")
    assert "liên kết hoặc tài nguyên bên ngoài" in text and found in text, text
    assert not (files / "templates" / NAME).exists()
    assert events(app, "template.replaced") == []


def test_the_shipped_word_templates_reach_nothing_outside() -> None:
    for name in ("quyet_dinh.docx", "to_trinh_tinh.docx", "bien_ban_kiem_phieu.docx"):
        assert template_files.external_references((PACKAGE_DIR / name).read_bytes()) == []


def test_every_version_is_kept_and_an_earlier_one_can_be_used_again(
        app: Flask, admin: FlaskClient, files: Path) -> None:  # noqa: F811
    first, second = _variant("Phiên bản một"), _variant("Phiên bản hai")
    assert upload(admin, NAME, first).status_code == 302
    assert upload(admin, NAME, second).status_code == 302
    assert (files / "templates" / NAME).read_bytes() == second
    page = admin.get("/admin/templates").get_data(as_text=True)
    assert "Các phiên bản đã dùng (2)" in page
    assert sha(first)[:12] in page and sha(second)[:12] in page
    kept = admin.get(f"/admin/templates/{NAME}?version={sha(first)}")
    assert kept.status_code == 200 and kept.data == first
    token = csrf_token(admin, "/admin/templates")
    back = admin.post(f"/admin/templates/{NAME}/versions/{sha(first)}/restore",
                      data={"csrf_token": token}, follow_redirects=True)
    assert back.status_code == 200 and f"Đã dùng lại phiên bản {sha(first)[:12]}" in \
        back.get_data(as_text=True)
    assert (files / "templates" / NAME).read_bytes() == first
    [event] = events(app, "template.version_restored")
    assert (event["sha256_before"], event["sha256"]) == (sha(second), sha(first))
    # Back to the original: the replacement is still in the history, usable again.
    assert admin.post(f"/admin/templates/{NAME}/restore",
                      data={"csrf_token": token}).status_code == 302
    assert not (files / "templates" / NAME).exists()
    assert admin.post(f"/admin/templates/{NAME}/versions/{sha(second)}/restore",
                      data={"csrf_token": token}).status_code == 302
    assert (files / "templates" / NAME).read_bytes() == second
    missing = admin.post(f"/admin/templates/{NAME}/versions/{'0' * 64}/restore",
                         data={"csrf_token": token})
    assert missing.status_code == 404
    assert admin.get(f"/admin/templates/{NAME}?version=../../etc").status_code == 404


def test_the_template_in_use_changes_only_after_its_audit_entry_is_committed(
        app: Flask, admin: FlaskClient, files: Path,  # noqa: F811
        monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("the audit log is not writable")

    monkeypatch.setattr(audit, "append", broken)
    with pytest.raises(RuntimeError):
        upload(admin, NAME, _variant("Không được dùng"))
    assert not (files / "templates" / NAME).exists()  # the old one stays in use


def test_a_template_that_cannot_be_written_is_audited_and_refused(
        app: Flask, admin: FlaskClient, files: Path,  # noqa: F811
        monkeypatch: pytest.MonkeyPatch) -> None:
    original = template_files.write_atomically

    def full_disk(path: Path, data: bytes) -> None:
        if path.parent.name == "templates":  # the template in use, not its history
            raise OSError(28, "disk full")
        original(path, data)

    monkeypatch.setattr(template_files, "write_atomically", full_disk)
    r = upload(admin, NAME, _variant("Đĩa đầy"))
    assert r.status_code == 422 and "không ghi được tệp mẫu" in r.get_data(as_text=True)
    assert not (files / "templates" / NAME).exists()
    assert len(events(app, "template.replaced")) == 1
    [failed] = events(app, "template.activation_failed")
    assert "disk full" in failed["error"]
