"""Validation problems and migration change labels in English (webapp/problem_words.py):
every code the validator can emit has a template, translated; the English page shows the
problems in English, the Vietnamese page the engine's own message; an unknown code or a
missing value falls back to the stored message."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from babel.messages.pofile import read_po
from flask import Flask
from test_admin_processes import BASE, TWO_LANE, People, send, signed_in, token_of

from engine.migration.plan import WATCHED
from webapp.problem_words import CHANGE_LABELS, TEMPLATES, change_label, problem_message

ROOT = Path(__file__).resolve().parents[2]
# Where problems are made (Problems.add, timer_checks' (message, code, params) tuples) and
# the file-level errors validate_draft turns into a problem (BpmnInvalid).
VALIDATOR = [*(ROOT / "engine" / "specs").glob("*.py"), ROOT / "engine" / "drafts.py"]
CODE = re.compile(r"^[a-z_]+\.[a-z_]+$")
VIETNAMESE = re.compile(r"[^\x00-\x7f«»—–…→]")


def _string(node: ast.AST | None) -> str | None:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) \
        else None


def _codes_of_call(call: ast.Call) -> set[str]:
    func = call.func
    name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
    found: set[str] = set()
    if name == "add" and len(call.args) >= 3:
        code = _string(call.args[2])
        reason = next((_string(k.value) or "*" for k in call.keywords if k.arg == "reason"),
                      None)  # "*": computed at run time
        if code:
            found.add(f"{code}/{reason}" if reason else code)
    if name == "BpmnInvalid":
        code = next((_string(k.value) for k in call.keywords if k.arg == "code"), None)
        found.add(code or "bpmn.invalid")
    return found


def _codes_of_tuple(node: ast.Tuple) -> set[str]:
    """``(message, "timer.x", {"reason": "y", ...})`` in timer_checks.py."""
    if len(node.elts) != 3 or not isinstance(node.elts[2], ast.Dict):
        return set()
    code = _string(node.elts[1])
    params = dict(zip([_string(k) for k in node.elts[2].keys], node.elts[2].values,
                      strict=True))
    reason = _string(params.get("reason"))
    return {f"{code}/{reason}" if reason else code} if code and CODE.match(code) else set()


def emitted_codes() -> set[str]:
    """Every problem code (with its reason when it is a constant) in the validator."""
    found: set[str] = set()
    for path in VALIDATOR:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call):
                found |= _codes_of_call(node)
            elif isinstance(node, ast.Tuple):
                found |= _codes_of_tuple(node)
    return {c for c in found if CODE.match(c.split("/")[0])}


def test_every_code_the_validator_emits_has_an_english_template() -> None:
    codes = emitted_codes()
    assert {"role.unknown", "timer.invalid/sandbox", "dmn.no_table", "task.deadline_removed",
            "bpmn.too_large", "condition.unknown_data"} <= codes  # the walk finds them
    assert sorted(c for c in codes - set(TEMPLATES) if not c.endswith("/*")) == []
    computed = {c.split("/")[0] for c in codes if c.endswith("/*")}
    assert computed == {"dmn.cell_invalid"}  # input_/output_ + why (dmn_tables.CellError)
    assert {f"dmn.cell_invalid/{side}_{why}" for side, why in (
        ("input", "syntax"), ("input", "sandbox"), ("output", "empty"), ("output", "syntax"),
        ("output", "sandbox"))} <= set(TEMPLATES)
    with (ROOT / "webapp/translations/en/LC_MESSAGES/messages.po").open("rb") as f:
        english = {m.id: m.string for m in read_po(f) if m.id}
    for template in [*TEMPLATES.values(), *CHANGE_LABELS.values()]:
        assert english.get(template) and not VIETNAMESE.search(
            english[template].replace("«", "").replace("»", "")), template


def test_change_labels_are_the_engines(app: Flask) -> None:
    assert {field: CHANGE_LABELS[field] for field, _label in WATCHED} == dict(WATCHED)
    with app.test_request_context("/?lang=en"):
        assert change_label({"field": "due", "label": "x"}) == "Deadline rule (dueWorkingDays)"
        assert change_label({"field": "new_kind", "label": "Nhãn mới"}) == "Nhãn mới"
    with app.test_request_context("/"):
        assert change_label({"field": "due"}) == "Quy tắc hạn xử lý (dueWorkingDays)"


def test_unknown_codes_and_missing_values_keep_the_stored_message(app: Flask) -> None:
    with app.test_request_context("/?lang=en"):
        assert problem_message({"code": "role.unknown", "message": "Làn «X»…",
                                "params": {"name": "X", "roles": "chair"}}) == \
            "Lane «X» matches no known role (chair)."
        assert problem_message({"code": "brand.new", "message": "Lỗi mới"}) == "Lỗi mới"
        assert problem_message({"code": "role.unknown", "message": "Làn «X»…",
                                "params": {"name": "X"}}) == "Làn «X»…"


def test_the_english_page_shows_english_problems(app: Flask, people: People,
                                                  two_lane: str) -> None:
    admin = signed_in(app, "admin1")
    token = token_of(admin, f"{BASE}/{two_lane}/v1")
    broken = (TWO_LANE.decode().replace('camunda:formKey="decision"', 'camunda:formKey="nope"')
              .replace("Phòng TCHCQT (secretariat)", "Phòng X (nobody)")
              .replace("total = 1 + 2", "import os")
              .replace(' default="f4"', "")
              .replace('<spiffworkflow:property name="dueWorkingDays" value="10" />', ""))
    draft = send(admin, "POST", f"{BASE}/drafts", token, xml=broken, base_version_id=1)
    assert draft.status_code == 201, draft.get_json()
    url = f"{BASE}/drafts/{draft.get_json()['id']}"

    vietnamese = send(admin, "POST", f"{url}/validate", token).get_json()["problems"]
    codes = {p["code"] for p in vietnamese}
    assert {"form.unknown", "role.unknown", "code.rejected", "gateway.no_default",
            "task.deadline_removed"} <= codes, vietnamese
    assert all(VIETNAMESE.search(p["message"]) for p in vietnamese)

    admin.get(f"{BASE}/{two_lane}/v1?lang=en")  # the language switch
    english = send(admin, "POST", f"{url}/validate", token).get_json()["problems"]
    assert [p["code"] for p in english] == [p["code"] for p in vietnamese]
    by_code = {p["code"]: p["message"] for p in english}
    assert by_code["form.unknown"] == "Form «nope» is not registered."
    assert by_code["code.rejected"].startswith("Script refused: Line 1: import statements")
    assert by_code["task.deadline_removed"].startswith("Step «Thẩm định» no longer has")
    assert [m for m in by_code.values()
            if VIETNAMESE.search(m.replace("Thẩm định", "").replace("Phòng X", ""))] == []
    refused = send(admin, "POST", f"{url}/deploy", token)
    assert refused.status_code == 422
    details = {p["code"]: p["message"] for p in refused.get_json()["details"]}
    assert details["form.unknown"] == "Form «nope» is not registered."
