"""A person or unit renamed after a dossier named them: its open tasks are found by the new
name at once (the registry import and the unit rename index them again), not only after
the dossier's next step."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from nomination_kit import Office, make_office, proposal
from sqlalchemy import select, update

from engine.search import IndexFacts, reindex_naming
from engine.store.models import HumanTask
from workflows import registry_import, search_index
from workflows.models import Person


@pytest.fixture
def office(db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Office]:
    made = make_office(db_url, monkeypatch, tmp_path / "files")
    yield made
    made.db.dispose()


def found(office: Office, words: str) -> list[int]:
    with office.db.session() as s:
        page = office.eng.inbox(s, office.actors["sec"], None, 1, 50, search=words)
    return sorted(t["instance_id"] for t in page.items)


def test_a_renamed_person_is_found_by_the_new_name_only(office: Office) -> None:
    named = office.walk(office.start(), [("propose", "sub", proposal("NV001"))])
    other = office.walk(office.start(), [("propose", "sub", proposal("NV003"))])
    assert found(office, "Nguyễn Văn An") == [named["id"]]
    with office.db.write_session() as s:
        s.execute(update(Person).where(Person.code == "NV001")
                  .values(full_name="Đỗ Bảo Ngọc"))
        before = {r.instance_id: r.search_text for r in s.scalars(select(HumanTask))}
        assert search_index.refresh_names(s, ["NV001"]) == 1  # only the dossier naming it
        s.commit()
    assert found(office, "bao ngoc") == [named["id"]]
    assert found(office, "Nguyễn Văn An") == []
    with office.db.session() as s:
        after = {r.instance_id: r.search_text for r in s.scalars(select(HumanTask))}
    assert after[other["id"]] == before[other["id"]]


def test_the_registry_import_indexes_the_renamed_again(office: Office,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[list[str]] = []
    monkeypatch.setattr(registry_import, "refresh_names",
                        lambda session, codes: seen.append(list(codes)) or 0)
    with office.db.write_session() as s:
        people = {p.code: p for p in s.scalars(select(Person))}
        sheet = registry_import.SheetData(
            registry_import.SHEETS["people"], {"code", "full_name", "unit_code"},
            [registry_import.Row(2, {"code": "NV001", "full_name": "Nguyễn Văn Ánh",
                                     "unit_code": "PKT"}),
             registry_import.Row(3, {"code": "NV003", "full_name": people["NV003"].full_name,
                                     "unit_code": "PKT"})])
        registry_import.write_rows(s, {"people": sheet}, [])
    assert seen == [["NV001"]]


def test_reindex_naming_leaves_tasks_that_do_not_name_the_code(office: Office) -> None:
    office.walk(office.start(), [("propose", "sub", proposal("NV001"))])
    calls: list[str | None] = []

    def indexer(_s: object, key: str | None, _data: object) -> IndexFacts:
        calls.append(key)
        return IndexFacts(("renamed",))
    with office.db.write_session() as s:
        assert reindex_naming(s, indexer, ["nobody-xyz", "  "]) == 0
        assert reindex_naming(s, indexer, []) == 0
        s.rollback()
    assert calls == []


def test_reindex_naming_matches_whole_codes_and_takes_many_at_once(office: Office) -> None:
    named = office.walk(office.start(), [("propose", "sub", proposal("NV001"))])
    calls: list[str | None] = []

    def indexer(_s: object, key: str | None, _data: object) -> IndexFacts:
        calls.append(key)
        return IndexFacts(("renamed",))
    with office.db.write_session() as s:
        assert reindex_naming(s, indexer, ["NV00", "V001", "nv"]) == 0  # parts of a code
        many = [f"X{n:05d}" for n in range(1500)] + ["NV001"]  # one SQL statement would fail
        assert reindex_naming(s, indexer, many) == 1
        task = s.scalars(select(HumanTask).where(HumanTask.instance_id == named["id"],
                                                 HumanTask.state == "ready")).one()
        assert task.search_text == "renamed"
        s.rollback()
    assert len(calls) == 1


def test_a_unit_renamed_is_found_by_its_new_name(office: Office,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    from workflows import units_admin

    seen: list[list[str]] = []
    monkeypatch.setattr(units_admin, "refresh_names",
                        lambda session, codes: seen.append(list(codes)) or 0)
    with office.db.write_session() as s:
        units_admin.patch_unit(s, office.actors["sec"], "PTP", {"active": True})
        units_admin.update_unit(s, office.actors["sec"], "PTP", "Phòng Tư pháp", None)
        assert seen == []  # nothing renamed
        units_admin.patch_unit(s, office.actors["sec"], "PTP", {"name": "Sở Tư pháp"})
        units_admin.update_unit(s, office.actors["sec"], "PKT_1", "Tổ Kinh tế", "PKT")
        s.rollback()
    assert seen == [["PTP"], ["PKT_1"]]
