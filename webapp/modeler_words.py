"""The properties panel's choices in the page's language (lựa chọn của bảng thuộc tính).

``/admin/processes/modeler-config.json`` lists the roles, form keys, service-task handlers,
notification kinds and deadline settings the modeler offers. The handlers' descriptions,
the notification titles and the settings' labels are Vietnamese data of ``workflows/`` and
``engine/``; they are translated here (their msgids are listed in ``webapp/i18n_data.py``).
"""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from sqlalchemy.orm import Session

from engine.extensions import HandlerRegistry
from engine.notify import TITLES
from webapp.auth import ROLE_LABELS
from workflows.catalogue import setting
from workflows.handlers import MODULES
from workflows.handlers.documents import WRAPPED
from workflows.settings_admin import SETTINGS


def _description_parts() -> dict[str, tuple[str, str]]:
    """Handler name -> (its description, the note added when it also makes documents)."""
    parts = {key: (description, "") for module in MODULES
             for key, (_handler, description) in module.HANDLERS.items()}
    for name, (_build, note) in WRAPPED.items():
        if name in parts:
            parts[name] = (parts[name][0], note)
    return parts


def handler_description(name: str, described: str) -> str:
    """What a handler does in the page's language; ``described``: the engine's text (kept
    for a handler registered elsewhere, or one whose text is not made of the known parts)."""
    base, note = _description_parts().get(name, ("", ""))
    if not base or described not in (base, base + note):
        return described
    text = _(base)
    return f"{text} {_(note.strip())}" if note and described.endswith(note) else text


def handler_choices(handlers: HandlerRegistry) -> list[dict[str, str]]:
    return [{"name": n, "description": handler_description(n, d)}
            for n, d in handlers.describe().items()]


def notify_kinds() -> list[dict[str, str]]:
    """The kinds a user task's ``notifyKind`` may name (those with their own title)."""
    return [{"kind": kind, "label": _(title).replace(": {step}", "")}
            for kind, title in TITLES.items() if kind != "instance.completed"]


def deadline_settings(session: Session) -> list[dict[str, Any]]:
    """The settings ``setting:<name>`` deadlines may read, with today's values."""
    return [{"name": s.key, "label": _(s.label), "value": setting(session, s.key)}
            for s in SETTINGS if s.unit == "ngày làm việc"]


def modeler_choices(engine: Any, session: Session) -> dict[str, Any]:
    """What the properties panel offers, labels in the page's language."""
    return {
        "roles": [{"code": r, "label": str(ROLE_LABELS.get(r, r))}
                  for r in engine.settings.roles],
        "form_keys": engine.forms.keys(),
        "handlers": handler_choices(engine.handlers),
        "notify_kinds": notify_kinds(),
        "deadline_settings": deadline_settings(session),
    }
