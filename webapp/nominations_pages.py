"""Dossier lists (hồ sơ đề nghị khen thưởng): the ones I started, my unit's, all of them.

``/nominations?view=mine|unit|all`` lists the instances the person may see (the engine's
visibility rule) narrowed to a view: those they started (``mine``, also ``?mine=1``),
their unit's (``unit``), or every one (``all``, office-wide roles only). A submitter
lands on their unit's dossiers, an office-wide role on all of them. Each row says the
step a person has to do, or what the dossier waits for (the council's meeting, …), the
title proposed, the nominees and, once ended, the outcome (``webapp.outcome_view``).
``/nominations/new`` (webapp/nominations_start.py) starts one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask import Blueprint, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from sqlalchemy import select

from engine.roles import Actor
from engine.store.models import User
from webapp import outcome_view
from webapp.auth import current_actor
from webapp.inbox import format_date
from webapp.labels import (
    STATUS_LABELS,
    current_step,
    process_choices,
    status_choices,
    status_label,
)
from webapp.services import read_session, services

bp = Blueprint("nominations", __name__)

PER_PAGE = 20


@dataclass(frozen=True)
class View:
    key: str
    tab: Any  # its name among the tabs
    title: Any  # the page's title


VIEWS = {v.key: v for v in (
    View("mine", _l("Do tôi khởi tạo"), _l("Hồ sơ do tôi khởi tạo")),
    View("unit", _l("Của đơn vị tôi"), _l("Hồ sơ của đơn vị tôi")),
    View("all", _l("Tất cả hồ sơ"), _l("Tất cả hồ sơ đề nghị khen thưởng")),
)}


def offered_views(actor: Actor) -> list[str]:
    """The views the actor has: their unit's only with a unit, all only office-wide."""
    office_wide = bool(services().engine.policy.office_roles(actor))
    return [k for k in VIEWS if (k != "unit" or actor.unit_code)
            and (k != "all" or office_wide)]


def default_view(actor: Actor) -> str:
    offered = offered_views(actor)
    return "all" if "all" in offered else ("unit" if "unit" in offered else "mine")


@bp.app_context_processor
def _dossier_tabs() -> dict[str, Any]:
    """The tabs above the inbox and the dossier lists: the work to do, then the views."""
    if not current_user.is_authenticated:
        return {}

    def tabs() -> list[dict[str, Any]]:
        actor = current_actor()
        shown = request.args.get("view") if request.endpoint == "nominations.index" else None
        if request.endpoint == "nominations.index" and shown not in offered_views(actor):
            shown = "mine" if request.args.get("mine") == "1" else default_view(actor)
        out = [{"label": _l("Việc cần làm"), "url": url_for("inbox.index"),
                "active": request.endpoint == "inbox.index"}]
        out += [{"label": VIEWS[k].tab, "url": url_for("nominations.index", view=k),
                 "active": k == shown} for k in offered_views(actor)]
        return out

    return {"dossier_tabs": tabs}


def _int_arg(name: str, default: int = 1) -> int:
    try:
        return max(1, int(request.args.get(name, default)))
    except ValueError:
        return default


def _local_day(value: str | None) -> str:
    if not value:
        return ""
    calendar = services().engine.calendar
    return format_date(calendar.local_date(datetime.fromisoformat(value)))


def _user_names(ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    rows = read_session().execute(
        select(User.id, User.full_name, User.username).where(User.id.in_(ids))).all()
    return {uid: full or username for uid, full, username in rows}


def _view(actor: Actor) -> str:
    asked = request.args.get("view")
    if asked in offered_views(actor):
        return str(asked)
    return "mine" if request.args.get("mine") == "1" else default_view(actor)


def _row(inst: dict[str, Any], names: dict[str, str], starters: dict[int, str],
         results: dict[int, dict[str, Any]]) -> dict[str, Any]:
    label, tone = status_label(inst["status"])
    return {
        **results.get(inst["id"], {"award": "", "nominees": [], "outcome": None}),
        "id": inst["id"], "process": names.get(inst["process_key"], inst["process_key"]),
        "business_key": inst["business_key"] or "", "status": label, "tone": tone,
        "step": current_step(inst), "waiting": not inst["tasks"],
        "started_by": starters.get(inst["started_by"] or 0, ""),
        "started_at": _local_day(inst["started_at"]),
    }


@bp.get("/nominations")
@login_required
def index() -> str:
    engine, session, actor = services().engine, read_session(), current_actor()
    listed = engine.list_processes(session)
    names = {p["key"]: p["name"] or p["key"] for p in listed}
    processes = process_choices(listed, actor.roles, bool(engine.policy.office_roles(actor)))
    process_key = request.args.get("process") or None
    process_key = process_key if process_key in names else None
    status = request.args.get("status") or None
    status = status if status in STATUS_LABELS else None
    view = _view(actor)
    found = engine.list_instances(
        session, actor, process_key, status, _int_arg("page"), PER_PAGE,
        started_by=actor.id if view == "mine" else None,
        unit_code=actor.unit_code if view == "unit" else None)
    starters = _user_names({i["started_by"] for i in found.items
                            if i["started_by"] is not None})
    results = outcome_view.summaries(i["id"] for i in found.items)
    return render_template(
        "nominations/index.html",
        rows=[_row(i, names, starters, results) for i in found.items],
        processes=processes, statuses=status_choices(), process_key=process_key,
        status=status, view=view, title=VIEWS[view].title,
        unit_name=current_user.unit_name, page=found.page, total=found.total,
        pages=max(1, -(-found.total // PER_PAGE)),
        args={"process": process_key, "status": status, "view": view})


from webapp import nominations_start  # noqa: E402  (adds /nominations/new to ``bp``)

nominations_start.register(bp)
