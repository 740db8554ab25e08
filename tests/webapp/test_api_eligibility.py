"""``POST /api/v1/eligibility`` and ``tdkt eligibility``: the verdict with its reasons."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from datetime import date
from pathlib import Path

import pytest
from api_kit import API, Headers, assert_error
from flask import Flask
from flask.testing import FlaskClient

from engine import identity
from engine.roles import SYSTEM
from engine.store.db import Database
from workflows.models import Award, Person, Rating

Y = 2024
URL = f"{API}/eligibility"


def add_history(db: Database) -> None:
    """P1 in A (LĐTT-eligible, not awarded yet), Q1 in B (not), unit A rated HTTNV."""
    with db.write_session() as s:
        s.add_all([Person(code="P1", full_name="Nguyễn Văn An", unit_code="A"),
                   Person(code="Q1", full_name="Trần Thị Bình", unit_code="B")])
        s.flush()
        s.add_all([Rating(year=Y, subject_code="P1", rating="HTTNV"),
                   Rating(year=Y, subject_code="Q1", rating="HTNV"),
                   Rating(year=Y, subject_code="A", rating="HTTNV")])
        s.commit()


def award_ldtt_to_p1(db: Database) -> None:
    """Record P1's LĐTT of the year: unit A then has 1 LĐTT of 1 member."""
    with db.write_session() as s:
        s.add(Award(year=Y, subject_code="P1", award_code="LDTT", kind="annual",
                    decision_no="1/QĐ-VP", decision_date=date(Y, 12, 20)))
        s.commit()


@pytest.fixture
def history(app: Flask) -> None:
    add_history(app.extensions["tdkt"].db)


def test_any_signed_in_user_gets_the_reasons(client: FlaskClient, people: dict[str, Headers],
                                             history: None) -> None:
    for who in ("sec1", "council1", "admin1"):
        r = client.post(URL, headers=people[who],
                        json={"subject_code": "P1", "award_code": "LDTT", "year": Y})
        assert r.status_code == 200, r.get_json()
        body = r.get_json()
        assert body["eligible"] is True and body["award_code"] == "LDTT" and body["year"] == Y
        assert body["subject"]["code"] == "P1"
        assert [x["rule"] for x in body["reasons"]][:2] == ["subject_kind", "not_yet_awarded"]
        rating = next(x for x in body["reasons"] if x["rule"] == "rating")
        assert rating["ok"] is True and "HTTNV" in rating["detail"]
        assert {"table": "annual_rating", "year": Y, "subject_code": "P1",
                "rating": "HTTNV"} in rating["rows"]
        assert [w["rule"] for w in body["warnings"]] == ["registration"]
    r = client.post(URL, headers=people["sec1"],
                    json={"subject_code": "Q1", "award_code": "LDTT", "year": Y})
    body = r.get_json()
    assert r.status_code == 200 and body["eligible"] is False
    assert [x["rule"] for x in body["reasons"] if not x["ok"]] == ["rating"]


def test_unit_verdict_names_member_rows(app: Flask, client: FlaskClient,
                                        people: dict[str, Headers], history: None) -> None:
    award_ldtt_to_p1(app.extensions["tdkt"].db)
    r = client.post(URL, headers=people["sub_a"],
                    json={"subject_code": "A", "award_code": "TTLDTT", "year": Y})
    assert r.status_code == 200, r.get_json()
    share = next(x for x in r.get_json()["reasons"] if x["rule"] == "member_title_pct")
    assert share["ok"] and [row["subject_code"] for row in share["rows"]
                            if row["table"] == "award_record"] == ["P1"]


def test_submitter_sees_only_their_own_unit(client: FlaskClient, people: dict[str, Headers],
                                            history: None) -> None:
    ok = client.post(URL, headers=people["sub_a"],
                     json={"subject_code": "P1", "award_code": "LDTT", "year": Y})
    assert ok.status_code == 200
    for code in ("Q1", "B"):
        r = client.post(URL, headers=people["sub_a"],
                        json={"subject_code": code, "award_code": "LDTT", "year": Y})
        assert_error(r, 404, "subject.not_found")


def test_unknown_codes_and_bad_bodies(client: FlaskClient, people: dict[str, Headers],
                                      history: None) -> None:
    h = people["sec1"]
    assert_error(client.post(URL, headers=h, json={"subject_code": "X", "award_code": "LDTT",
                                                   "year": Y}), 404, "subject.not_found")
    assert_error(client.post(URL, headers=h, json={"subject_code": "P1", "award_code": "X",
                                                   "year": Y}), 404, "award.not_found")
    body = assert_error(client.post(URL, headers=h, json={"subject_code": "P1"}), 422)
    assert {"award_code", "year"} <= set(body["details"])
    for bad in ({"year": "năm nay"}, {"year": 99999}, {"kind": "weekly"}, {"extra": 1}):
        payload = {"subject_code": "P1", "award_code": "LDTT", "year": Y, **bad}
        assert_error(client.post(URL, headers=h, json=payload), 422)
    assert_error(client.post(URL, headers=h, data="not json",
                             content_type="application/json"), 422)
    assert_error(client.post(URL, json={"subject_code": "P1", "award_code": "LDTT",
                                        "year": Y}), 401)


def test_adhoc_kind_is_passed_through(client: FlaskClient, people: dict[str, Headers],
                                      history: None) -> None:
    r = client.post(URL, headers=people["sec1"],
                    json={"subject_code": "Q1", "award_code": "GK", "year": Y,
                          "kind": "adhoc"})
    assert r.status_code == 200 and r.get_json()["eligible"] is True, r.get_json()


# -- the command line ----------------------------------------------------------------------------
def tdkt(url: str, workdir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "TDKT_DATABASE_URL": url, "TDKT_INSTANCE_DIR": str(workdir)}
    env.pop("TDKT_BPMN_DIR", None)
    return subprocess.run([sys.executable, "-m", "webapp.cli", *args], env=env, cwd=workdir,
                          capture_output=True, text=True, timeout=120)


def test_cli_prints_the_verdict_as_json(sqlite_url: str, tmp_path: Path) -> None:
    db = Database(sqlite_url)
    try:
        with db.write_session() as s:
            for code in ("A", "B"):
                identity.create_unit(s, SYSTEM, code, f"Phòng {code}")
            s.commit()
        add_history(db)
    finally:
        db.dispose()
    workdir = tmp_path / f"w{uuid.uuid4().hex[:6]}"
    workdir.mkdir()
    r = tdkt(sqlite_url, workdir, "eligibility", "P1", "LDTT", str(Y))
    assert r.returncode == 0, r.stderr
    assert "Nguyễn Văn An" in r.stdout and '\n  "eligible": true' in r.stdout  # no \\u escapes
    out = json.loads(r.stdout)
    assert out["eligible"] is True and {x["rule"] for x in out["reasons"]} >= {"rating"}
    r = tdkt(sqlite_url, workdir, "eligibility", "GHOST", "LDTT", str(Y))
    assert r.returncode == 1 and "subject.not_found" in r.stderr and r.stdout == ""
    r = tdkt(sqlite_url, workdir, "eligibility", "P1", "NOPE", str(Y))
    assert r.returncode == 1 and "award.not_found" in r.stderr
