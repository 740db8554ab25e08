"""Emulation movements: the API and the pages (list, one movement, create, edit), with rules."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

import pytest
from api_kit import assert_error
from demo_kit import DemoOffice
from flask.testing import FlaskClient
from sqlalchemy import select
from test_pages_auth import csrf_token, login

from engine.store.models import AuditEvent
from webapp.demo import DEMO_PASSWORD
from workflows.models import EmulationMovement, Registration

YEAR = date.today().year
NEW = {"code": "PT-TEST", "name": "Thi đua chào mừng Đại hội", "kind": "thematic",
       "year": YEAR, "launch_level": "province", "scope": "local",
       "start_date": f"{YEAR}-02-01", "end_date": f"{YEAR}-10-31", "target_units": ["KT"],
       "description": "Tiêu chí: hoàn thành xuất sắc nhiệm vụ."}


def _rows(demo: DemoOffice, model: Any, *where: Any) -> list[Any]:
    with demo.app.extensions["tdkt"].db.session() as s:
        return list(s.scalars(select(model).where(*where)))


def _patch(demo: DemoOffice, user: str, code: str, body: Any) -> Any:
    return demo.client.patch(f"/api/v1/movements/{code}", json=body,
                             headers=demo.headers[user])


def test_demo_movements_are_listed_with_counts(demo: DemoOffice) -> None:
    listed = demo.ok(demo.get("donvi_kt", "/movements"))
    codes = [m["code"] for m in listed]
    assert f"PT-{YEAR}-THUONGXUYEN" in codes and f"PT-{YEAR}-CCHC" in codes
    thematic = demo.ok(demo.get("donvi_kt", "/movements", kind="thematic"))
    assert {m["kind"] for m in thematic} == {"thematic"} and len(thematic) == 2
    assert all(m["registrations"] == 0 and m["nominations"] == 0 for m in listed)
    assert demo.ok(demo.get("thuky", "/movements", year=YEAR - 5)) == []


def test_secretariat_creates_and_changes_a_movement_audited(demo: DemoOffice) -> None:
    created = demo.ok(demo.post("thuky", "/movements", NEW), 201)
    assert created["code"] == "PT-TEST" and created["target_units"] == ["KT"]
    assert created["start_date"] == f"{YEAR}-02-01"
    changed = demo.ok(_patch(demo, "thuky", "PT-TEST", {"name": "Tên mới", "end_date": None}))
    assert changed["name"] == "Tên mới" and changed["end_date"] is None
    assert changed["launch_level"] == "province"  # untouched fields stay
    events = _rows(demo, AuditEvent, AuditEvent.event_type.like("movement.%"))
    kinds = [e.event_type for e in events if "PT-TEST" in e.payload]
    assert kinds == ["movement.created", "movement.updated"]
    assert '"before"' in events[-1].payload and "Tên mới" in events[-1].payload


@pytest.mark.parametrize("body, field", [
    ({**NEW, "end_date": f"{YEAR}-01-01"}, "end_date"),
    ({**NEW, "kind": "weekly"}, "kind"),
    ({**NEW, "code": "có dấu"}, "code"),
    ({**NEW, "target_units": ["NOPE"]}, "target_units"),
    ({k: v for k, v in NEW.items() if k != "name"}, "name"),
    ({**NEW, "start_date": "31/02/2026"}, "start_date"),
])
def test_bad_movements_are_refused_and_nothing_is_written(demo: DemoOffice, body: Any,
                                                         field: str) -> None:
    err = assert_error(demo.post("thuky", "/movements", body), 422, "movement.invalid")
    assert field in err["details"], err
    assert _rows(demo, EmulationMovement, EmulationMovement.code == body.get("code")) == []


def test_roles_duplicates_and_unknown_codes(demo: DemoOffice) -> None:
    for user in ("donvi_kt", "hoidong", "chanhvp"):
        assert_error(demo.post(user, "/movements", NEW), 403, "movement.forbidden")
    demo.ok(demo.post("quantri", "/movements", NEW), 201)
    assert_error(demo.post("thuky", "/movements", NEW), 409, "movement.exists")
    assert_error(_patch(demo, "donvi_kt", "PT-TEST", {"name": "X Y Z"}), 403, "movement.forbidden")
    assert_error(_patch(demo, "thuky", "NOPE", {"name": "X Y Z"}), 404, "movement.not_found")
    assert_error(demo.get("thuky", "/movements/NOPE"), 404, "movement.not_found")
    assert_error(_patch(demo, "thuky", "PT-TEST", {"end_date": f"{YEAR}-01-01"}), 422,
                 "movement.invalid")
    assert_error(_patch(demo, "thuky", "PT-TEST", ["not", "an", "object"]), 422,
                 "movement.invalid")
    assert_error(demo.client.get("/api/v1/movements"), 401)


def test_a_submitter_sees_only_their_units_registrations(demo: DemoOffice) -> None:
    demo.ok(demo.post("thuky", "/movements", NEW), 201)
    with demo.app.extensions["tdkt"].db.write_session() as s:
        movement = s.scalars(select(EmulationMovement)
                             .where(EmulationMovement.code == "PT-TEST")).one()
        s.add_all([Registration(year=YEAR, subject_code="KT01", award_code="LDTT",
                                movement_id=movement.id, unit_code="KT"),
                   Registration(year=YEAR, subject_code="VX01", award_code="LDTT",
                                movement_id=movement.id, unit_code="VX")])
        s.commit()
    mine = demo.ok(demo.get("donvi_kt", "/movements/PT-TEST"))
    assert [r["subject_code"] for r in mine["registrations"]] == ["KT01"]
    assert mine["registrations"][0]["subject_name"]
    everyone = demo.ok(demo.get("thuky", "/movements/PT-TEST"))
    assert [r["subject_code"] for r in everyone["registrations"]] == ["KT01", "VX01"]
    listed = {m["code"]: m for m in demo.ok(demo.get("thuky", "/movements"))}
    assert listed["PT-TEST"]["registrations"] == 2


# -- pages ------------------------------------------------------------------------------
def _signed_in(demo: DemoOffice, username: str) -> FlaskClient:
    demo.app.config["WTF_CSRF_ENABLED"] = True
    client = demo.app.test_client()
    assert login(client, username, DEMO_PASSWORD).status_code == 302
    return client


def _form(client: FlaskClient, path: str, token_from: str | None = None, **values: Any) -> Any:
    data = {"code": "PT-WEB", "name": "Thi đua lập thành tích", "kind": "thematic",
            "year": str(YEAR), "launch_level": "office", "scope": "office",
            "start_date": f"01/03/{YEAR}", "end_date": "", "description": "",
            "csrf_token": csrf_token(client, token_from or path), **values}
    return client.post(path, data=data)


def test_pages_list_show_create_and_edit(demo: DemoOffice) -> None:
    client = _signed_in(demo, "thuky")
    html = client.get("/movements").get_data(as_text=True)
    assert "Phong trào thi đua" in html and f"PT-{YEAR}-CCHC" in html
    assert 'href="/movements/new"' in html
    r = _form(client, "/movements/new", end_date=f"01/01/{YEAR}", target_units=["KT", "VX"])
    assert r.status_code == 422
    page = r.get_data(as_text=True)
    assert "Ngày kết thúc phải sau ngày bắt đầu." in page
    assert 'value="Thi đua lập thành tích"' in page and f'value="01/03/{YEAR}"' in page
    assert len(re.findall(r'value="(KT|VX)" checked', page)) == 2  # what was typed is kept
    r = _form(client, "/movements/new")
    assert r.status_code == 302 and r.headers["Location"].endswith("/movements/PT-WEB")
    shown = client.get("/movements/PT-WEB").get_data(as_text=True)
    assert "Thi đua lập thành tích" in shown and f"01/03/{YEAR}" in shown
    assert "Tất cả đơn vị" in shown
    edit = client.get("/movements/PT-WEB/edit").get_data(as_text=True)
    assert f'value="01/03/{YEAR}"' in edit and "readonly" in edit
    r = _form(client, "/movements/PT-WEB/edit", name="Tên đã sửa", end_date=f"30/11/{YEAR}")
    assert r.status_code == 302
    row = _rows(demo, EmulationMovement, EmulationMovement.code == "PT-WEB")[0]
    assert row.name == "Tên đã sửa" and row.end_date == date(YEAR, 11, 30)
    r = _form(client, "/movements/new")  # the same code again
    assert r.status_code == 409 and "Đã có phong trào mã PT-WEB." in r.get_data(as_text=True)


def test_pages_permissions(demo: DemoOffice) -> None:
    anonymous = demo.app.test_client()
    for path in ("/movements", f"/movements/PT-{YEAR}-CCHC", "/movements/new"):
        r = anonymous.get(path)
        assert r.status_code == 302 and "/login" in r.headers["Location"], path
    client = _signed_in(demo, "donvi_kt")
    html = client.get("/movements").get_data(as_text=True)
    assert 'href="/movements/new"' not in html
    assert client.get(f"/movements/PT-{YEAR}-CCHC").status_code == 200
    assert client.get("/movements/new").status_code == 403
    assert client.get(f"/movements/PT-{YEAR}-CCHC/edit").status_code == 403
    assert _form(client, "/movements/new", token_from="/password").status_code == 403
    assert client.get("/movements/NOPE").status_code == 404
    assert _rows(demo, EmulationMovement, EmulationMovement.code == "PT-WEB") == []
