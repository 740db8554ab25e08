"""Reading the award catalogue, the office settings and award subjects."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.errors import NotFound
from engine.store.models import Unit
from workflows.models import AwardType, Person, Setting


@dataclass(frozen=True)
class Subject:
    """Who receives an award: a person (individual) or a unit (collective)."""

    code: str
    kind: str  # individual | collective
    name: str
    unit_code: str  # the person's unit, or the unit itself


def award_type(session: Session, code: str) -> AwardType:
    row = session.get(AwardType, code)
    if row is None or not row.active:
        raise NotFound(f"Không có danh hiệu / hình thức khen thưởng «{code}».",
                       code="award.not_found")
    return row


def award_types(session: Session) -> list[AwardType]:
    return list(session.scalars(select(AwardType).where(AwardType.active.is_(True))
                                .order_by(AwardType.sort_order, AwardType.code)).all())


def award_types_for(session: Session, kind: str, subject_kind: str | None = None
                    ) -> list[AwardType]:
    """The active titles and forms a ``kind`` of procedure (annual, thematic, adhoc) may
    propose, in the catalogue's order; for ``subject_kind`` (individual, collective) only
    those that suit it (the catalogue's ``subject_kind``, or ``both``)."""
    return [a for a in award_types(session) if kind in (a.kinds or ["annual"])
            and (subject_kind is None or a.subject_kind in (subject_kind, "both"))]


def subject(session: Session, code: str) -> Subject:
    """The person or unit with this code, or NotFound ``subject.not_found``."""
    person = session.get(Person, code)
    if person is not None:
        return Subject(person.code, "individual", person.full_name, person.unit_code)
    unit = session.get(Unit, code)
    if unit is not None:
        return Subject(unit.code, "collective", unit.name, unit.code)
    raise NotFound(f"Không có cá nhân hay tập thể mã «{code}».", code="subject.not_found")


OFFICE_TZ = ZoneInfo("Asia/Ho_Chi_Minh")


def office_today() -> date:
    """Today's date in the office's time zone."""
    return datetime.now(OFFICE_TZ).date()


def subject_names(session: Session, codes: Iterable[str]) -> dict[str, str]:
    """The name of each code that is a person (full name) or a unit; unknown codes left out."""
    wanted = set(codes)
    if not wanted:
        return {}
    names = {str(k): str(v) for k, v in session.execute(
        select(Person.code, Person.full_name).where(Person.code.in_(wanted))).all()}
    names.update({str(k): str(v) for k, v in session.execute(
        select(Unit.code, Unit.name).where(Unit.code.in_(wanted - set(names)))).all()})
    return names


def setting(session: Session, key: str, default: Any = None) -> Any:
    row = session.get(Setting, key)
    return default if row is None else row.value


def bonus_amount(session: Session, award: AwardType) -> int | None:
    """Bonus in đồng: the title's coefficient × the base salary, rounded to the đồng."""
    if award.bonus_coefficient is None:
        return None
    base = Decimal(str(setting(session, "base_salary", 0)))
    return int((Decimal(award.bonus_coefficient) * base).quantize(Decimal(1)))


def vn_number(value: float | int | Decimal) -> str:
    """A number as Vietnamese write it: 1.234.567 and 87,5 (at most two decimals)."""
    text = f"{float(value):,.2f}".rstrip("0").rstrip(".")
    return text.replace(",", "\0").replace(".", ",").replace("\0", ".")
