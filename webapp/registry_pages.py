"""The award registry pages (sổ theo dõi khen thưởng): the awards, and one subject's history.

Visibility is the registry's own rule (``workflows.registry_views``): office-wide roles see
every award; a unit (submitter) sees its own unit and its people. A subject one may not see
does not exist for them (404).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import Blueprint, abort, render_template, request
from flask_babel import gettext as _
from flask_login import login_required
from sqlalchemy import select

from engine.errors import NotFound
from webapp.auth import current_actor
from webapp.inbox import format_date
from webapp.services import read_session, services
from workflows.catalogue import award_types, vn_number
from workflows.history import DISCIPLINE_NAMES, LEVEL_NAMES, RATING_NAMES
from workflows.models import Person
from workflows.registry_views import list_awards, subject_history

bp = Blueprint("registry_pages", __name__)

PER_PAGE = 50
KINDS = {"annual": "Hằng năm", "thematic": "Chuyên đề", "adhoc": "Đột xuất"}


def _int_arg(name: str) -> int | None:
    try:
        return int(request.args[name]) if request.args.get(name) else None
    except ValueError:
        return None


def _day(value: str | None) -> str:
    return format_date(date.fromisoformat(value)) if value else ""


def _shown(award: dict[str, Any]) -> dict[str, Any]:
    return {**award, "decision_day": _day(award["decision_date"]),
            "revoked_day": _day(award.get("revoked_date")),
            "bonus_text": f"{vn_number(award['bonus_amount'])} đ"
            if award.get("bonus_amount") is not None else "",
            "kind_label": KINDS.get(award["kind"], award["kind"])}


def _label(names: dict[str, str], code: str) -> str:
    """A rating's, level's or discipline's name in the reader's language; an unknown code as is."""
    return _(names[code]) if code in names else code


def _subject_code(text: str) -> str | None:
    """A code typed as is, or the code of the one person whose name matches."""
    text = text.strip()
    if not text:
        return None
    found = read_session().scalars(select(Person.code).where(
        Person.full_name.ilike(f"%{text}%"))).all()
    return found[0] if len(found) == 1 else text


@bp.get("/registry")
@login_required
def index() -> str:
    """The awards one may see, newest first, filtered by year, title and subject."""
    year, award_code = _int_arg("year"), request.args.get("award") or None
    typed = request.args.get("subject", "")
    page = max(1, _int_arg("page") or 1)
    found = list_awards(read_session(), current_actor(), services().engine.policy,
                        subject_code=_subject_code(typed), year=year, award_code=award_code,
                        page=page, per_page=PER_PAGE)
    catalogue = [(a.code, a.name) for a in award_types(read_session())]
    args = {k: v for k, v in (("year", year), ("award", award_code), ("subject", typed)) if v}
    return render_template("registry/index.html", rows=[_shown(a) for a in found.items],
                           total=found.total, page=page,
                           pages=(found.total + PER_PAGE - 1) // PER_PAGE, args=args,
                           year=year, award_code=award_code, subject=typed,
                           catalogue=catalogue)


@bp.get("/registry/subjects/<code>")
@login_required
def subject(code: str) -> str:
    """A person's or unit's history: ratings, awards, initiatives, discipline."""
    try:
        found = subject_history(read_session(), current_actor(), services().engine.policy,
                                code)
    except NotFound:
        abort(404)
    return render_template(
        "registry/subject.html", s=found, awards=[_shown(a) for a in found["awards"]],
        ratings=[{**r, "label": _label(RATING_NAMES, r["rating"])} for r in found["ratings"]],
        initiatives=[{**i, "label": _label(LEVEL_NAMES, i["level"])}
                     for i in found["initiatives"]],
        discipline=[{**d, "label": _label(DISCIPLINE_NAMES, d["form"]),
                     "start": _day(d["start_date"]), "end": _day(d["end_date"])}
                    for d in found["discipline"]])
