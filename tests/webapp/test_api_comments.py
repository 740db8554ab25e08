"""``/api/v1/instances/{id}/comments``: the history of decisions and comments, and adding one."""

from __future__ import annotations

from typing import Any

from api_kit import Headers, complete, one_task, start
from flask.testing import FlaskClient

People = dict[str, Headers]


def _returned(client: FlaskClient, people: People, key: str) -> dict[str, Any]:
    """Proposed by unit A, returned by the secretariat with a comment, proposed again."""
    inst = start(client, people["sub_a"], key, business_key="HS-API-C").get_json()
    inst = complete(client, people["sub_a"], one_task(inst, "propose")["id"]).get_json()
    inst = complete(client, people["sec1"], one_task(inst, "appraise")["id"],
                    {"decision": "return", "comment": "Thiếu biên bản"}).get_json()
    after: dict[str, Any] = complete(client, people["sub_a"],
                                     one_task(inst, "propose")["id"]).get_json()
    return after


def test_the_history_keeps_every_decision_and_comment(client: FlaskClient, people: People,
                                                      two_lane: str) -> None:
    inst = _returned(client, people, two_lane)
    path = f"/api/v1/instances/{inst['id']}/comments"
    r = client.post(path, headers=people["sub_a"], json={"text": "Đã bổ sung biên bản."})
    assert r.status_code == 201, r.get_json()
    assert r.get_json() == {"instance_id": inst["id"], "actor_id": r.get_json()["actor_id"],
                            "actor": "sub_a", "text": "Đã bổ sung biên bản.",
                            "internal": False, "steps": ["Thẩm định"]}
    complete(client, people["sec1"], one_task(inst, "appraise")["id"],
             {"decision": "approve", "comment": "Đủ hồ sơ"})
    entries = client.get(path, headers=people["sub_a"]).get_json()
    assert [(e["kind"], e["actor"], e["decision"], e["text"]) for e in entries] == [
        ("decision", "sec1", "return", "Thiếu biên bản"),
        ("comment", "sub_a", None, "Đã bổ sung biên bản."),
        ("decision", "sec1", "approve", "Đủ hồ sơ")]
    assert entries[0]["step"] == "Thẩm định" and entries[0]["form_key"] == "decision"
    assert "/api/v1/instances/{instance_id}/comments" in client.get(
        "/api/v1/openapi.json").get_json()["paths"]


def test_refusals_have_stable_codes(client: FlaskClient, people: People, two_lane: str
                                    ) -> None:
    inst = start(client, people["sub_a"], two_lane).get_json()
    path = f"/api/v1/instances/{inst['id']}/comments"
    for body, code in (({"text": " "}, "comment.invalid"), ({"text": "x" * 2001},
                                                             "comment.invalid"),
                       ({}, "data.invalid")):
        r = client.post(path, headers=people["sub_a"], json=body)
        assert (r.status_code, r.get_json()["code"]) == (422, code), body
    r = client.post(path, headers=people["sub_a"], json={"text": "nội bộ", "internal": True})
    assert (r.status_code, r.get_json()["code"]) == (403, "comment.internal_forbidden")
    for method in (client.get, client.post):
        r = method(path, headers=people["sub_b"], json={"text": "x"})
        assert (r.status_code, r.get_json()["code"]) == (404, "instance.not_found")
    assert client.get(path, headers=people["sec1"]).get_json() == []
