"""Reading the award registry: award lists and a subject's full history, as plain dicts.

Visibility follows the engine's access policy: office-wide roles see every
subject; a unit-scoped role (submitter) sees its own unit and the people in it.
What a caller may not see does not exist for them (``subject.not_found``).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, false, func, or_, select, true
from sqlalchemy.orm import Session

from engine.errors import NotFound
from engine.roles import Actor
from engine.runtime.access import AccessPolicy
from engine.service import Page
from engine.store.models import Unit
from workflows.catalogue import Subject, subject
from workflows.models import Award, AwardType, Discipline, Initiative, Person, Rating


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value is not None else None


def visible_subjects(actor: Actor, policy: AccessPolicy) -> ColumnElement[bool]:
    """SQL condition on ``award_record.subject_code``: the subjects ``actor`` may see."""
    if policy.office_roles(actor):
        return true()
    if policy.unit_roles(actor) and actor.unit_code:
        members = select(Person.code).where(Person.unit_code == actor.unit_code)
        return or_(Award.subject_code == actor.unit_code, Award.subject_code.in_(members))
    return false()


def can_see_subject(actor: Actor, policy: AccessPolicy, found: Subject) -> bool:
    if policy.office_roles(actor):
        return True
    return bool(policy.unit_roles(actor)) and actor.unit_code == found.unit_code


def award_view(row: Award, subject_name: str | None, award_name: str | None) -> dict[str, Any]:
    return {
        "id": row.id, "year": row.year, "subject_code": row.subject_code,
        "subject_name": subject_name, "award_code": row.award_code, "award_name": award_name,
        "kind": row.kind, "decision_no": row.decision_no,
        "decision_date": _iso(row.decision_date), "bonus_amount": row.bonus_amount,
        "source": row.source, "movement_id": row.movement_id, "instance_id": row.instance_id,
        "revoked": row.revoked, "revoked_decision_no": row.revoked_decision_no,
        "revoked_date": _iso(row.revoked_date), "revoked_reason": row.revoked_reason,
    }


def _award_query(*where: ColumnElement[bool]) -> Any:
    return (select(Award, func.coalesce(Person.full_name, Unit.name), AwardType.name)
            .outerjoin(Person, Person.code == Award.subject_code)
            .outerjoin(Unit, Unit.code == Award.subject_code)
            .outerjoin(AwardType, AwardType.code == Award.award_code)
            .where(*where))


def list_awards(session: Session, actor: Actor, policy: AccessPolicy, *,
                subject_code: str | None = None, year: int | None = None,
                award_code: str | None = None, page: int = 1, per_page: int = 50) -> Page:
    """Award records the actor may see, newest first, filtered and paged."""
    where = [visible_subjects(actor, policy)]
    if subject_code:
        where.append(Award.subject_code == subject_code)
    if year is not None:
        where.append(Award.year == year)
    if award_code:
        where.append(Award.award_code == award_code)
    total = session.scalar(select(func.count()).select_from(Award).where(*where)) or 0
    rows = session.execute(_award_query(*where)
                           .order_by(Award.year.desc(), Award.decision_date.desc(),
                                     Award.id.desc())
                           .offset((page - 1) * per_page).limit(per_page)).all()
    return Page([award_view(a, name, award) for a, name, award in rows], total, page, per_page)


def _person_fields(session: Session, code: str) -> dict[str, Any]:
    person = session.get(Person, code)
    if person is None:
        return {}
    return {"position": person.position, "is_leader": person.is_leader,
            "gender": person.gender, "birth_year": person.birth_year,
            "education": person.education, "tdkt_since": person.tdkt_since,
            "active": person.active}


def subject_history(session: Session, actor: Actor, policy: AccessPolicy, code: str
                    ) -> dict[str, Any]:
    """A person or unit with its ratings, awards, initiatives and discipline, oldest first."""
    found = subject(session, code)
    if not can_see_subject(actor, policy, found):
        raise NotFound(f"Không có cá nhân hay tập thể mã «{code}».", code="subject.not_found")
    unit = session.get(Unit, found.unit_code)
    ratings = session.scalars(select(Rating).where(Rating.subject_code == code)
                              .order_by(Rating.year)).all()
    awards = session.execute(_award_query(Award.subject_code == code)
                             .order_by(Award.year, Award.decision_date, Award.id)).all()
    initiatives = session.scalars(select(Initiative).where(Initiative.person_code == code)
                                  .order_by(Initiative.year, Initiative.id)).all()
    discipline = session.scalars(select(Discipline).where(Discipline.person_code == code)
                                 .order_by(Discipline.start_date, Discipline.id)).all()
    return {
        "code": found.code, "kind": found.kind, "name": found.name,
        "unit_code": found.unit_code, "unit_name": unit.name if unit else None,
        **_person_fields(session, code),
        "ratings": [{"year": r.year, "rating": r.rating} for r in ratings],
        "awards": [award_view(a, name, award) for a, name, award in awards],
        "initiatives": [{"id": i.id, "year": i.year, "title": i.title, "level": i.level}
                        for i in initiatives],
        "discipline": [{"id": d.id, "form": d.form, "start_date": _iso(d.start_date),
                        "end_date": _iso(d.end_date), "pending": d.pending}
                       for d in discipline],
    }
