"""Dossier attachments through the service layer (workflows/dossier.py), on both databases.

The instance runs tests/fixtures/api_two_lane.bpmn: the unit's submitter proposes
(``propose``), Phòng TCHCQT appraises (``appraise``); "return" sends it back to
``propose`` for a supplement, "approve" ends it.
"""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from argon2 import PasswordHasher
from sqlalchemy import func, select

from engine import audit, identity
from engine.errors import Conflict, Forbidden, InvalidData, NotFound
from engine.roles import SYSTEM, Actor
from engine.service import ProcessEngine
from engine.store.db import Database
from engine.store.models import AuditEvent
from workflows import build_engine, dossier
from workflows.models import Attachment, Nomination

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "api_two_lane.bpmn"
KEY = "api_two_lane"
USERS = (("sub_a", ["submitter"], "A"), ("sub_b", ["submitter"], "B"),
         ("sec1", ["secretariat"], "TCHCQT"), ("council1", ["council"], None),
         ("chair1", ["chair"], None), ("admin1", ["admin"], None))


def ooxml(entry: str) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types/>')
        z.writestr(entry, '<?xml version="1.0"?><root/>')
    return buf.getvalue()


PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00"
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00\xff\xd9"
DOCX = ooxml("word/document.xml")
XLSX = ooxml("xl/workbook.xml")
SAMPLES = {  # filename -> (bytes, content type)
    "Tờ trình số 12.pdf": (PDF, "application/pdf"),
    "Ảnh.PNG": (PNG, "image/png"),
    "chup.jpg": (JPEG, "image/jpeg"),
    "chup2.jpeg": (JPEG + b"\x00", "image/jpeg"),
    "Báo cáo.docx": (DOCX, dossier.CONTENT_TYPES["docx"]),
    "Danh sách.xlsx": (XLSX, dossier.CONTENT_TYPES["xlsx"]),
}


@dataclass
class Desk:
    db: Database
    eng: ProcessEngine
    actors: dict[str, Actor]
    files: Path

    def add(self, who: str, instance_id: int, item: str, filename: str, data: bytes,
            **kwargs: Any) -> dict[str, Any]:
        with self.db.write_session() as s:
            return dossier.add_attachment(s, self.eng, self.actors[who], instance_id, item,
                                          filename, data, self.files, **kwargs)

    def list(self, who: str, instance_id: int, **kwargs: Any) -> list[dict[str, Any]]:
        with self.db.session() as s:
            return dossier.list_attachments(s, self.actors[who], instance_id,
                                            policy=self.eng, **kwargs)

    def open(self, who: str, attachment_id: int) -> tuple[dict[str, Any], bytes]:
        with self.db.session() as s:
            meta, path = dossier.open_attachment(s, self.actors[who], attachment_id,
                                                 self.files, policy=self.eng)
        return meta, path.read_bytes()

    def start(self) -> dict[str, Any]:
        with self.db.write_session() as s:
            return self.eng.start_instance(s, KEY, self.actors["sub_a"])

    def complete(self, inst: dict[str, Any], name: str, who: str,
                 data: dict[str, Any]) -> dict[str, Any]:
        task = next(t for t in inst["tasks"] if t["name"] == name)
        with self.db.write_session() as s:
            return self.eng.complete_task(s, task["id"], self.actors[who], data)

    def count(self, model: Any, *where: Any) -> int:
        with self.db.session() as s:
            return int(s.scalar(select(func.count()).select_from(model).where(*where)) or 0)

    def events(self, instance_id: int) -> list[dict[str, Any]]:
        with self.db.session() as s:
            rows = s.scalars(select(AuditEvent).where(
                AuditEvent.instance_id == instance_id,
                AuditEvent.event_type == "attachment.added").order_by(AuditEvent.id)).all()
            assert audit.verify(s).ok
        return [json.loads(r.payload) for r in rows]

    def blobs(self) -> list[Path]:
        return sorted(p for p in self.files.rglob("*") if p.is_file())


def make_desk(url: str, files: Path, monkeypatch: pytest.MonkeyPatch) -> Desk:
    monkeypatch.setattr(identity, "_HASHER",
                        PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))
    db = Database(url)
    eng = build_engine()
    actors: dict[str, Actor] = {}
    with db.write_session() as s:
        for code in ("A", "B", "TCHCQT"):
            identity.create_unit(s, SYSTEM, code, f"Unit {code}")
        for name, roles, unit in USERS:
            actors[name] = identity.actor_of(
                identity.create_user(s, SYSTEM, name, "password1", roles, eng.settings.roles,
                                     unit))
        s.commit()
    with db.write_session() as s:
        eng.deploy(s, FIXTURE.read_bytes(), SYSTEM, FIXTURE.name)
    return Desk(db, eng, actors, files)


@pytest.fixture
def desk(db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Desk]:
    made = make_desk(db_url, tmp_path / "files", monkeypatch)
    yield made
    made.db.dispose()


def invalid(exc: pytest.ExceptionInfo[InvalidData], code: str) -> None:
    assert exc.value.code == code
    assert exc.value.message and exc.value.details


# -- file types -----------------------------------------------------------------------------
def test_each_allowed_type_is_stored_by_its_hash(desk: Desk) -> None:
    iid = desk.start()["id"]
    for filename, (data, content_type) in SAMPLES.items():
        got = desk.add("sub_a", iid, "other", filename, data)
        digest = hashlib.sha256(data).hexdigest()
        assert got["created"] and got["current"] and got["filename"] == filename
        assert (got["content_type"], got["size"], got["sha256"]) == (content_type, len(data),
                                                                     digest)
        blob = desk.files / digest[:2] / digest
        assert blob.read_bytes() == data
        meta, body = desk.open("sub_a", got["id"])
        assert body == data and meta["id"] == got["id"]
    assert [p.name for p in desk.blobs() if p.name.startswith(".")] == []  # no temp files left
    assert [a["version"] for a in desk.list("sub_a", iid)] == list(range(len(SAMPLES), 0, -1))


REFUSED = [
    ("setup.pdf", b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff"),  # an .exe renamed
    ("trang.png", b"<html><script>alert(1)</script></html>"),
    ("anh.jpg", b"<!DOCTYPE html><html></html>"),
    ("bang.xlsx", DOCX),  # a Word file called a spreadsheet
    ("van_ban.docx", ooxml("other/x.xml")),  # a ZIP that is no Office file
    ("hong.docx", b"PK\x03\x04not really a zip"),
    ("setup.exe", PDF),  # the content is fine, the extension is not
    ("ghi_chu.txt", b"plain text"),
    ("khong_duoi", PDF),
]


@pytest.mark.parametrize(("filename", "data"), REFUSED, ids=[f for f, _ in REFUSED])
def test_other_content_is_refused(desk: Desk, filename: str, data: bytes) -> None:
    iid = desk.start()["id"]
    with pytest.raises(InvalidData) as exc:
        desk.add("sub_a", iid, "to_trinh", filename, data)
    invalid(exc, "attachment.type_not_allowed")
    assert "PDF, DOCX, XLSX, JPG hoặc PNG" in exc.value.message
    assert desk.count(Attachment) == 0 and desk.blobs() == []


def test_size_emptiness_item_and_nomination_are_checked(desk: Desk) -> None:
    iid = desk.start()["id"]
    with pytest.raises(InvalidData) as exc:
        desk.add("sub_a", iid, "to_trinh", "a.pdf", PDF + b"x" * 100, max_bytes=100)
    invalid(exc, "attachment.too_large")
    assert "100 byte" in exc.value.message
    assert desk.add("sub_a", iid, "to_trinh", "a.pdf", PDF, max_bytes=len(PDF))["created"]
    with pytest.raises(InvalidData) as exc:
        desk.add("sub_a", iid, "to_trinh", "a.pdf", b"")
    invalid(exc, "attachment.empty")
    with pytest.raises(InvalidData) as exc:
        desk.add("sub_a", iid, "giay_khen", "a.pdf", PDF)
    invalid(exc, "attachment.bad_item")
    assert "Tờ trình đề nghị khen thưởng" in exc.value.message
    with pytest.raises(InvalidData) as exc:
        desk.add("sub_a", iid, "to_trinh", "a.pdf", PDF, nomination_id=999)
    invalid(exc, "attachment.bad_nomination")
    assert desk.count(Attachment) == 1


def test_filename_is_made_safe_for_display(desk: Desk) -> None:
    iid = desk.start()["id"]
    got = desk.add("sub_a", iid, "to_trinh", "..\\..//etc/Tờ\ttrình\x00 <số 1>.pdf", PDF)
    assert got["filename"] == "Tờ trình số 1.pdf"
    assert dossier.safe_filename("../..") == "tep"
    long = dossier.safe_filename("á" * 400 + ".docx")
    assert len(long) == 255 and long.endswith(".docx")


# -- versions -------------------------------------------------------------------------------
def test_return_for_supplement_keeps_every_version(desk: Desk) -> None:
    inst = desk.start()
    iid = inst["id"]
    v1 = desk.add("sub_a", iid, "to_trinh", "Tờ trình.pdf", PDF)
    report = desk.add("sub_a", iid, "bao_cao_thanh_tich", "Báo cáo.docx", DOCX)
    inst = desk.complete(inst, "propose", "sub_a", {"title": "Đề nghị"})
    inst = desk.complete(inst, "appraise", "sec1", {"decision": "return",
                                                    "comment": "Bổ sung số liệu"})
    v2_pdf = PDF.replace(b"1.4", b"1.7")
    v2 = desk.add("sub_a", iid, "to_trinh", "Tờ trình (bổ sung).pdf", v2_pdf)
    assert (v1["version"], v2["version"]) == (1, 2)

    listed = desk.list("council1", iid)
    assert [(a["item"], a["version"], a["current"]) for a in listed] == [
        ("to_trinh", 2, True), ("to_trinh", 1, False), ("bao_cao_thanh_tich", 1, True)]
    assert listed[1]["superseded_at"] is not None and listed[0]["superseded_at"] is None
    assert listed[0]["item_label"] == "Tờ trình đề nghị khen thưởng"
    assert [a["id"] for a in desk.list("sub_a", iid, include_superseded=False)] == [
        v2["id"], report["id"]]
    # the earlier version stays downloadable, with its own content
    assert desk.open("sub_a", v1["id"])[1] == PDF
    assert desk.open("sec1", v2["id"])[1] == v2_pdf

    events = desk.events(iid)
    assert [(e["item"], e["version"], e["sha256"], e["filename"]) for e in events] == [
        ("to_trinh", 1, v1["sha256"], "Tờ trình.pdf"),
        ("bao_cao_thanh_tich", 1, report["sha256"], "Báo cáo.docx"),
        ("to_trinh", 2, v2["sha256"], "Tờ trình (bổ sung).pdf")]


def test_identical_upload_returns_the_current_version(desk: Desk) -> None:
    iid = desk.start()["id"]
    first = desk.add("sub_a", iid, "to_trinh", "a.pdf", PDF)
    again = desk.add("sub_a", iid, "to_trinh", "b.pdf", PDF)
    assert not again["created"] and again["id"] == first["id"] and again["filename"] == "a.pdf"
    assert desk.count(Attachment) == 1 and len(desk.events(iid)) == 1
    # the same bytes as another item: a new row, one blob on disk
    other = desk.add("sub_a", iid, "danh_sach", "a.pdf", PDF)
    assert other["created"] and other["version"] == 1
    assert len(desk.blobs()) == 1
    # going back to an earlier content is a new version, not a no-op
    desk.add("sub_a", iid, "to_trinh", "c.pdf", PDF + b"%")
    back = desk.add("sub_a", iid, "to_trinh", "a.pdf", PDF)
    assert back["created"] and back["version"] == 3


def test_each_nomination_has_its_own_versions(desk: Desk) -> None:
    iid = desk.start()["id"]
    with desk.db.write_session() as s:
        noms = [Nomination(instance_id=iid, process_key=KEY, year=2026, award_code="GK",
                           subject_code=code, subject_kind="individual", unit_code="A",
                           kind="adhoc") for code in ("P1", "P2")]
        s.add_all(noms)
        s.commit()
        n1, n2 = (n.id for n in noms)
    a1 = desk.add("sub_a", iid, "bao_cao_thanh_tich", "P1.pdf", PDF, nomination_id=n1)
    a2 = desk.add("sub_a", iid, "bao_cao_thanh_tich", "P2.pdf", PDF, nomination_id=n2)
    unit = desk.add("sub_a", iid, "bao_cao_thanh_tich", "Đơn vị.pdf", PDF)
    assert (a1["version"], a2["version"], unit["version"]) == (1, 1, 1)
    assert len({a1["id"], a2["id"], unit["id"]}) == 3
    b1 = desk.add("sub_a", iid, "bao_cao_thanh_tich", "P1 (2).pdf", PDF + b"2",
                  nomination_id=n1)
    assert (b1["version"], b1["nomination_id"]) == (2, n1)
    current = {(a["nomination_id"], a["version"]) for a in desk.list("sub_a", iid)
               if a["current"]}
    assert current == {(None, 1), (n1, 2), (n2, 1)}


# -- access ---------------------------------------------------------------------------------
def test_another_units_submitter_sees_nothing(desk: Desk) -> None:
    iid = desk.start()["id"]
    att = desk.add("sub_a", iid, "to_trinh", "a.pdf", PDF)
    with pytest.raises(NotFound) as exc:
        desk.list("sub_b", iid)
    assert exc.value.code == "instance.not_found"
    with pytest.raises(NotFound):
        desk.add("sub_b", iid, "to_trinh", "b.pdf", PDF + b"b")
    with pytest.raises(NotFound) as exc:
        desk.open("sub_b", att["id"])
    assert exc.value.code == "attachment.not_found"
    with pytest.raises(NotFound) as exc:
        desk.open("sub_a", 9999)
    assert exc.value.code == "attachment.not_found"
    with pytest.raises(NotFound):
        desk.list("sub_a", 9999)


def test_upload_needs_a_task_or_the_secretariat(desk: Desk) -> None:
    inst = desk.start()
    iid = inst["id"]
    att = desk.add("sub_a", iid, "to_trinh", "a.pdf", PDF)
    for who in ("council1", "chair1"):  # office-wide readers without a task here
        with pytest.raises(Forbidden) as exc:
            desk.add(who, iid, "bien_ban_hoi_dong", "bb.pdf", PDF + b"c")
        assert exc.value.code == "attachment.forbidden"
        assert desk.open(who, att["id"])[1] == PDF
        assert len(desk.list(who, iid)) == 1
    desk.complete(inst, "propose", "sub_a", {})
    with pytest.raises(Forbidden):  # the file is now with Phòng TCHCQT
        desk.add("sub_a", iid, "to_trinh", "a2.pdf", PDF + b"2")
    assert desk.add("sec1", iid, "other", "ghi chú.pdf", PDF + b"s")["created"]
    assert desk.add("admin1", iid, "other", "ghi chú.pdf", PDF + b"t")["version"] == 2


def test_a_finished_instance_takes_no_more_files(desk: Desk) -> None:
    inst = desk.start()
    iid = inst["id"]
    att = desk.add("sub_a", iid, "to_trinh", "a.pdf", PDF)
    inst = desk.complete(inst, "propose", "sub_a", {})
    assert desk.complete(inst, "appraise", "sec1", {"decision": "approve"})["status"] == \
        "completed"
    with pytest.raises(Conflict) as exc:
        desk.add("sec1", iid, "other", "b.pdf", PDF + b"b")
    assert exc.value.code == "instance.finished"
    assert desk.open("sub_a", att["id"])[1] == PDF
    assert desk.count(Attachment) == 1


def test_a_missing_blob_is_reported(desk: Desk) -> None:
    iid = desk.start()["id"]
    att = desk.add("sub_a", iid, "to_trinh", "a.pdf", PDF)
    for blob in desk.blobs():
        blob.unlink()
    with pytest.raises(NotFound) as exc:
        desk.open("sub_a", att["id"])
    assert exc.value.code == "attachment.file_missing"


def test_simultaneous_uploads_get_distinct_versions(pg_url: str, tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """PostgreSQL, several writers: the instance row lock orders the versions."""
    desk = make_desk(pg_url, tmp_path / "files", monkeypatch)
    try:
        iid = desk.start()["id"]
        datas = [PDF + bytes([65 + i]) for i in range(6)]
        with ThreadPoolExecutor(len(datas)) as pool:
            results = list(pool.map(
                lambda d: desk.add("sub_a", iid, "to_trinh", "a.pdf", d), datas))
        assert sorted(r["version"] for r in results) == list(range(1, len(datas) + 1))
        current = [a for a in desk.list("sub_a", iid) if a["current"]]
        assert [a["version"] for a in current] == [len(datas)]
    finally:
        desk.db.dispose()


def test_every_item_has_a_vietnamese_name_generated_ones_too() -> None:
    from workflows.dossier import item_label

    assert item_label("to_trinh") == "Tờ trình đề nghị khen thưởng"
    assert item_label("giay_khen") == "Giấy khen"
    assert item_label("bien_ban_kiem_phieu") == "Biên bản kiểm phiếu"
    assert item_label("unknown_code") == "unknown_code"
