"""What the domain plugs into the engine: form schemas and service-task handlers.

The engine knows only names. ``workflows`` registers a marshmallow schema per
form key and a callable per service-task handler name.

A field whose choices live in the database (a catalogue an admin changes) names an
*option source* in its metadata, ``metadata={"options": "award_annual"}``; the domain
registers the source (``FormRegistry.register_options``), a function of the session and
the form's data returning ``(value, label)`` pairs. The same list is offered by the pages
(``FormRegistry.options``) and enforced when a task completes (``validate`` with a
session), with a message that names the choices by their labels.
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

Choices = list[tuple[str, str]]
OptionSource = Callable[[Session, Mapping[str, Any]], Choices]
NOT_A_CHOICE = "«{value}» không có trong danh sách được chọn. Chọn một trong: {labels}."
NO_CHOICE = "«{value}» không có trong danh sách được chọn; hiện không có lựa chọn nào phù hợp."


def _option_fields(schema: Schema) -> list[tuple[str, str | None, str]]:
    """``(field, sub-field or None, source)`` of the fields naming an option source: the
    schema's own and those of the records of a ``List(Nested(...))``."""
    out: list[tuple[str, str | None, str]] = []
    for name, f in schema.fields.items():
        if f.metadata.get("options"):
            out.append((name, None, str(f.metadata["options"])))
        inner = getattr(f, "inner", None)
        nested = getattr(inner, "schema", None)
        if isinstance(nested, Schema):
            out += [(name, sub, str(g.metadata["options"]))
                    for sub, g in nested.fields.items() if g.metadata.get("options")]
    return out


def _not_a_choice(value: Any, choices: Choices) -> str | None:
    """The message for ``value`` when it is not one of ``choices`` (None when it is)."""
    if value is None or value == "" or str(value) in {c for c, _label in choices}:
        return None
    if not choices:
        return NO_CHOICE.format(value=value)
    return NOT_A_CHOICE.format(value=value, labels=", ".join(label for _c, label in choices))


class FormRegistry:
    """marshmallow schemas by form key, and the option sources their fields name."""

    def __init__(self) -> None:
        self._schemas: dict[str, type[Schema]] = {}
        self._sources: dict[str, OptionSource] = {}

    def register(self, form_key: str, schema: type[Schema]) -> None:
        self._schemas[form_key] = schema

    def __contains__(self, form_key: object) -> bool:
        return form_key in self._schemas

    def keys(self) -> list[str]:
        return sorted(self._schemas)

    def schema(self, form_key: str) -> Schema:
        return self._schemas[form_key]()

    def register_options(self, name: str, source: OptionSource) -> None:
        self._sources[name] = source

    def options(self, session: Session, form_key: str, data: Mapping[str, Any] | None = None
                ) -> dict[str, Choices]:
        """The choices of the form's fields that name an option source, by field name (a
        field of the records of a list by its own name), given the form's ``data``."""
        out: dict[str, Choices] = {}
        for name, sub, source in _option_fields(self.schema(form_key)):
            if source in self._sources:
                out[sub or name] = list(self._sources[source](session, data or {}))
        return out

    def _option_errors(self, session: Session, schema: Schema, data: Mapping[str, Any]
                       ) -> dict[str, Any]:
        errors: dict[str, Any] = {}
        for name, sub, source in _option_fields(schema):
            if source not in self._sources:
                continue
            choices = list(self._sources[source](session, data))
            value = data.get(name)
            if sub is None:
                values = value if isinstance(value, list) else [value]
                found = [m for v in values if (m := _not_a_choice(v, choices))]
                if found:
                    errors[name] = found
            elif isinstance(value, list):
                rows = {i: {sub: [m]} for i, row in enumerate(value) if isinstance(row, Mapping)
                        and (m := _not_a_choice(row.get(sub), choices))}
                if rows:
                    errors[name] = rows
        return errors

    def validate(self, form_key: str, data: Mapping[str, Any],
                 session: Session | None = None) -> dict[str, Any]:
        """Load ``data`` through the form's schema; JSON-ready values out, or InvalidData.

        With a ``session``, the values of fields naming an option source must be among its
        choices too (their errors join the schema's).
        """
        schema = self.schema(form_key)
        errors: dict[str, Any] = {}
        loaded: Any = None
        try:
            loaded = schema.load(dict(data))
        except ValidationError as exc:
            errors = dict(translate(exc.normalized_messages()))
        if session is not None:
            for name, found in self._option_errors(session, schema, data).items():
                errors.setdefault(name, found)
        if errors:
            raise InvalidData("Dữ liệu biểu mẫu không hợp lệ.", code="data.invalid",
                              details=errors)
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
    # A trial whose database writes are thrown away (the migration's dry run): the handler
    # must write nothing outside the database either (files, mail, other systems).
    dry_run: bool = False


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
