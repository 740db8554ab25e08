"""The registry and catalogue API, the ``tdkt registry`` commands and the demo registry."""

from __future__ import annotations

import os
import subprocess
import sys
from io import BytesIO
from pathlib import Path
from typing import Any

import pytest
from api_kit import API, Headers, add_units, assert_error, make_app
from flask import Flask
from flask.testing import FlaskClient
from openpyxl import load_workbook
from sqlalchemy import create_engine, text

from engine import identity
from engine.roles import SYSTEM
from webapp.demo import UNITS
from webapp.demo_registry import load_demo_registry
from workflows.registry_template import SHEETS, workbook_bytes

HEAD = {name: [c.name for c in spec.columns if not c.optional] for name, spec in SHEETS.items()}


def registry_sheets() -> dict[str, list[list[Any]]]:
    """People A01 (unit A) and B01 (unit B) with a little history each."""
    return {
        "people": [HEAD["people"], ["A01", "Nguyễn Văn An", "A", "Chuyên viên"],
                   ["B01", "Trần Thị Bình", "B", "Trưởng phòng"]],
        "ratings": [HEAD["ratings"], [2024, "A01", "HTXSNV"], [2025, "A01", "HTTNV"],
                    [2024, "B01", "HTTNV"], [2024, "A", "HTTNV"]],
        "awards": [HEAD["awards"],
                   [2024, "A01", "LDTT", "annual", "12/QĐ-VP", "2024-12-26"],
                   [2025, "A01", "LDTT", "annual", "15/QĐ-VP", "2025-12-26"],
                   [2024, "B01", "LDTT", "annual", "12/QĐ-VP", "2024-12-26"],
                   [2024, "A", "TTLDTT", "annual", "12/QĐ-VP", "2024-12-26"],
                   [2025, "B01", "GK", "thematic", "96/QĐ-VP", "2025-09-02"]],
        "initiatives": [HEAD["initiatives"], [2024, "A01", "Số hóa hồ sơ", "co_so"]],
        "discipline": [HEAD["discipline"], ["B01", "khien_trach", "2025-10-15", None, "TRUE"]],
    }


def upload(client: FlaskClient, headers: Headers, data: bytes, name: str = "so.xlsx") -> Any:
    return client.post(f"{API}/registry/import", headers=headers,
                       data={"file": (BytesIO(data), name)}, content_type="multipart/form-data")


def count(app: Flask, table: str) -> int:
    with app.extensions["tdkt"].db.session() as s:
        return int(s.execute(text(f"SELECT count(*) FROM {table}")).scalar_one())


@pytest.fixture
def loaded(client: FlaskClient, people: dict[str, Headers]) -> dict[str, Headers]:
    r = upload(client, people["sec1"], workbook_bytes(registry_sheets()))
    assert r.status_code == 200, r.get_json()
    body = r.get_json()
    assert body["sheets"]["awards"] == {"created": 5, "updated": 0, "unchanged": 0}
    assert body["totals"]["created"] == 13 and len(body["sha256"]) == 64
    return people


def test_import_permissions_and_problems(app: Flask, client: FlaskClient,
                                         people: dict[str, Headers]) -> None:
    data = workbook_bytes(registry_sheets())
    for who in ("sub_a", "council1"):
        assert_error(upload(client, people[who], data), 403)
    assert_error(upload(client, {}, data), 401)
    bad = registry_sheets()
    bad["ratings"][1][2] = "GIOI"
    bad["awards"][2][2] = "NOPE"
    body = assert_error(upload(client, people["admin1"], workbook_bytes(bad)), 422,
                        "registry.invalid")
    assert [(d["sheet"], d["row"], d["column"]) for d in body["details"]] == [
        ("ratings", 2, "rating"), ("awards", 3, "award_code")]
    assert "GIOI" in body["details"][0]["message"]
    assert count(app, "person") == 0 and count(app, "award_record") == 0
    assert_error(client.post(f"{API}/registry/import", headers=people["admin1"], data={},
                             content_type="multipart/form-data"), 422)
    # The role is checked before the body: no file still answers 403 to a submitter.
    assert_error(client.post(f"{API}/registry/import", headers=people["sub_a"], data={},
                             content_type="multipart/form-data"), 403, "registry.import_forbidden")
    assert_error(client.post(f"{API}/registry/import", data={},
                             content_type="multipart/form-data"), 401)
    assert upload(client, people["admin1"], data).status_code == 200
    again = upload(client, people["admin1"], data).get_json()
    assert again["totals"] == {"created": 0, "updated": 0, "unchanged": 13}


def test_award_list_visibility_filters_and_paging(client: FlaskClient,
                                                  loaded: dict[str, Headers]) -> None:
    everything = client.get(f"{API}/registry/awards", headers=loaded["sec1"]).get_json()
    assert everything["total"] == 5
    first = everything["items"][0]
    assert first["year"] == 2025 and first["award_code"] in {"LDTT", "GK"}
    item = next(i for i in everything["items"] if i["subject_code"] == "A")
    assert item["subject_name"] == "Unit A" and item["award_name"] == "Tập thể lao động tiên tiến"
    assert (item["kind"], item["decision_no"], item["decision_date"], item["revoked"],
            item["bonus_amount"], item["source"]) == (
        "annual", "12/QĐ-VP", "2024-12-26", False, None, "import")

    mine = client.get(f"{API}/registry/awards", headers=loaded["sub_a"]).get_json()
    assert {i["subject_code"] for i in mine["items"]} == {"A01", "A"} and mine["total"] == 3
    theirs = client.get(f"{API}/registry/awards?subject_code=A01",
                        headers=loaded["sub_b"]).get_json()
    assert theirs["total"] == 0

    filtered = client.get(f"{API}/registry/awards?year=2024&award_code=LDTT",
                          headers=loaded["council1"]).get_json()
    assert sorted(i["subject_code"] for i in filtered["items"]) == ["A01", "B01"]
    paged = client.get(f"{API}/registry/awards?per_page=2&page=3",
                       headers=loaded["admin1"]).get_json()
    assert (paged["total"], paged["page"], paged["per_page"], len(paged["items"])) == (5, 3, 2, 1)
    assert_error(client.get(f"{API}/registry/awards?per_page=0", headers=loaded["sec1"]), 422)
    assert_error(client.get(f"{API}/registry/awards"), 401)


def test_subject_history_and_visibility(client: FlaskClient,
                                        loaded: dict[str, Headers]) -> None:
    r = client.get(f"{API}/registry/subjects/A01", headers=loaded["sub_a"])
    assert r.status_code == 200, r.get_json()
    a01 = r.get_json()
    assert (a01["kind"], a01["name"], a01["unit_code"], a01["position"]) == (
        "individual", "Nguyễn Văn An", "A", "Chuyên viên")
    assert a01["ratings"] == [{"year": 2024, "rating": "HTXSNV"},
                              {"year": 2025, "rating": "HTTNV"}]
    assert [a["year"] for a in a01["awards"]] == [2024, 2025]
    assert a01["initiatives"][0]["title"] == "Số hóa hồ sơ" and a01["discipline"] == []

    assert_error(client.get(f"{API}/registry/subjects/A01", headers=loaded["sub_b"]), 404,
                 "subject.not_found")
    assert_error(client.get(f"{API}/registry/subjects/A", headers=loaded["sub_b"]), 404,
                 "subject.not_found")
    unit = client.get(f"{API}/registry/subjects/A", headers=loaded["sub_a"]).get_json()
    assert unit["kind"] == "collective" and [a["award_code"] for a in unit["awards"]] == \
        ["TTLDTT"]
    b01 = client.get(f"{API}/registry/subjects/B01", headers=loaded["sec1"]).get_json()
    assert b01["discipline"][0]["pending"] is True
    assert [a["kind"] for a in b01["awards"]] == ["annual", "thematic"]
    assert_error(client.get(f"{API}/registry/subjects/NOPE", headers=loaded["sec1"]), 404,
                 "subject.not_found")


def test_catalogue(client: FlaskClient, people: dict[str, Headers]) -> None:
    r = client.get(f"{API}/catalogue", headers=people["sub_a"])
    assert r.status_code == 200
    codes = [a["code"] for a in r.get_json()]
    assert codes[:3] == ["LDTT", "CSTD_CS", "CSTD_TINH"] and len(codes) == 10
    tinh = client.get(f"{API}/catalogue/CSTD_TINH", headers=people["sub_a"]).get_json()
    assert tinh["rules"]["consecutive_years"] == 3 and tinh["level"] == "province"
    assert tinh["within_office_power"] is False and tinh["secret_ballot"] is True
    assert tinh["vote_threshold_pct"] == 90 and "qd_sang_kien" in tinh["dossier_items"]
    ldtt = client.get(f"{API}/catalogue/LDTT", headers=people["sub_a"]).get_json()
    assert (ldtt["bonus_coefficient"], ldtt["bonus_amount"]) == (0.3, 702000)
    assert_error(client.get(f"{API}/catalogue/NOPE", headers=people["sub_a"]), 404,
                 "award.not_found")
    assert_error(client.get(f"{API}/catalogue"), 401)


def test_demo_registry_loads_once(app: Flask, client: FlaskClient,
                                  people: dict[str, Headers]) -> None:
    with app.extensions["tdkt"].db.write_session() as s:
        for code, name, parent in UNITS:
            if code not in {"A", "B", "TCHCQT"}:
                identity.create_unit(s, SYSTEM, code, name, parent)
        s.commit()
    lines = list(load_demo_registry(app.extensions["tdkt"], UNITS))
    assert any("people: 16 mới" in line for line in lines), lines
    tables = ("person", "annual_rating", "award_record", "initiative", "discipline",
              "audit_event")
    before = {t: count(app, t) for t in tables}
    assert list(load_demo_registry(app.extensions["tdkt"], UNITS)) == []
    assert {t: count(app, t) for t in tables} == before

    kt02 = client.get(f"{API}/registry/subjects/KT02", headers=people["sec1"]).get_json()
    cstd = [a["year"] for a in kt02["awards"] if a["award_code"] == "CSTD_CS"]
    assert cstd == [2023, 2024, 2025]
    assert {"year": 2025, "level": "tinh"}.items() <= kt02["initiatives"][-1].items()
    vx02 = client.get(f"{API}/registry/subjects/VX02", headers=people["sec1"]).get_json()
    assert [a["kind"] for a in vx02["awards"] if a["award_code"] == "GK"] == ["thematic"]
    vx05 = client.get(f"{API}/registry/subjects/VX05", headers=people["sec1"]).get_json()
    assert [d["pending"] for d in vx05["discipline"]] == [True]


# -- the command line, as a real process from a folder outside the repository ---------
def tdkt(url: str, workdir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "TDKT_DATABASE_URL": url, "TDKT_INSTANCE_DIR": str(workdir)}
    return subprocess.run([sys.executable, "-m", "webapp.cli", *args], env=env, cwd=workdir,
                          capture_output=True, text=True, timeout=120)


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    path = tmp_path / "elsewhere"
    path.mkdir()
    return path


def test_cli_template(sqlite_url: str, workdir: Path) -> None:
    r = tdkt(sqlite_url, workdir, "registry", "template", "mau.xlsx")
    assert r.returncode == 0, r.stderr
    assert load_workbook(workdir / "mau.xlsx").sheetnames == ["huong_dan", *SHEETS]


def test_cli_import(sqlite_url: str, workdir: Path) -> None:
    app = make_app(sqlite_url)
    add_units(app, "A")
    app.extensions["tdkt"].db.dispose()
    sheets = registry_sheets()  # unit A's rows only: unit B is not in this database
    sheets = {name: [rows[0], *(r for r in rows[1:] if "B" not in (r[0], r[1]) and
                                 "B01" not in (r[0], r[1]))]
              for name, rows in sheets.items()}
    (workdir / "so.xlsx").write_bytes(workbook_bytes(sheets))
    sheets["ratings"].append([2024, "ZZ9", "HTTNV"])
    sheets["awards"][1][5] = "2024-02-30"
    (workdir / "bad.xlsx").write_bytes(workbook_bytes(sheets))

    r = tdkt(sqlite_url, workdir, "registry", "import", "so.xlsx")
    assert r.returncode == 0, r.stderr
    assert "people: 1 mới, 0 cập nhật, 0 không đổi" in r.stdout
    assert "awards: 3 mới, 0 cập nhật, 0 không đổi" in r.stdout

    r = tdkt(sqlite_url, workdir, "registry", "import", "bad.xlsx")
    assert r.returncode == 1
    assert "registry.invalid" in r.stderr
    assert "trang ratings, dòng 5, cột subject_code: Không có cá nhân hay tập thể mã «ZZ9»" \
        in r.stderr, r.stderr
    assert "trang awards, dòng 2, cột decision_date" in r.stderr
    eng = create_engine(sqlite_url)
    with eng.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM annual_rating")).scalar() == 3
    eng.dispose()
