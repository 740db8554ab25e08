"""A new title or form, and retiring one (ngừng sử dụng), on /admin/catalogue and over the
API: checked by marshmallow (Vietnamese messages beside the fields, stable codes in the
API), audited; a retired title is not offered for new nominations, the history keeps it,
and it cannot be retired while a nomination for it is in progress."""

from __future__ import annotations

from datetime import date

from api_kit import API, Headers, assert_error, deploy, fixture_bytes, start
from flask import Flask
from flask.testing import FlaskClient
from test_admin_kit import admin, events, field_errors, post  # noqa: F401  (fixture)

from workflows.catalogue import award_types
from workflows.models import Award, AwardType, Nomination

NEW = {"code": "GK_CD", "name": "Giấy khen chuyên đề", "subject_kind": "both",
       "level": "office", "decided_by": "Chánh Văn phòng"}


def award(app: Flask, code: str) -> AwardType | None:
    with app.extensions["tdkt"].db.session() as s:
        row = s.get(AwardType, code)
        if row is not None:
            s.expunge(row)
        return row


def offered(app: Flask) -> list[str]:
    with app.extensions["tdkt"].db.session() as s:
        return [a.code for a in award_types(s)]


def test_create_on_the_page_copying_another(app: Flask, admin: FlaskClient) -> None:  # noqa: F811
    page = admin.get("/admin/catalogue").get_data(as_text=True)
    assert 'href="/admin/catalogue/new"' in page
    form = admin.get("/admin/catalogue/new").get_data(as_text=True)
    assert 'name="code"' in form and 'name="copy_from"' in form
    r = post(admin, "/admin/catalogue/new", {**NEW, "code": "gk_cd", "copy_from": "GK",
                                             "bonus_coefficient": "0,15"})
    assert r.status_code == 302 and r.location.endswith("/admin/catalogue/GK_CD")
    row, model = award(app, "GK_CD"), award(app, "GK")
    assert row is not None and model is not None
    assert (row.name, row.subject_kind, row.active, float(row.bonus_coefficient)) == (
        "Giấy khen chuyên đề", "both", True, 0.15)
    assert (row.rules, row.dossier_items) == (model.rules, model.dossier_items)
    assert "GK_CD" in offered(app)
    created = events(app, "catalogue.created")
    assert [(e["code"], e["copy_from"], e["actor"]) for e in created] == [
        ("GK_CD", "GK", "admin1")]
    assert "Giấy khen chuyên đề" in admin.get("/admin/catalogue").get_data(as_text=True)


def test_bad_input_is_shown_beside_its_field_and_nothing_is_written(
        app: Flask, admin: FlaskClient) -> None:  # noqa: F811
    r = post(admin, "/admin/catalogue/new", {**NEW, "code": "1 sai", "name": "",
                                             "level": "galaxy", "bonus_coefficient": "-1"})
    assert r.status_code == 422
    errors = field_errors(r.get_data(as_text=True))
    assert "bắt đầu bằng chữ" in errors["code"]
    assert errors["name"] == "Không được để trống."
    assert "level" in errors and "bonus-coefficient" in errors
    assert 'value="1 sai"' in r.get_data(as_text=True)  # what was typed stays
    r = post(admin, "/admin/catalogue/new", {**NEW, "code": "LDTT"})
    assert r.status_code == 422 and "Mã này đã được dùng" in field_errors(
        r.get_data(as_text=True))["code"]
    assert award(app, "1 SAI") is None and events(app, "catalogue.created") == []


def test_retire_on_the_page_keeps_the_history(app: Flask, admin: FlaskClient) -> None:  # noqa: F811
    with app.extensions["tdkt"].db.write_session() as s:
        s.add(Award(year=2024, subject_code="P1", award_code="TTLDXS", kind="annual",
                    decision_no="9/QĐ-VP", decision_date=date(2024, 12, 20)))
        s.commit()
    page = "/admin/catalogue/TTLDXS"
    assert "Ngừng sử dụng" in admin.get(page).get_data(as_text=True)
    r = post(admin, f"{page}/active", {"active": "0"}, page=page)
    assert r.status_code == 302
    html = admin.get(page).get_data(as_text=True)
    assert "Đã ngừng sử dụng TTLDXS" in html and "Dùng lại" in html
    assert "TTLDXS" not in offered(app)  # not offered for new nominations
    assert [e["code"] for e in events(app, "catalogue.retired")] == ["TTLDXS"]
    with app.extensions["tdkt"].db.session() as s:  # the history keeps it
        assert s.query(Award).filter_by(award_code="TTLDXS").count() == 1
    assert post(admin, f"{page}/active", {"active": "1"}, page=page).status_code == 302
    assert "TTLDXS" in offered(app)
    assert [e["code"] for e in events(app, "catalogue.restored")] == ["TTLDXS"]


def test_api_create_validate_and_retire(app: Flask, client: FlaskClient,
                                        people: dict[str, Headers]) -> None:
    h = people["admin1"]
    assert_error(client.post(f"{API}/catalogue", headers=people["sec1"], json=NEW), 403)
    bad = assert_error(client.post(f"{API}/catalogue", headers=h,
                                   json={**NEW, "subject_kind": "robot", "code": "x"}),
                       422, "catalogue.invalid")
    assert {"subject_kind", "code"} <= set(bad["details"])
    assert bad["details"]["subject_kind"] == ["Phải là một trong: individual, collective, both."]
    r = client.post(f"{API}/catalogue", headers=h, json={**NEW, "rules": {"min_rating": "HTTNV"}})
    assert r.status_code == 201, r.get_json()
    assert (r.get_json()["code"], r.get_json()["rules"]) == ("GK_CD", {"min_rating": "HTTNV"})
    assert_error(client.post(f"{API}/catalogue", headers=h, json=NEW), 409, "catalogue.exists")
    assert_error(client.post(f"{API}/catalogue", headers=h, data="[]",
                             content_type="application/json"), 422, "data.invalid")

    r = client.patch(f"{API}/catalogue/GK_CD", headers=h, json={"active": False})
    assert r.status_code == 200 and r.get_json()["active"] is False
    listed = [a["code"] for a in client.get(f"{API}/catalogue", headers=h).get_json()]
    everything = [a["code"] for a in client.get(f"{API}/catalogue?all=1",
                                                headers=h).get_json()]
    assert "GK_CD" not in listed and "GK_CD" in everything


def test_a_title_with_nominations_in_progress_cannot_be_retired(
        app: Flask, client: FlaskClient, people: dict[str, Headers]) -> None:
    h = people["admin1"]
    assert deploy(client, h, fixture_bytes("api_two_lane.bpmn"), "v1.bpmn").status_code == 201
    inst = start(client, people["sub_a"], "api_two_lane").get_json()
    with app.extensions["tdkt"].db.write_session() as s:
        s.add(Nomination(instance_id=inst["id"], process_key="api_two_lane", year=2026,
                         award_code="LDTT", subject_code="P1", subject_kind="individual",
                         unit_code="A", kind="annual", status="submitted"))
        s.commit()
    err = assert_error(client.patch(f"{API}/catalogue/LDTT", headers=h, json={"active": False}),
                       409, "catalogue.in_use")
    assert "Còn 1 đề nghị «Lao động tiên tiến» đang được xử lý" in err["message"]
    assert award(app, "LDTT").active is True  # type: ignore[union-attr]
    assert events(app, "catalogue.retired") == []
    r = client.post(f"{API}/instances/{inst['id']}/cancel", headers=people["sub_a"])
    assert r.status_code == 200, r.get_json()
    r = client.patch(f"{API}/catalogue/LDTT", headers=h, json={"active": False})
    assert r.status_code == 200  # the nomination's instance is over: it may go
