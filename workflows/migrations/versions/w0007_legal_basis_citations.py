"""Legal basis citations of the seeded catalogue, written as a decision cites them

w0002 seeded short notes («Luật TĐKT 2022 Điều 26; Nghị định 98/2023/NĐ-CP»), which a
decision printed as «Căn cứ Luật TĐKT 2022 Điều 26» under the Law already cited in full.
The upgrade rewrites each seeded value, only where it is still the seed (an admin's text
is kept), as citations: «Điều 26 Luật Thi đua, khen thưởng; Nghị định số 98/2023/NĐ-CP».
Documents then cite the article alone («Căn cứ Điều 26 Luật Thi đua, khen thưởng») and
leave out what the general basis cites (workflows/documents/gather.py). The downgrade puts
the seed back where the value is still this revision's.

Revision ID: w0007
Revises: w0006
Create Date: 2026-11-26
"""
import sqlalchemy as sa
from alembic import op

revision = "w0007"
down_revision = "w0006"
branch_labels = None
depends_on = None

LAW = "Luật Thi đua, khen thưởng"
DECREE = "Nghị định số 98/2023/NĐ-CP"
# code: (w0002's seed, this revision's citation)
CITATIONS = {
    "LDTT": ("Luật TĐKT 2022 Điều 26; Nghị định 98/2023/NĐ-CP", f"Điều 26 {LAW}; {DECREE}"),
    "CSTD_CS": ("Luật TĐKT 2022 Điều 23; Nghị định 98/2023/NĐ-CP Điều 6",
                f"Điều 23 {LAW}; Điều 6 {DECREE}"),
    "CSTD_TINH": ("Luật TĐKT 2022 Điều 22; Nghị định 98/2023/NĐ-CP Điều 5",
                  f"Điều 22 {LAW}; Điều 5 {DECREE}"),
    "CSTD_TQ": ("Luật TĐKT 2022 Điều 21", f"Điều 21 {LAW}"),
    "TTLDTT": ("Luật TĐKT 2022 Điều 28", f"Điều 28 {LAW}"),
    "TTLDXS": ("Luật TĐKT 2022 Điều 27; Thông tư 01/2024/TT-VPCP",
               f"Điều 27 {LAW}; Thông tư số 01/2024/TT-VPCP của Văn phòng Chính phủ"),
    "GK": ("Luật TĐKT 2022 Điều 75", f"Điều 75 {LAW}"),
    "BK_TINH": ("Luật TĐKT 2022 Điều 74", f"Điều 74 {LAW}"),
    "BK_TTG": ("Luật TĐKT 2022 Điều 73", f"Điều 73 {LAW}"),
    "CO_TINH": ("Luật TĐKT 2022 Điều 25", f"Điều 25 {LAW}"),
}

award_type = sa.table("award_type", sa.column("code", sa.String()),
                      sa.column("legal_basis", sa.Text()))


def _rewrite(old_index: int) -> None:
    new_index = 1 - old_index
    for code, texts in CITATIONS.items():
        op.execute(award_type.update()
                   .where(award_type.c.code == code,
                          award_type.c.legal_basis == texts[old_index])
                   .values(legal_basis=texts[new_index]))


def upgrade() -> None:
    _rewrite(0)


def downgrade() -> None:
    _rewrite(1)
