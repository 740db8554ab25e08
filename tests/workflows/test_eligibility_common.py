"""Eligibility rules for every title, the verdict's shape, the DMN tables and the handler."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select
from test_eligibility_kit import History, failed_rules, history_on, reason, row_ids

from engine.errors import EngineError, InvalidData, NotFound
from engine.roles import Actor
from workflows.eligibility import FACTS, PARAM_NAMES, evaluate_for, load_table
from workflows.models import AwardType

Y = 2024
DMN_DIR = Path(__file__).resolve().parents[2] / "bpmn" / "dmn"


@pytest.fixture
def h(db_url: str) -> Iterator[History]:
    with history_on(db_url) as history:
        history.unit("A")
        history.unit("B")
        history.person("P1", "A")
        history.rating("P1", Y, "HTTNV")
        yield history


# -- errors and the verdict's shape ---------------------------------------------------------------
def test_unknown_subject_award_or_kind(h: History) -> None:
    with pytest.raises(NotFound) as exc:
        h.check("NOBODY", "LDTT", Y)
    assert exc.value.code == "subject.not_found"
    with pytest.raises(NotFound) as exc:
        h.check("P1", "NO_SUCH_TITLE", Y)
    assert exc.value.code == "award.not_found"
    award = h.s.get(AwardType, "GK")
    assert award is not None
    award.active = False
    h.s.flush()
    with pytest.raises(NotFound):
        h.check("P1", "GK", Y)
    with pytest.raises(InvalidData):
        h.check("P1", "LDTT", Y, kind="weekly")


def test_verdict_dict_is_json_with_the_contract_keys(h: History) -> None:
    out = h.check("P1", "LDTT", Y).to_dict()
    assert json.loads(json.dumps(out, ensure_ascii=False)) == out
    assert set(out) == {"eligible", "reasons", "subject", "award_code", "year", "warnings"}
    assert out["subject"] == {"code": "P1", "kind": "individual", "name": "Cán bộ P1",
                              "unit_code": "A"}
    for r in out["reasons"]:
        assert set(r) == {"rule", "ok", "detail", "rows"} and r["detail"]
        assert all("table" in row for row in r["rows"])


# -- rules for every title ------------------------------------------------------------------------
@pytest.mark.parametrize(("award", "kind"), [("LDTT", "annual"), ("GK", "adhoc"),
                                             ("BK_TINH", "thematic")])
def test_pending_case_blocks_every_award(h: History, award: str, kind: str) -> None:
    case = h.discipline("P1", "khien_trach", date(Y, 11, 1), pending=True)
    v = h.check("P1", award, Y, kind=kind)
    assert "no_pending_case" in failed_rules(v)
    r = reason(v, "no_pending_case")
    assert row_ids(r, "discipline") == [case.id]
    assert "chưa đạt — đang bị xem xét kỷ luật (" in r["detail"]


def test_registration_recorded_missing_or_required(h: History) -> None:
    v = h.check("P1", "LDTT", Y)
    r = reason(v, "registration")
    assert v.eligible and r["ok"] and r["detail"].startswith("Cảnh báo:")
    assert v.to_dict()["warnings"] == [{"rule": "registration", "detail": r["detail"]}]

    award = h.s.get(AwardType, "LDTT")
    assert award is not None
    award.registration_required = True
    h.s.flush()
    v = h.check("P1", "LDTT", Y)
    assert failed_rules(v) == ["registration"] and v.to_dict()["warnings"] == []

    reg = h.registration("P1", "LDTT", Y)
    v = h.check("P1", "LDTT", Y)
    assert v.eligible and v.to_dict()["warnings"] == []
    assert row_ids(reason(v, "registration"), "emulation_registration") == [reg.id]


def test_an_optional_rule_whose_catalogue_value_is_unset_does_not_apply(h: History) -> None:
    h.set_rule("CSTD_CS", "quota_pct_of_ldtt", None)  # the table declares the quota optional
    v = h.check("P1", "CSTD_CS", Y)
    r = reason(v, "quota")
    assert r["ok"] and "không áp dụng" in r["detail"]
    assert "tỷ lệ tối đa so với số Lao động tiên tiến (quota_pct_of_ldtt)" in r["detail"]


def test_submitters_ask_only_about_their_own_unit(h: History) -> None:
    h.person("Q1", "B")
    sub_a = Actor(1, "sub_a", frozenset({"submitter"}), "A")
    assert evaluate_for(h.s, sub_a, "P1", "LDTT", Y).subject.code == "P1"
    assert evaluate_for(h.s, sub_a, "A", "TTLDTT", Y).subject.code == "A"
    for code in ("Q1", "B"):
        with pytest.raises(NotFound) as exc:
            evaluate_for(h.s, sub_a, code, "LDTT", Y)
        assert exc.value.code == "subject.not_found"
    sec = Actor(2, "sec", frozenset({"secretariat"}), "TCHCQT")
    assert evaluate_for(h.s, sec, "Q1", "LDTT", Y).subject.code == "Q1"


# -- the decision tables ---------------------------------------------------------------------
def test_every_catalogue_title_has_a_table_reading_known_facts(h: History) -> None:
    codes = h.s.scalars(select(AwardType.code)).all()
    for name in [*codes, "common"]:
        table = load_table(name)
        assert table.table.hit_policy == "COLLECT"
        for rows in table.rules.values():
            for row in rows:
                assert row.label, (name, row.rule)
                unknown = [n for n in row.names if n not in FACTS and n not in PARAM_NAMES]
                assert not unknown, (name, row.rule, unknown)


DMN = """<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/" id="d" name="t"
  namespace="https://tdkt.example/test">
  <decision id="eligibility_LDTT" name="LDTT">
    <decisionTable id="t" hitPolicy="COLLECT">
      <input id="i1" label="x"><inputExpression id="e1"><text>{fact}</text></inputExpression>
      </input>
      <output id="o1" name="rule" typeRef="string" />
      <rule id="r1"><description>Thử</description>
        <inputEntry id="r1i"><text>{entry}</text></inputEntry>
        <outputEntry id="r1o"><text>"{rule}"</text></outputEntry></rule>
    </decisionTable>
  </decision>
</definitions>
"""


@pytest.fixture
def own_tables(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of bpmn/dmn in a folder the test may edit (TDKT_BPMN_DIR points to it)."""
    shutil.copytree(DMN_DIR, tmp_path / "dmn")
    monkeypatch.setenv("TDKT_BPMN_DIR", str(tmp_path))
    return tmp_path / "dmn"


def test_same_year_condition_cycle_is_guarded(h: History, own_tables: Path) -> None:
    (own_tables / "LDTT.dmn").write_text(DMN.format(
        fact="same_year_title", entry='? in ("recorded", "eligible")', rule="same_year_title"),
        encoding="utf-8")
    h.set_rule("LDTT", "needs_title_same_year", "CSTD_CS")
    h.initiative("P1", Y)
    v = h.check("P1", "CSTD_CS", Y)
    assert "same_year_title" in failed_rules(v)
    assert "vòng quanh" in reason(v, "same_year_title")["detail"]


def test_a_table_naming_an_unknown_fact_is_refused(h: History, own_tables: Path) -> None:
    (own_tables / "LDTT.dmn").write_text(DMN.format(fact="no_such_fact", entry="1",
                                                    rule="x"), encoding="utf-8")
    with pytest.raises(EngineError) as exc:
        h.check("P1", "LDTT", Y)
    assert exc.value.code == "eligibility.dmn_invalid" and "no_such_fact" in exc.value.message


def test_a_missing_or_broken_table(h: History, own_tables: Path) -> None:
    (own_tables / "LDTT.dmn").unlink()
    with pytest.raises(EngineError) as exc:
        h.check("P1", "LDTT", Y)
    assert exc.value.code == "eligibility.no_table"
    (own_tables / "LDTT.dmn").write_text("<definitions", encoding="utf-8")
    with pytest.raises(EngineError):
        h.check("P1", "LDTT", Y)


def test_a_table_edit_changes_the_verdict(h: History, own_tables: Path) -> None:
    assert h.check("P1", "LDTT", Y).eligible
    (own_tables / "LDTT.dmn").write_text(DMN.format(fact="rating_rank", entry=">= 4",
                                                    rule="rating"), encoding="utf-8")
    assert failed_rules(h.check("P1", "LDTT", Y)) == ["rating"]
