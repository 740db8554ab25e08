"""Notifications in the pages (thông báo): the bell in the navigation bar and ``/notifications``.

The engine writes the rows (``engine.notify``) when a task becomes ready; here a person
lists theirs, opens one (marked read, then its task, or its instance when the task is
done) and marks them all read. Another person's notification is a 404. The bell asks
``/notifications/bell.json`` now and then (webapp/frontend/bell.js), so its count and
list follow without reloading the page. Titles are stored in Vietnamese (the e-mail's
words); each is said again in the reader's language when shown (``readable_title``).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import Blueprint, abort, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from engine import notify
from engine.errors import NotFound
from webapp import outcome_view
from webapp.auth import current_actor, local_path
from webapp.readable import tr
from webapp.services import read_session, services, write_session
from workflows.council import invitations

bp = Blueprint("notifications_pages", __name__)

PER_PAGE = 20
LATEST = 5  # how many the bell's list shows
# The title templates by kind (Vietnamese msgids, in webapp/i18n_data.py NOTIFICATIONS).
TITLE_TEMPLATES = {**notify.TITLES, **invitations.TITLES}

def local_time(value: str | None) -> str:
    """dd/mm/yyyy HH:MM in the office's time zone."""
    if not value:
        return ""
    tz = services().engine.calendar.tz
    return datetime.fromisoformat(value).astimezone(tz).strftime("%d/%m/%Y %H:%M")


def readable_title(kind: str, title: str) -> str:
    """A stored title in the reader's language: its kind's template translated and the
    step it names translated when the catalogue has it; a title that follows no known
    template (older rows, a diagram's own kind) is shown as it was stored."""
    found = notify.title_parts(kind, title, TITLE_TEMPLATES)
    if found is None:
        return title
    template, step = found
    return _(template).replace("{step}", tr(step) or step)


def _shown(note: dict[str, Any], outcomes: dict[int, dict[str, Any]] | None = None
           ) -> dict[str, Any]:
    outcome = (outcomes or {}).get(note["instance_id"] or 0, {}).get("outcome") \
        if note["kind"] == "instance.completed" else None
    # The body's first line names the dossier (or the meeting); further lines add what
    # the note says (a return's reason: workflows/notices.py).
    first, *more = (note["body"] or "").split("\n")
    return {**note, "title": readable_title(note["kind"], note["title"]),
            "when": local_time(note["created_at"]), "outcome": outcome,
            "lead": note["business_key"] or first.strip(),
            "detail": [line.strip() for line in more if line.strip()]}


def _all_shown(notes: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The notes as the pages show them; an ended dossier's with its outcome, read now
    so it is said in the reader's language (the stored body keeps the Vietnamese line
    the e-mail carried)."""
    ended = {n["instance_id"] for n in notes
             if n["kind"] == "instance.completed" and n["instance_id"] is not None}
    outcomes = outcome_view.summaries(ended) if ended else {}
    return [_shown(n, outcomes) for n in notes]


class Bell:
    """The bell's figures for the signed-in person, read on first use, once per request."""

    def __init__(self) -> None:
        self._unread: int | None = None
        self._latest: list[dict[str, Any]] | None = None

    @property
    def unread(self) -> int:
        if self._unread is None:
            self._unread = services().engine.unread_notifications(read_session(),
                                                                  current_actor())
        return self._unread

    @property
    def latest(self) -> list[dict[str, Any]]:
        if self._latest is None:
            page = services().engine.notifications(read_session(), current_actor(), 1, LATEST)
            self._latest = _all_shown(page.items)
        return self._latest


@bp.app_context_processor
def _bell() -> dict[str, Any]:
    if not current_user.is_authenticated:
        return {}
    if "tdkt_bell" not in g:
        g.tdkt_bell = Bell()
    return {"bell": g.tdkt_bell}


def _int_arg(name: str, default: int = 1) -> int:
    try:
        return max(1, int(request.args.get(name, default)))
    except ValueError:
        return default


@bp.get("/notifications")
@login_required
def index() -> str:
    unread_only = request.args.get("unread") == "1"
    page = services().engine.notifications(read_session(), current_actor(),
                                           _int_arg("page"), PER_PAGE, unread_only)
    pages = max(1, -(-page.total // PER_PAGE))
    return render_template("notifications/index.html", notes=_all_shown(page.items),
                           page=page.page, pages=pages, total=page.total,
                           unread_only=unread_only,
                           args={"unread": "1"} if unread_only else {})


@bp.post("/notifications/<int:notification_id>/open")
@login_required
def open_one(notification_id: int) -> Response:
    """Mark it read, then open its page: its own link, its task (still to do) or its
    instance."""
    try:
        note = services().engine.read_notification(write_session(), current_actor(),
                                                   notification_id)
    except NotFound:
        abort(404)
    link = local_path(note.get("link"))
    if link is not None:
        return redirect(link)  # its own page (an invitation: the meeting's), on this site
    if note["task_open"] and note["task_id"]:
        return redirect(url_for("task_pages.show", task_id=note["task_id"]))
    if note["instance_id"] is not None:
        return redirect(url_for("instances_pages.show", instance_id=note["instance_id"]))
    return redirect(url_for("notifications_pages.index"))


@bp.post("/notifications/read-all")
@login_required
def read_all() -> Response:
    services().engine.read_all_notifications(write_session(), current_actor())
    return redirect(url_for("notifications_pages.index"))


def bell_label(unread: int) -> str:
    return _("Thông báo: %(n)s chưa đọc", n=unread)


@bp.get("/notifications/bell.json")
@login_required
def bell_json() -> dict[str, Any]:
    """The bell's figures for the page's script: the unread count and the latest ones."""
    bell = Bell()
    return {
        "unread": bell.unread, "label": bell_label(bell.unread),
        "latest": [{"id": n["id"], "title": n["title"],
                    "meta": " · ".join(filter(None, (
                        n["lead"],
                        n["outcome"]["label"] if n["outcome"] else "", n["when"]))),
                    "unread": n["read_at"] is None,
                    "open": url_for("notifications_pages.open_one", notification_id=n["id"])}
                   for n in bell.latest],
    }
