"""The inbox (hộp công việc): the signed-in person's ready tasks across processes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from flask import Blueprint, g, render_template, request
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from engine.calendar import WorkingCalendar
from engine.errors import NotFound
from engine.roles import Actor
from engine.store.models import Unit
from engine.views import one_line
from webapp.auth import current_actor
from webapp.labels import process_choices
from webapp.services import read_session, services
from workflows.models import Person
from workflows.nominations import running_subjects

bp = Blueprint("inbox", __name__)

PER_PAGE = 20


@dataclass(frozen=True)
class InboxRow:
    """One line of the inbox, ready to show."""

    task_id: str
    instance_id: int
    process: str
    step: str
    subject: str
    due: str | None  # dd/mm/yyyy, local date
    days_left: int | None  # working days from today to the due date; negative when late
    assignee: str | None = None  # who claimed it, if anyone

    @property
    def late(self) -> bool:
        return self.days_left is not None and self.days_left < 0


def format_date(day: date) -> str:
    return day.strftime("%d/%m/%Y")


def subject_of(instance: dict[str, Any], running: list[str] | None = None) -> str:
    """The nominee (cá nhân, tập thể) or the proposal's subjects, else the business key.

    ``running``: the subjects of the instance's nominations still in the running, listed
    instead of the proposal's when the instance has nominations (those already out are
    not among the people a step decides on)."""
    data = instance.get("data") or {}
    nominee = data.get("nominee")
    if isinstance(nominee, dict):
        nominee = nominee.get("name") or nominee.get("subject_name") or nominee.get("code")
    for value in (nominee, data.get("nominee_name"), data.get("subject_name")):
        if isinstance(value, str) and value.strip():
            return value.strip()
    listed = _listed_subjects(data.get("subjects") if running is None else running)
    if listed:
        return listed
    key = instance.get("business_key")
    return key.strip() if isinstance(key, str) else ""


def _listed_subjects(codes: Any, shown: int = 3) -> str:
    """The names of a proposal's subjects (people or units): the first few and a count."""
    if not isinstance(codes, list) or not codes:
        return ""
    wanted = [str(c) for c in codes]
    session = read_session()
    names = dict(session.execute(select(Person.code, Person.full_name)
                                 .where(Person.code.in_(wanted))).all())
    names.update(session.execute(select(Unit.code, Unit.name).where(Unit.code.in_(wanted))).all())
    text = ", ".join(names.get(c, c) for c in wanted[:shown])
    if len(wanted) > shown:
        text += _(" và %(n)s đối tượng khác", n=len(wanted) - shown)
    return text


def _subjects(actor: Actor, instance_ids: set[int]) -> dict[int, str]:
    engine, session = services().engine, read_session()
    running = running_subjects(session, instance_ids)
    out: dict[int, str] = {}
    for instance_id in instance_ids:
        try:
            out[instance_id] = subject_of(engine.get_instance(session, instance_id, actor),
                                          running.get(instance_id))
        except NotFound:
            out[instance_id] = ""
    return out


def _row(task: dict[str, Any], names: dict[str, str], subjects: dict[int, str],
         calendar: WorkingCalendar, today: date) -> InboxRow:
    due = days_left = None
    if task.get("due_at"):
        due_day = calendar.local_date(datetime.fromisoformat(task["due_at"]))
        due = format_date(due_day)
        days_left = calendar.working_days_between(today, due_day)
    key = task["process_key"]
    return InboxRow(task_id=task["id"], instance_id=task["instance_id"],
                    process=names.get(key) or key, step=one_line(task.get("title") or task["name"]),
                    subject=subjects.get(task["instance_id"], ""), due=due,
                    days_left=days_left, assignee=task.get("assignee"))


def _int_arg(name: str, default: int) -> int:
    try:
        return max(1, int(request.args.get(name, default)))
    except ValueError:
        return default


MY_UNIT = "mine"  # ?unit=mine: the signed-in person's own unit


def _filters(known_processes: dict[str, str], office_wide: bool, own_unit: str | None
             ) -> dict[str, Any]:
    """The inbox filters from the query string; unknown or malformed values are dropped.

    Only office-wide roles filter by unit (a unit's own people see their unit's work
    anyway); ``unit=mine`` is their own unit.
    """
    args = request.args
    process_key = args.get("process") or None
    year = args.get("year", "").strip()
    unit = (args.get("unit", "").strip()[:64] or None) if office_wide else None
    return {
        "process_key": process_key if process_key in known_processes else None,
        "step": args.get("step", "").strip()[:255] or None,
        "unit": unit if unit != MY_UNIT or own_unit else None,
        "unit_code": own_unit if unit == MY_UNIT else unit,
        "year": int(year) if year.isdigit() and 1900 <= int(year) <= 9999 else None,
        "search": args.get("q", "").strip()[:255] or None,
    }


def _query(filters: dict[str, Any], **extra: Any) -> dict[str, Any]:
    """URL arguments that keep the current filters (for paging and the step counts)."""
    names = {"process_key": "process", "step": "step", "unit": "unit", "year": "year",
             "search": "q"}
    out = {names[k]: v for k, v in filters.items() if k in names and v is not None}
    out.update(extra)
    return {k: v for k, v in out.items() if v is not None}


class InboxNav:
    """The navigation's "Hộp công việc" figures: ready tasks in all and per step, read on
    first use and once per request (``inbox_counts`` without filters)."""

    def __init__(self, steps: list[tuple[str, int]] | None = None) -> None:
        self._steps = steps

    @property
    def steps(self) -> list[tuple[str, int]]:
        if self._steps is None:
            self._steps = services().engine.inbox_counts(read_session(), current_actor())
        return self._steps

    @property
    def total(self) -> int:
        return sum(n for _step, n in self.steps)


@bp.app_context_processor
def _inbox_nav() -> dict[str, Any]:
    if not current_user.is_authenticated:
        return {}
    if "tdkt_inbox_nav" not in g:
        g.tdkt_inbox_nav = InboxNav()
    return {"inbox_nav": g.tdkt_inbox_nav}


@bp.get("/")
@login_required
def index() -> str:
    engine, session, actor = services().engine, read_session(), current_actor()
    listed = engine.list_processes(session)
    names = {p["key"]: p["name"] or p["key"] for p in listed}
    office_wide = bool(engine.policy.office_roles(actor))
    processes = process_choices(listed, actor.roles, office_wide)
    filters = _filters(names, office_wide, actor.unit_code)
    page = engine.inbox(session, actor, filters["process_key"], _int_arg("page", 1), PER_PAGE,
                        step=filters["step"], unit_code=filters["unit_code"],
                        year=filters["year"], search=filters["search"])
    counts = engine.inbox_counts(session, actor, filters["process_key"],
                                 unit_code=filters["unit_code"], year=filters["year"],
                                 search=filters["search"])
    if not any(filters.values()):  # the same figures as the navigation's: ask once
        g.tdkt_inbox_nav = InboxNav(counts)
    units = (session.execute(select(Unit.code, Unit.name).order_by(Unit.code)).all()
             if office_wide else [])
    calendar = engine.calendar
    today = calendar.local_date(datetime.now(UTC))
    subjects = _subjects(actor, {t["instance_id"] for t in page.items})
    rows = [_row(t, names, subjects, calendar, today) for t in page.items]
    pages = max(1, -(-page.total // PER_PAGE))
    return render_template("inbox/index.html", rows=rows, processes=processes,
                           process_key=filters["process_key"], filters=filters,
                           counts=counts, units=units, query=lambda **kw: _query(filters, **kw),
                           my_unit=MY_UNIT if office_wide and actor.unit_code else None,
                           here=request.full_path.rstrip("?"), me=actor.username,
                           page=page.page, pages=pages, total=page.total,
                           today=format_date(today), this_year=today.year)
