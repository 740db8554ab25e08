"""``/admin/catalogue``: typed inputs for every value, errors beside fields, audit."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from test_admin_kit import (
    admin,  # noqa: F401  (fixture)
    events,
    field_errors,
    form_of,
    post,
)

from workflows.models import AwardType

VIETNAMESE = re.compile("[àáảãạăắằẳẵặâấầẩẫậđèéẻẽẹêếềểễệìíỉĩịòóỏõọôốồổỗộơớờởỡợ"
                        "ùúủũụưứừửữựỳýỷỹỵ]", re.IGNORECASE)


def _award(app: Flask, code: str) -> AwardType:
    with app.extensions["tdkt"].db.session() as s:
        row = s.get(AwardType, code)
        assert row is not None
        s.expunge(row)
        return row


def _form(admin: FlaskClient, code: str) -> dict[str, Any]:  # noqa: F811
    return form_of(admin.get(f"/admin/catalogue/{code}").get_data(as_text=True))


def test_list_shows_thresholds_coefficients_and_amounts(admin: FlaskClient) -> None:  # noqa: F811
    html = admin.get("/admin/catalogue").get_data(as_text=True)
    assert "Chiến sĩ thi đua cấp tỉnh" in html and "≥ 90% · Tổng số thành viên" in html
    assert "2.340.000 đ" in html  # CSTĐ cơ sở: 1,0 × 2.340.000 đ
    assert "702.000 đ" in html  # LĐTT: 0,3 × 2.340.000 đ
    assert 'href="/admin/catalogue/CO_TINH"' in html


def test_the_form_shows_known_rules_as_typed_inputs(admin: FlaskClient) -> None:  # noqa: F811
    html = admin.get("/admin/catalogue/CSTD_CS").get_data(as_text=True)
    form = form_of(html)
    assert form["vote_threshold_pct"] == "50.0" and form["vote_base"] == "members"
    assert form["secret_ballot"] == "1" and "needs_disclosure" not in form
    assert form["rules.quota_pct_of_ldtt"] == "15"
    assert form["rules.needs_title_same_year"] == "LDTT"
    assert form["rules.initiative_levels"] == ["co_so", "tinh", "toan_quoc"]
    assert form["rules.quota_scope"] == "office" and form["rules.min_rating"] == ""
    assert 'type="number"' in html and "<textarea" in html and "{&#34;" not in html


def test_unchanged_form_writes_nothing(app: Flask, admin: FlaskClient) -> None:  # noqa: F811
    before = _award(app, "BK_TTG").rules
    r = post(admin, "/admin/catalogue/BK_TTG", _form(admin, "BK_TTG"))
    assert r.status_code == 302
    assert _award(app, "BK_TTG").rules == before and not events(app, "catalogue.updated")


def test_change_is_saved_and_audited_before_after(app: Flask, admin: FlaskClient) -> None:  # noqa: F811
    form = _form(admin, "CSTD_CS")
    form.update({"vote_threshold_pct": "75", "vote_base": "present", "bonus_coefficient": "1,2",
                 "rules.quota_pct_of_ldtt": "20", "rules.initiative_levels": ["tinh"],
                 "rules.min_rating": "HTXSNV", "legal_basis": "Luật TĐKT 2022 Điều 23"})
    r = post(admin, "/admin/catalogue/CSTD_CS", form)
    assert r.status_code == 302, field_errors(r.get_data(as_text=True))
    row = _award(app, "CSTD_CS")
    assert row.vote_threshold_pct == Decimal("75") and row.vote_base == "present"
    assert row.bonus_coefficient == Decimal("1.2")
    assert row.rules["quota_pct_of_ldtt"] == 20 and row.rules["initiative_levels"] == ["tinh"]
    assert row.rules["min_rating"] == "HTXSNV" and row.rules["quota_scope"] == "office"
    event = events(app, "catalogue.updated")[-1]
    assert event["code"] == "CSTD_CS" and event["actor"] == "admin1"
    assert event["before"]["vote_threshold_pct"] == 50
    assert event["after"]["vote_threshold_pct"] == 75
    assert event["before"]["rules"]["quota_pct_of_ldtt"] == 15
    assert event["after"]["rules"]["quota_pct_of_ldtt"] == 20
    assert "name" not in event["before"]  # only what changed
    # Emptying a rule removes it from the title.
    form = _form(admin, "CSTD_CS")
    form["rules.min_rating"] = ""
    assert post(admin, "/admin/catalogue/CSTD_CS", form).status_code == 302
    assert "min_rating" not in _award(app, "CSTD_CS").rules


def test_bad_values_are_shown_beside_fields_and_nothing_is_written(
        app: Flask, admin: FlaskClient) -> None:  # noqa: F811
    before = _award(app, "CSTD_CS")
    form = _form(admin, "CSTD_CS")
    form.update({"vote_threshold_pct": "150", "rules.quota_pct_of_ldtt": "0",
                 "rules.consecutive_years": "abc", "name": "", "disclosure_working_days": "-1",
                 "legal_basis": "Căn cứ mới chưa lưu"})
    r = post(admin, "/admin/catalogue/CSTD_CS", form)
    html = r.get_data(as_text=True)
    errors = field_errors(html)
    assert r.status_code == 422
    assert "không quá 100" in errors["vote-threshold-pct"]
    assert "lớn hơn 0" in errors["rules-quota-pct-of-ldtt"]
    assert "số nguyên" in errors["rules-consecutive-years"]
    assert "để trống" in errors["name"] and "disclosure-working-days" in errors
    kept = form_of(html)
    assert kept["vote_threshold_pct"] == "150" and kept["legal_basis"] == "Căn cứ mới chưa lưu"
    after = _award(app, "CSTD_CS")
    assert (after.vote_threshold_pct, after.rules, after.legal_basis) == \
        (before.vote_threshold_pct, before.rules, before.legal_basis)
    assert not events(app, "catalogue.updated")


def test_unknown_title_code_in_a_rule_is_refused(app: Flask, admin: FlaskClient) -> None:  # noqa: F811
    form = _form(admin, "CSTD_TINH")
    form["rules.prerequisite"] = "NOPE"
    r = post(admin, "/admin/catalogue/CSTD_TINH", form)
    assert r.status_code == 422
    assert "danh mục" in field_errors(r.get_data(as_text=True))["rules-prerequisite"]
    assert _award(app, "CSTD_TINH").rules["prerequisite"] == "CSTD_CS"


def test_unknown_title_is_404(admin: FlaskClient) -> None:  # noqa: F811
    assert admin.get("/admin/catalogue/NOPE").status_code == 404
    assert post(admin, "/admin/catalogue/NOPE", {"name": "x"}).status_code == 404


def test_the_procedures_a_title_may_be_proposed_in(app: Flask, admin: FlaskClient  # noqa: F811
                                                  ) -> None:
    assert _form(admin, "GK")["kinds"] == ["annual", "thematic", "adhoc"]
    form = _form(admin, "LDTT")
    assert form["kinds"] == "annual"  # one box checked
    r = post(admin, "/admin/catalogue/LDTT", {**form, "kinds": []})
    assert r.status_code == 422
    assert field_errors(r.get_data(as_text=True)) == {
        "kinds": "Chọn ít nhất một thủ tục được đề nghị."}
    assert _award(app, "LDTT").kinds == ["annual"]
    r = post(admin, "/admin/catalogue/LDTT", {**form, "kinds": ["annual", "adhoc"]})
    assert r.status_code == 302
    assert _award(app, "LDTT").kinds == ["annual", "adhoc"]
    event = events(app, "catalogue.updated")[-1]
    assert (event["before"]["kinds"], event["after"]["kinds"]) == (["annual"],
                                                                   ["annual", "adhoc"])


def _select_texts(html: str, name: str) -> dict[str, str]:
    """value -> text of the options of one select."""
    block = re.search(rf'<select[^>]*name="{re.escape(name)}"[^>]*>(.*?)</select>', html, re.S)
    assert block, name
    return dict(re.findall(r'<option value="([^"]*)"[^>]*>([^<]*)</option>', block.group(1)))


def test_the_english_editor_translates_rules_and_their_choices(
        admin: FlaskClient) -> None:  # noqa: F811
    vietnamese = admin.get("/admin/catalogue/CSTD_CS").get_data(as_text=True)
    assert _select_texts(vietnamese, "rules.min_rating")["HTXSNV"] == \
        "Hoàn thành xuất sắc nhiệm vụ"
    html = admin.get("/admin/catalogue/CSTD_CS?lang=en").get_data(as_text=True)
    assert form_of(html) == form_of(vietnamese)  # the same values, only the words change
    ratings = _select_texts(html, "rules.min_rating")
    assert ratings["HTXSNV"] == "Tasks completed with excellence"
    assert _select_texts(html, "rules.max_discipline_form")["khien_trach"] == "reprimand"
    assert _select_texts(html, "rules.quota_scope")["office"] == "the whole Office"
    assert "Minimum rating (min_rating)" in html
    assert "Most severe discipline still considered (max_discipline_form)" in html
    words = [*ratings.values(), *_select_texts(html, "rules.max_discipline_form").values(),
             *_select_texts(html, "rules.quota_scope").values(),
             *re.findall(r'<label class="form-(?:check-)?label"[^>]*>([^<]*)</label>', html)]
    # a Vietnamese term may stay as a gloss in brackets: "Award proposal (tờ trình)"
    assert [w for w in words if VIETNAMESE.search(re.sub(r"\([^)]*\)", "", w))] == []
