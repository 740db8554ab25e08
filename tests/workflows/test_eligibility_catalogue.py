"""A misconfigured catalogue is refused, never read as "not applicable"; details in words.

A value that is set but invalid is an InvalidData ``award.misconfigured`` naming the title,
the key and the value; a value that is not set skips a rule only when the table declares
the rule optional (output ``optional``); details use catalogue names and Vietnamese labels.
"""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from test_eligibility_kit import History, history_on, reason

from engine.errors import InvalidData
from workflows.eligibility_catalogue import KEYS
from workflows.models import AwardType

Y = 2024
DMN_DIR = Path(__file__).resolve().parents[2] / "bpmn" / "dmn"


@pytest.fixture
def h(db_url: str) -> Iterator[History]:
    with history_on(db_url) as history:
        history.unit("A")
        history.person("P1")
        history.rating("P1", Y, "HTTNV")
        yield history


def refused(h: History, subject: str, award: str) -> InvalidData:
    with pytest.raises(InvalidData) as exc:
        h.check(subject, award, Y)
    assert exc.value.code == "award.misconfigured"
    return exc.value


# -- values set but invalid ------------------------------------------------------------------
def test_a_rating_with_a_trailing_space_is_refused_naming_title_key_and_value(
        h: History) -> None:
    h.set_rule("LDTT", "min_rating", "HTTNV ")
    err = refused(h, "P1", "LDTT")
    assert "«Lao động tiên tiến» (LDTT)" in err.message
    assert "mức xếp loại tối thiểu (min_rating) = «HTTNV »" in err.message
    assert "không hợp lệ" in err.message and "HTXSNV" in err.message
    assert err.details == {"rules": [err.message.split(": ", 1)[1]]}


@pytest.mark.parametrize(("award", "key", "value"), [
    ("CSTD_CS", "quota_pct_of_ldtt", 150), ("CSTD_CS", "quota_pct_of_ldtt", "15"),
    ("CSTD_CS", "quota_pct_of_ldtt", 0), ("CSTD_CS", "quota_scope", "province"),
    ("CSTD_CS", "needs_title_same_year", "LDTT_X"), ("CSTD_CS", "initiative_levels", []),
    ("CSTD_CS", "initiative_levels", ["co_so", "xa"]), ("CSTD_TINH", "consecutive_years", 0),
    ("CSTD_TINH", "consecutive_years", True), ("CSTD_TINH", "consecutive_years", 2.5),
    ("TTLDTT", "max_discipline_form", "canh cao"), ("TTLDXS", "all_members_complete", "yes"),
    ("BK_TTG", "title_in_window", 3)])
def test_invalid_values_are_refused(h: History, award: str, key: str, value: Any) -> None:
    h.set_rule(award, key, value)
    subject = "A" if award.startswith("TT") else "P1"
    err = refused(h, subject, award)
    assert f"({key}) = «{value}»" in err.message


def test_a_bad_value_of_a_title_inferred_on_the_way_is_refused_too(h: History) -> None:
    h.set_rule("LDTT", "min_rating", "httnv")
    h.initiative("P1", Y)
    assert "(LDTT)" in refused(h, "P1", "CSTD_CS").message


# -- values not set --------------------------------------------------------------------------
def test_ldtt_without_rules_is_refused_not_passed(h: History) -> None:
    award = h.s.get(AwardType, "LDTT")
    assert award is not None
    award.rules = {}
    h.s.flush()
    h.rating(h.person("WEAK"), Y, "KHTNV")
    err = refused(h, "WEAK", "LDTT")
    assert "chưa đặt mức xếp loại tối thiểu (min_rating)" in err.message
    assert "«Xếp loại năm từ mức tối thiểu của danh mục trở lên»" in err.message


@pytest.mark.parametrize(("award", "key", "subject"), [
    ("CSTD_CS", "needs_title_same_year", "P1"), ("CSTD_CS", "initiative_levels", "P1"),
    ("TTLDTT", "min_rating", "A"), ("TTLDTT", "min_member_title_pct", "A"),
    ("TTLDTT", "member_title", "A"), ("TTLDXS", "all_members_complete", "A"),
    ("CSTD_TINH", "prerequisite", "P1"), ("CSTD_TINH", "consecutive_years", "P1"),
    ("BK_TINH", "consecutive_rating", "P1"), ("BK_TTG", "prerequisite", "P1"),
    ("CO_TINH", "min_rating", "A")])
def test_core_rules_need_their_values(h: History, award: str, key: str, subject: str) -> None:
    h.set_rule(award, key, None)
    assert f"({key})" in refused(h, subject, award).message


@pytest.mark.parametrize(("award", "key", "rule", "subject"), [
    ("CSTD_CS", "quota_pct_of_ldtt", "quota", "P1"),
    ("TTLDXS", "needs_member_title", "member_title_holder", "A"),
    ("BK_TTG", "title_in_window", "window_title", "P1")])
def test_optional_rules_are_skipped_and_say_why(h: History, award: str, key: str, rule: str,
                                                subject: str) -> None:
    h.set_rule(award, key, None)
    r = reason(h.check(subject, award, Y), rule)
    assert r["ok"] and "không áp dụng" in r["detail"] and "chưa đặt" in r["detail"]
    assert f"({key})" in r["detail"]


def test_the_table_decides_which_rules_are_optional(h: History, tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    shutil.copytree(DMN_DIR, tmp_path / "dmn")
    monkeypatch.setenv("TDKT_BPMN_DIR", str(tmp_path))
    table = tmp_path / "dmn" / "LDTT.dmn"
    text = table.read_text(encoding="utf-8")
    text = text.replace('<output id="out_warning" name="warning" typeRef="boolean" />',
                        '<output id="out_warning" name="warning" typeRef="boolean" />'
                        '<output id="out_optional" name="optional" typeRef="boolean" />')
    for row in ("rating_1", "no_discipline_1"):
        flag = "True" if row == "rating_1" else "False"
        text = text.replace(f'<outputEntry id="{row}_warning"><text>False</text></outputEntry>',
                            f'<outputEntry id="{row}_warning"><text>False</text></outputEntry>'
                            f'<outputEntry id="{row}_o"><text>{flag}</text></outputEntry>')
    table.write_text(text, encoding="utf-8")
    h.set_rule("LDTT", "min_rating", None)
    v = h.check("P1", "LDTT", Y)
    assert v.eligible and "không áp dụng" in reason(v, "rating")["detail"]


# -- wording -----------------------------------------------------------------------------------
def test_details_name_titles_ratings_and_values_in_vietnamese(h: History) -> None:
    h.set_rule("LDTT", "min_rating", "HTXSNV")
    v = h.check("P1", "LDTT", Y)
    detail = reason(v, "rating")["detail"]
    assert "xếp loại năm 2024: Hoàn thành tốt nhiệm vụ (HTTNV)" in detail
    assert "cần xếp loại từ Hoàn thành xuất sắc nhiệm vụ (HTXSNV) trở lên" in detail
    registration = reason(v, "registration")["detail"]
    assert registration.startswith("Cảnh báo: Chưa đăng ký thi đua Lao động tiên tiến năm 2024")
    assert "bắt buộc đăng ký thi đua: không" not in registration  # no settings internals
    h.rating("P1", Y - 1, "HTXSNV")
    h.set_rule("BK_TINH", "consecutive_rating", "HTTNV")
    detail = reason(h.check("P1", "BK_TINH", Y), "consecutive_rating")["detail"]
    assert "(cần 2 năm liên tục)" in detail
    assert "có 2 năm liên tục xếp loại từ Hoàn thành tốt nhiệm vụ (HTTNV) trở lên đến năm 2024" \
        in detail
    detail = reason(h.check("P1", "CSTD_TINH", Y), "prerequisite")["detail"]
    # What is required, then what the person has (not «0 năm (không có); số năm liên tục: 3»).
    assert "chưa đạt — cần 3 năm liên tục, mới có 0 năm liên tục đạt Chiến sĩ thi đua cơ sở " \
        "(CSTD_CS)" in detail
    initiative = reason(h.check("P1", "CSTD_TINH", Y), "initiative")["detail"]
    assert "không có sáng kiến cấp tỉnh, toàn quốc nào được công nhận" in initiative
    assert "cấp cấp" not in initiative


def test_no_detail_shows_a_bare_catalogue_key(h: History) -> None:
    h.rating("A", Y, "HTXSNV")
    for code in ("M1", "M2"):
        h.rating(h.person(code), Y, "HTTNV")
    h.initiative("P1", Y)
    bare = re.compile(r"(?<![(\w])(" + "|".join(map(re.escape, KEYS)) + r")\b")
    for award in h.s.query(AwardType).all():
        subject = "P1" if award.subject_kind != "collective" else "A"
        for kind in ("annual", "adhoc") if award.subject_kind != "collective" else ("annual",):
            v = h.check(subject, award.code, Y, kind=kind)
            for r in v.reasons:
                assert not bare.search(r.detail), (award.code, r.rule, r.detail)
                assert not re.search(r"[a-z]+_[a-z_]+ = ", r.detail), (award.code, r.detail)


# -- the catalogue's seeded value (migration w0005) ---------------------------------------------
def test_quota_scope_is_seeded_and_an_admins_value_survives(sqlite_url: str) -> None:
    from sqlalchemy import create_engine, text

    from engine.store.migrate import downgrade, upgrade
    from workflows.migrations import VERSION_DIRS

    def scope() -> Any:
        eng = create_engine(sqlite_url)
        with eng.connect() as conn:
            rules = conn.execute(text("SELECT rules FROM award_type WHERE code = 'CSTD_CS'"))
            value = json.loads(rules.scalar_one()).get("quota_scope", "-")
        eng.dispose()
        return value

    assert scope() == "office"
    downgrade(sqlite_url, VERSION_DIRS, "w0004")
    assert scope() == "-"
    # an admin sets it before the upgrade (in SQL: today's ORM knows later columns)
    eng = create_engine(sqlite_url)
    with eng.begin() as conn:
        rules = json.loads(conn.execute(text(
            "SELECT rules FROM award_type WHERE code = 'CSTD_CS'")).scalar_one())
        conn.execute(text("UPDATE award_type SET rules = :rules WHERE code = 'CSTD_CS'"),
                     {"rules": json.dumps({**rules, "quota_scope": "unit"})})
    eng.dispose()
    upgrade(sqlite_url, VERSION_DIRS)
    assert scope() == "unit"
