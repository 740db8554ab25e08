"""Sample data: what a replacement template is test-rendered with before it is accepted.

Also what the tests and the preview script render. Names and places are made up.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from workflows.documents.context import (
    certificate_context,
    decision_context,
    letterhead,
    minutes_context,
    proposal_context,
)
from workflows.documents.gather import GENERAL_BASIS
from workflows.documents.wording import Awarded, achievement

SAMPLE_DATE = date(2026, 12, 5)
SAMPLE_HEAD = letterhead({"document_parent_body": "UBND tỉnh Ninh Bình",
                          "document_issuer_full": "Văn phòng UBND tỉnh Ninh Bình",
                          "document_place": "Ninh Bình",
                          "document_signer_name": "Hoàng Văn Chánh"})
SAMPLE_RECIPIENTS: list[dict[str, Any]] = [
    {"name": "Nguyễn Thị Hương", "position": "Chuyên viên", "unit": "Phòng Kinh tế",
     "award_name": "Giấy khen của Chánh Văn phòng", "amount": 702000, "salutation": "Bà"},
    {"name": "Trần Đức Thắng", "position": "Phó Trưởng phòng",
     "unit": "Phòng Văn hóa - Xã hội", "award_name": "Giấy khen của Chánh Văn phòng",
     "amount": 702000, "salutation": "Ông"},
    {"name": "Phòng Tổ chức - Hành chính - Quản trị", "position": "", "kind": "collective",
     "unit": "Phòng Tổ chức - Hành chính - Quản trị",
     "award_name": "Giấy khen của Chánh Văn phòng", "amount": 1404000},
]
SAMPLE_BASIS = list(GENERAL_BASIS)
SAMPLE_MINUTES: dict[str, Any] = {
    "meeting": {"id": 1, "title": "Họp Hội đồng Thi đua - Khen thưởng xét khen thưởng năm 2026",
                "date": "2026-12-01", "mode": "electronic", "chair": "Hoàng Văn Chánh",
                "secretary": "Lê Thu Trang", "secret_ballot": True},
    "members_total": 7,
    "members_present": ["Hoàng Văn Chánh", "Lê Thu Trang", "Phạm Văn Hùng", "Đỗ Minh Quân",
                        "Vũ Thị Lan", "Bùi Quốc Việt"],
    "candidates": [
        {"name": "Nguyễn Thị Hương", "unit": "Phòng Kinh tế", "award_code": "CSTD_TINH",
         "award_name": "Chiến sĩ thi đua cấp tỉnh", "agree": 6, "disagree": 0, "abstain": 0,
         "recused": 0, "denominator": 7, "threshold_pct": 80.0, "passed": True,
         "secret_ballot": True, "vote_base": "members", "recused_members": []},
        {"name": "Trần Đức Thắng", "unit": "Phòng Văn hóa - Xã hội", "award_code": "CSTD_TINH",
         "award_name": "Chiến sĩ thi đua cấp tỉnh", "agree": 4, "disagree": 1, "abstain": 0,
         "recused": 1, "denominator": 6, "threshold_pct": 80.0, "passed": False,
         "secret_ballot": True, "vote_base": "members",
         "recused_members": [{"name": "Phạm Văn Hùng",
                              "reason": "là thủ trưởng đơn vị của đối tượng"}]},
    ],
}


def sample_context(document: str) -> dict[str, Any]:
    """The sample context of a document kind (quyet_dinh, to_trinh_tinh, …)."""
    if document == "quyet_dinh":
        return decision_context(SAMPLE_HEAD, number="1/QĐ-VP", when=SAMPLE_DATE, year=2026,
                                awards=[Awarded("Giấy khen của Chánh Văn phòng", False)],
                                recipients=SAMPLE_RECIPIENTS, legal_basis=SAMPLE_BASIS,
                                council_voted=True, reason=achievement("annual", 2026))
    if document == "to_trinh_tinh":
        return proposal_context(SAMPLE_HEAD, number="3/TTr-VP", when=SAMPLE_DATE, year=2026,
                                award_names=["Chiến sĩ thi đua cấp tỉnh"],
                                recipients=[{**SAMPLE_RECIPIENTS[0], "amount": None,
                                             "award_name": "Chiến sĩ thi đua cấp tỉnh"}],
                                legal_basis=SAMPLE_BASIS,
                                tally=SAMPLE_MINUTES["candidates"][:1],
                                meeting=SAMPLE_MINUTES["meeting"])
    if document == "giay_khen":
        return certificate_context(SAMPLE_HEAD, decision_no="1/QĐ-VP", when=SAMPLE_DATE,
                                   recipients=SAMPLE_RECIPIENTS,
                                   reason="Đã có thành tích hoàn thành tốt nhiệm vụ năm 2026")
    if document == "bien_ban_kiem_phieu":
        return minutes_context(SAMPLE_HEAD, SAMPLE_MINUTES)
    raise KeyError(document)
