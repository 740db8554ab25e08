"""What a decision says it gives, read back from the rendered PDF and Word text.

An emulation title is recognised («Về việc công nhận danh hiệu Lao động tiên tiến năm
2026»), a form of commendation given («Về việc tặng Giấy khen …», never «khen thưởng
Giấy khen»); the recipients are «cá nhân», «tập thể», or both only when the list mixes
them; an ad-hoc award names the deed the unit typed, in the decision and on the Giấy
khen; the legal basis cites Decree 98/2023/NĐ-CP with its amendment 152/2025/NĐ-CP.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from adhoc_kit import PROPOSAL, Office, appraisal, decision, make_office
from council_kit import fill_letterhead
from sqlalchemy import select
from test_documents_render import docx_text, pdf_text

from workflows import build_engine
from workflows.documents.context import decision_context
from workflows.documents.gather import GENERAL_BASIS
from workflows.documents.render import TemplateSource, render_docx, render_pdf
from workflows.documents.samples import SAMPLE_HEAD
from workflows.documents.wording import Awarded, achievement, deed_phrase
from workflows.models import Attachment, AwardType

LDTT, TTLDTT = Awarded("Lao động tiên tiến", True), Awarded("Tập thể lao động tiên tiến", True)
GK = Awarded("Giấy khen của Chánh Văn phòng", False)
PEOPLE = [{"name": n, "unit": "Phòng Kinh tế", "award_name": "Lao động tiên tiến",
           "amount": 702000, "kind": "individual"}
          for n in ("Nguyễn Văn An", "Trần Thị Bình", "Lê Văn Cường")]
TEAM = {"name": "Phòng Kinh tế", "unit": "", "award_name": "Tập thể lao động tiên tiến",
        "amount": 1872000, "kind": "collective"}


def both_texts(awards: list[Awarded], recipients: list[dict[str, Any]],
               reason: str = "") -> list[str]:
    context = decision_context(SAMPLE_HEAD, number="1/QĐ-VP", when="2026-12-05", year=2026,
                               awards=awards, recipients=recipients,
                               legal_basis=list(GENERAL_BASIS), council_voted=False,
                               reason=reason)
    pdf = pdf_text(render_pdf("quyet_dinh.html", context, TemplateSource()))
    word = docx_text(render_docx("quyet_dinh.docx", context, TemplateSource()))
    return [" ".join(t.replace("\u00a0", " ").split()) for t in (pdf, word)]


def test_a_title_is_recognised_for_individuals_only() -> None:
    for text in both_texts([LDTT], PEOPLE, achievement("annual", 2026)):
        assert "Về việc công nhận danh hiệu Lao động tiên tiến năm 2026" in text
        assert "Điều 1. Công nhận danh hiệu Lao động tiên tiến năm 2026 cho 3 cá nhân có tên " \
               "sau đây:" in text
        assert "Điều 2. Kèm theo danh hiệu được công nhận, mỗi cá nhân được thưởng" in text
        assert "các cá nhân có tên tại Điều 1" in text
        assert "Họ và tên" in text and "Danh hiệu" in text
        for wrong in ("khen thưởng Lao động", "Tặng", "tập thể", "Kèm theo Lao động"):
            assert wrong not in text, wrong


def test_a_collective_title_says_tap_the_and_a_mixed_list_says_both() -> None:
    for text in both_texts([TTLDTT], [TEAM]):
        assert "Công nhận danh hiệu Tập thể lao động tiên tiến năm 2026 cho 1 tập thể có tên " \
               "sau đây:" in text and "Tên tập thể" in text and "cá nhân" not in text
    for text in both_texts([LDTT, TTLDTT], [*PEOPLE, TEAM]):
        assert "Về việc công nhận danh hiệu Lao động tiên tiến, Tập thể lao động tiên tiến " \
               "năm 2026" in text
        assert "cho 4 cá nhân, tập thể có tên sau đây:" in text


def test_a_form_is_given_with_the_deed() -> None:
    deed = "Dũng cảm cứu 3 người bị đuối nước trên sông Đáy.\nCó xác nhận của Công an xã."
    for text in both_texts([GK], PEOPLE[:1], achievement("adhoc", 2026, deed=deed)):
        assert "Về việc tặng Giấy khen của Chánh Văn phòng" in text
        assert "Điều 1. Tặng Giấy khen của Chánh Văn phòng cho 1 cá nhân có tên sau đây, đã " \
               "có thành tích dũng cảm cứu 3 người bị đuối nước trên sông Đáy:" in text
        assert "Kèm theo Giấy khen của Chánh Văn phòng, mỗi cá nhân được thưởng" in text
        assert "khen thưởng Giấy khen" not in text and "Công an xã" not in text


@pytest.mark.parametrize(("typed", "phrase"), [
    ("Dũng cảm cứu người.", "dũng cảm cứu người"),
    ("Đã có thành tích: phát hiện sai phạm", "phát hiện sai phạm"),
    ("Phòng Kinh tế hoàn thành sớm dự án", "Phòng Kinh tế hoàn thành sớm dự án"),
    ("  ", ""),
    ("chữ " * 200, ("chữ " * 75).strip() + "…"),
])
def test_the_deed_as_a_decision_quotes_it(typed: str, phrase: str) -> None:
    assert deed_phrase(typed) == phrase


def test_the_catalogue_says_which_awards_are_titles(sqlite_url: str) -> None:
    from sqlalchemy import create_engine
    from sqlalchemy.orm import Session

    eng = create_engine(sqlite_url)
    with Session(eng) as s:
        titles = {a.code: a.is_emulation_title for a in s.scalars(select(AwardType))}
    eng.dispose()
    assert titles == {"LDTT": True, "CSTD_CS": True, "CSTD_TINH": True, "CSTD_TQ": True,
                      "TTLDTT": True, "TTLDXS": True, "CO_TINH": True, "GK": False,
                      "BK_TINH": False, "BK_TTG": False}


def test_the_general_basis_cites_decree_98_with_its_amendment() -> None:
    decree = next(line for line in GENERAL_BASIS if "98/2023/NĐ-CP" in line)
    assert decree.endswith("được sửa đổi, bổ sung bởi Nghị định số 152/2025/NĐ-CP của Chính phủ")


@pytest.fixture
def adhoc(db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Office]:
    made = make_office(db_url, monkeypatch, tmp_path / "files")
    made.eng = build_engine(files_dir=made.files)  # documents on
    fill_letterhead(made.db)
    yield made
    made.db.dispose()


def test_an_adhoc_giay_khen_names_the_deed_in_the_decision_and_the_certificate(
        adhoc: Office) -> None:
    inst = adhoc.walk(adhoc.start("sub"), [
        ("propose", "sub", PROPOSAL), ("appraise", "sec", appraisal("approve")),
        ("decide", "chair", decision("approve"))])
    assert inst["status"] == "completed", inst.get("error")
    with adhoc.db.session() as s:
        rows = s.scalars(select(Attachment).where(
            Attachment.instance_id == inst["id"], Attachment.item.in_(["quyet_dinh", "giay_khen"]),
            Attachment.content_type == "application/pdf")).all()
        texts = {r.item: pdf_text((adhoc.files / r.storage_key).read_bytes()) for r in rows}
    assert "Về việc tặng Giấy khen của Chánh Văn phòng" in texts["quyet_dinh"]
    assert "đã có thành tích dũng cảm cứu người trong vụ cháy chợ trung tâm:" \
        in texts["quyet_dinh"]
    assert "152/2025/NĐ-CP" in texts["quyet_dinh"]
    assert "Đã có thành tích dũng cảm cứu người trong vụ cháy chợ trung tâm" \
        in texts["giay_khen"]
    assert "đột xuất" not in texts["giay_khen"]
