"""Names of the generated documents and of their templates (Vietnamese labels)."""

from __future__ import annotations

from dataclasses import dataclass

from workflows.dossier import GENERATED_ITEMS

# Attachment item codes of generated documents → label (kept beside the dossier's items).
DOCUMENT_ITEMS: dict[str, str] = GENERATED_ITEMS
RESULT_LABEL = {True: "Đạt", False: "Không đạt"}


@dataclass(frozen=True)
class TemplateInfo:
    """One editable template: its file name, what it is, and the documents it makes."""

    name: str
    label: str
    fmt: str  # html | docx
    documents: tuple[str, ...]  # which documents a replacement is test-rendered as


TEMPLATES: tuple[TemplateInfo, ...] = (
    TemplateInfo("quyet_dinh.html", "Quyết định khen thưởng (PDF)", "html", ("quyet_dinh",)),
    TemplateInfo("quyet_dinh.docx", "Quyết định khen thưởng (Word)", "docx", ("quyet_dinh",)),
    TemplateInfo("to_trinh_tinh.html", "Tờ trình đề nghị UBND tỉnh khen thưởng (PDF)", "html",
                 ("to_trinh_tinh",)),
    TemplateInfo("to_trinh_tinh.docx", "Tờ trình đề nghị UBND tỉnh khen thưởng (Word)", "docx",
                 ("to_trinh_tinh",)),
    TemplateInfo("giay_khen.html", "Giấy khen (PDF, khổ A4 ngang)", "html", ("giay_khen",)),
    TemplateInfo("bien_ban_kiem_phieu.html", "Biên bản kiểm phiếu (PDF)", "html",
                 ("bien_ban_kiem_phieu",)),
    TemplateInfo("bien_ban_kiem_phieu.docx", "Biên bản kiểm phiếu (Word)", "docx",
                 ("bien_ban_kiem_phieu",)),
    TemplateInfo("_van_ban.html", "Phần chung của văn bản: khổ giấy, lề, kiểu chữ, quốc hiệu "
                 "(PDF)", "html", ("quyet_dinh", "to_trinh_tinh", "bien_ban_kiem_phieu")),
)
TEMPLATES_BY_NAME = {t.name: t for t in TEMPLATES}
