"""Instance states other than running/completed (cancelled, error) and request limits."""

from __future__ import annotations

from api_kit import (
    API,
    Headers,
    add_user,
    assert_error,
    complete,
    deploy,
    fixture_bytes,
    make_app,
    start,
)
from flask.testing import FlaskClient

People = dict[str, Headers]


def test_cancel_rights_and_effects(
        client: FlaskClient, people: People, two_lane: str) -> None:
    inst = start(client, people["sub_a"], two_lane).get_json()
    task_id = inst["tasks"][0]["id"]
    cancel = f"{API}/instances/{inst['id']}/cancel"
    assert_error(client.post(cancel, headers=people["sec1"], json={}), 403,
                 "instance.cancel_forbidden")
    assert_error(client.post(cancel, headers=people["sub_b"], json={}), 404)

    r = client.post(cancel, headers=people["sub_a"], json={"reason": "Rút hồ sơ"})
    assert r.status_code == 200, r.get_json()
    assert r.get_json()["tasks"] == [] and r.get_json()["ended_at"]
    assert_error(complete(client, people["sub_a"], task_id, {}), 409, "task.not_ready")
    assert client.get(f"{API}/tasks", headers=people["sub_a"]).get_json()["total"] == 0
    types = [e["type"] for e in client.get(f"{API}/instances/{inst['id']}/history",
                                           headers=people["sub_a"]).get_json()["items"]]
    assert "instance.cancelled" in types and "instance.completed" not in types
    assert r.get_json()["status"] == "cancelled"


def test_cancelled_instance_has_status_cancelled(client: FlaskClient, people: People,
                                                 two_lane: str) -> None:
    inst = start(client, people["sub_a"], two_lane).get_json()
    r = client.post(f"{API}/instances/{inst['id']}/cancel", headers=people["sub_a"],
                    json={"reason": "Rút hồ sơ"})
    assert r.status_code == 200, r.get_json()
    assert r.get_json()["status"] == "cancelled"
    got = client.get(f"{API}/instances/{inst['id']}", headers=people["sub_a"]).get_json()
    assert got["status"] == "cancelled"
    listed = client.get(f"{API}/instances", headers=people["sub_a"],
                        query_string={"status": "cancelled"}).get_json()
    assert [i["id"] for i in listed["items"]] == [inst["id"]]


def test_cancel_finished_instance_is_409(client: FlaskClient, people: People,
                                         two_lane: str) -> None:
    inst = start(client, people["sub_a"], two_lane).get_json()
    cancel = f"{API}/instances/{inst['id']}/cancel"
    assert client.post(cancel, headers=people["admin1"], json={}).status_code == 200
    assert_error(client.post(cancel, headers=people["admin1"], json={}), 409,
                 "instance.finished")


def test_script_failure_is_error_status_and_retry_is_admin_only(
        client: FlaskClient, people: People) -> None:
    r = deploy(client, people["admin1"], fixture_bytes("script_error.bpmn"))
    assert r.status_code == 201, r.get_json()
    r = start(client, people["sub_a"], "script_error")  # no ``divisor``: the script fails
    assert r.status_code == 201, r.get_json()
    inst = r.get_json()
    assert inst["status"] == "error" and inst["tasks"] == []
    assert inst["error"]["element_id"] == "divide" and inst["error"]["message"]
    listed = client.get(f"{API}/instances", headers=people["sub_a"],
                        query_string={"status": "error"}).get_json()
    assert [i["id"] for i in listed["items"]] == [inst["id"]]
    types = [e["type"] for e in client.get(f"{API}/instances/{inst['id']}/history",
                                           headers=people["sub_a"]).get_json()["items"]]
    assert types == ["instance.started", "instance.error"]

    retry = f"{API}/instances/{inst['id']}/retry"
    assert_error(client.post(retry, headers=people["sub_a"]), 403, "role.required")
    r = client.post(retry, headers=people["admin1"])  # the cause is not fixed: still error
    assert r.status_code == 200 and r.get_json()["status"] == "error", r.get_json()

    ok = start(client, people["sub_a"], "script_error", data={"divisor": 2}).get_json()
    assert ok["status"] == "running" and ok["data"]["y"] == 5
    assert_error(client.post(f"{API}/instances/{ok['id']}/retry", headers=people["admin1"]),
                 409, "instance.not_in_error")


def test_start_for_another_unit_is_403_for_submitter(client: FlaskClient, people: People,
                                                     two_lane: str) -> None:
    assert_error(start(client, people["sub_a"], two_lane, unit="B"), 403,
                 "instance.unit_forbidden")
    body = assert_error(start(client, people["sub_a"], two_lane, extra=1), 422)
    assert body["details"] == {"extra": ["Trường không được hỗ trợ."]}


def test_too_large_upload_is_413_json(db_url: str) -> None:
    use = make_app(db_url)
    try:
        use.config["MAX_CONTENT_LENGTH"] = 4096
        admin = add_user(use, "admin1", ["admin"], None)
        assert_error(deploy(use.test_client(), admin, b"<x/>" * 3000), 413,
                     "request.too_large")
    finally:
        use.extensions["tdkt"].db.dispose()


def test_diagram_over_two_megabytes_is_refused(client: FlaskClient, people: People) -> None:
    big = b"<x>" + b"a" * (2 * 1024 * 1024 + 1) + b"</x>"
    assert_error(deploy(client, people["admin1"], big), 422, "bpmn.too_large")

