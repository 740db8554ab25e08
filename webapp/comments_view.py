"""The history of decisions and comments on the pages, and the form that adds a comment.

``workflows.comments`` reads the history from the audit log as the person may see it;
here each entry gets the names people read (who, the step, the decision as the step's
form names it, translated) and a tone. ``post`` adds a comment from a page's form
(CSRF-checked like every form) and returns the errors to show beside the text area.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from flask import request
from flask_babel import gettext as _

from engine.errors import Forbidden, InvalidData
from webapp.auth import current_actor
from webapp.readable import Names, local_time, tr
from webapp.services import read_session, services, write_session
from webapp.tasks_context import describe
from workflows import comments
from workflows.visibility import sees_internal_notes

TONES = {"approve": "success", "approved": "success", "keep": "success", "revoke": "danger",
         "return": "warning", "partial": "warning", "reject": "danger", "rejected": "danger"}
MAX_COMMENT = comments.MAX_COMMENT


@dataclass
class CommentForm:
    """What the comment form shows: the text typed, its errors, the internal box."""

    text: str = ""
    internal: bool = False
    errors: list[str] = field(default_factory=list)
    may_internal: bool = False
    allowed: bool = True  # False: the person only reads this dossier
    max_length: int = MAX_COMMENT


def _choice_names(form_key: str | None, name: str | None) -> dict[str, str]:
    forms = services().engine.forms
    if not form_key or not name or form_key not in forms:
        return {}
    f = forms.schema(form_key).fields.get(name)
    named = f.metadata.get("choices") if f is not None else None
    return {str(k): str(v) for k, v in named.items()} if isinstance(named, dict) else {}


def _decision(entry: dict[str, Any], fallback: dict[str, dict[str, str]]) -> str:
    value, name = entry.get("decision"), entry.get("decision_field")
    if not value:
        return ""
    named = _choice_names(entry.get("form_key"), name) or fallback.get(str(name), {})
    return tr(named.get(str(value), str(value)))


def history(instance_id: int, names: Names) -> list[dict[str, Any]]:
    """The dossier's decisions and comments, oldest first, ready for the template."""
    session, engine, actor = read_session(), services().engine, current_actor()
    return readable(comments.comment_history(session, engine, actor, instance_id), names)


def readable(entries: list[dict[str, Any]], names: Names) -> list[dict[str, Any]]:
    """History entries (``workflows.comments``) with names, times and decision labels."""
    names.users(e["actor_id"] for e in entries)
    fallback = describe(services().engine.forms)[1]
    return [{
        "event_id": e["event_id"], "kind": e["kind"],
        "who": names.user(e["actor_id"]) or e.get("actor") or "—",
        "when": local_time(e["at"]),
        "step": "; ".join(tr(s) for s in e["step"].split("; ")) if e["step"] else "",
        "decision": _decision(e, fallback),
        "tone": TONES.get(str(e.get("decision")), "secondary"), "text": e["text"],
        "items": e["items"], "internal": e["internal"]} for e in entries]


def form(instance_id: int, typed: CommentForm | None = None) -> CommentForm:
    """The empty form (or ``typed`` back with its errors) for the signed-in person."""
    shown = typed or CommentForm()
    actor = current_actor()
    shown.may_internal = sees_internal_notes(actor.roles)
    shown.allowed = comments.may_comment(read_session(), services().engine, actor, instance_id)
    return shown


def post(instance_id: int) -> CommentForm | None:
    """Add the comment the page's form sent; None when saved, else the form with errors.

    Raises:
        NotFound: the person may not see the instance (the page answers 404).
        Forbidden: ``comment.forbidden``, the person only reads it (the page answers 403).
    """
    typed = CommentForm(text=request.form.get("text", ""),
                        internal=request.form.get("internal") == "1")
    try:
        comments.add_comment(write_session(), services().engine, current_actor(),
                             instance_id, typed.text, internal=typed.internal)
    except InvalidData as exc:
        typed.errors = [m for ms in (exc.details or {}).values() for m in ms] or [exc.message]
        return form(instance_id, typed)
    except Forbidden as exc:
        if exc.code != "comment.internal_forbidden":
            raise  # not theirs to comment on at all: the page answers 403
        typed.errors = [exc.message]
        return form(instance_id, typed)
    read_session().rollback()  # end the reading snapshot: the page shows the new comment
    return None


def saved_message() -> str:
    return _("Đã gửi ý kiến vào hồ sơ.")
