"""How the council names its members, on the pages and in the tally minutes.

A member linked to a person of the registry is named by that person's full name, never
by the login name nor by the account's name; a member linked to nobody by the account's
name without its note in parentheses. The office and its members hd1…hd9 are
``nomination_kit``'s.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from council_kit import call, open_meeting, paper_close
from nomination_kit import Office, appraise, make_office, proposal
from sqlalchemy import select

from engine.roles import SYSTEM, plain_name
from engine.store.models import User
from workflows.council import members, views
from workflows.documents import minutes
from workflows.dossier import list_attachments


@pytest.fixture
def office(db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Office]:
    made = make_office(db_url, monkeypatch, tmp_path / "files")
    yield made
    made.db.dispose()


def test_plain_name_drops_the_accounts_note_only() -> None:
    assert plain_name("Lê Thị Thu (Phòng TCHCQT)") == "Lê Thị Thu"
    assert plain_name("  Nguyễn Văn An ") == "Nguyễn Văn An"
    assert plain_name("(admin)") == "(admin)"  # nothing left: the text as it is
    assert plain_name(None) == ""


def test_members_are_named_by_their_person_in_views_and_minutes(
        office: Office, monkeypatch: pytest.MonkeyPatch) -> None:
    """hd1 (chair) is NV003, hd2 (secretary) is NV004; hd9's account is named
    «Đỗ Văn Chín (Phòng KT)» and linked to nobody."""
    monkeypatch.setitem(minutes._DEFAULT, "files_dir", office.files)  # minutes are stored
    call(office.db, members.save_member, SYSTEM, "hd1", position="chair",
         person_code="NV003", sort_order=1)
    call(office.db, members.save_member, SYSTEM, "hd2", position="secretary",
         person_code="NV004", sort_order=2)
    with office.db.write_session() as s:
        s.scalars(select(User).where(User.username == "hd9")).one().full_name = \
            "Đỗ Văn Chín (Phòng KT)"
        s.commit()
    inst = office.walk(office.start(), [("propose", "sub", proposal("NV001")),
                                        appraise("approve")])
    sec = office.actors["sec"]
    meeting = open_meeting(office.db, sec, present=9)
    with office.db.session() as s:
        invited = [m["name"] for m in views.meeting_view(s, sec, meeting)["invited"]]
    assert invited[:2] == ["Lê Văn Cường", "Phạm Thị Dung"]
    assert "Đỗ Văn Chín" in invited and "hd1" not in invited and "hd2" not in invited

    paper_close(office.db, office.eng, sec, meeting, {"NV001": (9, 0, 0)}, office.files)
    with office.db.session() as s:
        docx = [a for a in list_attachments(s, sec, inst["id"])
                if a["filename"].endswith(".docx") and "kiểm phiếu" in a["filename"]]
    assert docx, "the tally minutes are stored with the dossier"
    text = _docx_text(office.files, docx[-1]["sha256"])
    assert "Chủ trì: Lê Văn Cường" in text and "Thư ký: Phạm Thị Dung" in text
    assert "Đỗ Văn Chín" in text and "(Phòng KT)" not in text
    assert "hd1" not in text and "hd2" not in text


def _docx_text(files: Path, sha256: str) -> str:
    path = next(p for p in files.rglob(sha256 + "*") if p.is_file())
    with zipfile.ZipFile(io.BytesIO(path.read_bytes())) as z:
        xml = z.read("word/document.xml").decode()
    return re.sub(r"<[^>]+>", "", xml)
