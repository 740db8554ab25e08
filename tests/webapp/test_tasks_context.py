"""An instance's data as people read it (webapp/tasks_context.py, webapp/data_tables.py):
the service tasks' results as rows and tables by name, only unknown keys as JSON."""

from __future__ import annotations

from typing import Any

from flask import Flask

from webapp.readable import Names
from webapp.services import read_session, services
from webapp.tasks_context import Context, task_context

DATA: dict[str, Any] = {
    "award_code": "LDTT", "year": 2026, "subjects": ["A"], "movement_code": None,
    "decision": "return", "comment": "Thiếu biên bản", "supplement_items": ["Biên bản"],
    "nomination_status": {"status": "in_council", "count": 1, "changed": {}},
    "province_answer": {"outcome": "partial", "approved_subjects": ["A"],
                        "decision_no": "312/QĐ-UBND", "decision_date": "2026-02-10"},
    "outcome": "partial", "approved_subjects": ["A"],
    "decision_no": "312/QĐ-UBND", "decision_date": "2026-02-10",
    "registry": {"awards": [{"subject_code": "A", "award_code": "TTLDTT",
                             "decision_no": "312/QĐ-UBND", "bonus_amount": 1_872_000}],
                 "total_bonus": 1_872_000},
    "complaints": [{"received_date": "2026-01-05", "summary": "Thắc mắc về số phiếu",
                    "subject_code": "A", "answer": "Đã giải thích", "upheld": False,
                    "answered_date": "2026-01-06"}],
    "council_vote": {"passed": ["A"], "not_passed": [], "members_total": 9,
                     "members_present": 8},
    "council_result": {"candidates": []},
    "scratch": {"x": 1},
}


def _read(app: Flask, data: dict[str, Any],
          nominations: list[tuple[str, str, str]] | None = None) -> Context:
    with app.test_request_context("/"):
        return task_context(services().engine.forms, data, None, Names(read_session()),
                            nominations)


def test_results_read_as_rows_and_tables_by_name(app: Flask) -> None:
    ctx = _read(app, DATA, [("A", "TTLDTT", "in_council")])
    rows = dict(ctx.rows)
    assert rows["Hình thức khen thưởng"] == "Lao động tiên tiến"  # not LDTT
    assert rows["Kết quả của UBND tỉnh"] == "Đồng ý một phần"
    assert rows["Được khen thưởng"] == "Unit A (A)"
    assert rows["Số quyết định khen thưởng"] == "312/QĐ-UBND"
    assert rows["Ngày quyết định"] == "10/02/2026" and rows["Tổng tiền thưởng"] == "1.872.000 đ"
    assert rows["Thành viên có mặt / tổng số"] == "8 / 9"
    assert rows["Được Hội đồng thông qua"] == "Unit A (A)"
    tables = {t.title: t for t in ctx.tables}
    assert tables["Trạng thái từng đối tượng"].rows == [
        ["Unit A (A)", "Tập thể lao động tiên tiến", "Trình Hội đồng"]]
    assert tables["Đã ghi vào sổ khen thưởng"].rows == [
        ["Unit A (A)", "Tập thể lao động tiên tiến", "312/QĐ-UBND", "1.872.000 đ"]]
    assert tables["Kiến nghị, thắc mắc, khiếu nại"].rows == [
        ["05/01/2026", "Thắc mắc về số phiếu", "Unit A (A)", "Đã giải thích", "06/01/2026",
         "Không"]]
    assert ctx.technical == [("scratch", '{\n "x": 1\n}')]  # only what nobody describes
    shown = str(ctx.rows) + str([t.rows for t in ctx.tables])
    # the comment is the history's; codes and empty values are not shown
    for hidden in ("Thiếu biên bản", "in_council", "LDTT", "Phong trào"):
        assert hidden not in shown, hidden
    assert ctx.returned == {"comment": "Thiếu biên bản", "items": ["Biên bản"]}
    assert len([r for r in ctx.rows if r[1] == "Đồng ý một phần"]) == 1  # not repeated


def test_a_shape_it_does_not_know_is_folded_not_lost(app: Flask) -> None:
    ctx = _read(app, {"registry": "bản ghi cũ", "eligibility": {"eligible": True}})
    assert [k for k, _json in ctx.technical] == ["eligibility", "registry"]
    assert ctx.rows == [] and ctx.tables == []
