"""What every admin page shares: the role check, form reading, errors by field."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import render_template, request
from flask_babel import gettext as _
from flask_login import current_user, login_required
from marshmallow import Schema, ValidationError

from engine.errors import EngineError, InvalidData
from engine.messages import translate
from webapp.services import services

F = TypeVar("F", bound=Callable[..., Any])
ADMIN = "admin"
PER_PAGE = 20


def admin_required(view: F) -> F:
    """Sign-in first (login page), then the admin role (403 page)."""
    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        if ADMIN not in current_user.roles:
            return forbidden()
        return view(*args, **kwargs)
    return login_required(wrapped)  # type: ignore[no-any-return]


def forbidden() -> tuple[str, int]:
    return render_template("tasks/error.html", status=403,
                           message=_("Trang này chỉ dành cho quản trị hệ thống.")), 403


def not_found(message: str) -> tuple[str, int]:
    return render_template("tasks/error.html", status=404, message=message), 404


def known_roles() -> tuple[str, ...]:
    return tuple(services().engine.settings.roles)


def page_arg() -> int:
    try:
        return max(1, int(request.args.get("page", 1)))
    except ValueError:
        return 1


def flatten(details: Any, prefix: str = "") -> dict[str, list[str]]:
    """Field errors as ``{"field": [...], "rules.min_rating": [...]}`` for the templates."""
    out: dict[str, list[str]] = {}
    if isinstance(details, dict):
        for key, value in details.items():
            if isinstance(key, int):  # an index in a list: the error belongs to the list
                name = prefix or str(key)
            else:
                name = f"{prefix}.{key}" if prefix else str(key)
            for field, messages in flatten(value, name).items():
                out.setdefault(field, []).extend(messages)
    elif isinstance(details, list):
        for item in details:
            for field, messages in flatten(item, prefix).items():
                out.setdefault(field, []).extend(messages)
    elif details is not None:
        out.setdefault(prefix or "_", []).append(str(details))
    return out


def load(schema: Schema, data: dict[str, Any]) -> dict[str, Any]:
    """The schema's result, or InvalidData with Vietnamese messages by field."""
    try:
        loaded: dict[str, Any] = schema.load(data)
    except ValidationError as exc:
        raise InvalidData(_("Dữ liệu chưa hợp lệ, xem các ô được đánh dấu."),
                          details=translate(exc.messages)) from exc
    return loaded


def errors_of(exc: EngineError) -> dict[str, list[str]]:
    """Errors by field; a message with no field goes under ``_`` (shown above the form)."""
    errors = flatten(exc.details) if isinstance(exc.details, dict) else {}
    errors.setdefault("_", []).insert(0, exc.message)
    return errors


def form_dict(*lists: str) -> dict[str, Any]:
    """The posted form as a dict (``lists`` are multi-valued fields); CSRF token dropped."""
    data: dict[str, Any] = {k: v for k, v in request.form.items() if k != "csrf_token"}
    for name in lists:
        data[name] = request.form.getlist(name)
    return data
