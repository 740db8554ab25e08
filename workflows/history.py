"""History queries for eligibility (tra cứu lịch sử thi đua, khen thưởng).

Every query returns ORM rows; ``*_row`` turn them into the small dicts a verdict
cites (``{"table": "award_record", "id": 12, ...}``), so each reason names the
rows it used. Rules that hold for every query:

- only ``kind == "annual"`` awards count toward a title's history (thematic and
  ad-hoc awards never make a consecutive year, nor a prerequisite);
- revoked awards (``revoked``) never count;
- "consecutive" means calendar years with no gap, ending in the year asked for;
  ``after`` cuts a run at the years an earlier award already used (one deed earns
  one award).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from datetime import date
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from engine.store.models import ProcessInstance
from workflows.models import (
    DISCIPLINE_FORMS,
    Award,
    Discipline,
    Initiative,
    Nomination,
    Person,
    Rating,
    Registration,
)
from workflows.nominations import OPEN_INSTANCE

Row = dict[str, Any]
# Nominations out of the running: they do not take a place in a quota.
NOMINATION_OUT = ("not_approved", "ineligible", "revoked")

# Higher is better; 0 means "no rating recorded".
RATING_RANK = {"KHTNV": 1, "HTNV": 2, "HTTNV": 3, "HTXSNV": 4}
RATING_NAMES = {
    "HTXSNV": "Hoàn thành xuất sắc nhiệm vụ",
    "HTTNV": "Hoàn thành tốt nhiệm vụ",
    "HTNV": "Hoàn thành nhiệm vụ",
    "KHTNV": "Không hoàn thành nhiệm vụ",
}
# Severity: khiển trách < cảnh cáo < hạ bậc lương < cách chức < buộc thôi việc; 0 = none.
DISCIPLINE_RANK = {form: i + 1 for i, form in enumerate(DISCIPLINE_FORMS)}
DISCIPLINE_NAMES = {
    "khien_trach": "khiển trách",
    "canh_cao": "cảnh cáo",
    "ha_bac": "hạ bậc lương",
    "cach_chuc": "cách chức",
    "buoc_thoi_viec": "buộc thôi việc",
}
LEVEL_NAMES = {"co_so": "cơ sở", "tinh": "cấp tỉnh", "toan_quoc": "toàn quốc"}


# -- rows a verdict cites ---------------------------------------------------------------
def award_row(a: Award) -> Row:
    return {"table": "award_record", "id": a.id, "year": a.year, "subject_code": a.subject_code,
            "award_code": a.award_code, "kind": a.kind, "decision_no": a.decision_no}


def rating_row(r: Rating) -> Row:
    return {"table": "annual_rating", "year": r.year, "subject_code": r.subject_code,
            "rating": r.rating}


def initiative_row(i: Initiative) -> Row:
    return {"table": "initiative", "id": i.id, "year": i.year, "person_code": i.person_code,
            "level": i.level, "title": i.title}


def discipline_row(d: Discipline) -> Row:
    return {"table": "discipline", "id": d.id, "person_code": d.person_code, "form": d.form,
            "start_date": d.start_date.isoformat(),
            "end_date": d.end_date.isoformat() if d.end_date else None, "pending": d.pending}


def nomination_row(n: Nomination) -> Row:
    return {"table": "nomination", "id": n.id, "instance_id": n.instance_id, "year": n.year,
            "subject_code": n.subject_code, "award_code": n.award_code, "status": n.status}


def registration_row(r: Registration) -> Row:
    return {"table": "emulation_registration", "id": r.id, "year": r.year,
            "subject_code": r.subject_code, "award_code": r.award_code}


# -- queries --------------------------------------------------------------------------
def rating_of(session: Session, code: str, year: int) -> Rating | None:
    """The year-end rating (xếp loại) of a person or unit."""
    return session.get(Rating, (year, code))


def ratings_of(session: Session, codes: Sequence[str], year: int) -> dict[str, Rating]:
    """Ratings of several subjects in one year, by subject code."""
    if not codes:
        return {}
    rows = session.scalars(select(Rating).where(Rating.year == year,
                                                Rating.subject_code.in_(list(codes))))
    return {r.subject_code: r for r in rows}


def title_records(session: Session, codes: Sequence[str], award_code: str,
                  years: Iterable[int]) -> list[Award]:
    """Annual, non-revoked records of ``award_code`` for ``codes`` in ``years``."""
    years = list(years)
    if not codes or not years:
        return []
    return list(session.scalars(
        select(Award).where(Award.subject_code.in_(list(codes)), Award.award_code == award_code,
                            Award.year.in_(years), Award.kind == "annual",
                            Award.revoked.is_(False))
        .order_by(Award.year, Award.id)))


def records_before(session: Session, code: str, award_code: str, last_year: int) -> list[Award]:
    """Annual, non-revoked records of ``award_code`` for ``code`` up to ``last_year``."""
    return list(session.scalars(
        select(Award).where(Award.subject_code == code, Award.award_code == award_code,
                            Award.year <= last_year, Award.kind == "annual",
                            Award.revoked.is_(False))
        .order_by(Award.year, Award.id)))


def last_record(session: Session, code: str, award_code: str, before_year: int) -> Award | None:
    """The latest annual, non-revoked record of ``award_code`` for ``code`` before a year."""
    return session.scalars(
        select(Award).where(Award.subject_code == code, Award.award_code == award_code,
                            Award.year < before_year, Award.kind == "annual",
                            Award.revoked.is_(False))
        .order_by(Award.year.desc(), Award.id.desc()).limit(1)).first()


def consecutive_title(session: Session, code: str, award_code: str, year: int,
                      step: int = 1, after: int | None = None) -> list[Award]:
    """The unbroken run of an annual title ending in ``year`` (one record per year, oldest first).

    ``step`` > 1 counts consecutive *times* of a title given once per period (CSTĐ cấp tỉnh
    every 3 years): the run is ``year``, ``year - step``, ``year - 2*step``, …
    Years up to ``after`` (already used by an earlier award) are not part of the run.
    """
    by_year: dict[int, Award] = {}
    for a in records_before(session, code, award_code, year):
        by_year.setdefault(a.year, a)
    run: list[Award] = []
    y = year
    while y in by_year and (after is None or y > after):
        run.append(by_year[y])
        y -= max(step, 1)
    return run[::-1]


def consecutive_rating(session: Session, code: str, min_rating: str, year: int,
                       after: int | None = None) -> list[Rating]:
    """The unbroken run of years ending in ``year`` rated ``min_rating`` or better.

    Years up to ``after`` (already used by an earlier award) are not part of the run.
    """
    floor = RATING_RANK[min_rating]
    rows = session.scalars(select(Rating).where(Rating.subject_code == code,
                                                Rating.year <= year))
    by_year = {r.year: r for r in rows}
    run: list[Rating] = []
    y = year
    while y in by_year and RATING_RANK.get(by_year[y].rating, 0) >= floor \
            and (after is None or y > after):
        run.append(by_year[y])
        y -= 1
    return run[::-1]


def initiatives_of(session: Session, person_code: str, years: Iterable[int],
                   levels: Sequence[str]) -> list[Initiative]:
    """Recognised initiatives (sáng kiến) of a person in ``years`` at one of ``levels``."""
    return list(session.scalars(
        select(Initiative).where(Initiative.person_code == person_code,
                                 Initiative.year.in_(list(years)),
                                 Initiative.level.in_(list(levels)))
        .order_by(Initiative.year, Initiative.id)))


def pending_cases(session: Session, person_codes: Sequence[str]) -> list[Discipline]:
    """Pending disciplinary cases, inspections or complaints (đang xem xét) about people."""
    if not person_codes:
        return []
    return list(session.scalars(
        select(Discipline).where(Discipline.person_code.in_(list(person_codes)),
                                 Discipline.pending.is_(True))
        .order_by(Discipline.start_date, Discipline.id)))


def disciplines_in_year(session: Session, person_codes: Sequence[str],
                        year: int) -> list[Discipline]:
    """Disciplinary measures (not pending) in force at some point of ``year``."""
    if not person_codes:
        return []
    first, last = date(year, 1, 1), date(year, 12, 31)
    return list(session.scalars(
        select(Discipline).where(
            Discipline.person_code.in_(list(person_codes)), Discipline.pending.is_(False),
            Discipline.start_date <= last,
            or_(Discipline.end_date.is_(None), Discipline.end_date >= first))
        .order_by(Discipline.start_date, Discipline.id)))


def unit_people(session: Session, unit_code: str, active_only: bool = True) -> list[Person]:
    """People of a unit (its members); only active ones unless told otherwise."""
    return people_in(session, [unit_code], active_only)


def people_in(session: Session, unit_codes: Collection[str] | None,
              active_only: bool = True) -> list[Person]:
    """People of several units (``None``: of every unit); only active ones unless told."""
    query = select(Person)
    if unit_codes is not None:
        query = query.where(Person.unit_code.in_(list(unit_codes)))
    if active_only:
        query = query.where(Person.active.is_(True))
    return list(session.scalars(query.order_by(Person.code)))


def open_nominations(session: Session, award_code: str, year: int,
                     codes: Sequence[str]) -> list[Nomination]:
    """Annual nominations of ``codes`` for a title and year still being pursued.

    Pursued: the nomination is not closed (not approved, ineligible, revoked) and its
    procedure instance has not ended.
    """
    if not codes:
        return []
    return list(session.scalars(
        select(Nomination).join(ProcessInstance, ProcessInstance.id == Nomination.instance_id)
        .where(Nomination.award_code == award_code, Nomination.year == year,
               Nomination.kind == "annual", Nomination.subject_code.in_(list(codes)),
               Nomination.status.not_in(NOMINATION_OUT), ProcessInstance.status.in_(OPEN_INSTANCE))
        .order_by(Nomination.subject_code, Nomination.id)))


def registration_of(session: Session, code: str, award_code: str,
                    year: int) -> Registration | None:
    """The accepted emulation registration (đăng ký thi đua) of a subject for a title in a year."""
    return session.scalars(select(Registration).where(
        Registration.year == year, Registration.subject_code == code,
        Registration.award_code == award_code, Registration.status == "accepted")).first()
