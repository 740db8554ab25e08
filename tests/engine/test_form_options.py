"""Option sources of the form registry: choices read at run time, offered and enforced."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, cast

import pytest
from marshmallow import Schema, fields, validate
from sqlalchemy.orm import Session

from engine.errors import InvalidData
from engine.extensions import FormRegistry

SESSION = cast(Session, object())  # the sources below read nothing from it


class Line(Schema):
    code = fields.String(required=True, metadata={"options": "colours"})
    note = fields.String(load_default="")


class Order(Schema):
    colour = fields.String(required=True, metadata={"options": "colours"})
    size = fields.Integer(required=True, validate=validate.Range(min=1))
    lines = fields.List(fields.Nested(Line), load_default=list)
    shade = fields.String(load_default=None, allow_none=True, metadata={"options": "unknown"})


def colours(session: Session, data: Mapping[str, Any]) -> list[tuple[str, str]]:
    assert session is SESSION
    if data.get("size") == 0:
        return []
    return [("red", "Đỏ"), ("blue", "Xanh lam")]


@pytest.fixture
def forms() -> FormRegistry:
    registry = FormRegistry()
    registry.register("order", Order)
    registry.register_options("colours", colours)
    return registry


def test_the_page_gets_the_choices_of_the_fields_and_of_their_records(forms: FormRegistry
                                                                       ) -> None:
    assert forms.options(SESSION, "order") == {"colour": colours(SESSION, {}),
                                               "code": colours(SESSION, {})}


def test_a_value_among_the_choices_passes(forms: FormRegistry) -> None:
    data = {"colour": "red", "size": 2, "lines": [{"code": "blue"}], "shade": "any"}
    assert forms.validate("order", data, SESSION)["colour"] == "red"


def test_a_value_not_among_them_is_refused_naming_the_choices(forms: FormRegistry) -> None:
    with pytest.raises(InvalidData) as err:
        forms.validate("order", {"colour": "green", "size": 2,
                                 "lines": [{"code": "red"}, {"code": "pink"}]}, SESSION)
    assert err.value.details == {
        "colour": ["«green» không có trong danh sách được chọn. Chọn một trong: Đỏ, Xanh lam."],
        "lines": {1: {"code": ["«pink» không có trong danh sách được chọn. Chọn một trong: "
                               "Đỏ, Xanh lam."]}}}


def test_the_schemas_errors_and_the_choices_errors_come_together(forms: FormRegistry) -> None:
    with pytest.raises(InvalidData) as err:
        forms.validate("order", {"colour": "green", "size": "x"}, SESSION)
    assert set(err.value.details) == {"colour", "size"}
    assert err.value.details["size"] == ["Phải là số nguyên."]  # marshmallow's, in Vietnamese


def test_no_choice_left_says_so(forms: FormRegistry) -> None:
    with pytest.raises(InvalidData) as err:
        forms.validate("order", {"colour": "red", "size": 0}, SESSION)
    assert err.value.details["colour"] == [
        "«red» không có trong danh sách được chọn; hiện không có lựa chọn nào phù hợp."]


def test_without_a_session_only_the_schema_checks(forms: FormRegistry) -> None:
    assert forms.validate("order", {"colour": "green", "size": 2})["colour"] == "green"
