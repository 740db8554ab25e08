"""Instances walked through the API only: two lanes, visibility, rights, conflicts, restart."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from api_kit import API, Headers, assert_error, complete, deploy, make_app, one_task, start
from flask import Flask
from flask.testing import FlaskClient
from test_api_attachments import upload

Client = FlaskClient
People = dict[str, Headers]

TASK_FIELDS = {"id", "instance_id", "name", "title", "role", "unit", "assignee", "form_key",
               "due_at"}
STATUSES = {"running", "completed", "cancelled", "error"}


def inbox(client: Client, headers: Headers, **query: Any) -> dict[str, Any]:
    r = client.get(f"{API}/tasks", headers=headers, query_string=query)
    assert r.status_code == 200, r.get_json()
    body: dict[str, Any] = r.get_json()
    assert set(body) >= {"items", "total", "page", "per_page"}
    return body


def task_ids(client: Client, headers: Headers) -> list[str]:
    return [t["id"] for t in inbox(client, headers)["items"]]


def started(client: Client, people: People, key: str, **body: Any) -> dict[str, Any]:
    r = start(client, people["sub_a"], key, **body)
    assert r.status_code == 201, r.get_json()
    inst: dict[str, Any] = r.get_json()
    return inst


def at_appraise(client: Client, people: People, key: str) -> tuple[int, str]:
    """An instance of unit A whose ``appraise`` task is ready: (instance id, task id)."""
    inst = started(client, people, key)
    r = complete(client, people["sub_a"], one_task(inst, "propose")["id"], {"title": "Đề nghị"})
    assert r.status_code == 200, r.get_json()
    return inst["id"], one_task(r.get_json(), "appraise")["id"]


def history(client: Client, headers: Headers, instance_id: int, **query: Any) -> Any:
    return client.get(f"{API}/instances/{instance_id}/history", headers=headers,
                      query_string=query)


# -- the happy path ----------------------------------------------------------------------------
def test_two_lanes_walked_by_two_users(client: Client, people: People, two_lane: str) -> None:
    sub, sec = people["sub_a"], people["sec1"]
    inst = started(client, people, two_lane, data={"year": 2026}, business_key="HS-2026-1")
    iid = inst["id"]

    # the submitter's inbox has the proposal, filtered by process key and paged
    box = inbox(client, sub, process_key=two_lane, page=1, per_page=10)
    assert box["total"] == 1 and box["page"] == 1 and box["per_page"] == 10
    task = box["items"][0]
    assert set(task) >= TASK_FIELDS
    assert (task["instance_id"], task["name"], task["title"]) == (iid, "propose", "Đề nghị")
    assert (task["role"], task["unit"], task["assignee"]) == ("submitter", "A", None)
    assert task["form_key"] is None and task["due_at"] is None
    assert inbox(client, sub, process_key="other")["total"] == 0
    assert inbox(client, sec)["total"] == 0  # not the secretariat's yet

    # completing answers the instance already showing the next task
    r = complete(client, sub, task["id"], {"title": "Khen thưởng đột xuất"})
    assert r.status_code == 200, r.get_json()
    body = r.get_json()
    assert body["id"] == iid and body["status"] == "running"
    appraise = one_task(body, "appraise")
    assert (appraise["role"], appraise["form_key"]) == ("secretariat", "decision")
    assert appraise["due_at"]  # dueWorkingDays=10
    assert body["data"]["title"] == "Khen thưởng đột xuất"
    assert inbox(client, sub)["total"] == 0

    # the secretariat returns it once: the proposal comes back to the submitter
    assert task_ids(client, sec) == [appraise["id"]]
    r = complete(client, sec, appraise["id"], {"decision": "return", "comment": "Bổ sung"})
    assert r.status_code == 200, r.get_json()
    again = one_task(r.get_json(), "propose")
    assert task_ids(client, sub) == [again["id"]]
    r = complete(client, sub, again["id"], {"title": "Đã bổ sung"})
    assert r.status_code == 200, r.get_json()
    appraise2 = one_task(r.get_json(), "appraise")

    # then approves: the script task runs and the instance ends
    r = complete(client, sec, appraise2["id"], {"decision": "approve"})
    assert r.status_code == 200, r.get_json()
    done = r.get_json()
    assert done["status"] == "completed" and done["tasks"] == []
    assert done["data"]["total"] == 3 and done["data"]["decision"] == "approve"

    for who in (sub, sec):
        r = client.get(f"{API}/instances/{iid}", headers=who)
        assert r.status_code == 200
        got = r.get_json()
        assert got["status"] == "completed" and got["status"] in STATUSES
        assert (got["process_key"], got["version"], got["business_key"]) == (
            two_lane, 1, "HS-2026-1")
    assert [i["id"] for i in client.get(f"{API}/instances", headers=sub).get_json()["items"]
            ] == [iid]
    assert inbox(client, sub)["total"] == 0 and inbox(client, sec)["total"] == 0

    # the history tells who did what with which data
    h = history(client, sub, iid).get_json()
    assert set(h) == {"items", "total", "page", "per_page"}
    types = [e["type"] for e in h["items"]]
    assert types[0] == "instance.started" and types[-1] == "instance.completed"
    assert h["total"] == len(h["items"])
    completed = [e for e in h["items"] if e["type"] == "task.completed"]
    assert [(e["actor"], e["payload"]["name"]) for e in completed] == [
        ("sub_a", "propose"), ("sec1", "appraise"), ("sub_a", "propose"), ("sec1", "appraise")]
    assert completed[0]["payload"]["data"] == {"title": "Khen thưởng đột xuất"}
    assert completed[-1]["payload"]["data"] == {"decision": "approve", "comment": ""}

    # paging the history
    p2 = history(client, sec, iid, page=2, per_page=2).get_json()
    assert (p2["page"], p2["per_page"], p2["total"]) == (2, 2, h["total"])
    assert [e["id"] for e in p2["items"]] == [e["id"] for e in h["items"][2:4]]


def test_task_list_pages(client: Client, people: People, two_lane: str) -> None:
    ids = {started(client, people, two_lane)["id"] for _ in range(3)}
    first = inbox(client, people["sub_a"], page=1, per_page=2)
    second = inbox(client, people["sub_a"], page=2, per_page=2)
    assert first["total"] == second["total"] == 3
    assert len(first["items"]) == 2 and len(second["items"]) == 1
    assert {t["instance_id"] for t in first["items"] + second["items"]} == ids
    instances = client.get(f"{API}/instances", headers=people["sub_a"],
                           query_string={"per_page": 2}).get_json()
    assert instances["total"] == 3 and len(instances["items"]) == 2


# -- visibility and rights ---------------------------------------------------------------------
def test_other_unit_sees_nothing(client: Client, people: People, two_lane: str) -> None:
    inst = started(client, people, two_lane)
    task_id = one_task(inst, "propose")["id"]
    other = people["sub_b"]

    assert inbox(client, other) == {"items": [], "total": 0, "page": 1, "per_page": 50}
    assert client.get(f"{API}/instances", headers=other).get_json()["total"] == 0
    assert_error(client.get(f"{API}/instances/{inst['id']}", headers=other), 404,
                 "instance.not_found")
    assert_error(history(client, other, inst["id"]), 404)
    assert_error(client.get(f"{API}/tasks/{task_id}", headers=other), 404)
    assert_error(complete(client, other, task_id, {"title": "x"}), 404)
    assert_error(client.post(f"{API}/tasks/{task_id}/claim", headers=other), 404)
    # nothing happened: the owner still has the task
    assert task_ids(client, people["sub_a"]) == [task_id]


def test_unknown_ids_are_404(client: Client, people: People, two_lane: str) -> None:
    sec = people["sec1"]
    assert_error(client.get(f"{API}/instances/999999", headers=sec), 404, "instance.not_found")
    assert_error(history(client, sec, 999999), 404)
    assert_error(complete(client, sec, "00000000-0000-0000-0000-000000000000", {}), 404,
                 "task.not_found")


def test_council_cannot_complete_secretariat_task(client: Client, people: People,
                                                  two_lane: str) -> None:
    iid, task_id = at_appraise(client, people, two_lane)
    assert_error(complete(client, people["council1"], task_id, {"decision": "approve"}), 403)
    assert_error(client.post(f"{API}/tasks/{task_id}/claim", headers=people["council1"]), 403)
    # the submitter who started it sees it but may not act either
    assert_error(complete(client, people["sub_a"], task_id, {"decision": "approve"}), 403)
    assert task_ids(client, people["sec1"]) == [task_id]
    r = client.get(f"{API}/instances/{iid}", headers=people["council1"])
    assert r.status_code == 200 and one_task(r.get_json(), "appraise")["id"] == task_id


def test_double_completion_is_one_200_and_one_409(client: Client, people: People,
                                                  two_lane: str) -> None:
    _, task_id = at_appraise(client, people, two_lane)
    first = complete(client, people["sec1"], task_id, {"decision": "approve"})
    second = complete(client, people["sec2"], task_id, {"decision": "reject"})
    assert first.status_code == 200, first.get_json()
    assert_error(second, 409, "task.not_ready")
    assert first.get_json()["status"] == "completed"
    assert_error(complete(client, people["sec1"], task_id, {"decision": "approve"}), 409,
                 "task.not_ready")


# -- claiming ----------------------------------------------------------------------------------
def test_claim_hides_task_from_colleague(client: Client, people: People, two_lane: str) -> None:
    sec1, sec2 = people["sec1"], people["sec2"]
    _, task_id = at_appraise(client, people, two_lane)
    assert task_ids(client, sec2) == [task_id]

    r = client.post(f"{API}/tasks/{task_id}/claim", headers=sec1)
    assert r.status_code == 200, r.get_json()
    assert one_task(r.get_json(), "appraise")["assignee"] == "sec1"
    assert inbox(client, sec1)["items"][0]["assignee"] == "sec1"
    assert task_ids(client, sec2) == []
    assert_error(complete(client, sec2, task_id, {"decision": "approve"}), 403)
    assert_error(client.post(f"{API}/tasks/{task_id}/claim", headers=sec2), 403)
    assert_error(client.post(f"{API}/tasks/{task_id}/unclaim", headers=sec2), 403)

    r = client.post(f"{API}/tasks/{task_id}/unclaim", headers=sec1)
    assert r.status_code == 200, r.get_json()
    assert one_task(r.get_json(), "appraise")["assignee"] is None
    assert task_ids(client, sec2) == [task_id]
    r = complete(client, sec2, task_id, {"decision": "reject"})
    assert r.status_code == 200, r.get_json()


# -- invalid data ------------------------------------------------------------------------------
@pytest.mark.parametrize(("payload", "field"), [
    ({"data": [1, 2]}, "data"),
    ({"data": "approve"}, "data"),
    ({"data": {}}, "decision"),
    ({"data": {"decision": "maybe"}}, "decision"),
    ({"data": {"decision": "approve", "comment": 5}}, "comment"),
])
def test_invalid_data_is_422_and_task_stays_ready(client: Client, people: People,
                                                  two_lane: str, payload: dict[str, Any],
                                                  field: str) -> None:
    sec = people["sec1"]
    iid, task_id = at_appraise(client, people, two_lane)
    r = client.post(f"{API}/tasks/{task_id}/complete", headers=sec, json=payload)
    body = assert_error(r, 422)
    assert field in body["details"], body
    assert all(isinstance(m, str) for m in body["details"][field]), body
    _still_ready(client, sec, iid, task_id)


def test_missing_decision_message_is_vietnamese(client: Client, people: People,
                                                two_lane: str) -> None:
    _, task_id = at_appraise(client, people, two_lane)
    body = assert_error(complete(client, people["sec1"], task_id, {"comment": "ok"}), 422,
                        "data.invalid")
    assert body["details"] == {"decision": ["Trường này là bắt buộc."]}


def test_invalid_json_body_is_422_and_task_stays_ready(client: Client, people: People,
                                                       two_lane: str) -> None:
    sec = people["sec1"]
    iid, task_id = at_appraise(client, people, two_lane)
    r = client.post(f"{API}/tasks/{task_id}/complete", headers=sec,
                    data='{"data": {"decision": ', content_type="application/json")
    assert_error(r, 422)
    _still_ready(client, sec, iid, task_id)


def _still_ready(client: Client, headers: Headers, iid: int, task_id: str) -> None:
    r = client.get(f"{API}/tasks/{task_id}", headers=headers)
    assert r.status_code == 200 and r.get_json()["state"] == "ready"
    assert task_ids(client, headers) == [task_id]
    types = [e["type"] for e in history(client, headers, iid).get_json()["items"]]
    assert types.count("task.completed") == 1  # only the proposal
    r = complete(client, headers, task_id, {"decision": "approve"})
    assert r.status_code == 200 and r.get_json()["status"] == "completed", r.get_json()


# -- restart -----------------------------------------------------------------------------------
def test_restart_continues_instance(app: Flask, client: Client, people: People,
                                    two_lane: str) -> None:
    iid, task_id = at_appraise(client, people, two_lane)
    url = app.config["DATABASE_URL"]
    app.extensions["tdkt"].db.dispose()

    second = make_app(url)
    try:
        c2 = second.test_client()
        assert task_ids(c2, people["sec1"]) == [task_id]  # the same tokens still work
        r = complete(c2, people["sec1"], task_id, {"decision": "approve"})
        assert r.status_code == 200, r.get_json()
        assert r.get_json()["status"] == "completed"
        assert r.get_json()["data"]["total"] == 3
        assert c2.get(f"{API}/instances/{iid}",
                      headers=people["sub_a"]).get_json()["status"] == "completed"
    finally:
        second.extensions["tdkt"].db.dispose()


# -- the real diagram -------------------------------------------------------------------------
ADHOC = Path(__file__).resolve().parents[2] / "bpmn" / "adhoc_award.bpmn"
PROVINCE = ADHOC.with_name("province_forwarding.bpmn")


def test_adhoc_award_first_steps_over_the_api(client: Client, people: People) -> None:
    # The ad-hoc award calls the province procedure: deploy the called process first.
    r = deploy(client, people["admin1"], PROVINCE.read_bytes(), PROVINCE.name)
    assert r.status_code == 201, r.get_json()
    r = deploy(client, people["admin1"], ADHOC.read_bytes(), ADHOC.name)
    assert r.status_code == 201, r.get_json()
    key = r.get_json()["key"]
    inst = started(client, people, key)
    propose = one_task(inst, "propose")
    assert (propose["role"], propose["form_key"]) == ("submitter", "adhoc_proposal")

    body = assert_error(complete(client, people["sub_a"], propose["id"], {}), 422)
    assert body["details"]["nominee_name"] == ["Trường này là bắt buộc."], body
    proposal = {"nominee_name": "Nguyễn Văn An", "deed_date": "2024-05-10",
                "deed_summary": "Dũng cảm cứu người trong vụ cháy chợ trung tâm."}
    body = assert_error(complete(client, people["sub_a"], propose["id"], proposal), 422)
    assert body["code"] == "dossier.incomplete" and "Tóm tắt thành tích" in body["message"]
    for item in ("to_trinh", "tom_tat_thanh_tich"):  # the simplified procedure's items
        r = upload(client, people["sub_a"], inst["id"], item, f"{item}.pdf",
                   b"%PDF-1.4 " + item.encode())
        assert r.status_code == 201, r.get_json()
    r = complete(client, people["sub_a"], propose["id"], proposal)
    assert r.status_code == 200, r.get_json()
    appraise = one_task(r.get_json(), "appraise")
    assert appraise["role"] == "secretariat" and appraise["due_at"]
    assert task_ids(client, people["sec1"]) == [appraise["id"]]
    assert task_ids(client, people["sub_b"]) == []
