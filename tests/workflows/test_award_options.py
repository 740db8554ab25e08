"""The titles a proposal offers and accepts come from the award catalogue (award_type.kinds).

The same list feeds the page's select (``FormRegistry.options``) and the validation of
the completed task, whose message names the titles as the catalogue names them; a title
an admin adds, renames or deactivates shows at once, with no code change.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from nomination_kit import Office, make_office, only_task, proposal

from engine.errors import InvalidData
from workflows.catalogue import award_types_for
from workflows.models import AwardType
from workflows.nominations import Proposal, check_proposal

ANNUAL = ["LDTT", "CSTD_CS", "CSTD_TINH", "CSTD_TQ", "TTLDTT", "TTLDXS", "GK", "BK_TINH",
          "BK_TTG", "CO_TINH"]


@pytest.fixture
def office(db_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[Office]:
    made = make_office(db_url, monkeypatch, tmp_path)
    yield made
    made.db.dispose()


def _codes(office: Office, kind: str, subject_kind: str | None = None) -> list[str]:
    with office.db.session() as s:
        return [a.code for a in award_types_for(s, kind, subject_kind)]


def _add_title(office: Office, code: str, name: str, kinds: list[str]) -> None:
    with office.db.write_session() as s:
        s.add(AwardType(code=code, name=name, subject_kind="both", level="office",
                        decided_by="Chánh Văn phòng", kinds=kinds, sort_order=5))
        s.commit()


def test_each_procedure_offers_the_titles_the_catalogue_allows_it(office: Office) -> None:
    assert _codes(office, "annual") == ANNUAL  # the catalogue's order
    assert _codes(office, "thematic") == ["GK", "BK_TINH"]
    assert _codes(office, "adhoc", "collective") == ["GK", "BK_TINH"]
    assert "LDTT" in _codes(office, "annual", "individual")
    assert "LDTT" not in _codes(office, "annual", "collective")
    with office.db.write_session() as s:
        gk = s.get(AwardType, "GK")
        assert gk is not None
        gk.active = False
        s.commit()
    assert "GK" not in _codes(office, "thematic") and "GK" not in _codes(office, "annual")


def test_a_title_added_to_the_catalogue_is_offered_and_accepted(office: Office) -> None:
    _add_title(office, "GK_CDS", "Giấy khen chuyển đổi số", ["annual", "thematic"])
    with office.db.session() as s:
        offered = office.eng.forms.options(s, "nomination_proposal")["award_code"]
        assert ("GK_CDS", "Giấy khen chuyển đổi số") in offered
        clean = office.eng.forms.validate("nomination_proposal",
                                          proposal("NV001", award="GK_CDS"), s)
        assert clean["award_code"] == "GK_CDS"
        thematic = office.eng.forms.options(s, "thematic_proposal")["award_code"]
        assert [c for c, _name in thematic] == ["GK_CDS", "GK", "BK_TINH"]  # sort_order 5


def test_a_title_not_in_the_list_is_refused_by_name(office: Office) -> None:
    inst = office.start()
    task = only_task(inst, "propose")
    before = office.snapshot(inst["id"])
    with pytest.raises(InvalidData) as err:
        office.complete(task, "sub", proposal("NV001", award="HUAN_CHUONG"))
    assert err.value.code == "data.invalid"
    message = err.value.details["award_code"][0]
    assert message.startswith("«HUAN_CHUONG» không có trong danh sách được chọn.")
    assert "Lao động tiên tiến, Chiến sĩ thi đua cơ sở" in message and "LDTT" not in message
    assert office.snapshot(inst["id"]) == before  # nothing written


def test_a_proposal_of_a_kind_the_title_is_not_for_is_refused(office: Office) -> None:
    inst = office.start()
    with office.db.session() as s, pytest.raises(InvalidData) as err:
        check_proposal(s, inst["id"], office.actors["sub"],
                       Proposal(year=2025, award_code="LDTT", subjects=["NV001"],
                                kind="thematic"))
    assert err.value.details["award_code"] == [
        "«Lao động tiên tiến» không được đề nghị theo thủ tục khen thưởng chuyên đề."]
