"""Seed the award catalogue and the office settings with today's legal defaults.

Values are data, not code: admins change them later (the admin pages and
`award_type` / `setting` rows); this revision only inserts what is missing,
as it stood under Law 06/2022/QH15, Decree 98/2023 (amended by Decree
152/2025) and Circular 15/2025/TT-BNV on 2026-11-24.

Revision ID: w0002
Revises: w0001
Create Date: 2026-11-25
"""
from alembic import op
import sqlalchemy as sa

revision = "w0002"
down_revision = "w0001"
branch_labels = None
depends_on = None

FULL = ["to_trinh", "danh_sach", "bao_cao_thanh_tich", "bien_ban_binh_xet", "bien_ban_hoi_dong"]
SIMPLE = ["to_trinh", "tom_tat_thanh_tich"]

# code, name, subject_kind, level, decided_by, coefficient, secret, threshold, base,
# disclosure, dossier, rules, legal basis
CATALOGUE = [
    ("LDTT", "Lao động tiên tiến", "individual", "office",
     "Thủ trưởng cơ quan (Chánh Văn phòng)", 0.3, False, None, "members", False,
     ["to_trinh", "danh_sach", "bien_ban_binh_xet"],
     {"min_rating": "HTTNV"},
     "Luật TĐKT 2022 Điều 26; Nghị định 98/2023/NĐ-CP"),
    ("CSTD_CS", "Chiến sĩ thi đua cơ sở", "individual", "office",
     "Thủ trưởng cơ quan (Chánh Văn phòng), theo đề nghị của Hội đồng TĐKT", 1.0, True, 50,
     "members", False, FULL + ["qd_sang_kien"],
     {"needs_title_same_year": "LDTT", "initiative_levels": ["co_so", "tinh", "toan_quoc"],
      "quota_pct_of_ldtt": 15},
     "Luật TĐKT 2022 Điều 23; Nghị định 98/2023/NĐ-CP Điều 6"),
    ("CSTD_TINH", "Chiến sĩ thi đua cấp tỉnh", "individual", "province",
     "Chủ tịch UBND tỉnh", 3.0, True, 90, "members", True, FULL + ["qd_sang_kien"],
     {"prerequisite": "CSTD_CS", "consecutive_years": 3,
      "initiative_levels": ["tinh", "toan_quoc"]},
     "Luật TĐKT 2022 Điều 22; Nghị định 98/2023/NĐ-CP Điều 5"),
    ("CSTD_TQ", "Chiến sĩ thi đua toàn quốc", "individual", "national",
     "Thủ tướng Chính phủ", 4.5, True, 90, "members", True, FULL + ["qd_sang_kien"],
     {"prerequisite": "CSTD_TINH", "consecutive_times": 2, "period_years": 3,
      "initiative_levels": ["toan_quoc"]},
     "Luật TĐKT 2022 Điều 21"),
    ("TTLDTT", "Tập thể lao động tiên tiến", "collective", "office",
     "Thủ trưởng cơ quan (Chánh Văn phòng)", 0.8, False, None, "members", False,
     ["to_trinh", "danh_sach", "bien_ban_binh_xet"],
     {"min_rating": "HTTNV", "min_member_title_pct": 70, "member_title": "LDTT",
      "max_discipline_form": "khien_trach"},
     "Luật TĐKT 2022 Điều 28"),
    ("TTLDXS", "Tập thể lao động xuất sắc", "collective", "province",
     "Chủ tịch UBND tỉnh", 1.5, True, 50, "members", True, FULL,
     {"min_rating": "HTXSNV", "all_members_complete": True, "min_member_title_pct": 70,
      "member_title": "LDTT", "needs_member_title": "CSTD_CS",
      "max_discipline_form": "khien_trach"},
     "Luật TĐKT 2022 Điều 27; Thông tư 01/2024/TT-VPCP"),
    ("GK", "Giấy khen của Chánh Văn phòng", "both", "office", "Chánh Văn phòng", 0.3, False,
     None, "members", False, ["to_trinh", "danh_sach", "bao_cao_thanh_tich"],
     {"min_rating": "HTTNV"},
     "Luật TĐKT 2022 Điều 75"),
    ("BK_TINH", "Bằng khen của Chủ tịch UBND tỉnh", "both", "province", "Chủ tịch UBND tỉnh",
     1.5, True, 50, "members", True, FULL,
     {"consecutive_rating": "HTXSNV", "consecutive_years": 2},
     "Luật TĐKT 2022 Điều 74"),
    ("BK_TTG", "Bằng khen của Thủ tướng Chính phủ", "both", "national", "Thủ tướng Chính phủ",
     3.0, True, 90, "members", True, FULL,
     {"prerequisite": "BK_TINH", "consecutive_rating": "HTTNV", "consecutive_years": 5,
      "title_in_window": "CSTD_CS", "title_in_window_times": 3,
      "collective_title_in_window": "TTLDXS"},
     "Luật TĐKT 2022 Điều 73"),
    ("CO_TINH", "Cờ thi đua của UBND tỉnh", "collective", "province", "Chủ tịch UBND tỉnh",
     None, True, 90, "members", True, FULL,
     {"min_rating": "HTXSNV"},
     "Luật TĐKT 2022 Điều 25"),
]

SETTINGS = [
    ("base_salary", 2340000, "Mức lương cơ sở (đồng/tháng), Nghị định 73/2024/NĐ-CP."),
    ("appraisal_working_days", 10, "Thời hạn thẩm định hồ sơ (ngày làm việc)."),
    ("supplement_working_days", 5, "Thời hạn bổ sung hồ sơ bị trả lại (ngày làm việc)."),
    ("disclosure_working_days", 10, "Thời gian công khai tối thiểu (ngày làm việc)."),
    ("complaint_working_days", 10, "Thời hạn trả lời kiến nghị, thắc mắc (ngày làm việc)."),
    ("province_answer_working_days", 30, "Thời hạn theo dõi kết quả của tỉnh (ngày làm việc)."),
    ("registration_deadline", "03-31", "Hạn đăng ký thi đua hằng năm (tháng-ngày)."),
    ("statistics_deadline", "12-15", "Hạn gửi báo cáo thống kê (tháng-ngày)."),
    ("council_quorum_pct", 50, "Túc số Hội đồng: trên tỷ lệ này (%) số thành viên."),
    ("decision_number_suffix", "QĐ-VP", "Ký hiệu số quyết định khen thưởng."),
]


def upgrade() -> None:
    award_type = sa.table(
        "award_type", *(sa.column(n) for n in (
            "code", "name", "subject_kind", "level", "decided_by", "bonus_coefficient",
            "secret_ballot", "vote_threshold_pct", "vote_base", "needs_disclosure",
            "disclosure_working_days", "dossier_items", "simplified_dossier_items",
            "registration_required", "rules", "legal_basis", "sort_order", "active")),
    )
    for col in ("dossier_items", "simplified_dossier_items", "rules"):
        award_type.c[col].type = sa.JSON()
    op.bulk_insert(award_type, [
        {"code": c, "name": n, "subject_kind": k, "level": lv, "decided_by": by,
         "bonus_coefficient": coef, "secret_ballot": secret, "vote_threshold_pct": thr,
         "vote_base": base, "needs_disclosure": disc, "disclosure_working_days": 10,
         "dossier_items": dossier, "simplified_dossier_items": SIMPLE,
         "registration_required": False, "rules": rules, "legal_basis": legal,
         "sort_order": i, "active": True}
        for i, (c, n, k, lv, by, coef, secret, thr, base, disc, dossier, rules, legal)
        in enumerate(CATALOGUE)
    ])
    setting = sa.table("setting", sa.column("key"), sa.column("value", sa.JSON()),
                       sa.column("description"), sa.column("updated_at", sa.DateTime()))
    from datetime import datetime, timezone
    now = datetime.now(timezone.utc).replace(tzinfo=None)
    op.bulk_insert(setting, [{"key": k, "value": v, "description": d, "updated_at": now}
                             for k, v, d in SETTINGS])


def downgrade() -> None:
    op.execute("DELETE FROM setting")
    op.execute("DELETE FROM award_type")
