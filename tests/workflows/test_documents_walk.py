"""Documents rendered by the numbering steps of a walk, stored with their hashes.

The annual procedure through the chair's decision stores the decision (PDF + DOCX) and,
for Giấy khen, one certificate per recipient plus one with all; the forwarding to the
province stores the numbered tờ trình; a broken template fails the step and leaves
nothing behind (not even the decision number); the council's minutes are attached to
every instance of the meeting.
"""

from __future__ import annotations

import hashlib
import io
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from nomination_kit import (
    DISCLOSED,
    SENT,
    Office,
    appraise,
    chair,
    council,
    make_office,
    only_task,
    proposal,
)
from pypdf import PdfReader
from sqlalchemy import select

from engine.audit import verify
from engine.errors import InvalidData, NotFound
from engine.store.models import AuditEvent
from workflows import build_engine
from workflows.documents import list_documents, store_tally_minutes
from workflows.documents.generate import templates_dir
from workflows.documents.render import PACKAGE_DIR, official_number
from workflows.documents.samples import SAMPLE_MINUTES
from workflows.dossier import list_attachments, open_attachment
from workflows.models import Attachment, DecisionCounter, Person


@pytest.fixture
def office(db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Office]:
    made = make_office(db_url, monkeypatch, tmp_path / "files")
    made.eng = build_engine(files_dir=made.files)  # the web app's engine: documents on
    with made.db.write_session() as s:
        s.get(Person, "NV001").position = "Chuyên viên"
        s.get(Person, "NV001").gender = "male"
        s.commit()
    yield made
    made.db.dispose()


def pdf_text(data: bytes) -> str:
    """The PDF's text, lines joined by spaces (table cells wrap)."""
    return " ".join(" ".join(page.extract_text().split())
                    for page in PdfReader(io.BytesIO(data)).pages)


def stored(office: Office, instance_id: int) -> list[tuple[Attachment, bytes]]:
    with office.db.session() as s:
        rows = s.scalars(select(Attachment).where(Attachment.instance_id == instance_id,
                                                  Attachment.item.in_(
                                                      ["quyet_dinh", "giay_khen", "to_trinh_tinh",
                                                       "bien_ban_kiem_phieu"]))
                         .order_by(Attachment.id)).all()
        return [(r, (office.files / r.storage_key).read_bytes()) for r in rows]


def decide(office: Office, award: str, *subjects: str) -> dict[str, Any]:
    return office.walk(office.start(), [
        ("propose", "sub", proposal(*subjects, award=award)), appraise("approve"),
        council(*subjects), chair("decide", "approve")])


def test_annual_decision_stores_its_documents_with_their_hashes(office: Office) -> None:
    inst = decide(office, "LDTT", "NV001", "NV002")
    assert inst["status"] == "completed", inst.get("error")
    docs = [(r, d) for r, d in stored(office, inst["id"]) if r.item == "quyet_dinh"]
    assert sorted(r.content_type.split("/")[-1][:3] for r, _ in docs) == ["pdf", "vnd"]
    for row, data in docs:
        assert row.sha256 == hashlib.sha256(data).hexdigest() and row.size == len(data)
        assert row.filename.startswith("Quyết định 01-QĐ-VP.")
    pdf = next(d for r, d in docs if r.content_type == "application/pdf")
    text = pdf_text(pdf)
    for expected in ("QUYẾT ĐỊNH", "Số: 01/QĐ-VP", "Điều 1.", "Nguyễn Văn An", "Trần Thị Bình",
                     "Lao động tiên tiến", "702.000 đ", "1.404.000 đ", "Phòng Kinh tế",
                     "Căn cứ Luật Thi đua, khen thưởng", "152/2025/NĐ-CP",
                     "Về việc công nhận danh hiệu Lao động tiên tiến năm",
                     "cho 2 cá nhân có tên sau đây:"):
        assert expected in text, expected
    assert "cá nhân, tập thể" not in text and "khen thưởng Lao động" not in text
    assert inst["data"]["decision_issued"]["documents"][0]["sha256"] == docs[0][0].sha256
    with office.db.session() as s:
        events = s.scalars(select(AuditEvent).where(
            AuditEvent.event_type == "document.generated",
            AuditEvent.instance_id == inst["id"])).all()
        assert {r.sha256 for r, _ in docs} <= {json.loads(e.payload)["sha256"] for e in events}
        assert verify(s).ok
        listed = list_documents(s, office.actors["sub"], inst["id"], policy=office.eng)
    decision = [d for d in listed if d["item"] == "quyet_dinh"]
    assert [(d["pdf"]["sha256"], d["docx"]["sha256"]) for d in decision] == [
        (next(r.sha256 for r, _ in docs if r.content_type == "application/pdf"),
         next(r.sha256 for r, _ in docs if r.content_type != "application/pdf"))]


def test_giay_khen_gives_one_certificate_each_and_one_with_all(office: Office) -> None:
    inst = decide(office, "GK", "NV001", "NV002")
    assert inst["status"] == "completed", inst.get("error")
    certs = [(r, d) for r, d in stored(office, inst["id"]) if r.item == "giay_khen"]
    assert sorted(r.filename for r, _ in certs) == [
        "Giấy khen - Nguyễn Văn An.pdf", "Giấy khen - Trần Thị Bình.pdf",
        "Giấy khen - tất cả (2).pdf"]
    by_name = {r.filename: (r, d) for r, d in certs}
    one_row, one = by_name["Giấy khen - Nguyễn Văn An.pdf"]
    assert one_row.nomination_id is not None
    reader = PdfReader(io.BytesIO(one))
    assert len(reader.pages) == 1
    box = reader.pages[0].mediabox
    assert float(box.width) > float(box.height)  # A4 landscape
    text = pdf_text(one)
    assert "GIẤY KHEN" in text and "Ông Nguyễn Văn An" in text and "Trần Thị Bình" not in text
    assert "Chuyên viên, Phòng Kinh tế" in text and "01/QĐ-VP" in text
    assert len(PdfReader(io.BytesIO(by_name["Giấy khen - tất cả (2).pdf"][1])).pages) == 2


def test_a_broken_template_fails_the_step_and_writes_nothing(office: Office) -> None:
    folder = templates_dir(office.files)
    folder.mkdir(parents=True)
    (folder / "quyet_dinh.html").write_text(
        "{% extends '_van_ban.html' %}{% block body %}{{ nope.x }}{% endblock %}")
    inst = office.walk(office.start(), [
        ("propose", "sub", proposal("NV001", award="LDTT")), appraise("approve"),
        council("NV001")])
    before, files_before = office.snapshot(inst["id"]), stored(office, inst["id"])
    with pytest.raises(InvalidData, match="quyet_dinh.html") as refused:
        office.complete(only_task(inst, "decide"), "chair", {"decision": "approve",
                                                             "comment": ""})
    assert refused.value.code == "document.render_failed"
    assert office.snapshot(inst["id"]) == before
    assert [r.id for r, _ in stored(office, inst["id"])] == [r.id for r, _ in files_before]
    assert not any(r.item == "quyet_dinh" for r, _ in files_before)
    with office.db.session() as s:
        assert s.scalars(select(DecisionCounter)).all() == []  # the number was given back


def test_forwarding_to_the_province_stores_the_numbered_proposal(office: Office) -> None:
    inst = office.walk(office.start(), [
        ("propose", "sub", proposal("NV002", award="BK_TINH")), appraise("approve"),
        council("NV002"), DISCLOSED, chair("sign_proposal", "approve")])
    assert [t["name"] for t in inst["tasks"]] == [SENT[0]]
    docs = [(r, d) for r, d in stored(office, inst["id"]) if r.item == "to_trinh_tinh"]
    assert len(docs) == 2
    pdf = next(d for r, d in docs if r.content_type == "application/pdf")
    text = pdf_text(pdf)
    number = inst["data"]["document_no"]
    assert number.endswith("/TTr-VP")
    for expected in ("TỜ TRÌNH", f"Số: {official_number(number)}",
                     "Trần Thị Bình", "Bằng khen của Chủ tịch UBND tỉnh", "Kính gửi",
                     "Chủ tịch Ủy ban nhân dân tỉnh", "Đạt", "100%",
                     "Hội đồng Thi đua - Khen thưởng Văn phòng tại cuộc họp ngày"):
        assert expected in text, expected


def test_tally_minutes_are_attached_to_every_instance_of_the_meeting(office: Office) -> None:
    first, second = office.start(), office.start()
    with office.db.write_session() as s:
        summary = store_tally_minutes(s, SAMPLE_MINUTES, [str(first["id"]), second["id"]],
                                      office.actors["council"])
        s.commit()
    assert len(summary) == 4
    for inst in (first, second):
        docs = stored(office, inst["id"])
        assert sorted(r.content_type for r, _ in docs) == [
            "application/pdf",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document"]
        pdf = next(d for r, d in docs if r.content_type == "application/pdf")
        text = pdf_text(pdf)
        for expected in ("BIÊN BẢN KIỂM PHIẾU", "Nguyễn Thị Hương", "Không đạt", "85,71%",
                         "Lê Thu Trang", "có mặt: 6 người"):
            assert expected in text, expected
    # every unit's candidates and the counts: office-wide roles only, not the unit itself
    with office.db.session() as s:
        items = {a["item"] for a in list_attachments(s, office.actors["sec"], first["id"],
                                                     policy=office.eng)}
        assert "bien_ban_kiem_phieu" in items
        assert list_attachments(s, office.actors["sub"], first["id"], policy=office.eng) == []
        minutes_id = stored(office, first["id"])[0][0].id
        with pytest.raises(NotFound):
            open_attachment(s, office.actors["sub"], minutes_id, office.files, policy=office.eng)
        assert open_attachment(s, office.actors["sec"], minutes_id, office.files,
                               policy=office.eng)[1].is_file()


def test_a_forwarding_without_nominations_numbers_but_renders_nothing(office: Office) -> None:
    """E.g. a revocation forwarded to the province: its tờ trình is not a proposal to award."""
    inst = office.start("sec", "province_forwarding")
    inst = office.complete(only_task(inst, "sign_proposal"), "chair",
                           {"decision": "approve", "comment": ""})
    assert inst["data"]["document_no"].endswith("/TTr-VP")
    assert "documents" not in inst["data"]["proposal_issued"]
    assert stored(office, inst["id"]) == []


def test_each_generated_document_records_the_templates_it_was_rendered_from(
        office: Office) -> None:
    folder = templates_dir(office.files)
    folder.mkdir(parents=True)
    replaced = (PACKAGE_DIR / "quyet_dinh.html").read_bytes().replace(
        "QUYẾT ĐỊNH:".encode(), "QUYẾT ĐỊNH:".encode() + b"<!-- mau cua Van phong -->")
    (folder / "quyet_dinh.html").write_bytes(replaced)
    decide(office, "LDTT", "NV001")
    with office.db.session() as s:
        events = [json.loads(e.payload) for e in s.scalars(select(AuditEvent).where(
            AuditEvent.event_type == "document.generated")).all()]
    sha = {name: hashlib.sha256(data).hexdigest() for name, data in (
        ("quyet_dinh.html", replaced),
        ("_van_ban.html", (PACKAGE_DIR / "_van_ban.html").read_bytes()),
        ("quyet_dinh.docx", (PACKAGE_DIR / "quyet_dinh.docx").read_bytes()))}
    by_format = {e["format"]: e["templates"] for e in events if e["item"] == "quyet_dinh"}
    assert by_format == {"pdf": {"quyet_dinh.html": sha["quyet_dinh.html"],
                                 "_van_ban.html": sha["_van_ban.html"]},
                         "docx": {"quyet_dinh.docx": sha["quyet_dinh.docx"]}}
