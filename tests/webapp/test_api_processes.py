"""Authentication, error shape, process deployment and the OpenAPI document."""

from __future__ import annotations

import hashlib

from api_kit import API, Headers, assert_error, deploy, fixture_bytes, start
from flask.testing import FlaskClient

TWO_LANE = fixture_bytes("api_two_lane.bpmn")

XXE = b"""<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE definitions [
  <!ENTITY xxe SYSTEM "file:///etc/passwd">
]>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="defs_xxe"
  targetNamespace="http://bpmn.io/schema/bpmn">
  <bpmn:process id="api_xxe" name="XXE" isExecutable="true">
    <bpmn:startEvent id="start"><bpmn:documentation>&xxe;</bpmn:documentation></bpmn:startEvent>
    <bpmn:endEvent id="end" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="end" />
  </bpmn:process>
</bpmn:definitions>
"""


# -- authentication and the error shape --------------------------------------------------------
def test_no_token_is_401_auth_required(client: FlaskClient) -> None:
    for path in ("/tasks", "/processes", "/instances", "/instances/1"):
        assert_error(client.get(f"{API}{path}"), 401, "auth.required")
    assert_error(client.get(f"{API}/tasks", headers={"Authorization": "Basic abc"}),
                 401, "auth.required")


def test_invalid_token_is_401_invalid_token(client: FlaskClient) -> None:
    r = client.get(f"{API}/tasks", headers={"Authorization": "Bearer tdkt_not-a-real-token"})
    assert_error(r, 401, "auth.invalid_token")


def test_unknown_route_and_bad_query_use_error_shape(client: FlaskClient,
                                                     people: dict[str, Headers]) -> None:
    assert_error(client.get(f"{API}/nothing-here", headers=people["sec1"]), 404)
    body = assert_error(client.get(f"{API}/tasks?page=0", headers=people["sec1"]), 422)
    assert "page" in body["details"], body


# -- deployment --------------------------------------------------------------------------------
def test_deploy_versions_and_list(client: FlaskClient, people: dict[str, Headers]) -> None:
    admin = people["admin1"]
    r = deploy(client, admin, TWO_LANE, "api_two_lane.bpmn")
    assert r.status_code == 201, r.get_json()
    first = r.get_json()
    assert first["key"] == "api_two_lane"
    assert first["version"] == 1
    assert first["sha256"] == hashlib.sha256(TWO_LANE).hexdigest()
    assert first["created"] is True

    again = deploy(client, admin, TWO_LANE, "api_two_lane.bpmn")
    assert again.status_code == 200, again.get_json()
    assert again.get_json()["version"] == 1
    assert again.get_json()["created"] is False
    assert again.get_json()["sha256"] == first["sha256"]

    changed = TWO_LANE.replace(b'name="Two lanes (API)"', b'name="Two lanes (API) v2"')
    r2 = deploy(client, admin, changed, "api_two_lane.bpmn")
    assert r2.status_code == 201, r2.get_json()
    assert r2.get_json()["version"] == 2
    assert r2.get_json()["sha256"] == hashlib.sha256(changed).hexdigest()

    listing = client.get(f"{API}/processes", headers=people["sub_a"])
    assert listing.status_code == 200
    procs = {p["key"]: p for p in listing.get_json()}
    assert procs["api_two_lane"]["latest_version"] == 2
    assert sorted(v["version"] for v in procs["api_two_lane"]["versions"]) == [1, 2]

    # a new instance runs on the latest version
    inst = start(client, people["sub_a"], "api_two_lane")
    assert inst.status_code == 201
    assert inst.get_json()["version"] == 2


def test_deploy_unknown_form_key_is_422_with_element(client: FlaskClient,
                                                     people: dict[str, Headers]) -> None:
    body = assert_error(deploy(client, people["admin1"], fixture_bytes("two_lane.bpmn")),
                        422, "bpmn.invalid")
    assert any(d["element_id"] == "propose" for d in body["details"]), body
    assert all(set(d) >= {"element_id", "message"} for d in body["details"])


def test_deploy_unknown_lane_is_422_with_lane_id(client: FlaskClient,
                                                 people: dict[str, Headers]) -> None:
    bad = TWO_LANE.replace(b'name="Submitter"', b'name="Nobody in particular"')
    body = assert_error(deploy(client, people["admin1"], bad), 422, "bpmn.invalid")
    assert [d["element_id"] for d in body["details"]] == ["l1"], body


def test_deploy_not_xml_is_422(client: FlaskClient, people: dict[str, Headers]) -> None:
    assert_error(deploy(client, people["admin1"], b"this is not xml"), 422, "bpmn.invalid")


def test_deploy_xxe_is_refused(client: FlaskClient, people: dict[str, Headers]) -> None:
    body = assert_error(deploy(client, people["admin1"], XXE), 422, "bpmn.doctype_forbidden")
    assert "root:" not in str(body)
    assert client.get(f"{API}/processes", headers=people["admin1"]).get_json() == []


def test_deploy_script_importing_os_names_the_script_task(client: FlaskClient,
                                                          people: dict[str, Headers]) -> None:
    bad = TWO_LANE.replace(b"<bpmn:script>total = 1 + 2</bpmn:script>",
                           b'<bpmn:script>total = __import__("os").getcwd()</bpmn:script>')
    assert bad != TWO_LANE
    body = assert_error(deploy(client, people["admin1"], bad), 422, "bpmn.invalid")
    assert "calc" in [d["element_id"] for d in body["details"]], body


def test_deploy_requires_admin(client: FlaskClient, people: dict[str, Headers]) -> None:
    for name in ("sub_a", "sec1", "council1"):
        assert_error(deploy(client, people[name], TWO_LANE), 403)
    assert client.get(f"{API}/processes", headers=people["admin1"]).get_json() == []


def test_deploy_without_file_is_422_in_vietnamese(client: FlaskClient,
                                                  people: dict[str, Headers]) -> None:
    r = client.post(f"{API}/processes", headers=people["admin1"], data={},
                    content_type="multipart/form-data")
    body = assert_error(r, 422)
    assert body["details"] == {"file": ["Trường này là bắt buộc."]}, body


# -- starting instances ------------------------------------------------------------------------
def test_start_unknown_process_is_404(client: FlaskClient, people: dict[str, Headers]) -> None:
    assert_error(start(client, people["sub_a"], "no_such_process"), 404, "process.not_found")


def test_start_returns_instance_with_first_task(client: FlaskClient, people: dict[str, Headers],
                                                two_lane: str) -> None:
    r = start(client, people["sub_a"], two_lane, data={"year": 2026}, business_key="HS-1")
    assert r.status_code == 201, r.get_json()
    inst = r.get_json()
    assert set(inst) >= {"id", "process_key", "version", "status", "business_key", "data",
                         "tasks"}
    assert inst["process_key"] == two_lane
    assert inst["version"] == 1
    assert inst["status"] == "running"
    assert inst["business_key"] == "HS-1"
    assert inst["data"]["year"] == 2026
    assert [t["name"] for t in inst["tasks"]] == ["propose"]


def test_start_with_data_not_an_object_is_422(client: FlaskClient, people: dict[str, Headers],
                                              two_lane: str) -> None:
    body = assert_error(start(client, people["sub_a"], two_lane, data=[1, 2]), 422)
    assert "data" in body["details"], body


def test_start_outside_the_start_lane_role_is_403(client: FlaskClient,
                                                  people: dict[str, Headers],
                                                  two_lane: str) -> None:
    assert_error(start(client, people["council1"], two_lane), 403)


# -- OpenAPI -----------------------------------------------------------------------------------
def test_openapi_document(client: FlaskClient) -> None:
    r = client.get(f"{API}/openapi.json")
    assert r.status_code == 200
    doc = r.get_json()
    paths = doc["paths"]
    for path in ("/api/v1/processes", "/api/v1/processes/{key}/instances",
                 "/api/v1/instances", "/api/v1/instances/{instance_id}",
                 "/api/v1/instances/{instance_id}/history", "/api/v1/tasks",
                 "/api/v1/tasks/{task_id}/claim", "/api/v1/tasks/{task_id}/unclaim",
                 "/api/v1/tasks/{task_id}/complete"):
        assert path in paths, (path, sorted(paths))
    assert "post" in paths["/api/v1/processes"] and "get" in paths["/api/v1/processes"]
    scheme = doc["components"]["securitySchemes"]["bearer"]
    assert scheme["type"] == "http" and scheme["scheme"] == "bearer"
    assert {"bearer": []} in doc.get("security", [])
