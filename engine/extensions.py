"""What the domain plugs into the engine: form schemas and service-task handlers.

The engine knows only names. ``workflows`` registers a marshmallow schema per
form key and a callable per service-task handler name.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from marshmallow import Schema, ValidationError
from sqlalchemy.orm import Session

from engine.errors import InvalidData
from engine.messages import translate
from engine.roles import Actor


class FormRegistry:
    """marshmallow schemas by form key."""

    def __init__(self) -> None:
        self._schemas: dict[str, type[Schema]] = {}

    def register(self, form_key: str, schema: type[Schema]) -> None:
        self._schemas[form_key] = schema

    def __contains__(self, form_key: object) -> bool:
        return form_key in self._schemas

    def keys(self) -> list[str]:
        return sorted(self._schemas)

    def schema(self, form_key: str) -> Schema:
        return self._schemas[form_key]()

    def validate(self, form_key: str, data: Mapping[str, Any]) -> dict[str, Any]:
        """Load ``data`` through the form's schema; JSON-ready values out, or InvalidData."""
        schema = self.schema(form_key)
        try:
            loaded = schema.load(dict(data))
        except ValidationError as exc:
            raise InvalidData(
                "Dữ liệu biểu mẫu không hợp lệ.", code="data.invalid",
                details=translate(exc.messages),
            ) from exc
        dumped: dict[str, Any] = schema.dump(loaded)
        return dumped


@dataclass
class ServiceCall:
    """What a service-task handler receives; it runs inside the command's transaction."""

    session: Session
    instance_id: int
    process_key: str
    element_id: str
    actor: Actor
    data: dict[str, Any]
    params: dict[str, Any] = field(default_factory=dict)


Handler = Callable[[ServiceCall], Any]


class HandlerRegistry:
    """Service-task handlers by name; a handler returns JSON-ready data."""

    def __init__(self) -> None:
        self._handlers: dict[str, Handler] = {}
        self._descriptions: dict[str, str] = {}

    def register(self, name: str, handler: Handler, description: str = "") -> None:
        self._handlers[name] = handler
        self._descriptions[name] = description

    def __contains__(self, name: object) -> bool:
        return name in self._handlers

    def get(self, name: str) -> Handler:
        return self._handlers[name]

    def describe(self) -> dict[str, str]:
        return dict(sorted(self._descriptions.items()))
