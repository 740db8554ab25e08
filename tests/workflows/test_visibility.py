"""The data policy of the instance page: which sections each role sees."""

from __future__ import annotations

from workflows.visibility import POLICY, SECTIONS, RoleView, section_of, visible_data

DATA = {
    "nominee_name": "Nguyễn Văn A", "award_code": "CSTD_CS", "comment": "Bổ sung biên bản",
    "supplement_items": ["Biên bản họp"], "decision_issued": {"number": "12/QĐ-VP"},
    "eligibility": {"eligible": True, "reasons": ["LĐTT 2026"]},
    "votes": [{"subject_code": "KT01", "agree": 7}], "agree": 7,
    "complaints": [{"summary": "Kiến nghị"}], "scratch": 1,
}


def keys(roles: list[str]) -> dict[str, list[str]]:
    return {section: [k for k, _v in items] for section, items in visible_data(roles, DATA)}


def test_a_submitter_sees_the_dossier_the_exchanges_and_the_results_only() -> None:
    assert keys(["submitter"]) == {
        "dossier": ["award_code", "nominee_name"],
        "exchanges": ["comment", "supplement_items"],
        "results": ["decision_issued"],
    }


def test_the_council_sees_votes_and_appraisal_but_not_unnamed_keys() -> None:
    seen = keys(["council"])
    assert seen["council"] == ["agree", "votes"] and seen["appraisal"] == ["eligibility"]
    assert seen["disclosure"] == ["complaints"] and "other" not in seen


def test_secretariat_chair_and_admin_see_everything() -> None:
    for role in ("secretariat", "chair", "admin"):
        seen = keys([role])
        assert sorted(k for ks in seen.values() for k in ks) == sorted(DATA), role
        assert seen["other"] == ["scratch"]


def test_several_roles_see_the_union_and_unknown_roles_nothing() -> None:
    assert keys(["submitter", "council"]) == keys(["council"])
    assert keys(["visitor"]) == {} and keys([]) == {}


def test_the_policy_is_data_a_key_belongs_to_one_section() -> None:
    named = [k for ks in SECTIONS.values() for k in ks]
    assert len(named) == len(set(named))
    assert section_of("votes") == "council" and section_of("nope") == "other"
    only_dossier = {"submitter": RoleView(frozenset({"dossier"}))}
    assert [s for s, _ in visible_data(["submitter"], DATA, only_dossier)] == ["dossier"]
    assert set(POLICY) == {"submitter", "secretariat", "council", "chair", "admin"}
