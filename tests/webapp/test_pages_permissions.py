"""Permissions of every page, found by walking ``app.url_map``.

Each page route (the API under /api/v1 has its own tests) must belong to one of the rule
sets below; a new route that does not fails ``test_every_page_route_has_a_permission_rule``
until someone says which rule it follows. Then, per rule set:

- visitors (not signed in) are sent to /login, except on the public pages;
- a route that takes a task, an instance, a file or a notification answers 404 to a person
  of another unit (or another person) for unit A's object, whatever the method;
- a council member can neither open nor complete nor claim a secretariat task (403);
- admin pages answer 403 to every role but ``admin``; movement editing is the
  secretariat's and the admin's; the council's pages are closed to the units' submitters,
  and managing meetings and members is not a plain council member's.
"""

from __future__ import annotations

from collections.abc import Iterator
from io import BytesIO
from typing import Any

import pytest
from api_kit import API, PASSWORD, Headers, one_task, start
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from werkzeug.routing import Rule

from engine.store.models import Notification, User

People = dict[str, Headers]
PUBLIC = frozenset({"static", "auth.login", "pages.favicon", "pages.healthz"})
# Any signed-in person; what each one sees is filtered by the engine (tested per page).
SIGNED_IN = frozenset({
    "inbox.index", "nominations.index", "nominations.new", "notifications_pages.index",
    "notifications_pages.read_all", "notifications_pages.bell_json", "auth.logout",
    "auth.change_password", "auth.email_notifications",
    "movements.index", "movements.show", "registry_pages.index", "registry_pages.subject"})
OFFICE_EDITORS = frozenset({"movements.new", "movements.edit"})  # secretariat, admin
ADMIN_BLUEPRINTS = ("admin",)  # every blueprint whose name starts so: admin only
COUNCIL_BLUEPRINTS = ("council",)  # office roles only, never a unit's submitter
COUNCIL_MANAGING = frozenset({"council_pages.new_meeting", "council_pages.members:POST",
                              "council_pages.change_member"})
# The URL argument naming a unit's object -> how to find unit A's one in ``Objects``.
OBJECT_ARGS = ("task_id", "instance_id", "attachment_id", "notification_id")
METHODS = ("GET", "POST", "PUT", "DELETE")


def page_rules(app: Flask) -> list[Rule]:
    return [r for r in app.url_map.iter_rules() if not r.rule.startswith(f"{API}/")]


def is_admin(rule: Rule) -> bool:
    return rule.endpoint.split(".")[0].startswith(ADMIN_BLUEPRINTS)


def is_council(rule: Rule) -> bool:
    return rule.endpoint.split(".")[0].startswith(COUNCIL_BLUEPRINTS)


def object_arg(rule: Rule) -> str | None:
    found = [a for a in OBJECT_ARGS if a in rule.arguments]
    return found[0] if found else None


def methods(rule: Rule) -> list[str]:
    return [m for m in METHODS if m in (rule.methods or ())]


def url(app: Flask, rule: Rule, **given: Any) -> str:
    """The rule's URL with ``given`` arguments and a placeholder for the others."""
    values: dict[str, Any] = {}
    for name in rule.arguments:
        converter = type(rule._converters[name]).__name__  # noqa: SLF001 (int or string)
        values[name] = given.get(name, 1 if converter == "IntegerConverter" else "x")
    with app.test_request_context():
        from flask import url_for
        return url_for(rule.endpoint, **values)


def call(client: FlaskClient, method: str, path: str) -> Any:
    return client.open(path, method=method, data={})


@pytest.fixture
def pages(app: Flask) -> Iterator[Flask]:
    app.config["WTF_CSRF_ENABLED"] = False  # the token is tested in test_pages_auth
    yield app


def signed_in(app: Flask, username: str) -> FlaskClient:
    client = app.test_client()
    r = client.post("/login", data={"username": username, "password": PASSWORD})
    assert r.status_code == 302, r.get_data(as_text=True)
    return client


class Objects:
    """Unit A's instance at the secretariat's step, with a file, and sec1's notification."""

    def __init__(self, client: FlaskClient, people: People, key: str) -> None:
        inst = start(client, people["sub_a"], key, business_key="HS-A-PERM").get_json()
        self.instance_id: int = inst["id"]
        r = client.post(f"{API}/instances/{self.instance_id}/attachments",
                        headers=people["sub_a"], content_type="multipart/form-data",
                        data={"item": "to_trinh", "file": (BytesIO(b"%PDF-1.4\n"), "t.pdf")})
        assert r.status_code == 201, r.get_json()
        self.attachment_id: int = r.get_json()["id"]
        r = client.post(f"{API}/tasks/{one_task(inst, 'propose')['id']}/complete",
                        headers=people["sub_a"], json={})
        self.task_id: str = one_task(r.get_json(), "appraise")["id"]

    def of(self, app: Flask, arg: str) -> Any:
        if arg == "notification_id":
            with app.extensions["tdkt"].db.session() as session:
                sec1 = session.scalar(select(User.id).where(User.username == "sec1"))
                found = session.scalar(select(Notification.id).where(
                    Notification.user_id == sec1).limit(1))
            assert found is not None, "sec1 has no notification of the new task"
            return found
        return {"task_id": self.task_id, "instance_id": self.instance_id,
                "attachment_id": self.attachment_id}[arg]


@pytest.fixture
def objects(pages: Flask, client: FlaskClient, people: People, two_lane: str) -> Objects:
    return Objects(client, people, two_lane)


def test_every_page_route_has_a_permission_rule(pages: Flask) -> None:
    covered = PUBLIC | SIGNED_IN | OFFICE_EDITORS
    missing = sorted(f"{r.endpoint} {r.rule}" for r in page_rules(pages)
                     if r.endpoint not in covered and not is_admin(r) and not is_council(r)
                     and object_arg(r) is None)
    assert not missing, f"page routes without a permission rule in this file: {missing}"
    endpoints = {r.endpoint for r in page_rules(pages)}
    stale = sorted((PUBLIC | SIGNED_IN | OFFICE_EDITORS) - endpoints)
    assert not stale, f"rules for routes that no longer exist: {stale}"


def test_visitors_are_sent_to_the_login_page(pages: Flask) -> None:
    client = pages.test_client()
    checked = 0
    for rule in page_rules(pages):
        if rule.endpoint in PUBLIC:
            continue
        for method in methods(rule):
            path = url(pages, rule)
            r = call(client, method, path)
            assert r.status_code == 302, (method, path, r.status_code)
            assert r.location.startswith("/login"), (method, path, r.location)
            checked += 1
    assert checked >= 20
    for endpoint in ("auth.login", "pages.healthz"):
        assert client.get(url(pages, pages.url_map._rules_by_endpoint[endpoint][0])  # noqa: SLF001
                          ).status_code == 200


def test_another_units_task_instance_file_and_notification_are_404(
        pages: Flask, objects: Objects) -> None:
    checked: set[str] = set()
    for username in ("sub_b", "sec2"):
        client = signed_in(pages, username)
        for rule in page_rules(pages):
            arg = object_arg(rule)
            if arg is None or (username == "sec2") != (arg == "notification_id"):
                continue  # sec2 sees unit A's dossier, but not sec1's notifications
            path = url(pages, rule, **{arg: objects.of(pages, arg)})
            for method in methods(rule):
                r = call(client, method, path)
                assert r.status_code == 404, (username, method, path, r.status_code)
                checked.add(rule.endpoint)
    assert {"task_pages.show", "task_pages.complete", "task_pages.claim",
            "task_pages.release", "instances_pages.show", "instances_pages.diagram_xml",
            "instances_pages.attachment", "notifications_pages.open_one"} <= checked
    # nothing moved: the task still waits at the secretariat, unclaimed
    sec1 = signed_in(pages, "sec1")
    html = sec1.get(f"/tasks/{objects.task_id}").get_data(as_text=True)
    assert "Chưa ai nhận xử lý" in html


def test_the_same_objects_open_for_the_right_people(pages: Flask, objects: Objects) -> None:
    sub_a, sec1 = signed_in(pages, "sub_a"), signed_in(pages, "sec1")
    assert sub_a.get(f"/instances/{objects.instance_id}").status_code == 200
    assert sub_a.get(f"/attachments/{objects.attachment_id}").status_code == 200
    assert sec1.get(f"/tasks/{objects.task_id}").status_code == 200
    note = objects.of(pages, "notification_id")
    assert sec1.post(f"/notifications/{note}/open").status_code == 302


def test_a_council_member_cannot_open_complete_or_claim_a_secretariat_task(
        pages: Flask, objects: Objects, client: FlaskClient, people: People) -> None:
    council = signed_in(pages, "council1")
    for rule in page_rules(pages):
        if object_arg(rule) != "task_id":
            continue
        path = url(pages, rule, task_id=objects.task_id)
        for method in methods(rule):
            r = council.open(path, method=method, data={"decision": "approve"})
            assert r.status_code == 403, (method, path, r.status_code)
            assert "không thuộc vai trò hoặc đơn vị của bạn" in r.get_data(as_text=True)
    body = client.get(f"{API}/instances/{objects.instance_id}", headers=people["sec1"])
    task = one_task(body.get_json(), "appraise")
    assert task["assignee_id"] is None and "decision" not in body.get_json()["data"]


@pytest.mark.parametrize("username", ["sub_a", "sec1", "council1"])
def test_admin_pages_are_for_the_admin_only(pages: Flask, people: People, username: str
                                            ) -> None:
    client = signed_in(pages, username)
    admin_rules = [r for r in page_rules(pages) if is_admin(r)]
    assert len(admin_rules) >= 10
    for rule in admin_rules:
        for method in methods(rule):
            r = call(client, method, url(pages, rule))
            assert r.status_code == 403, (username, method, rule.rule, r.status_code)
    admin = signed_in(pages, "admin1")
    for rule in admin_rules:
        if "GET" in methods(rule) and not rule.arguments:
            assert admin.get(url(pages, rule)).status_code == 200, rule.rule


@pytest.mark.parametrize(("username", "status"), [("sub_a", 403), ("council1", 403),
                                                  ("sec1", 200), ("admin1", 200)])
def test_movement_editing_is_for_the_secretariat_and_the_admin(
        pages: Flask, people: People, username: str, status: int) -> None:
    client = signed_in(pages, username)
    assert client.get("/movements/new").status_code == status
    if status == 403:
        assert client.post("/movements/new", data={"code": "PT-X", "name": "X"}
                           ).status_code == 403
        assert client.get("/movements/PT-X/edit").status_code in (403, 404)


def test_council_pages_are_closed_to_the_units_and_managed_by_the_office(
        pages: Flask, people: People) -> None:
    rules = [r for r in page_rules(pages) if is_council(r)]
    assert len(rules) >= 3
    submitter, member = signed_in(pages, "sub_a"), signed_in(pages, "council1")
    managed = 0
    for rule in rules:
        for method in methods(rule):
            r = call(submitter, method, url(pages, rule))
            assert r.status_code == 403, ("sub_a", method, rule.rule, r.status_code)
            if rule.endpoint in COUNCIL_MANAGING or f"{rule.endpoint}:{method}" in COUNCIL_MANAGING:
                r = call(member, method, url(pages, rule))
                assert r.status_code == 403, ("council1", method, rule.rule, r.status_code)
                managed += 1
    assert managed >= 3
    assert member.get("/council").status_code == 200
    assert signed_in(pages, "sec1").get("/council/meetings/new").status_code == 200
