"""marshmallow schemas of the admin forms, shared by the pages and the API."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, fields, pre_load, validate


def _filled(max_length: int) -> list[validate.Validator]:
    return [validate.Length(min=1, error="Không được để trống."),
            validate.Length(max=max_length, error="Không được quá {max} ký tự.")]


USERNAME = validate.Regexp(r"^[A-Za-z0-9_.-]{3,64}$",
                           error="Từ 3 đến 64 ký tự: chữ không dấu, số, dấu chấm, gạch.")


class _Blank(Schema):
    """Empty strings from a form mean "no value" for optional codes."""

    BLANK_TO_NONE: tuple[str, ...] = ()

    @pre_load
    def _blank(self, data: dict[str, Any], **_kw: Any) -> dict[str, Any]:
        data = dict(data)
        for name in self.BLANK_TO_NONE:
            if isinstance(data.get(name), str) and not data[name].strip():
                data[name] = None
        for name, value in data.items():
            if isinstance(value, str):
                data[name] = value.strip() if name not in ("password", "new_password") else value
        return data


EMAIL_HELP = "where the person's notifications are e-mailed; empty or null for none"


def _email() -> fields.String:
    """Checked by the service (``engine.identity.check_email``), which trims it."""
    return fields.String(allow_none=True, load_default=None,
                         metadata={"description": EMAIL_HELP})


class UserCreateSchema(_Blank):
    BLANK_TO_NONE = ("unit_code", "email")
    username = fields.String(required=True, validate=USERNAME)
    full_name = fields.String(required=True, validate=_filled(255))
    email = _email()
    unit_code = fields.String(allow_none=True, load_default=None)
    roles = fields.List(fields.String(), required=True)
    password = fields.String(required=True, load_only=True)


class UserUpdateSchema(_Blank):
    BLANK_TO_NONE = ("unit_code", "email")
    full_name = fields.String(required=True, validate=_filled(255))
    email = _email()
    unit_code = fields.String(allow_none=True, load_default=None)
    roles = fields.List(fields.String(), required=True)


class UserPatchSchema(_Blank):
    """The API's PATCH: any of the editable values, and ``active``."""

    BLANK_TO_NONE = ("unit_code", "email")
    full_name = fields.String(validate=_filled(255))
    email = fields.String(allow_none=True, metadata={"description": EMAIL_HELP})
    unit_code = fields.String(allow_none=True)
    roles = fields.List(fields.String())
    active = fields.Boolean()


class PasswordResetSchema(_Blank):
    """``generate`` (a one-time password shown once) or ``set`` (the admin's own choice)."""

    mode = fields.String(load_default="generate", validate=validate.OneOf(["generate", "set"]))
    new_password = fields.String(load_default="", load_only=True)


class UserOutSchema(Schema):
    id = fields.Integer()
    username = fields.String()
    full_name = fields.String()
    email = fields.String(allow_none=True)
    email_notifications = fields.Boolean(metadata={
        "description": "the person's own choice to get notifications by e-mail"})
    unit_code = fields.String(allow_none=True)
    roles = fields.Function(lambda u: sorted(u.role_codes))
    active = fields.Boolean()
    created_at = fields.DateTime()


class UnitCreateSchema(_Blank):
    BLANK_TO_NONE = ("parent_code",)
    code = fields.String(required=True, validate=_filled(64))
    name = fields.String(required=True, validate=_filled(255))
    parent_code = fields.String(allow_none=True, load_default=None)


class UnitPatchSchema(_Blank):
    BLANK_TO_NONE = ("parent_code",)
    name = fields.String(validate=_filled(255))
    parent_code = fields.String(allow_none=True)
    active = fields.Boolean()


class UnitOutSchema(Schema):
    code = fields.String()
    name = fields.String()
    parent_code = fields.String(allow_none=True)
    active = fields.Boolean()
    depth = fields.Integer()
    active_users = fields.Integer()
    children = fields.Integer()
