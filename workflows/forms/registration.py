"""Forms of the emulation registration (đăng ký thi đua).

The form checks the shape of the list; whether each award code is in the
catalogue and each subject exists and belongs to the registering unit is
checked against the database by the ``record_registrations`` handler.
"""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from workflows.forms.common import N_
from workflows.forms.nomination import MOVEMENT_HELP

MAX_ENTRIES = 500


class RegistrationEntry(Schema):
    """One line of the registration: a person or a unit aims for one title or form."""

    subject_code = fields.String(required=True, validate=validate.Length(min=1, max=64),
                                 metadata={"label": N_("Cá nhân / tập thể"),
                                           "help": N_("Người hoặc tập thể của đơn vị đăng ký.")})
    award_code = fields.String(required=True, validate=validate.Length(min=1, max=32),
                               metadata={"label": N_("Danh hiệu / hình thức khen thưởng"),
                                         "options": "award_annual",
                                         "help": N_("Danh hiệu phấn đấu đạt trong năm, lấy từ "
                                                    "danh mục khen thưởng.")})


class RegistrationForm(Schema):
    """A unit's emulation registration for one year (bản đăng ký thi đua)."""

    year = fields.Integer(required=True, strict=True, validate=validate.Range(min=2000, max=2100),
                          metadata={"label": N_("Năm đăng ký"),
                                    "help": N_("Năm phấn đấu, ví dụ 2026; hạn đăng ký theo kế "
                                               "hoạch thi đua của Văn phòng.")})
    movement_code = fields.String(load_default=None, allow_none=True,
                                  validate=validate.Length(min=1, max=64),
                                  metadata={"label": N_("Phong trào thi đua (nếu có)"),
                                            "help": MOVEMENT_HELP})
    entries = fields.List(
        fields.Nested(RegistrationEntry), required=True,
        validate=validate.Length(min=1, max=MAX_ENTRIES),
        metadata={"label": N_("Danh sách đăng ký"),
                  "help": N_("Mỗi dòng một người (hoặc tập thể) và một danh hiệu; một người "
                             "có thể đăng ký nhiều danh hiệu trên nhiều dòng.")})

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
