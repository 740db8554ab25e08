# ruff: noqa: F811  (pytest fixtures imported from test_admin_migrations)
"""Why an instance cannot move, in English (webapp/migration_words.py): every refusal code
the engine's migration can emit has a template, translated; the template is the engine's
Vietnamese message; the English dry-run page, job page and API show English reasons."""

from __future__ import annotations

import ast
import re
from pathlib import Path
from typing import Any

from api_kit import API, Headers, deploy
from babel.messages.pofile import read_po
from flask import Flask
from flask.testing import FlaskClient
from test_admin_migrations import (  # noqa: F401  (fixtures)
    WITHOUT_APPRAISE_ID,
    admin_client,
    finish_jobs,
    post,
    setup,
    submit,
)
from test_problem_words import _string

from engine.migration.paths import check_paths
from engine.migration.plan import Assessment
from webapp.migration_words import REASON_TEMPLATES
from webapp.problem_words import TEMPLATES, problem_message, template_key

ROOT = Path(__file__).resolve().parents[2]
VIETNAMESE = re.compile(r"[^\x00-\x7f«»—–…→]")
# Codes or reasons the engine computes at run time, and every value they can take.
STATUSES = ("error", "completed", "cancelled")  # ProcessInstance.status other than running
BOUNDARY = ("current", "done", "current_subprocess", "done_subprocess")  # plan._check_boundaries


def _codes_of_call(call: ast.Call) -> set[str]:
    """``out.refuse(code, …)`` and ``_refusal(code, …)``; "/*" when a reason may come."""
    func = call.func
    name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
    if name not in ("refuse", "_refusal") or not call.args \
            or isinstance(call.args[0], ast.Name):  # _refusal passing its code on
        return set()
    first = call.args[0]
    code = _string(first) or ("migration.instance_*" if isinstance(first, ast.JoinedStr)
                              else None)
    assert code, ast.unparse(call)
    reason = next((k for k in call.keywords if k.arg in ("reason", None)), None)
    if reason is None:
        return {code}
    if reason.arg is None:  # **params: a reason, or none
        return {code, f"{code}/*"}
    constant = _string(reason.value)
    return {f"{code}/{constant or '*'}"}


def _codes_of_dict(node: ast.Dict) -> set[str]:
    """``{"code": "migration.conflict", …}`` in batches.py and paths.py."""
    values = dict(zip([_string(k) for k in node.keys], node.values, strict=True))
    code = _string(values.get("code"))
    return {code} if code and code.startswith("migration.") else set()


def emitted_codes() -> set[str]:
    found: set[str] = set()
    for path in (ROOT / "engine" / "migration").glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call):
                found |= _codes_of_call(node)
            elif isinstance(node, ast.Dict):
                found |= _codes_of_dict(node)
    return found


def test_every_refusal_the_engine_emits_has_an_english_template() -> None:
    codes = emitted_codes()
    assert {"migration.conflict", "migration.completed_path_removed",
            "migration.engine_step_failed", "migration.subprocess_changed"} <= codes
    computed = {c for c in codes if "*" in c}
    assert computed == {"migration.instance_*", "migration.boundary_changed/*",
                        "migration.current_step_removed/*",
                        "migration.completed_step_removed/*"}
    expanded = ({f"migration.instance_{s}" for s in STATUSES}
                | {f"migration.boundary_changed/{r}" for r in BOUNDARY}
                | {f"migration.{k}_step_removed/subprocess" for k in ("current", "completed")})
    assert sorted((codes - computed | expanded) - set(REASON_TEMPLATES)) == []
    assert set(REASON_TEMPLATES) <= set(TEMPLATES)
    with (ROOT / "webapp/translations/en/LC_MESSAGES/messages.po").open("rb") as f:
        english = {m.id: m.string for m in read_po(f) if m.id}
    for template in REASON_TEMPLATES.values():
        assert english.get(template) and not VIETNAMESE.search(english[template]), template


def _vietnamese(reason: dict[str, Any]) -> str:
    """The template filled the way the engine writes its message."""
    params = {k: ", ".join(v) or "không có" if isinstance(v, list) else v
              for k, v in reason["params"].items() if k != "reason"}
    return REASON_TEMPLATES[template_key(reason)] % params


def test_each_template_is_the_engines_message(app: Flask) -> None:
    out = Assessment()
    out.refuse("migration.boundary_changed", "Sự kiện gắn trên bước đã làm «A» (a) trong quy "
               "trình con «sub» khác ở phiên bản đích (t1 → không có); đường đi đã qua không "
               "còn hợp lệ.", "a", reason="done_subprocess", step="«A» (a)",
               subprocess="sub", before=["t1"], after=[])
    reasons, _changes = check_paths({("main", "a", "b")}, {"main": {("a", "b"): ("f1", None)}},
                                    {"main": {}})
    for reason in [*out.reasons, *reasons]:
        assert _vietnamese(reason) == reason["message"]
    with app.test_request_context("/?lang=en"):
        assert problem_message(out.reasons[0]) == (
            "The events attached to the completed step «A» (a) in sub-process «sub» differ "
            "in the target version (t1 → (none)); the path taken is no longer valid.")
        assert problem_message(reasons[0]) == (
            "The path taken a → b (flow f1) is no longer in the target version.")


REMOVED = "The current step «Thẩm định» (appraise) is not in the target version."


def test_english_pages_and_api_show_english_reasons(
        app: Flask, client: FlaskClient, people: dict[str, Headers],
        admin_client: FlaskClient, setup: dict[str, Any]) -> None:
    admin = people["admin1"]
    assert deploy(client, admin, WITHOUT_APPRAISE_ID, "v2.bpmn").status_code == 201

    vietnamese = post(client, admin, from_version=1, to_version=2, dry_run=True).get_json()
    [refused] = [i for i in vietnamese["items"] if not i["can_move"]]
    [reason] = refused["reasons"]
    assert reason["code"] == "migration.current_step_removed"
    assert reason["params"] == {"step": "«Thẩm định» (appraise)", "subprocess": None}
    assert _vietnamese(reason) == reason["message"]
    r = client.post(f"{API}/processes/api_two_lane/migrations?lang=en", headers=admin,
                    json={"from_version": 1, "to_version": 2, "dry_run": True})
    [english] = [i for i in r.get_json()["items"] if not i["can_move"]]
    assert english["reasons"][0]["message"] == REMOVED

    html = admin_client.get("/admin/migrations?process=api_two_lane&from_version=1"
                            "&to_version=2&dry_run=1&lang=en").get_data(as_text=True)
    assert REMOVED in html and "Bước đang xử lý" not in html
    html = admin_client.get("/admin/migrations?process=api_two_lane&from_version=1"
                            "&to_version=2&dry_run=1&lang=vi").get_data(as_text=True)
    assert reason["message"] in html and REMOVED not in html

    r = submit(admin_client, "start")
    assert r.status_code == 302
    finish_jobs(app)
    job = r.headers["Location"]
    assert REMOVED in admin_client.get(f"{job}?lang=en").get_data(as_text=True)
    job_id = job.rsplit("/", 1)[1]
    items = client.get(f"{API}/migrations/{job_id}?state=refused&lang=en",
                       headers=admin).get_json()["items"]
    assert [i["reasons"][0]["message"] for i in items] == [REMOVED]


def test_every_migration_error_has_an_english_template_equal_to_the_engine_message() -> None:
    from webapp.migration_words import ERROR_TEMPLATES

    found: dict[str, str | None] = {}
    for name in ("back.py", "jobs.py"):
        tree = ast.parse((ROOT / "engine" / "migration" / name).read_text())
        for call in (n for n in ast.walk(tree) if isinstance(n, ast.Call)):
            code = next((_string(k.value) for k in call.keywords if k.arg == "code"), None)
            if code and code.startswith("migration.") and call.args:
                found[code] = _string(call.args[0])  # None: built with values
    assert set(found) == set(ERROR_TEMPLATES), set(found) ^ set(ERROR_TEMPLATES)
    catalogue = {m.id: m.string for m in read_po(
        (ROOT / "webapp/translations/en/LC_MESSAGES/messages.po").open("rb"))}
    for code, template in ERROR_TEMPLATES.items():
        assert catalogue.get(template), code  # translated
        if found[code] is not None and "%(" not in template:
            assert template == found[code], code
