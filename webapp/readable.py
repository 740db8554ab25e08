"""What people read instead of codes: names of titles, units, people, movements, users.

``Names`` looks names up once per page (the catalogue and the units whole, people and
movements by the codes asked for) and falls back to the code itself when a row is gone,
so a page never fails on old data. Dates read dd/mm/yyyy, times dd/mm/yyyy HH:MM in the
office's time zone, amounts 1.234.000 đ; run-time labels (step titles, process names, the
forms' labels) go through ``tr``, which looks them up in the English catalogue when the
page is in English.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

from flask_babel import gettext
from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.store.models import Unit, User
from engine.views import one_line
from webapp.services import services
from workflows.catalogue import vn_number
from workflows.models import AwardType, EmulationMovement, Person


def tr(text: Any) -> str:
    """A label known only at run time (a diagram's step, a form's label), translated when
    the English catalogue has it; empty stays empty."""
    value = one_line(str(text or ""))  # a diagram's name may wrap lines
    return gettext(value) if value else ""


def local_time(value: str | None) -> str:
    """An ISO timestamp as dd/mm/yyyy HH:MM in the engine's time zone (Asia/Ho_Chi_Minh)."""
    if not value:
        return ""
    moment = datetime.fromisoformat(value)
    return moment.astimezone(services().engine.calendar.tz).strftime("%d/%m/%Y %H:%M")


def day_text(value: Any) -> str:
    """An ISO date (or a date) as dd/mm/yyyy; anything else as it is."""
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    try:
        return date.fromisoformat(str(value)).strftime("%d/%m/%Y")
    except ValueError:
        return str(value)


def money(amount: Any) -> str:
    """Đồng as Vietnamese write them: 1.234.000 đ."""
    if isinstance(amount, bool) or not isinstance(amount, int | float):
        return "—"
    return f"{vn_number(amount)} đ"


def movement_name(name: str, year: Any) -> str:
    """A movement's name with its year, unless the name already says it."""
    return name if str(year) in name else f"{name} ({year})"


class Names:
    """Names by code for one page; ``prefetch`` people first when there are many."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self._awards: dict[str, str] | None = None
        self._units: dict[str, str] | None = None
        self._people: dict[str, str] = {}
        self._movements: dict[str, str] = {}
        self._users: dict[int, str] = {}

    def award(self, code: Any) -> str:
        """A title's name in the catalogue («Lao động tiên tiến»), inactive ones too."""
        if self._awards is None:
            self._awards = dict(self.session.execute(
                select(AwardType.code, AwardType.name)).all())  # type: ignore[arg-type]
        return self._awards.get(str(code), str(code or ""))

    def units(self) -> dict[str, str]:
        if self._units is None:
            self._units = dict(self.session.execute(
                select(Unit.code, Unit.name)).all())  # type: ignore[arg-type]
        return self._units

    def unit(self, code: Any) -> str:
        """A unit's name («Phòng Kinh tế»), or the code when unknown."""
        return self.units().get(str(code), str(code or ""))

    def prefetch(self, codes: Iterable[Any]) -> None:
        wanted = {str(c) for c in codes if c} - set(self._people)
        if wanted:
            rows = self.session.execute(select(Person.code, Person.full_name)
                                        .where(Person.code.in_(wanted))).all()
            self._people.update({code: name for code, name in rows})

    def subject(self, code: Any) -> str:
        """A person's or a unit's name with its code («Lê Văn Phúc (KT03)»)."""
        text = str(code or "")
        if not text:
            return "—"
        self.prefetch([text])
        name = self._people.get(text) or self.units().get(text)
        return f"{name} ({text})" if name else text

    def subjects(self, codes: Any) -> str:
        if not isinstance(codes, list) or not codes:
            return "—"
        self.prefetch(codes)
        return "; ".join(self.subject(c) for c in codes)

    def movement(self, code: Any) -> str:
        """A movement's name and year, or the code when unknown."""
        text = str(code or "")
        if text and text not in self._movements:
            row = self.session.execute(select(EmulationMovement.name, EmulationMovement.year)
                                       .where(EmulationMovement.code == text)).first()
            self._movements[text] = movement_name(row[0], row[1]) if row else text
        return self._movements.get(text, "—") if text else "—"

    def user(self, user_id: Any) -> str:
        """A user's full name (or username), for the ids in the audit log and the files."""
        if not isinstance(user_id, int):
            return ""
        if user_id not in self._users:
            row = self.session.execute(select(User.full_name, User.username)
                                       .where(User.id == user_id)).first()
            self._users[user_id] = (row[0] or row[1]) if row else ""
        return self._users[user_id]

    def users(self, ids: Iterable[Any]) -> None:
        """Load many users at once (the audit log's actors)."""
        wanted = {i for i in ids if isinstance(i, int)} - set(self._users)
        if wanted:
            rows = self.session.execute(select(User.id, User.full_name, User.username)
                                        .where(User.id.in_(wanted))).all()
            self._users.update({uid: full or name for uid, full, name in rows})
