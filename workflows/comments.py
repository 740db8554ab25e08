"""Comments on a dossier (ý kiến trao đổi về hồ sơ) and the history of its decisions.

One history, two kinds of entries, both read from the audit log (append-only and
hash-chained, so what was said cannot be changed afterwards):

- **decisions**: every completed step that took a decision (``decision``, the council's
  ``recommend``, the province's ``outcome``) or a comment, with the supplement items, by
  whom, at which step, when (the ``task.completed`` event holds the form's data);
- **comments** people add without completing a step (``add_comment``), audited as
  ``comment.added`` with the steps the dossier was at.

What each person reads follows ``workflows.visibility``: a step's data as the history's
redaction gives it (what a person did themself they read in full); a comment marked
internal (ghi chú nội bộ, e.g. the secretariat's note to the council) only those who see
the internal appraisal, and only they may write one.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine import audit
from engine.errors import Forbidden, InvalidData
from engine.roles import Actor
from engine.runtime.runner import run_command
from engine.service import ProcessEngine
from engine.store.models import HumanTask
from workflows.visibility import redact_event, sees_internal_notes

MAX_COMMENT = 2000
ADDED = "comment.added"
DECISION_KEYS = ("decision", "recommend", "outcome")
MAX_EVENTS = 2000  # the history a page reads at most (an instance has tens)


def _clean(text: Any) -> str:
    if not isinstance(text, str) or not text.strip():
        raise InvalidData("Ý kiến không được để trống.", code="comment.invalid",
                          details={"text": ["Vui lòng nhập nội dung ý kiến."]})
    clean = text.strip()
    if len(clean) > MAX_COMMENT:
        message = f"Ý kiến không được quá {MAX_COMMENT} ký tự (hiện có {len(clean)} ký tự)."
        raise InvalidData(message, code="comment.invalid", details={"text": [message]})
    return clean


def may_comment(session: Session, engine: ProcessEngine, actor: Actor, instance_id: int
                ) -> bool:
    """Whether ``actor`` takes part in the dossier (role, unit, owner, a task), and so may
    comment; a council member who reads another unit's candidate for a meeting may not."""
    return engine.policy.takes_part(session, actor, instance_id)


def add_comment(session: Session, engine: ProcessEngine, actor: Actor, instance_id: int,
                text: Any, internal: bool = False) -> dict[str, Any]:
    """Add a comment to a dossier the actor may see; one command, audited.

    Raises:
        NotFound: ``instance.not_found`` (not visible to the actor, or no such instance).
        InvalidData: ``comment.invalid`` (empty, or longer than ``MAX_COMMENT``).
        Forbidden: ``comment.forbidden`` (the actor only reads this dossier: a council
            member who sees another unit's candidate for a meeting);
            ``comment.internal_forbidden`` (an internal note by someone who may not read
            internal notes).
    """
    def body() -> dict[str, Any]:
        engine.policy.visible_instance(session, actor, instance_id)
        if not may_comment(session, engine, actor, instance_id):
            raise Forbidden("Bạn chỉ được xem hồ sơ này (để xét tại phiên họp Hội đồng), "
                            "không gửi ý kiến vào hồ sơ.", code="comment.forbidden")
        clean = _clean(text)
        if internal and not sees_internal_notes(actor.roles):
            raise Forbidden("Bạn không được ghi chú nội bộ trên hồ sơ này.",
                            code="comment.internal_forbidden")
        steps = list(session.scalars(select(HumanTask.title).where(
            HumanTask.instance_id == instance_id, HumanTask.state == "ready")
            .order_by(HumanTask.created_at)).all())
        payload = {"text": clean, "internal": bool(internal), "steps": steps}
        audit.append(session, actor, ADDED, payload, instance_id)
        return {"instance_id": instance_id, "actor_id": actor.id, "actor": actor.username,
                **payload}
    return run_command(session, body)


def _decision_entry(event: dict[str, Any]) -> dict[str, Any] | None:
    payload = event.get("payload") or {}
    raw = payload.get("data")
    data: dict[str, Any] = raw if isinstance(raw, dict) else {}
    key = next((k for k in DECISION_KEYS if data.get(k)), None)
    text = str(data.get("comment") or "").strip()
    items = data.get("supplement_items")
    items = [str(i) for i in items if str(i).strip()] if isinstance(items, list) else []
    if key is None and not text and not items:
        return None
    return {"kind": "decision", "task_id": payload.get("task_id"),
            "step": payload.get("title") or payload.get("name") or "",
            "step_name": payload.get("name") or "", "decision_field": key,
            "decision": str(data[key]) if key else None, "text": text, "items": items,
            "internal": False}


def _comment_entry(event: dict[str, Any], internal_ok: bool) -> dict[str, Any] | None:
    payload = event.get("payload") or {}
    internal = bool(payload.get("internal"))
    if internal and not internal_ok:
        return None
    steps = payload.get("steps")
    return {"kind": "comment", "task_id": None,
            "step": "; ".join(str(s) for s in steps) if isinstance(steps, list) else "",
            "step_name": "", "decision_field": None, "decision": None,
            "text": str(payload.get("text") or ""), "items": [], "internal": internal}


def entries_of(events: Iterable[dict[str, Any]], roles: Iterable[str],
               actor_id: int | None) -> list[dict[str, Any]]:
    """The history's entries in ``events`` (audit events of one instance, oldest first) as
    a person with ``roles`` may read them; each with ``at``, ``actor_id`` and ``actor``."""
    roles = frozenset(roles)
    internal_ok = sees_internal_notes(roles)
    out: list[dict[str, Any]] = []
    for raw in events:
        event = redact_event(roles, raw, actor_id)
        if event["type"] == "task.completed":
            entry = _decision_entry(event)
        elif event["type"] == ADDED:
            entry = _comment_entry(event, internal_ok)
        else:
            entry = None
        if entry is not None:
            out.append({**entry, "event_id": event["id"], "at": event["at"],
                        "actor_id": event.get("actor_id"), "actor": event.get("actor")})
    return out


def comment_history(session: Session, engine: ProcessEngine, actor: Actor,
                    instance_id: int) -> list[dict[str, Any]]:
    """Every decision and comment of a dossier the actor may see, oldest first, with the
    form key of each decision's step (its choices name the decision).

    Raises:
        NotFound: ``instance.not_found``.
    """
    events = engine.instance_history(session, instance_id, actor, 1, MAX_EVENTS).items
    return with_form_keys(session, entries_of(events, actor.roles, actor.id))


def with_form_keys(session: Session, entries: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """``entries`` with the ``form_key`` of each decision's step (None for comments)."""
    ids = {e["task_id"] for e in entries if e["task_id"]}
    forms = dict(session.execute(select(HumanTask.id, HumanTask.form_key)
                                 .where(HumanTask.id.in_(ids))).all()) if ids else {}
    for entry in entries:
        entry["form_key"] = forms.get(entry["task_id"]) if entry["task_id"] else None
    return entries
