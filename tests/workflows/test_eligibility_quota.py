"""Year-end titles considered together: the CSTĐ cơ sở quota and the members' LĐTT.

The quota counts the title's records, the other people's open nominations of the year and
the subject (never twice); its base is the LĐTT of the catalogue's ``quota_scope`` (the
whole office by default), recorded or, while a unit has none recorded, inferred.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from test_eligibility_kit import History, failed_rules, history_on, reason, row_ids

from engine.extensions import ServiceCall
from engine.roles import SYSTEM
from workflows.handlers.eligibility import check_eligibility
from workflows.models import Nomination

Y = 2022


@pytest.fixture
def h(db_url: str) -> Iterator[History]:
    with history_on(db_url) as history:
        history.unit("A")
        history.unit("B")
        yield history


def ldtt_unit(h: History, unit: str, count: int) -> list[str]:
    """``count`` people of ``unit``, each LĐTT of Y (recorded)."""
    people = h.people(unit, count)
    for code in people:
        h.award(code, "LDTT", Y)
    return people


def nomination_rows(r: dict) -> list[str]:
    return [row["subject_code"] for row in r["rows"] if row["table"] == "nomination"]


# -- finding 1: the other names of the same list count ----------------------------------------
def test_two_names_of_one_list_share_a_quota_of_one(h: History) -> None:
    people = ldtt_unit(h, "A", 7)  # 15 % × 7 = 1.05: one CSTĐ cơ sở
    inst = h.instance()
    noms = [h.nominate(inst, code, "CSTD_CS", Y) for code in people[:2]]
    for code in people[:2]:
        h.initiative(code, Y)
    v = h.check(people[0], "CSTD_CS", Y)
    assert failed_rules(v) == ["quota"]
    quota = reason(v, "quota")
    assert nomination_rows(quota) == [people[1]]
    assert f"đang được đề nghị trong hồ sơ chưa kết thúc: 1 ({people[1]}: hồ sơ số {inst})" \
        in quota["detail"] and "là 2" in quota["detail"]
    # the handler checks the list in order: exactly one of the two stays eligible
    out = check_eligibility(ServiceCall(h.s, inst, "p", "check", SYSTEM, {}))
    assert out["count"] == 2 and len(out["eligible"]) == 1
    (refused,) = out["ineligible"]
    assert any("Trong tỷ lệ tối đa" in f for f in refused["failed"])
    assert sorted(n.status for n in noms) == ["eligible", "ineligible"]


def test_the_subjects_own_nominations_are_not_counted_twice(h: History) -> None:
    people = ldtt_unit(h, "A", 7)
    h.initiative(people[0], Y)
    h.nominate(h.instance(), people[0], "CSTD_CS", Y)
    h.nominate(h.instance(), people[0], "CSTD_CS", Y)  # even in a second open instance
    inst = h.instance()
    h.nominate(inst, people[0], "CSTD_CS", Y)
    out = check_eligibility(ServiceCall(h.s, inst, "p", "check", SYSTEM, {}))
    assert out["eligible"] == [people[0]]
    stored = h.s.query(Nomination).filter_by(instance_id=inst).one().eligibility
    assert stored is not None
    quota = next(r for r in stored["reasons"] if r["rule"] == "quota")
    assert "chưa kết thúc: 0" in quota["detail"] and "là 1" in quota["detail"]
    assert nomination_rows(quota) == []


@pytest.mark.parametrize(("status", "instance_status", "counted"), [
    ("submitted", "running", True), ("eligible", "running", True),
    ("in_council", "error", True), ("ineligible", "running", False),
    ("not_approved", "running", False), ("revoked", "running", False),
    ("eligible", "completed", False), ("submitted", "cancelled", False)])
def test_which_nominations_take_a_place(h: History, status: str, instance_status: str,
                                        counted: bool) -> None:
    people = ldtt_unit(h, "A", 7)
    h.initiative(people[0], Y)
    h.nominate(h.instance(instance_status), people[1], "CSTD_CS", Y, status=status)
    v = h.check(people[0], "CSTD_CS", Y)
    assert failed_rules(v) == (["quota"] if counted else [])


def test_other_years_titles_and_kinds_do_not_count(h: History) -> None:
    people = ldtt_unit(h, "A", 7)
    h.initiative(people[0], Y)
    inst = h.instance()
    h.nominate(inst, people[1], "CSTD_CS", Y - 1)
    h.nominate(inst, people[2], "LDTT", Y)
    h.nominate(inst, people[3], "CSTD_CS", Y, kind="thematic")
    assert h.check(people[0], "CSTD_CS", Y).eligible


def test_a_holder_who_is_also_nominated_counts_once(h: History) -> None:
    people = ldtt_unit(h, "A", 7)
    h.set_rule("CSTD_CS", "quota_pct_of_ldtt", 30)  # 30 % × 7 = 2.1: two CSTĐ cơ sở
    held = h.award(people[1], "CSTD_CS", Y)
    h.nominate(h.instance(), people[1], "CSTD_CS", Y)
    h.initiative(people[0], Y)
    v = h.check(people[0], "CSTD_CS", Y)
    assert v.eligible, v.to_dict()
    quota = reason(v, "quota")
    assert held.id in row_ids(quota, "award_record") and nomination_rows(quota) == []
    assert "là 2" in quota["detail"]


# -- finding 2: the quota's scope and the inferred LĐTT ---------------------------------------
def test_quota_scope_office_by_default_or_the_unit(h: History) -> None:
    a = ldtt_unit(h, "A", 7)
    b = ldtt_unit(h, "B", 7)  # the office: 14 LĐTT → 2.1
    h.awards(b[0], "CSTD_CS", [Y])
    h.award(b[1], "CSTD_CS", Y)
    h.initiative(a[0], Y)
    v = h.check(a[0], "CSTD_CS", Y)
    assert failed_rules(v) == ["quota"]
    quota = reason(v, "quota")
    assert "15% × 14 Lao động tiên tiến (LDTT) năm 2022 của toàn Văn phòng" in quota["detail"]
    assert "tính trên toàn Văn phòng (Nghị định 98/2023/NĐ-CP" in quota["detail"]
    assert "đã có 2 Chiến sĩ thi đua cơ sở" in quota["detail"]
    h.set_rule("CSTD_CS", "quota_scope", None)  # not set: the office, by default
    quota = reason(h.check(a[0], "CSTD_CS", Y), "quota")
    assert not quota["ok"] and "toàn Văn phòng (mặc định; Nghị định" in quota["detail"]
    h.set_rule("CSTD_CS", "quota_scope", "unit")  # A alone: 7 LĐTT → 1.05, none held
    v = h.check(a[0], "CSTD_CS", Y)
    assert v.eligible, v.to_dict()
    quota = reason(v, "quota")
    assert "15% × 7" in quota["detail"] and "đơn vị Phòng A" in quota["detail"]
    assert {"table": "award_type", "code": "CSTD_CS", "key": "quota_scope",
            "value": "unit"} in quota["rows"]


def test_quota_scope_office_counts_every_units_ldtt(h: History) -> None:
    ldtt_unit(h, "A", 3)
    ldtt_unit(h, "B", 4)
    p = h.person("P", "A")
    h.award(p, "LDTT", Y)
    h.initiative(p, Y)  # the office: 8 LĐTT → 1.2; unit A: 4 → 0.6
    assert h.check(p, "CSTD_CS", Y).eligible
    h.set_rule("CSTD_CS", "quota_scope", "unit")
    assert failed_rules(h.check(p, "CSTD_CS", Y)) == ["quota"]


def test_quota_base_infers_ldtt_while_none_is_recorded_in_a_unit(h: History) -> None:
    people = h.people("A", 7)
    for code in people:
        h.rating(code, Y, "HTTNV")
    h.initiative(people[0], Y)
    v = h.check(people[0], "CSTD_CS", Y)
    assert v.eligible, v.to_dict()
    quota = reason(v, "quota")
    assert "15% × 7" in quota["detail"] and "suy ra đủ điều kiện: 7" in quota["detail"]
    assert {"table": "annual_rating", "year": Y, "subject_code": people[6],
            "rating": "HTTNV"} in quota["rows"]
    h.award(people[1], "LDTT", Y)  # the unit's LĐTT are being recorded: no more inference
    v = h.check(people[0], "CSTD_CS", Y)
    assert failed_rules(v) == ["quota"]
    assert "15% × 1" in reason(v, "quota")["detail"]


def test_ttldtt_share_infers_members_ldtt_and_says_so(h: History) -> None:
    h.rating("A", Y, "HTTNV")
    people = h.people("A", 10)
    for i, code in enumerate(people):
        h.rating(code, Y, "HTTNV" if i < 7 else "HTNV")
    v = h.check("A", "TTLDTT", Y)
    assert v.eligible, v.to_dict()
    share = reason(v, "member_title_pct")
    assert "7/10" in share["detail"] and "đã ghi sổ: 0" in share["detail"]
    assert f"suy ra đủ điều kiện: 7 ({', '.join(people[:7])})" in share["detail"]
    assert {"table": "annual_rating", "year": Y, "subject_code": people[0],
            "rating": "HTTNV"} in share["rows"]
    h.rating(h.person("X", "A"), Y, "KHTNV")  # 7/11
    assert failed_rules(h.check("A", "TTLDTT", Y)) == ["member_title_pct"]


def test_ttldtt_share_recorded_ldtt_stops_the_inference(h: History) -> None:
    h.rating("A", Y, "HTTNV")
    people = h.people("A", 10)
    for code in people:
        h.rating(code, Y, "HTTNV")
    h.award(people[0], "LDTT", Y)
    v = h.check("A", "TTLDTT", Y)
    assert failed_rules(v) == ["member_title_pct"]
    assert "1/10" in reason(v, "member_title_pct")["detail"]


def test_ttldxs_share_infers_too(h: History) -> None:
    h.rating("A", Y, "HTXSNV")
    people = h.people("A", 10)
    for code in people:
        h.rating(code, Y, "HTTNV")
    h.award(people[0], "CSTD_CS", Y)
    v = h.check("A", "TTLDXS", Y)
    assert v.eligible, v.to_dict()
    assert "10/10" in reason(v, "member_title_pct")["detail"]
