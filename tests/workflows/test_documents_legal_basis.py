"""The legal basis a decision cites (Căn cứ …): the general basis in full, then each title's
articles from the catalogue, never the Law a second time under a short name.

DOMAIN.md's legal basis: Law 06/2022/QH15 (cited in full as «Luật Thi đua, khen thưởng ngày 15
tháng 6 năm 2022»), Decree 98/2023/NĐ-CP; the catalogue's citations of the seed are rewritten
by the data migration w0007 and read back here as a decision prints them.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import create_engine, select, text, update
from sqlalchemy.orm import Session

from engine.store.migrate import downgrade, upgrade
from workflows.documents.gather import GENERAL_BASIS, catalogue_citation, legal_basis
from workflows.migrations import VERSION_DIRS
from workflows.models import AwardType

REVISION = "w0007"


def _basis(url: str, *codes: str) -> list[str]:
    eng = create_engine(url)
    try:
        with Session(eng) as s:
            awards = [s.get(AwardType, c) for c in codes]
            return legal_basis(s, [a for a in awards if a is not None])
    finally:
        eng.dispose()


def test_seeded_titles_cite_their_article_not_the_law_again(sqlite_url: str) -> None:
    lines = _basis(sqlite_url, "LDTT")
    assert lines == [*GENERAL_BASIS, "Căn cứ Điều 26 Luật Thi đua, khen thưởng"]
    assert not [line for line in lines if "TĐKT" in line or "Luật TĐKT" in line]
    assert _basis(sqlite_url, "CSTD_CS")[2:] == [
        "Căn cứ Điều 23 Luật Thi đua, khen thưởng", "Căn cứ Điều 6 Nghị định số 98/2023/NĐ-CP"]
    assert _basis(sqlite_url, "TTLDXS")[2:] == [
        "Căn cứ Điều 27 Luật Thi đua, khen thưởng",
        "Căn cứ Thông tư số 01/2024/TT-VPCP của Văn phòng Chính phủ"]


@pytest.mark.parametrize(("written", "printed"), [
    ("Luật TĐKT 2022 Điều 26", "Căn cứ Điều 26 Luật Thi đua, khen thưởng"),
    ("Luật Thi đua, khen thưởng 2022", None),  # already cited in full
    ("Nghị định 98/2023/NĐ-CP", None),
    ("Nghị định 98/2023/NĐ-CP Điều 6", "Căn cứ Điều 6 Nghị định số 98/2023/NĐ-CP"),
    ("Thông tư 15/2025/TT-BNV", "Căn cứ Thông tư số 15/2025/TT-BNV"),
    ("Điều 3 Thông tư 15/2025/TT-BNV", "Căn cứ Điều 3 Thông tư số 15/2025/TT-BNV"),
    ("Quy chế thi đua, khen thưởng của Văn phòng", "Căn cứ Quy chế thi đua, khen thưởng của "
                                                    "Văn phòng"),
    ("  ", None),
])
def test_what_an_admin_writes_in_the_catalogue(written: str, printed: str | None) -> None:
    assert catalogue_citation(written, {"law", "98/2023/NĐ-CP"}) == printed


def test_the_migration_rewrites_only_the_seed_and_goes_back(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'm.db'}"
    upgrade(url, VERSION_DIRS, "w0006")
    eng = create_engine(url)
    with eng.begin() as conn:
        assert conn.scalar(select(AwardType.legal_basis).where(AwardType.code == "LDTT")) \
            == "Luật TĐKT 2022 Điều 26; Nghị định 98/2023/NĐ-CP"
        conn.execute(update(AwardType).where(AwardType.code == "GK")
                     .values(legal_basis="Quy chế thi đua của Văn phòng"))  # an admin's text
    upgrade(url, VERSION_DIRS, REVISION)
    with eng.connect() as conn:
        rows = dict(conn.execute(text("SELECT code, legal_basis FROM award_type")).all())
    assert rows["LDTT"] == "Điều 26 Luật Thi đua, khen thưởng; Nghị định số 98/2023/NĐ-CP"
    assert rows["BK_TINH"] == "Điều 74 Luật Thi đua, khen thưởng"
    assert rows["GK"] == "Quy chế thi đua của Văn phòng"  # kept
    downgrade(url, VERSION_DIRS, "w0006")
    with eng.connect() as conn:
        rows = dict(conn.execute(text("SELECT code, legal_basis FROM award_type")).all())
    assert rows["LDTT"] == "Luật TĐKT 2022 Điều 26; Nghị định 98/2023/NĐ-CP"
    assert rows["GK"] == "Quy chế thi đua của Văn phòng"
    eng.dispose()
