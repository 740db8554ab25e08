"""``/admin/units``: the tree, create, rename, move without cycles, deactivate when empty."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient
from test_admin_kit import (
    admin,  # noqa: F401  (fixture)
    events,
    field_errors,
    input_value,
    post,
    unit_row,
    user_row,
)


def _tree(admin: FlaskClient) -> str:  # noqa: F811
    return admin.get("/admin/units").get_data(as_text=True)


def test_tree_shows_children_indented_under_their_parent(
        app: Flask, admin: FlaskClient) -> None:  # noqa: F811
    assert post(admin, "/admin/units", {"code": "A1", "name": "Tổ A1", "parent_code": "A"}
                ).status_code == 302
    assert post(admin, "/admin/units", {"code": "A11", "name": "Nhóm A11",
                                        "parent_code": "A1"}).status_code == 302
    html = _tree(admin)
    a, a1, a11 = (html.index(f'data-unit="{c}"') for c in ("A", "A1", "A11"))
    assert a < a1 < a11
    # A1 sits in a folding list nested inside A's item, A11 inside A1's.
    between = html[a:a1]
    assert 'data-bs-toggle="collapse"' in between and '<ul class="tdkt-tree' in between
    assert 'aria-expanded="true"' in between and html[a1:a11].count("collapse show") == 1
    assert "Tổ A1" in html and "1 tài khoản" in html  # sub_a belongs to A
    created = events(app, "unit.created")[-1]
    assert created == {"code": "A11", "name": "Nhóm A11", "parent_code": "A1",
                       "actor": "admin1"}


def test_create_refuses_bad_input_and_keeps_it(app: Flask, admin: FlaskClient) -> None:  # noqa: F811
    r = post(admin, "/admin/units", {"code": "mã có dấu", "name": "Phòng mới"})
    html = r.get_data(as_text=True)
    assert r.status_code == 422 and "chữ không dấu" in field_errors(html)["code"]
    assert input_value(html, "name") == "Phòng mới"
    r = post(admin, "/admin/units", {"code": "A", "name": "Trùng"})
    assert r.status_code == 422 and "đã có" in field_errors(r.get_data(as_text=True))["code"]
    r = post(admin, "/admin/units", {"code": "C", "name": "C", "parent_code": "NOPE"})
    assert "NOPE" in field_errors(r.get_data(as_text=True))["parent-code"]
    r = post(admin, "/admin/units", {"code": "C", "name": "  "})
    assert "Không được để trống" in field_errors(r.get_data(as_text=True))["name"]
    assert unit_row(app, "C") is None


def test_rename_and_move_are_audited_before_after(app: Flask, admin: FlaskClient) -> None:  # noqa: F811
    r = post(admin, "/admin/units/B", {"name": "Phòng B mới", "parent_code": "A"})
    assert r.status_code == 302
    unit = unit_row(app, "B")
    assert unit is not None and unit.name == "Phòng B mới" and unit.parent_code == "A"
    assert events(app, "unit.renamed")[-1]["before"] == {"name": "Unit B"}
    moved = events(app, "unit.moved")[-1]
    assert moved["before"] == {"parent_code": None} and moved["after"] == {"parent_code": "A"}
    assert post(admin, "/admin/units/B", {"name": "Phòng B mới", "parent_code": ""}
                ).status_code == 302
    assert unit_row(app, "B").parent_code is None  # type: ignore[union-attr]


def test_a_cycle_is_refused_and_nothing_is_written(app: Flask, admin: FlaskClient) -> None:  # noqa: F811
    post(admin, "/admin/units", {"code": "A1", "name": "Tổ A1", "parent_code": "A"})
    post(admin, "/admin/units", {"code": "A11", "name": "Nhóm A11", "parent_code": "A1"})
    for parent in ("A", "A11"):
        r = post(admin, "/admin/units/A", {"name": "Đổi tên cùng lúc", "parent_code": parent})
        html = r.get_data(as_text=True)
        assert r.status_code == 422
        assert "cấp dưới" in field_errors(html)["parent-code"]
        assert input_value(html, "name") == "Đổi tên cùng lúc"
    unit = unit_row(app, "A")
    assert unit is not None and unit.name == "Unit A" and unit.parent_code is None
    assert not events(app, "unit.renamed") and not events(app, "unit.moved")
    # The parent choice offers neither the unit itself nor what lies beneath it.
    html = admin.get("/admin/units/A").get_data(as_text=True)
    assert 'value="A11"' not in html and 'value="A1"' not in html and 'value="B"' in html


def test_deactivate_only_when_nobody_active_belongs(app: Flask, admin: FlaskClient) -> None:  # noqa: F811
    r = post(admin, "/admin/units/A/active", {"active": "0"})
    assert r.status_code == 422 and "1 tài khoản đang hoạt động" in r.get_data(as_text=True)
    assert unit_row(app, "A").active  # type: ignore[union-attr]
    sub_a = user_row(app, "sub_a")
    assert post(admin, f"/admin/users/{sub_a.id}/active", {"active": "0"}).status_code == 302
    assert post(admin, "/admin/units/A/active", {"active": "0"}).status_code == 302
    assert not unit_row(app, "A").active  # type: ignore[union-attr]
    event = events(app, "unit.deactivated")[-1]
    assert event["before"] == {"active": True} and event["after"] == {"active": False}
    # An inactive unit is offered to nobody: no new account nor sub-unit in it.
    r = post(admin, "/admin/users/new", {"username": "moi", "full_name": "M", "unit_code": "A",
                                         "roles": "submitter", "password": "longenough"})
    assert r.status_code == 422
    r = post(admin, "/admin/units", {"code": "A2", "name": "A2", "parent_code": "A"})
    assert r.status_code == 422
    assert post(admin, "/admin/units/A/active", {"active": "1"}).status_code == 302
    assert unit_row(app, "A").active  # type: ignore[union-attr]


def test_a_parent_with_active_children_stays_active(app: Flask, admin: FlaskClient) -> None:  # noqa: F811
    post(admin, "/admin/units", {"code": "B1", "name": "Tổ B1", "parent_code": "B"})
    sub_b = user_row(app, "sub_b")
    assert post(admin, f"/admin/users/{sub_b.id}/active", {"active": "0"}).status_code == 302
    r = post(admin, "/admin/units/B/active", {"active": "0"})
    html = r.get_data(as_text=True)
    assert r.status_code == 422 and "1 đơn vị cấp dưới đang hoạt động" in html
    assert "còn 1 đơn vị cấp dưới" in html  # the accounts are not blamed
    assert post(admin, "/admin/units/B1/active", {"active": "0"}).status_code == 302
    assert post(admin, "/admin/units/B/active", {"active": "0"}).status_code == 302


def test_unknown_unit_is_404(admin: FlaskClient) -> None:  # noqa: F811
    assert admin.get("/admin/units/NOPE").status_code == 404
    assert post(admin, "/admin/units/NOPE", {"name": "x"}).status_code == 404
