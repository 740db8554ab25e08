"""The demo office behind the REST API: the app on a fresh database with ``webapp.demo``
loaded, a token per demo user, and helpers that walk a procedure step by step.

Every step goes through ``/api/v1`` only: the task is looked up in the inbox of the
user who must do it (``GET /tasks``) and in no inbox of a user without the lane's role,
then completed by that user. At every step the other unit's submitter (``donvi_vx``) must
see neither the instance (404) nor its tasks.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from argon2 import PasswordHasher
from flask import Flask
from flask.testing import FlaskClient

from engine import identity
from engine.roles import SYSTEM
from webapp import create_app
from webapp.demo import USERS, load_demo
from webapp.demo_council import COUNCIL_USERS

API = "/api/v1"
Headers = dict[str, str]
OUTSIDER = "donvi_vx"  # the submitter of another unit (VX) than the one that proposes (KT)
ROLES = {username: set(roles) for username, _name, roles, _unit in USERS}
ROLES |= {username: {"council"} for username, _name, _unit in COUNCIL_USERS}


@dataclass
class DemoOffice:
    """The app with the demo loaded, a test client and each demo user's auth headers."""

    app: Flask
    client: FlaskClient
    headers: dict[str, Headers] = field(default_factory=dict)

    # -- plain calls ----------------------------------------------------------------
    def get(self, user: str, path: str, **query: Any) -> Any:
        return self.client.get(f"{API}{path}", headers=self.headers[user], query_string=query)

    def post(self, user: str, path: str, body: Any = None) -> Any:
        return self.client.post(f"{API}{path}", headers=self.headers[user],
                                json={} if body is None else body)

    def ok(self, response: Any, status: int = 200) -> Any:
        assert response.status_code == status, (response.status_code, response.get_data(True))
        return response.get_json()

    # -- procedures -----------------------------------------------------------------
    def start(self, user: str, key: str, business_key: str) -> dict[str, Any]:
        inst: dict[str, Any] = self.ok(self.post(
            user, f"/processes/{key}/instances", {"business_key": business_key}), 201)
        assert inst["status"] == "running", inst.get("error")
        return inst

    def inbox(self, user: str, instance_id: int | None = None) -> list[dict[str, Any]]:
        """The user's ready tasks (of one instance when given)."""
        items: list[dict[str, Any]] = self.ok(self.get(user, "/tasks", per_page=500))["items"]
        return [t for t in items if instance_id is None or t["instance_id"] == instance_id]

    def step(self, inst: dict[str, Any], name: str, role: str, user: str,
             data: dict[str, Any]) -> dict[str, Any]:
        """Do the instance's one ready task ``name`` as ``user``, found in their inbox."""
        assert inst["status"] == "running", inst.get("error")
        assert [t["name"] for t in inst["tasks"]] == [name], inst["tasks"]
        mine = [t for t in self.inbox(user, inst["id"]) if t["name"] == name]
        assert len(mine) == 1, f"{user} does not see {name!r} in their inbox"
        task = mine[0]
        assert task["role"] == role and task["process_key"] == inst["process_key"], task
        for other, roles in ROLES.items():  # nobody without the lane's role sees it
            if role not in roles:
                assert task["id"] not in {t["id"] for t in self.inbox(other, inst["id"])}, other
        self.assert_hidden_from_outsider(inst["id"])
        after: dict[str, Any] = self.ok(self.post(user, f"/tasks/{task['id']}/complete",
                                                  {"data": data}))
        assert after["id"] == inst["id"]
        assert not [t for t in self.inbox(user, inst["id"]) if t["id"] == task["id"]]
        return after

    def walk(self, inst: dict[str, Any], steps: list[tuple[str, str, str, dict[str, Any]]]
             ) -> dict[str, Any]:
        for name, role, user, data in steps:
            if name == "council_review":  # a meeting of the council, not a task
                inst = self.council_meeting(inst, user, data["passed"])
                continue
            inst = self.step(inst, name, role, user, data)
        return inst

    def council_meeting(self, inst: dict[str, Any], manager: str, passed: list[str]
                        ) -> dict[str, Any]:
        """The instance waits for the council; ``manager`` holds an electronic meeting of
        its candidates where every member present agrees to ``passed`` and not the rest."""
        assert inst["status"] == "running" and inst["tasks"] == [], inst
        pool = self.ok(self.get(manager, "/council/pool"))
        noms = [p["nomination_id"] for p in pool if p["instance_id"] == inst["id"]]
        assert noms, pool
        meeting = self.ok(self.post(manager, "/council/meetings", {
            "title": "Phiên họp Hội đồng TĐKT", "meeting_date": "2026-11-25",
            "mode": "electronic", "nomination_ids": noms}), 201)
        path = f"/council/meetings/{meeting['id']}"
        meeting = self.ok(self.post(manager, f"{path}/open"))
        present = [{"member_id": m["id"], "present": True} for m in meeting["invited"]]
        self.ok(self.client.put(f"{API}{path}/attendance", headers=self.headers[manager],
                                json={"attendance": present}))
        meeting = self.ok(self.post(manager, f"{path}/voting"))
        recused = {(r["candidate_id"], r["member_id"]) for r in meeting["recusals"]}
        for member in meeting["invited"]:
            for cand in meeting["candidates"]:
                if (cand["candidate_id"], member["id"]) in recused:
                    continue
                choice = "agree" if cand["subject_code"] in passed else "disagree"
                self.ok(self.post(member["username"], f"{path}/votes", {
                    "candidate_id": cand["candidate_id"], "choice": choice}), 201)
        closed = self.ok(self.post(manager, f"{path}/close"))
        assert [d["status"] for d in closed["deliveries"]] == ["delivered"], closed
        after: dict[str, Any] = self.ok(self.get(manager, f"/instances/{inst['id']}"))
        return after

    def assert_hidden_from_outsider(self, instance_id: int) -> None:
        """Another unit's submitter sees neither the instance, its history nor its tasks."""
        for path in (f"/instances/{instance_id}", f"/instances/{instance_id}/history"):
            response = self.get(OUTSIDER, path)
            assert response.status_code == 404, (path, response.get_data(True))
            assert response.get_json()["code"]
        assert self.inbox(OUTSIDER, instance_id) == []
        listed = self.ok(self.get(OUTSIDER, "/instances", per_page=500))["items"]
        assert instance_id not in {i["id"] for i in listed}

    # -- what the procedures leave behind -------------------------------------------------
    def history(self, user: str, instance_id: int) -> list[dict[str, Any]]:
        events: list[dict[str, Any]] = self.ok(self.get(
            user, f"/instances/{instance_id}/history", per_page=500))["items"]
        return events

    def who_did(self, user: str, instance_id: int) -> list[tuple[str, str]]:
        """(task name, username) of every completed task, in order, from the history."""
        return [(e["payload"]["name"], e["actor"]) for e in self.history(user, instance_id)
                if e["type"] == "task.completed"]

    def awards(self, user: str, **query: Any) -> list[dict[str, Any]]:
        items: list[dict[str, Any]] = self.ok(self.get(
            user, "/registry/awards", per_page=500, **query))["items"]
        return items

    def subject(self, user: str, code: str) -> dict[str, Any]:
        body: dict[str, Any] = self.ok(self.get(user, f"/registry/subjects/{code}"))
        return body

    def eligibility(self, user: str, subject_code: str, award_code: str, year: int,
                    kind: str = "annual") -> dict[str, Any]:
        body: dict[str, Any] = self.ok(self.post(user, "/eligibility", {
            "subject_code": subject_code, "award_code": award_code, "year": year,
            "kind": kind}))
        return body


def make_demo_office(db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
                     ) -> DemoOffice:
    """The app on ``db_url`` with the demo loaded and a token for each demo user."""
    monkeypatch.setattr(identity, "_HASHER",
                        PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))
    app = create_app({"DATABASE_URL": db_url, "TESTING": True, "SECRET_KEY": "x",
                      "INSTANCE_DIR": str(tmp_path)})
    svc = app.extensions["tdkt"]
    lines = list(load_demo(svc, Path(app.config["BPMN_DIR"])))
    assert lines[-1] == "Dữ liệu mẫu đã sẵn sàng.", lines
    assert not [line for line in lines if line.startswith("Không triển khai được")], lines
    office = DemoOffice(app, app.test_client())
    with svc.db.write_session() as session:
        for username in ROLES:
            user = identity.find_user(session, username)
            token = identity.create_token(session, SYSTEM, user)
            office.headers[username] = {"Authorization": f"Bearer {token}"}
        session.commit()
    return office
