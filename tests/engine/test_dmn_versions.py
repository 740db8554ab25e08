"""Decision tables: each rule's cells are checked and named by rule and column; two
versions compare rule by rule (added, removed, changed cell by cell)."""

from __future__ import annotations

from pathlib import Path
from xml.sax.saxutils import escape

from engine.drafts import dmn_problems
from engine.specs.dmn_diff import diff_dmn

DMN_DIR = Path(__file__).resolve().parents[2] / "bpmn" / "dmn"
LDTT = (DMN_DIR / "LDTT.dmn").read_text(encoding="utf-8")
EXTRA = ('<rule id="extra"><description>Mới</description>'
         '<inputEntry id="extra_a"><text>-</text></inputEntry>'
         '<inputEntry id="extra_b"><text>&lt; 2</text></inputEntry>'
         '<outputEntry id="extra_c"><text>"extra"</text></outputEntry>'
         '<outputEntry id="extra_d"><text>True</text></outputEntry></rule>')


def test_every_shipped_table_has_no_problem() -> None:
    for path in sorted(DMN_DIR.glob("*.dmn")):
        assert dmn_problems(path.read_bytes()) == [], path.name


def test_a_bad_cell_is_named_by_its_rule_and_column() -> None:
    bad = LDTT.replace("<text>&gt;= min_rating_rank</text>", "<text>&gt;= = 2</text>").replace(
        '<text>"no_discipline"</text>', '<text>().__class__</text>')
    found = {p["element_id"]: p for p in dmn_problems(bad.encode())}
    assert set(found) == {"rating_1_rating_rank", "no_discipline_1_rule"}
    first = found["rating_1_rating_rank"]
    assert first["code"] == "dmn.cell_invalid" and first["severity"] == "error"
    assert "quy tắc số 1 (rating_1), cột «Xếp loại năm" in first["message"]
    assert "«>= = 2» không phải biểu thức hợp lệ" in first["message"]
    assert "bị hộp cát từ chối" in found["no_discipline_1_rule"]["message"]
    for fine in ("-", "", "0", ">= 2", "in [1, 2]", "1 < ? < 5", '"HTXSNV"', "not in ['x']"):
        ok = LDTT.replace("<text>&gt;= min_rating_rank</text>", f"<text>{escape(fine)}</text>")
        assert dmn_problems(ok.encode()) == [], fine


def test_a_rule_with_a_missing_cell_is_named() -> None:
    bad = LDTT.replace('<inputEntry id="rating_1_discipline_rank"><text>-</text></inputEntry>', "")
    assert [(p["element_id"], p["code"]) for p in dmn_problems(bad.encode())] == [
        ("rating_1", "dmn.rule_shape")]


def test_diff_lists_rules_added_removed_and_changed_cell_by_cell() -> None:
    new = LDTT.replace('<rule id="rating_1">', EXTRA + '<rule id="rating_1">').replace(
        '<inputEntry id="no_discipline_1_discipline_rank"><text>0</text>',
        '<inputEntry id="no_discipline_1_discipline_rank"><text>&lt;= 1</text>')
    result = diff_dmn(LDTT, new)
    assert result["counts"] == {"added": 1, "removed": 0, "changed": 1}
    table = result["tables"][0]
    assert [c["label"] or c["name"] for c in table["columns"]][2:] == ["rule", "warning"]
    rows = {r["id"]: r for r in table["rows"]}
    assert [r["id"] for r in table["rows"]] == ["extra", "rating_1", "no_discipline_1"]
    assert rows["extra"]["status"] == "added" and rows["rating_1"]["status"] == "same"
    changed = rows["no_discipline_1"]
    assert (changed["status"], changed["number"], changed["number_old"]) == ("changed", 3, 2)
    assert [(c["old"], c["text"]) for c in changed["cells"]] == [
        (None, "-"), ("0", "<= 1"), (None, '"no_discipline"'), (None, "False")]

    back = diff_dmn(new, LDTT)  # the other way: removed, placed where it was
    assert back["counts"] == {"added": 0, "removed": 1, "changed": 1}
    assert [(r["id"], r["status"]) for r in back["tables"][0]["rows"]] == [
        ("extra", "removed"), ("rating_1", "same"), ("no_discipline_1", "changed")]


def test_diff_reports_columns_and_hit_policy() -> None:
    new = LDTT.replace('hitPolicy="COLLECT"', 'hitPolicy="RULE ORDER"').replace(
        '<output id="out_warning" name="warning" typeRef="boolean" />', "").replace(
        '<outputEntry id="rating_1_warning"><text>False</text></outputEntry>', "").replace(
        '<outputEntry id="no_discipline_1_warning"><text>False</text></outputEntry>', "")
    table = diff_dmn(LDTT, new)["tables"][0]
    assert (table["hit_policy_old"], table["hit_policy"]) == ("COLLECT", "RULE ORDER")
    assert [(c["id"], c["status"]) for c in table["columns"]][-1] == ("out_warning", "removed")
    assert {r["status"] for r in table["rows"]} == {"changed"}
    assert table["rows"][0]["cells"][-1] == {"text": "", "old": "False"}
