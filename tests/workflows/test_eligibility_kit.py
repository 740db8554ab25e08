"""Helpers for the eligibility tests: build a history with the ORM, read verdicts.

Imported by the ``test_eligibility_*`` modules (pytest puts this folder on ``sys.path``);
it holds no test of its own. Each test builds exactly the history it needs.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from engine import identity
from engine.roles import SYSTEM
from engine.store.db import Database
from engine.store.models import ProcessInstance, ProcessModelVersion
from workflows.eligibility import Verdict, evaluate
from workflows.models import (
    Award,
    AwardType,
    Discipline,
    Initiative,
    Nomination,
    Person,
    Rating,
    Registration,
)


class History:
    """Writes units, people and their history in one session (flushed, not committed)."""

    def __init__(self, session: Session) -> None:
        self.s = session
        self._decisions = 0
        self._model_version: int | None = None

    def unit(self, code: str, name: str | None = None, parent: str | None = None) -> str:
        identity.create_unit(self.s, SYSTEM, code, name or f"Phòng {code}", parent)
        self.s.flush()
        return code

    def person(self, code: str, unit: str = "A", *, active: bool = True) -> str:
        self.s.add(Person(code=code, full_name=f"Cán bộ {code}", unit_code=unit, active=active))
        self.s.flush()
        return code

    def people(self, unit: str, count: int, prefix: str | None = None) -> list[str]:
        return [self.person(f"{prefix or unit}{i:02d}", unit) for i in range(1, count + 1)]

    def rating(self, code: str, year: int, rating: str) -> None:
        self.s.add(Rating(year=year, subject_code=code, rating=rating))
        self.s.flush()

    def ratings(self, code: str, rating: str, years: range | list[int]) -> None:
        for year in years:
            self.rating(code, year, rating)

    def award(self, code: str, award_code: str, year: int, kind: str = "annual", *,
              revoked: bool = False) -> Award:
        self._decisions += 1
        row = Award(year=year, subject_code=code, award_code=award_code, kind=kind,
                    decision_no=f"{self._decisions}/QĐ-VP", decision_date=date(year, 12, 20),
                    revoked=revoked, revoked_decision_no="99/QĐ-VP" if revoked else None)
        self.s.add(row)
        self.s.flush()
        return row

    def awards(self, code: str, award_code: str, years: range | list[int],
               kind: str = "annual") -> list[Award]:
        return [self.award(code, award_code, y, kind) for y in years]

    def initiative(self, person: str, year: int, level: str = "co_so") -> Initiative:
        row = Initiative(year=year, person_code=person, title=f"Sáng kiến {level} {year}",
                         level=level)
        self.s.add(row)
        self.s.flush()
        return row

    def discipline(self, person: str, form: str, start: date, end: date | None = None, *,
                   pending: bool = False) -> Discipline:
        row = Discipline(person_code=person, form=form, start_date=start, end_date=end,
                         pending=pending)
        self.s.add(row)
        self.s.flush()
        return row

    def registration(self, code: str, award_code: str, year: int) -> Registration:
        row = Registration(year=year, subject_code=code, award_code=award_code)
        self.s.add(row)
        self.s.flush()
        return row

    def instance(self, status: str = "running") -> int:
        """A procedure instance (only its row: enough for the nominations it holds)."""
        if self._model_version is None:
            version = ProcessModelVersion(process_key="p", version=1, name="p",
                                          bpmn_xml="<x/>", sha256="0" * 64)
            self.s.add(version)
            self.s.flush()
            self._model_version = version.id
        row = ProcessInstance(model_version_id=self._model_version, process_key="p", version=1,
                              status=status, state_json="{}")
        self.s.add(row)
        self.s.flush()
        return row.id

    def nominate(self, instance_id: int, code: str, award_code: str, year: int, *,
                 status: str = "submitted", kind: str = "annual") -> Nomination:
        person = self.s.get(Person, code)
        row = Nomination(instance_id=instance_id, process_key="p", year=year,
                         award_code=award_code, subject_code=code,
                         subject_kind="individual" if person else "collective",
                         unit_code=person.unit_code if person else code, kind=kind,
                         status=status)
        self.s.add(row)
        self.s.flush()
        return row

    def set_rule(self, award_code: str, key: str, value: Any) -> None:
        """Change a configurable value of the catalogue, as an admin would."""
        award = self.s.get(AwardType, award_code)
        assert award is not None
        award.rules = {**award.rules, key: value}
        self.s.flush()

    def check(self, subject: str, award_code: str, year: int, **kwargs: Any) -> Verdict:
        return evaluate(self.s, subject, award_code, year, **kwargs)


@contextmanager
def history_on(db_url: str) -> Iterator[History]:
    db = Database(db_url)
    try:
        with db.write_session() as session:
            yield History(session)
    finally:
        db.dispose()


def reason(verdict: Verdict, rule: str) -> dict[str, Any]:
    """The one reason of ``rule`` in a verdict's dict."""
    found = [r for r in verdict.to_dict()["reasons"] if r["rule"] == rule]
    assert len(found) == 1, (rule, verdict.to_dict()["reasons"])
    return found[0]


def failed_rules(verdict: Verdict) -> list[str]:
    return [r.rule for r in verdict.failed]


def row_ids(reason_dict: dict[str, Any], table: str) -> list[Any]:
    return [r.get("id", r.get("year")) for r in reason_dict["rows"] if r["table"] == table]
