"""Forms of the emulation registration (đăng ký thi đua).

The form checks the shape of the list; whether each award code is in the
catalogue and each subject exists and belongs to the registering unit is
checked against the database by the ``record_registrations`` handler.
"""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

MAX_ENTRIES = 500


class RegistrationEntry(Schema):
    """One line of the registration: a person or a unit aims for one title or form."""

    subject_code = fields.String(required=True, validate=validate.Length(min=1, max=64),
                                 metadata={"label": "Mã cá nhân / tập thể"})
    award_code = fields.String(required=True, validate=validate.Length(min=1, max=32),
                               metadata={"label": "Danh hiệu / hình thức khen thưởng"})


class RegistrationForm(Schema):
    """A unit's emulation registration for one year (bản đăng ký thi đua)."""

    year = fields.Integer(required=True, strict=True, validate=validate.Range(min=2000, max=2100),
                          metadata={"label": "Năm đăng ký"})
    movement_code = fields.String(load_default=None, allow_none=True,
                                  validate=validate.Length(min=1, max=64),
                                  metadata={"label": "Phong trào thi đua (nếu có)"})
    entries = fields.List(
        fields.Nested(RegistrationEntry), required=True,
        validate=validate.Length(min=1, max=MAX_ENTRIES),
        metadata={"label": "Danh sách đăng ký"})

    @validates_schema
    def no_duplicate_lines(self, data: dict[str, Any], **_: Any) -> None:
        seen: dict[tuple[str, str], int] = {}
        errors: dict[int, dict[str, list[str]]] = {}
        for i, entry in enumerate(data.get("entries") or []):
            key = (entry["subject_code"], entry["award_code"])
            if key in seen:
                errors[i] = {"subject_code": [
                    f"Trùng với dòng {seen[key] + 1} (cùng đối tượng, cùng danh hiệu)."]}
            else:
                seen[key] = i
        if errors:
            raise ValidationError({"entries": errors})


FORMS = {"registration": RegistrationForm}
