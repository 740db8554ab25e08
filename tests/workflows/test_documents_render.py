"""Each document rendered from the shipped templates with the sample data.

The PDF's text is read back with pypdf (Vietnamese diacritics survive), its fonts are
the shipped Liberation Serif embedded under the name the templates ask for (Times New
Roman, Nghị định 30/2020/NĐ-CP) and nothing else; the DOCX's text is read with
python-docx. The committed Word templates are what the script beside them builds.
"""

from __future__ import annotations

import io
import zipfile
from datetime import date
from pathlib import Path

import docx
import pytest
from pypdf import PdfReader

from workflows.documents.render import (
    PACKAGE_DIR,
    TemplateSource,
    _url_fetcher,
    money,
    official_number,
    render_docx,
    render_pdf,
    vn_date,
)
from workflows.documents.samples import sample_context
from workflows.documents.vocab import TEMPLATES

HEADER = ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc",
          "Ninh Bình, ngày 05 tháng 12 năm 2026")
EXPECTED = {
    "quyet_dinh": (*HEADER, "UBND TỈNH NINH BÌNH", "VĂN PHÒNG", "Số: 01/QĐ-VP", "QUYẾT ĐỊNH",
                   "Về việc tặng Giấy khen của Chánh Văn phòng",
                   "CHÁNH VĂN PHÒNG UBND TỈNH NINH BÌNH",
                   "Căn cứ Luật Thi đua, khen thưởng ngày 15 tháng 6 năm 2022;",
                   "Theo đề nghị của Trưởng phòng Tổ chức - Hành chính - Quản trị.",
                   "QUYẾT ĐỊNH:", "Điều 1.", "Điều 2.", "Điều 3.", "Nguyễn Thị Hương",
                   "Trần Đức Thắng", "Phó Trưởng phòng, Phòng Văn hóa - Xã hội", "702.000 đ",
                   "1.404.000 đ", "2.808.000 đ", "Nơi nhận:", "Hoàng Văn Chánh"),
    "to_trinh_tinh": (*HEADER, "Số: 03/TTr-VP", "TỜ TRÌNH", "Kính gửi: Chủ tịch Ủy ban nhân "
                      "dân tỉnh (qua Sở Nội vụ).", "Chiến sĩ thi đua cấp tỉnh",
                      "Nguyễn Thị Hương", "6/7", "85,71%", "80%", "Đạt", "Nơi nhận:",
                      "biên bản kiểm phiếu"),
    "bien_ban_kiem_phieu": ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "BIÊN BẢN KIỂM PHIẾU",
                            "HỘI ĐỒNG THI ĐUA - KHEN THƯỞNG", "ngày 01 tháng 12 năm 2026",
                            "có mặt: 6 người", "Đỗ Minh Quân", "Trần Đức Thắng", "66,67%",
                            "Không đạt", "Không biểu quyết", "bỏ phiếu kín đối với các danh "
                            "hiệu theo quy định", "Bỏ phiếu kín; đạt khi đồng ý từ 80% số thành "
                            "viên Hội đồng trở lên", "1 thành viên không tham gia biểu quyết: "
                            "Phạm Văn Hùng (là thủ trưởng đơn vị của đối tượng)", "THƯ KÝ",
                            "CHỦ TRÌ", "Lê Thu Trang"),
    "giay_khen": ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "GIẤY KHEN",
                  "CHÁNH VĂN PHÒNG UBND TỈNH NINH BÌNH", "Bà Nguyễn Thị Hương",
                  "Ông Trần Đức Thắng", "Phòng Tổ chức - Hành chính - Quản trị",
                  "Đã có thành tích hoàn thành tốt nhiệm vụ năm 2026", "Quyết định số 01/QĐ-VP"),
}


def pdf_text(data: bytes) -> str:
    return " ".join(" ".join(p.extract_text().split()) for p in PdfReader(io.BytesIO(data)).pages)


def docx_text(data: bytes) -> str:
    document = docx.Document(io.BytesIO(data))
    parts = [p.text for p in document.paragraphs]
    parts += [c.text for t in document.tables for row in t.rows for c in row.cells]
    return " ".join(" ".join(parts).split())


def fonts_of(data: bytes) -> set[tuple[str, bool]]:
    """(base font name, embedded Liberation Serif) of every font the PDF's pages use."""
    found = set()
    for page in PdfReader(io.BytesIO(data)).pages:
        for ref in page["/Resources"]["/Font"].values():
            font = ref.get_object()
            descendant = font.get("/DescendantFonts")
            described = descendant[0].get_object() if descendant else font
            descriptor = described["/FontDescriptor"].get_object()
            program = descriptor.get("/FontFile2")
            # The subset keeps its name table (UTF-16): the shipped font, not a system one.
            embedded = program is not None and \
                "Liberation".encode("utf-16-be") in program.get_object().get_data()
            found.add((str(font["/BaseFont"]).split("+", 1)[-1], embedded))
    return found


@pytest.fixture(scope="module")
def pdfs() -> dict[str, bytes]:
    return {kind: render_pdf(f"{kind}.html", sample_context(kind), TemplateSource())
            for kind in EXPECTED}


@pytest.mark.parametrize("kind", list(EXPECTED))
def test_pdf_text_keeps_every_vietnamese_word(pdfs: dict[str, bytes], kind: str) -> None:
    text = pdf_text(pdfs[kind])
    missing = [e for e in EXPECTED[kind] if e not in text]
    assert not missing, text


@pytest.mark.parametrize("kind", list(EXPECTED))
def test_pdf_embeds_the_shipped_font_and_no_other(pdfs: dict[str, bytes], kind: str) -> None:
    fonts = fonts_of(pdfs[kind])
    assert fonts and all(embedded for _name, embedded in fonts)
    assert {name.split(",")[0] for name, _ in fonts} == {"Times-New-Roman"}, fonts
    assert {name for name, _ in fonts} >= {"Times-New-Roman,-Bold", "Times-New-Roman,"}


def test_page_sizes_are_a4_portrait_and_landscape(pdfs: dict[str, bytes]) -> None:
    decision = PdfReader(io.BytesIO(pdfs["quyet_dinh"])).pages[0].mediabox
    assert (round(float(decision.width) / 72 * 25.4), round(float(decision.height) / 72 * 25.4)) \
        == (210, 297)
    certificates = PdfReader(io.BytesIO(pdfs["giay_khen"])).pages
    assert len(certificates) == 3  # one page per recipient
    box = certificates[0].mediabox
    assert (round(float(box.width) / 72 * 25.4), round(float(box.height) / 72 * 25.4)) \
        == (297, 210)


@pytest.mark.parametrize("kind", ["quyet_dinh", "to_trinh_tinh", "bien_ban_kiem_phieu"])
def test_docx_text(kind: str) -> None:
    text = docx_text(render_docx(f"{kind}.docx", sample_context(kind), TemplateSource()))
    missing = [e for e in EXPECTED[kind] if e not in text]
    assert not missing, text
    assert "{{" not in text and "{%" not in text


def _nbsp(text: str) -> str:
    return " ".join(text.replace("\u00a0", " ").split())


# What the Word and PDF versions must both say, word for word.
SAME_WORDS = {
    "bien_ban_kiem_phieu": [
        "Hôm nay, ngày 01 tháng 12 năm 2026, Hội đồng Thi đua - Khen thưởng Văn phòng họp xét "
        "khen thưởng (bỏ phiếu điện tử, bỏ phiếu kín đối với các danh hiệu theo quy định).",
        "Chủ trì: Hoàng Văn Chánh. Thư ký: Lê Thu Trang.",
        "Bỏ phiếu kín; đạt khi đồng ý từ 80% số thành viên Hội đồng trở lên.",
        "Bỏ phiếu kín; đạt khi đồng ý từ 80% số thành viên Hội đồng trở lên; 1 thành viên không "
        "tham gia biểu quyết: Phạm Văn Hùng (là thủ trưởng đơn vị của đối tượng).",
        "Đồng ý", "Không đồng ý", "Không biểu quyết", "66,67%", "(4/6)", "Không đạt",
        "Số đối tượng đạt: 1/2. Biên bản được lập và thông qua tại cuộc họp, làm căn cứ trình "
        "cấp có thẩm quyền xem xét, khen thưởng./."],
    "quyet_dinh": [
        "Điều 1. Tặng Giấy khen của Chánh Văn phòng cho 3 cá nhân, tập thể có tên sau đây, đã "
        "có thành tích hoàn thành tốt nhiệm vụ năm 2026:",
        "Căn cứ Nghị định số 98/2023/NĐ-CP ngày 31 tháng 12 năm 2023 của Chính phủ quy định chi "
        "tiết thi hành một số điều của Luật Thi đua, khen thưởng, được sửa đổi, bổ sung bởi Nghị "
        "định số 152/2025/NĐ-CP của Chính phủ;",
        "Điều 2. Kèm theo Giấy khen của Chánh Văn phòng, mỗi cá nhân, tập thể được "
        "thưởng số tiền ghi tại Điều 1 (hệ số nhân với mức lương cơ sở), tổng cộng 2.808.000 đ, "
        "chi từ Quỹ thi đua, khen thưởng của Văn phòng UBND tỉnh Ninh Bình.",
        "Điều 3. Quyết định này có hiệu lực kể từ ngày ký. Trưởng phòng Tổ chức - Hành chính - "
        "Quản trị, Thủ trưởng các đơn vị có liên quan và các cá nhân, tập thể có tên tại Điều 1 "
        "chịu trách nhiệm thi hành Quyết định này./.", "Tổng cộng", "2.808.000 đ"],
}


@pytest.mark.parametrize("kind", list(SAME_WORDS))
def test_word_and_pdf_say_the_same(pdfs: dict[str, bytes], kind: str) -> None:
    word = _nbsp(docx_text(render_docx(f"{kind}.docx", sample_context(kind),
                                       TemplateSource())))
    pdf = _nbsp(pdf_text(pdfs[kind]))
    for sentence in SAME_WORDS[kind]:
        assert sentence in word, (sentence, word)
        assert sentence in pdf, (sentence, pdf)
    assert "Không ý kiến" not in word + pdf  # one term for abstaining, as on the pages


def test_a_decision_without_amounts_says_so_in_both_formats() -> None:
    context = sample_context("quyet_dinh")
    context = {**context, "has_amounts": False,
               "recipients": [{**r, "amount": None, "amount_text": "—"}
                              for r in context["recipients"]]}
    word = _nbsp(docx_text(render_docx("quyet_dinh.docx", context, TemplateSource())))
    pdf = _nbsp(pdf_text(render_pdf("quyet_dinh.html", context, TemplateSource())))
    for text in (word, pdf):
        assert "Điều 2. Tiền thưởng thực hiện theo quy định hiện hành." in text
        assert "Tổng cộng" not in text


def test_every_template_is_shipped_and_the_word_ones_match_their_script(tmp_path: Path,
                                                                        monkeypatch) -> None:
    assert all((PACKAGE_DIR / t.name).is_file() for t in TEMPLATES)
    import importlib.util

    spec = importlib.util.spec_from_file_location("make_docx", PACKAGE_DIR /
                                                  "make_docx_templates.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    monkeypatch.setattr(module, "HERE", tmp_path)
    module.main()
    for t in TEMPLATES:
        if t.fmt == "docx":
            built = zipfile.ZipFile(tmp_path / t.name).read("word/document.xml")
            assert zipfile.ZipFile(PACKAGE_DIR / t.name).read("word/document.xml") == built


def test_formatting_helpers() -> None:
    assert official_number("7/QĐ-VP") == "07/QĐ-VP"
    assert official_number("12/TTr-VP") == "12/TTr-VP"
    assert vn_date(date(2026, 2, 5)) == "ngày 05 tháng 02 năm 2026"
    assert vn_date("2026-11-25") == "ngày 25 tháng 11 năm 2026"
    assert vn_date(None) == "ngày … tháng … năm …"
    assert money(1404000) == "1.404.000 đ" and money(None) == "—"


def test_the_pdf_may_fetch_nothing_but_its_fonts() -> None:
    fetcher = _url_fetcher()
    for url in ("file:///etc/passwd", "http://127.0.0.1/x.png", "data:text/plain,x"):
        with pytest.raises(ValueError):
            fetcher.fetch(url)
    html = '<img src="file:///etc/hostname"><p>{{ doc.number }}</p>'
    pdf = render_pdf("x.html", {"doc": {"number": "01/QĐ-VP"}}, TemplateSource(),
                     {"x.html": html})
    assert "01/QĐ-VP" in pdf_text(pdf)
