"""Checks across columns and against the registry that the import makes before writing."""

from __future__ import annotations

from datetime import date

from test_registry_import import base_sheets, db, header, problems_of, run  # noqa: F401

from engine.store.db import Database
from workflows.registry_template import workbook_bytes


def test_a_workbook_without_any_contract_sheet_is_refused(db: Database) -> None:  # noqa: F811
    problems = problems_of(db, workbook_bytes({"Sheet1": [["a", "b"], [1, 2]]}))
    assert "units, people, ratings" in problems[0]["message"]


def test_a_decision_before_the_award_year_is_refused(db: Database) -> None:  # noqa: F811
    sheets = base_sheets()
    sheets["awards"].append([2025, "P1", "GK", "thematic", "5/QĐ-VP", date(2024, 12, 1)])
    problems = problems_of(db, sheets)
    assert [(p["sheet"], p["column"]) for p in problems] == [("awards", "decision_date")]
    assert "01/12/2024" in problems[0]["message"]


def test_a_pending_case_cannot_have_an_end_date(db: Database) -> None:  # noqa: F811
    sheets = base_sheets()
    sheets["discipline"].append(["P1", "canh_cao", "2025-01-10", "2025-06-01", "có"])
    problems = problems_of(db, sheets)
    assert [(p["sheet"], p["row"], p["column"]) for p in problems] == [
        ("discipline", 3, "end_date")]


def test_an_annual_title_twice_in_a_year_is_refused(db: Database) -> None:  # noqa: F811
    sheets = base_sheets()
    # The same decision typed with another spelling is a second row, not a second award.
    sheets["awards"].append([2024, "P1", "LDTT", "annual", "12/QD-VP", "2024-12-26"])
    problems = problems_of(db, sheets)
    assert [(p["sheet"], p["column"]) for p in problems] == [("awards", "decision_no")]
    assert "chỉ được xét một lần mỗi năm" in problems[0]["message"]


def test_an_annual_title_already_in_the_registry_is_refused(db: Database) -> None:  # noqa: F811
    run(db, base_sheets())
    again = {"awards": [header("awards"),
                        [2024, "P1", "LDTT", "annual", "99/QĐ-VP", "2024-12-30"]]}
    problems = problems_of(db, again)
    assert "12/QĐ-VP" in problems[0]["message"]
    # A thematic form may be given several times a year.
    report = run(db, {"awards": [header("awards"),
                                 [2024, "P1", "GK", "thematic", "97/QĐ-VP", "2024-10-01"]]})
    assert report.counts["awards"]["created"] == 1
