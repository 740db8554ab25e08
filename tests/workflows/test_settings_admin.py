"""Services of the admin of data: office settings and the award catalogue (both databases)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import select

from engine.errors import InvalidData
from engine.roles import SYSTEM
from engine.store.db import Database
from engine.store.models import AuditEvent
from workflows import catalogue_admin, settings_admin
from workflows.catalogue import setting
from workflows.models import AwardType


@pytest.fixture
def db(db_url: str) -> Iterator[Database]:
    database = Database(db_url)
    yield database
    database.dispose()


def _write(db: Database, fn: Any, *args: Any) -> Any:
    with db.write_session() as s:
        out = fn(s, SYSTEM, *args)
        s.commit()
        return out


def _events(db: Database, event_type: str) -> list[dict[str, Any]]:
    with db.session() as s:
        return [json.loads(e.payload) for e in s.scalars(
            select(AuditEvent).where(AuditEvent.event_type == event_type)
            .order_by(AuditEvent.id)).all()]


def test_settings_typed_ranges_and_nothing_written_on_error(db: Database) -> None:
    with pytest.raises(InvalidData) as exc:
        _write(db, settings_admin.update_settings,
               {"base_salary": 2500000, "disclosure_working_days": 0,
                "statistics_deadline": "13-01", "smtp_tls": "maybe",
                "council_quorum_pct": 100})  # "more than 100 %" could never meet
    assert exc.value.code == "settings.invalid"
    assert set(exc.value.details) == {"disclosure_working_days", "statistics_deadline",
                                      "smtp_tls", "council_quorum_pct"}
    with db.session() as s:
        assert setting(s, "base_salary") == 2340000
    assert not _events(db, "setting.updated")
    changed = _write(db, settings_admin.update_settings,
                     {"base_salary": "2500000", "council_quorum_pct": "60",
                      "registration_deadline": "02-29", "smtp_password": "pw"})
    assert sorted(changed) == ["base_salary", "council_quorum_pct", "registration_deadline",
                               "smtp_password"]
    with db.session() as s:
        assert setting(s, "base_salary") == 2500000 and setting(s, "council_quorum_pct") == 60
        view = settings_admin.current_settings(s)
        assert view["smtp_password_set"] and "smtp_password" not in view
        assert settings_admin.smtp_settings(s)["smtp_password"] == "pw"
    audited = {e["key"]: e for e in _events(db, "setting.updated")}
    assert audited["base_salary"] == {"key": "base_salary", "before": 2340000, "after": 2500000}
    assert audited["smtp_password"]["after"] == settings_admin.MASK
    assert _write(db, settings_admin.update_settings, {"base_salary": 2500000}) == []


def test_catalogue_typed_update_keeps_unknown_rule_keys(db: Database) -> None:
    with db.write_session() as s:
        row = s.get(AwardType, "TTLDTT")
        assert row is not None
        row.rules = {**row.rules, "note_for_people": "giữ nguyên"}
        s.commit()
    _write(db, catalogue_admin.update_award_type, "TTLDTT",
           {"bonus_coefficient": 0.9, "rules": {"min_member_title_pct": 75,
                                                "max_discipline_form": "canh_cao"}})
    with db.session() as s:
        row = s.get(AwardType, "TTLDTT")
        assert row is not None and row.bonus_coefficient == Decimal("0.90")
        assert row.rules["min_member_title_pct"] == 75
        assert row.rules["max_discipline_form"] == "canh_cao"
        assert row.rules["note_for_people"] == "giữ nguyên"
    event = _events(db, "catalogue.updated")[-1]
    assert event["before"]["bonus_coefficient"] == 0.8
    assert event["after"]["bonus_coefficient"] == 0.9


@pytest.mark.parametrize(("data", "field"), [
    ({"vote_base": "half"}, "vote_base"),
    ({"vote_threshold_pct": 100.5}, "vote_threshold_pct"),
    ({"dossier_items": ["to_trinh", "not_an_item"]}, "dossier_items"),
    ({"rules": {"min_rating": "HTTNV "}}, "rules"),
    ({"rules": {"initiative_levels": []}}, "rules"),
    ({"rules": {"quota_scope": "province"}}, "rules"),
    ({"rules": {"title_in_window": "NOPE"}}, "rules"),
    ({"unknown_column": 1}, "unknown_column"),
])
def test_catalogue_bad_values_write_nothing(db: Database, data: dict[str, Any],
                                            field: str) -> None:
    with db.session() as s:
        before = catalogue_admin.snapshot(catalogue_admin.get_award_type(s, "BK_TTG"))
    with pytest.raises(InvalidData) as exc:
        _write(db, catalogue_admin.update_award_type, "BK_TTG", data)
    assert exc.value.code == "catalogue.invalid" and field in exc.value.details
    with db.session() as s:
        assert catalogue_admin.snapshot(catalogue_admin.get_award_type(s, "BK_TTG")) == before
    assert not _events(db, "catalogue.updated")


def test_the_documents_letterhead_is_an_office_setting(db: Database) -> None:
    from workflows.documents.gather import office_letterhead

    with db.session() as s:
        shown = settings_admin.current_settings(s)
        assert shown["document_issuer_full"] == "Văn phòng UBND tỉnh"  # the default
        assert office_letterhead(s)["document_place"] == ""
    changed = _write(db, settings_admin.update_settings, {
        "document_place": "Ninh Bình", "document_parent_body": "UBND TỈNH NINH BÌNH"})
    assert sorted(changed) == ["document_parent_body", "document_place"]
    with db.session() as s:
        head = office_letterhead(s)
    assert head["document_place"] == "Ninh Bình"
    assert head["document_parent_body"] == "UBND TỈNH NINH BÌNH"
    assert {e["key"] for e in _events(db, "setting.updated")} == set(changed)
    with pytest.raises(InvalidData) as bad:  # a required line cannot be emptied
        _write(db, settings_admin.update_settings, {"document_issuer": ""})
    assert "document_issuer" in bad.value.details
