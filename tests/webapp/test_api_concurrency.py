"""Two writers at once on PostgreSQL: one completion wins, the other gets 409."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import pytest
from api_kit import (
    API,
    PEOPLE,
    Headers,
    add_units,
    add_user,
    complete,
    deploy,
    fixture_bytes,
    make_app,
    one_task,
    start,
)
from flask import Flask

ROUNDS = 5


@pytest.fixture
def pg_app(pg_url: str) -> Iterator[Flask]:
    app = make_app(pg_url)
    add_units(app, "A", "B", "TCHCQT")
    yield app
    app.extensions["tdkt"].db.dispose()


def _race(app: Flask, calls: list[tuple[Headers, str, dict[str, Any]]]) -> list[Any]:
    """Run each (headers, task id, data) completion in its own thread and client at once."""
    barrier = threading.Barrier(len(calls))
    results: list[Any] = [None] * len(calls)

    def run(i: int, headers: Headers, task_id: str, data: dict[str, Any]) -> None:
        client = app.test_client()
        barrier.wait(timeout=10)
        try:
            results[i] = complete(client, headers, task_id, data)
        except BaseException as exc:  # reported by the assertion below
            results[i] = exc

    threads = [threading.Thread(target=run, args=(i, *call)) for i, call in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not any(t.is_alive() for t in threads), "a request hung"
    return results


def test_parallel_completion_one_wins(pg_app: Flask) -> None:
    people = {n: add_user(pg_app, n, roles, unit) for n, (roles, unit) in PEOPLE.items()}
    client = pg_app.test_client()
    r = deploy(client, people["admin1"], fixture_bytes("api_two_lane.bpmn"))
    assert r.status_code == 201, r.get_json()
    key = r.get_json()["key"]

    for _ in range(ROUNDS):
        inst = start(client, people["sub_a"], key).get_json()
        r = complete(client, people["sub_a"], one_task(inst, "propose")["id"], {"title": "x"})
        task_id = one_task(r.get_json(), "appraise")["id"]

        results = _race(pg_app, [(people["sec1"], task_id, {"decision": "approve"}),
                                 (people["sec2"], task_id, {"decision": "return"})])
        assert all(not isinstance(x, BaseException) for x in results), results
        statuses = sorted(x.status_code for x in results)
        assert statuses == [200, 409], [x.get_json() for x in results]
        loser = next(x for x in results if x.status_code == 409).get_json()
        assert loser["code"] == "task.not_ready" and loser["message"]
        winner = next(x for x in results if x.status_code == 200).get_json()

        # the instance moved exactly once, by the winner's decision
        hist = client.get(f"{API}/instances/{inst['id']}/history",
                          headers=people["sec1"]).get_json()["items"]
        done = [e for e in hist if e["type"] == "task.completed"
                and e["payload"]["name"] == "appraise"]
        assert len(done) == 1
        expected = "completed" if done[0]["payload"]["data"]["decision"] == "approve" \
            else "running"
        assert winner["status"] == expected
        now = client.get(f"{API}/instances/{inst['id']}", headers=people["sec1"]).get_json()
        assert now["status"] == expected
