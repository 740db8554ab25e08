"""Admin API: /admin/users, /admin/units, /settings, PATCH /catalogue/<code>."""

from __future__ import annotations

from typing import Any

from api_kit import API, Headers, assert_error
from flask import Flask
from flask.testing import FlaskClient
from test_admin_kit import events


def _call(client: FlaskClient, method: str, path: str, headers: Headers,
          body: Any = None) -> Any:
    return client.open(f"{API}{path}", method=method, headers=headers, json=body)


def test_every_admin_endpoint_needs_the_admin_role_before_reading_the_body(
        client: FlaskClient, people: dict[str, Headers]) -> None:
    calls = [("GET", "/admin/users"), ("POST", "/admin/users"), ("GET", "/admin/users/1"),
             ("PATCH", "/admin/users/1"), ("POST", "/admin/users/1/password"),
             ("GET", "/admin/units"), ("POST", "/admin/units"), ("PATCH", "/admin/units/A"),
             ("GET", "/settings"), ("PATCH", "/settings"), ("PATCH", "/catalogue/LDTT")]
    for method, path in calls:
        assert_error(_call(client, method, path, people["sec1"], {"bad": "body"}), 403,
                     "role.required")
        assert_error(_call(client, method, path, {}, {}), 401)
    assert _call(client, "GET", "/catalogue/LDTT", people["sec1"]).status_code == 200


def test_users_list_create_patch_and_reset(app: Flask, client: FlaskClient,
                                           people: dict[str, Headers]) -> None:
    h = people["admin1"]
    body = _call(client, "GET", "/admin/users?q=sec&per_page=1", h).get_json()
    assert body["total"] == 2 and len(body["items"]) == 1 and body["items"][0]["username"] == "sec1"
    r = _call(client, "POST", "/admin/users", h, {"username": "moi", "full_name": "Mới",
                                                 "roles": ["submitter"], "unit_code": "A",
                                                 "password": "short"})
    assert assert_error(r, 422, "password.weak")["details"]["password"]
    r = _call(client, "POST", "/admin/users", h, {"username": "moi", "full_name": "Mới",
                                                 "roles": ["submitter"], "unit_code": "A",
                                                 "password": "longenough"})
    assert r.status_code == 201 and "password" not in r.get_json()
    uid = r.get_json()["id"]
    assert_error(_call(client, "POST", "/admin/users", h, {
        "username": "moi", "full_name": "x", "roles": ["council"], "password": "longenough"}),
        409, "user.exists")
    r = _call(client, "PATCH", f"/admin/users/{uid}", h, {"roles": ["council"], "unit_code": None})
    assert r.status_code == 200 and r.get_json()["roles"] == ["council"]
    assert r.get_json()["unit_code"] is None
    assert events(app, "user.updated")[-1]["before"]["roles"] == ["submitter"]
    r = _call(client, "POST", f"/admin/users/{uid}/password", h, {"mode": "generate"})
    assert r.status_code == 200 and len(r.get_json()["password"]) >= 8
    r = _call(client, "POST", f"/admin/users/{uid}/password", h,
              {"mode": "set", "new_password": "abc"})
    assert "new_password" in assert_error(r, 422, "password.weak")["details"]
    assert_error(_call(client, "GET", "/admin/users/999", h), 404, "user.not_found")


def test_disable_over_the_api_and_the_last_admin(client: FlaskClient,
                                                people: dict[str, Headers]) -> None:
    h = people["admin1"]
    users = {u["username"]: u["id"] for u in
             _call(client, "GET", "/admin/users", h).get_json()["items"]}
    assert_error(_call(client, "PATCH", f"/admin/users/{users['admin1']}", h, {"active": False}),
                 409, "user.self_disable")
    r = _call(client, "PATCH", f"/admin/users/{users['admin1']}", h, {"roles": ["council"]})
    assert assert_error(r, 409, "user.last_admin")["details"]["roles"]
    r = _call(client, "PATCH", f"/admin/users/{users['sec1']}", h, {"active": False})
    assert r.status_code == 200 and r.get_json()["active"] is False
    assert_error(_call(client, "GET", "/catalogue", people["sec1"]), 401, "auth.user_disabled")


def test_units_tree_create_move_and_deactivate(app: Flask, client: FlaskClient,
                                              people: dict[str, Headers]) -> None:
    h = people["admin1"]
    r = _call(client, "POST", "/admin/units", h, {"code": "A1", "name": "Tổ A1",
                                                 "parent_code": "A"})
    assert r.status_code == 201 and r.get_json()["depth"] == 1
    tree = _call(client, "GET", "/admin/units", h).get_json()
    codes = [n["code"] for n in tree]
    assert codes.index("A") < codes.index("A1")
    r = _call(client, "PATCH", "/admin/units/A", h, {"parent_code": "A1"})
    assert assert_error(r, 422, "unit.cycle")["details"]["parent_code"]
    assert_error(_call(client, "PATCH", "/admin/units/A", h, {"active": False}), 409,
                 "unit.in_use")
    r = _call(client, "PATCH", "/admin/units/A1", h, {"name": "Tổ A-1", "parent_code": "B"})
    assert r.status_code == 200 and r.get_json()["parent_code"] == "B"
    assert r.get_json()["name"] == "Tổ A-1"
    r = _call(client, "PATCH", "/admin/units/A1", h, {"active": False})
    assert r.status_code == 200 and r.get_json()["active"] is False
    assert events(app, "unit.moved")[-1]["after"] == {"parent_code": "B"}
    assert_error(_call(client, "PATCH", "/admin/units/NOPE", h, {"name": "x"}), 404)


def test_settings_get_patch(app: Flask, client: FlaskClient, people: dict[str, Headers]) -> None:
    h = people["admin1"]
    body = _call(client, "GET", "/settings", h).get_json()
    assert body["base_salary"] == 2340000 and body["smtp_password_set"] is False
    assert "smtp_password" not in body
    r = _call(client, "PATCH", "/settings", h, {"base_salary": "nhiều", "smtp_port": 0,
                                               "unknown_key": 1})
    details = assert_error(r, 422)["details"]
    assert set(details) == {"base_salary", "smtp_port", "unknown_key"}
    r = _call(client, "PATCH", "/settings", h, {"supplement_working_days": 7,
                                               "smtp_password": "s3cret"})
    assert r.status_code == 200, r.get_json()
    body = r.get_json()
    assert sorted(body["changed"]) == ["smtp_password", "supplement_working_days"]
    assert body["settings"]["supplement_working_days"] == 7
    assert body["settings"]["smtp_password_set"] is True and "s3cret" not in r.get_data(True)
    assert "s3cret" not in _call(client, "GET", "/settings", h).get_data(True)


def test_catalogue_patch(app: Flask, client: FlaskClient, people: dict[str, Headers]) -> None:
    h = people["admin1"]
    r = _call(client, "PATCH", "/catalogue/CSTD_TINH", h,
              {"vote_threshold_pct": 0, "rules": {"consecutive_years": 0,
                                                  "prerequisite": "CSTD_CS"}})
    details = assert_error(r, 422, "catalogue.invalid")["details"]
    assert details["vote_threshold_pct"] and details["rules"]["consecutive_years"]
    r = _call(client, "PATCH", "/catalogue/CSTD_TINH", h, {"rules": {"prerequisite": "NOPE"}})
    assert assert_error(r, 422, "catalogue.invalid")["details"]["rules"]["prerequisite"]
    r = _call(client, "PATCH", "/catalogue/CSTD_TINH", h,
              {"vote_threshold_pct": 85, "vote_base": "present",
               "rules": {"consecutive_years": 2, "initiative_levels": None}})
    assert r.status_code == 200, r.get_json()
    body = r.get_json()
    assert body["vote_threshold_pct"] == 85 and body["vote_base"] == "present"
    assert body["rules"]["consecutive_years"] == 2 and "initiative_levels" not in body["rules"]
    assert body["rules"]["prerequisite"] == "CSTD_CS"
    event = events(app, "catalogue.updated")[-1]
    assert event["before"]["rules"]["consecutive_years"] == 3
    assert event["after"]["rules"]["consecutive_years"] == 2
    assert_error(_call(client, "PATCH", "/catalogue/NOPE", h, {}), 404, "award.not_found")
    r = _call(client, "PATCH", "/catalogue/LDTT", h, {"active": False})
    assert r.status_code == 200 and r.get_json()["active"] is False
    assert_error(_call(client, "GET", "/catalogue/LDTT", h), 404, "award.not_found")
