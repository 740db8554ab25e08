"""Build the Word templates (quyet_dinh.docx, to_trinh_tinh.docx, bien_ban_kiem_phieu.docx).

Run ``python workflows/templates/make_docx_templates.py`` after changing this script and
commit the .docx files: they are what docxtpl fills in (Jinja tags in the text, ``{%tr %}``
for table rows) and what an admin downloads, edits in Word and uploads back at
/admin/templates. Layout per Nghị định 30/2020/NĐ-CP: A4, margins 20/20/30/15 mm,
Times New Roman 13-14 pt. The values available are those of workflows/documents/context.py.
"""

from __future__ import annotations

from pathlib import Path

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Mm, Pt

HERE = Path(__file__).resolve().parent
FONT = "Times New Roman"
CENTER, LEFT, RIGHT = WD_ALIGN_PARAGRAPH.CENTER, WD_ALIGN_PARAGRAPH.LEFT, WD_ALIGN_PARAGRAPH.RIGHT
JUSTIFY = WD_ALIGN_PARAGRAPH.JUSTIFY


def new_document() -> Document:
    doc = Document()
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin = section.bottom_margin = Mm(20)
    section.left_margin, section.right_margin = Mm(30), Mm(15)
    style = doc.styles["Normal"]
    style.font.name, style.font.size = FONT, Pt(14)
    style.element.rPr.rFonts.set(qn("w:eastAsia"), FONT)
    style.paragraph_format.space_after = Pt(6)
    return doc


def para(container, text: str = "", *, size: float = 14, bold: bool = False,
         italic: bool = False, align=JUSTIFY, indent: bool = False, after: float = 6):
    """A paragraph; ``text`` may hold several runs as (text, bold, italic) tuples."""
    p = container.add_paragraph()
    p.alignment = align
    p.paragraph_format.space_after = Pt(after)
    if indent:
        p.paragraph_format.first_line_indent = Cm(1.27)
    runs = text if isinstance(text, list) else [(text, bold, italic)]
    for chunk, b, i in runs:
        run = p.add_run(chunk)
        run.bold, run.italic, run.font.size, run.font.name = b, i, Pt(size), FONT
    return p


def cell_para(cell, text, **kw):
    if cell.paragraphs and not cell.paragraphs[0].text:
        cell.paragraphs[0]._element.getparent().remove(cell.paragraphs[0]._element)
    return para(cell, text, **{"align": CENTER, "after": 0, **kw})


def set_widths(table, widths_cm: list[float]) -> None:
    """Column widths Word and LibreOffice both honour (grid columns and every cell)."""
    table.autofit = False
    for i, width in enumerate(widths_cm):
        table.columns[i].width = Cm(width)
        for cell in table.columns[i].cells:
            cell.width = Cm(width)


def keep_rows_whole(table) -> None:
    """A row never splits across pages (the signature block stays in one piece)."""
    for row in table.rows:
        props = row._tr.get_or_add_trPr()
        if props.find(qn("w:cantSplit")) is None:
            props.append(OxmlElement("w:cantSplit"))


def narrow_margins(table, twips: int = 57) -> None:
    """Cell margins of 1 mm left and right (Word's default is 1.9 mm): narrow count
    columns keep their headers' words whole."""
    margins = OxmlElement("w:tblCellMar")
    for edge in ("left", "right"):
        el = OxmlElement(f"w:{edge}")
        el.set(qn("w:w"), str(twips))
        el.set(qn("w:type"), "dxa")
        margins.append(el)
    table._tbl.tblPr.append(margins)


def no_borders(table) -> None:
    borders = OxmlElement("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        el = OxmlElement(f"w:{edge}")
        el.set(qn("w:val"), "nil")
        borders.append(el)
    table._tbl.tblPr.append(borders)


def letterhead(doc, parent: str, issuer: str, number: str | None) -> None:
    table = doc.add_table(rows=1, cols=2)
    no_borders(table)
    set_widths(table, [6.0, 10.5])
    left, right = table.rows[0].cells
    cell_para(left, parent, size=13)
    cell_para(left, issuer, size=13, bold=True)
    cell_para(left, "_______", size=13)
    if number:
        cell_para(left, f"Số: {number}", size=13)
    cell_para(right, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", size=12, bold=True)
    cell_para(right, "Độc lập - Tự do - Hạnh phúc", size=13.5, bold=True)
    cell_para(right, "___________________________", size=13)
    cell_para(right, "{{ doc.date_line }}", size=14, italic=True)
    para(doc, "", after=0)


def title(doc, name: str, subject: str = "{{ subject }}") -> None:
    para(doc, name, bold=True, align=CENTER, after=0)
    para(doc, subject, bold=True, align=CENTER, after=0)
    para(doc, "_____________", align=CENTER, after=6)


def list_table(doc, headers: list[str], cells: list[str], loop: str, widths: list[float],
               right: tuple[int, ...] = (), centered: tuple[int, ...] = ()):
    """A bordered table: a header row, then one row per item of ``loop``."""
    table = doc.add_table(rows=4, cols=len(headers))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for i, text in enumerate(headers):
        cell_para(table.rows[0].cells[i], text, size=12.5, bold=True)
    cell_para(table.rows[1].cells[0], f"{{%tr for r in {loop} %}}", size=12.5)
    for i, text in enumerate(cells):
        align = CENTER if i == 0 or i in centered else RIGHT if i in right else LEFT
        cell_para(table.rows[2].cells[i], text, size=12.5, align=align)
    cell_para(table.rows[3].cells[0], "{%tr endfor %}", size=12.5)
    set_widths(table, widths)
    keep_rows_whole(table)
    para(doc, "", size=6, after=0)  # air between the table and the next paragraph
    return table


def signature(doc, left: list[tuple[str, bool, bool]], title_text: str, name: str,
              left_signer: tuple[str, str] | None = None) -> None:
    """Nơi nhận (``left``) or a second signer (``left_signer``: title, name) and the signer."""
    table = doc.add_table(rows=1, cols=2)
    no_borders(table)
    set_widths(table, [8.0, 8.5])
    keep_rows_whole(table)
    lcell, rcell = table.rows[0].cells
    if left_signer is not None:
        _signer(lcell, *left_signer)
    for text, bold, italic in left:
        cell_para(lcell, text, size=11 if not bold else 12, bold=bold, italic=italic, align=LEFT)
    _signer(rcell, title_text, name)


def _signer(cell, title_text: str, name: str) -> None:
    cell_para(cell, title_text, bold=True)
    for _ in range(4):
        cell_para(cell, "")
    cell_para(cell, name, bold=True)


def decision() -> Document:
    """Quyết định khen thưởng: the same words as quyet_dinh.html."""
    doc = new_document()
    letterhead(doc, "{{ org.parent }}", "{{ org.name }}", "{{ doc.number }}")
    title(doc, "QUYẾT ĐỊNH")
    para(doc, "{{ authority }}", bold=True, align=CENTER)
    para(doc, "{%p for line in legal_basis %}", after=0)
    para(doc, "{{ line }};", italic=True, indent=True)
    para(doc, "{%p endfor %}", after=0)
    para(doc, "Theo đề nghị của {{ proposer }}.", italic=True, indent=True)
    para(doc, "QUYẾT ĐỊNH:", bold=True, align=CENTER)
    para(doc, [("Điều 1. ", True, False), ("{{ action }} cho {{ count }} {{ who }} có tên sau "
                                           "đây{% if reason %}, {{ reason }}{% endif %}:",
                                           False, False)], indent=True)
    table = list_table(doc, ["STT", "{{ name_column }}", "Chức vụ, đơn vị",
                             "{{ award_column }}", "Tiền thưởng"],
                       ["{{ r.index }}", "{{ r.name }}",
                        "{% if r.position %}{{ r.position }}, {% endif %}{{ r.unit }}",
                        "{{ r.award_name }}", "{{ r.amount_text }}"], "recipients",
                       [1.4, 4.2, 4.3, 3.8, 2.8], right=(4,))
    total_row(table)
    para(doc, [("Điều 2. ", True, False),
               ("{% if has_amounts %}Kèm theo {{ accompany }}, mỗi {{ who }} được thưởng "
                "số tiền ghi tại Điều 1 (hệ số nhân với mức lương cơ sở), tổng cộng "
                "{{ total_text }}, chi từ Quỹ thi đua, khen thưởng của {{ org.full }}."
                "{% else %}Tiền thưởng thực hiện theo quy định hiện hành.{% endif %}",
                False, False)], indent=True)
    closing = para(doc, [("Điều 3. ", True, False),
                         ("Quyết định này có hiệu lực kể từ ngày ký. {{ proposer }}, Thủ trưởng "
                          "các đơn vị có liên quan và các {{ who }} có tên tại Điều 1 "
                          "chịu trách nhiệm thi hành Quyết định này./.", False, False)],
                   indent=True)
    closing.paragraph_format.keep_with_next = True  # never the signature alone on a page
    signature(doc, [("Nơi nhận:", True, True), ("- Như Điều 3;", False, False),
                    ("- Lưu: VT, TCHCQT.", False, False)],
              "{{ signer.title }}", "{{ signer.name }}")
    return doc


def total_row(table) -> None:
    """«Tổng cộng» under the recipients, when there are amounts (as in the PDF)."""
    for text in ("{%tr if has_amounts %}", None, "{%tr endif %}"):
        cells = table.add_row().cells
        if text is not None:
            cell_para(cells[0], text, size=12.5)
            continue
        label = cells[1].merge(cells[3])
        cell_para(label, "Tổng cộng", size=12.5, bold=True, align=LEFT)
        cell_para(cells[4], "{{ total_text }}", size=12.5, bold=True, align=RIGHT)
    set_widths(table, [1.4, 4.2, 4.3, 3.8, 2.8])
    keep_rows_whole(table)


def proposal() -> Document:
    doc = new_document()
    letterhead(doc, "{{ org.parent }}", "{{ org.name }}", "{{ doc.number }}")
    title(doc, "TỜ TRÌNH")
    para(doc, "Kính gửi: Chủ tịch Ủy ban nhân dân tỉnh (qua Sở Nội vụ).", align=CENTER)
    para(doc, "{%p for line in legal_basis %}", after=0)
    para(doc, "{{ line }};", indent=True)
    para(doc, "{%p endfor %}", after=0)
    para(doc, "{{ org.full }} kính trình Chủ tịch Ủy ban nhân dân tỉnh xem xét, tặng "
              "{{ award_text }} cho {{ count }} cá nhân, tập thể có tên sau đây:", indent=True)
    list_table(doc, ["STT", "Họ và tên / Tập thể", "Chức vụ, đơn vị", "Hình thức đề nghị"],
               ["{{ r.index }}", "{{ r.name }}",
                "{% if r.position %}{{ r.position }}, {% endif %}{{ r.unit }}",
                "{{ r.award_name }}"], "recipients", [1.4, 5, 5.3, 4.8])
    para(doc, "Kết quả bỏ phiếu của {{ org.council }}{% if meeting.date_iso %} "
              "({{ meeting.date }}){% endif %}:", indent=True)
    list_table(doc, ["STT", "Họ và tên / Tập thể", "Đồng ý", "Tỷ lệ", "Ngưỡng", "Kết quả"],
               ["{{ r.index }}", "{{ r.name }}", "{{ r.agree }}/{{ r.base }}", "{{ r.share }}",
                "{{ r.threshold }}", "{{ r.result }}"], "tally", [1.4, 5.6, 2.2, 2.4, 2.4, 2.5],
               centered=(2, 3, 4, 5))
    para(doc, "Hồ sơ kèm theo gồm: danh sách đề nghị khen thưởng, báo cáo thành tích, biên bản "
              "họp và biên bản kiểm phiếu của {{ org.council }}.", indent=True)
    closing = para(doc, "{{ org.full }} kính trình Chủ tịch Ủy ban nhân dân tỉnh xem xét, "
                        "quyết định./.", indent=True)
    closing.paragraph_format.keep_with_next = True
    signature(doc, [("Nơi nhận:", True, True), ("- Như trên;", False, False),
                    ("- Sở Nội vụ (Ban Thi đua - Khen thưởng);", False, False),
                    ("- Lưu: VT, TCHCQT.", False, False)],
              "{{ signer.title }}", "{{ signer.name }}")
    return doc


NBSP = "\u00a0"  # keeps a word's syllables together in narrow header cells ("Đồng ý")


def tally_table(doc) -> None:
    """The minutes' tally: two header rows ("Số phiếu" over the three counts), then per
    candidate a row of counts and a row with the rule and the recused members."""
    widths = [1.1, 3.2, 2.7, 1.6, 1.8, 2.3, 1.9, 1.9]
    table = doc.add_table(rows=6, cols=8)
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    narrow_margins(table)
    top, sub = table.rows[0].cells, table.rows[1].cells
    for i, text in ((0, "STT"), (1, f"Họ và tên / Tập thể, đơn{NBSP}vị"),
                    (2, f"Danh hiệu, hình{NBSP}thức"), (6, f"Tỷ lệ đồng{NBSP}ý"),
                    (7, f"Kết{NBSP}quả")):
        cell = top[i].merge(sub[i])
        cell_para(cell, text, size=11.5, bold=True)
    counts = top[3].merge(top[5])
    cell_para(counts, "Số phiếu", size=11.5, bold=True)
    for i, text in ((3, f"Đồng{NBSP}ý"), (4, f"Không đồng{NBSP}ý"),
                    (5, f"Không biểu{NBSP}quyết")):
        cell_para(sub[i], text, size=11.5, bold=True)
    cell_para(table.rows[2].cells[0], "{%tr for r in tally %}", size=12)
    row = table.rows[3].cells
    cell_para(row[0], "{{ r.index }}", size=12)
    cell_para(row[1], [("{{ r.name }}", False, False),
                       ("{% if r.unit %}, {{ r.unit }}{% endif %}", False, True)],
              size=12, align=LEFT)
    cell_para(row[2], "{{ r.award_name }}", size=12, align=LEFT)
    for i, text in ((3, "{{ r.agree }}"), (4, "{{ r.disagree }}"), (5, "{{ r.abstain }}"),
                    (6, "{{ r.share }} ({{ r.agree }}/{{ r.base }})")):
        cell_para(row[i], text, size=12)
    cell_para(row[7], "{{ r.result }}", size=12, bold=True)
    note = table.rows[4].cells[1].merge(table.rows[4].cells[7])
    table.rows[3].cells[0].merge(table.rows[4].cells[0])
    cell_para(note, "{{ r.note }}{% if r.recused_names %}: {{ r.recused_names | join('; ') }}"
                    "{% endif %}.", size=11, italic=True, align=LEFT)
    cell_para(table.rows[5].cells[0], "{%tr endfor %}", size=12)
    set_widths(table, widths)
    keep_rows_whole(table)
    para(doc, "", size=6, after=0)


def minutes() -> Document:
    """Biên bản kiểm phiếu: the same words as bien_ban_kiem_phieu.html."""
    doc = new_document()
    letterhead(doc, "{{ org.full | upper }}", "HỘI ĐỒNG THI ĐUA - KHEN THƯỞNG", None)
    title(doc, "BIÊN BẢN KIỂM PHIẾU")
    para(doc, "Hôm nay, {{ meeting.date }}, {{ org.council }} họp xét khen thưởng "
              "({{ meeting.mode }}{% if meeting.secret_ballot %}, bỏ phiếu kín đối với các "
              "danh hiệu theo quy định{% endif %}).", indent=True)
    para(doc, "Chủ trì: {{ meeting.chair or '……' }}. Thư ký: {{ meeting.secretary or '……' }}.",
         indent=True)
    para(doc, "Thành viên Hội đồng: {{ members_total }} người; có mặt: {{ present_count }} người"
              "{% if members_present %} ({{ members_present | join(', ') }}){% endif %}.",
         indent=True)
    para(doc, "Kết quả kiểm phiếu như sau:", indent=True)
    tally_table(doc)
    closing = para(doc, "Tỷ lệ đồng ý tính trên mẫu số ghi ở từng dòng, trừ thành viên không "
                        "tham gia biểu quyết. Số đối tượng đạt: {{ passed_count }}/"
                        "{{ tally | length }}. Biên bản được lập và thông qua tại cuộc họp, làm "
                        "căn cứ trình cấp có thẩm quyền xem xét, khen thưởng./.", indent=True)
    closing.paragraph_format.keep_with_next = True
    signature(doc, [], "CHỦ TRÌ", "{{ meeting.chair }}",
              left_signer=("THƯ KÝ", "{{ meeting.secretary }}"))
    return doc


def main() -> None:
    for name, build in (("quyet_dinh", decision), ("to_trinh_tinh", proposal),
                        ("bien_ban_kiem_phieu", minutes)):
        build().save(HERE / f"{name}.docx")
        print(f"wrote {name}.docx")


if __name__ == "__main__":
    main()
