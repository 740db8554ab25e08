"""``/admin/settings``: types and ranges, the SMTP password never shown back, audit."""

from __future__ import annotations

from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from test_admin_kit import (
    admin,  # noqa: F401  (fixture)
    events,
    field_errors,
    post,
    settings_form,
)

from workflows.catalogue import setting


def _value(app: Flask, key: str) -> Any:
    with app.extensions["tdkt"].db.session() as s:
        return setting(s, key)


def _form(admin: FlaskClient) -> dict[str, Any]:  # noqa: F811
    return settings_form(admin.get("/admin/settings").get_data(as_text=True))


def test_the_form_shows_every_setting_with_its_unit(admin: FlaskClient) -> None:  # noqa: F811
    html = admin.get("/admin/settings").get_data(as_text=True)
    form = settings_form(html)
    assert form["base_salary"] == "2340000" and form["appraisal_working_days"] == "10"
    assert form["registration_deadline"] == "03-31" and form["council_quorum_pct"] == "50"
    assert form["smtp_tls"] == "starttls" and form["smtp_password"] == ""
    assert "ngày làm việc" in html and "đồng/tháng" in html and "Chưa đặt." in html
    assert '<option value="none">Không mã hóa</option>' in html
    english = admin.get("/admin/settings?lang=en").get_data(as_text=True)
    assert '<option value="none">No encryption</option>' in english


def test_change_is_saved_and_audited_before_after(app: Flask, admin: FlaskClient) -> None:  # noqa: F811
    form = _form(admin)
    form.update({"base_salary": "2500000", "appraisal_working_days": "12",
                 "council_quorum_pct": "66.5", "registration_deadline": "04-15",
                 "smtp_host": "mail.tinh.gov.vn", "smtp_port": "465", "smtp_tls": "ssl",
                 "smtp_sender": "tdkt@tinh.gov.vn"})
    r = post(admin, "/admin/settings", form)
    assert r.status_code == 302, field_errors(r.get_data(as_text=True))
    assert _value(app, "base_salary") == 2500000 and _value(app, "appraisal_working_days") == 12
    assert _value(app, "council_quorum_pct") == 66.5 and _value(app, "smtp_port") == 465
    changed = {e["key"]: e for e in events(app, "setting.updated")}
    assert set(changed) == {"base_salary", "appraisal_working_days", "council_quorum_pct",
                            "registration_deadline", "smtp_host", "smtp_port", "smtp_tls",
                            "smtp_sender"}
    assert changed["base_salary"]["before"] == 2340000
    assert changed["base_salary"]["after"] == 2500000
    assert changed["smtp_host"]["before"] == "" and changed["smtp_host"]["actor"] == "admin1"
    # The bonus amounts follow the new base salary.
    assert "750.000 đ" in admin.get("/admin/catalogue").get_data(as_text=True)


def test_bad_values_are_refused_beside_fields_and_nothing_is_written(
        app: Flask, admin: FlaskClient) -> None:  # noqa: F811
    form = _form(admin)
    form.update({"base_salary": "-5", "appraisal_working_days": "0",
                 "complaint_working_days": "mười", "registration_deadline": "02-30",
                 "council_quorum_pct": "101", "smtp_port": "70000", "smtp_sender": "không-phải",
                 "smtp_host": "mail.tinh.gov.vn", "smtp_password": "bí-mật"})
    r = post(admin, "/admin/settings", form)
    html = r.get_data(as_text=True)
    errors = field_errors(html)
    assert r.status_code == 422
    assert set(errors) >= {"base-salary", "appraisal-working-days", "complaint-working-days",
                           "registration-deadline", "council-quorum-pct", "smtp-port",
                           "smtp-sender"}
    assert "số nguyên" in errors["complaint-working-days"]
    assert "MM-DD" in errors["registration-deadline"]
    assert "1 đến dưới 100" in errors["council-quorum-pct"]
    kept = settings_form(html)
    assert kept["smtp_host"] == "mail.tinh.gov.vn" and kept["base_salary"] == "-5"
    assert "bí-mật" not in html
    assert _value(app, "base_salary") == 2340000 and _value(app, "smtp_host") is None
    assert not events(app, "setting.updated")


def test_smtp_password_is_stored_never_shown_kept_when_blank(
        app: Flask, admin: FlaskClient) -> None:  # noqa: F811
    form = _form(admin)
    form["smtp_password"] = "mat-khau-smtp"
    assert post(admin, "/admin/settings", form).status_code == 302
    assert _value(app, "smtp_password") == "mat-khau-smtp"
    html = admin.get("/admin/settings").get_data(as_text=True)
    assert "mat-khau-smtp" not in html and "Đã đặt; để trống để giữ nguyên." in html
    event = [e for e in events(app, "setting.updated") if e["key"] == "smtp_password"][-1]
    assert "mat-khau-smtp" not in str(event) and event["after"] == "••••••"
    assert post(admin, "/admin/settings", settings_form(html)).status_code == 302  # blank: kept
    assert _value(app, "smtp_password") == "mat-khau-smtp"
    form = settings_form(html)
    form["smtp_password_clear"] = "1"
    assert post(admin, "/admin/settings", form).status_code == 302
    assert _value(app, "smtp_password") == ""
