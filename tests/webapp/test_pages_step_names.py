"""A step name the modeler wrapped over lines («Thẩm định\\nhồ sơ») reads as one line
everywhere: the API, the inbox, the task page, the instance page and the notifications."""

from __future__ import annotations

from api_kit import API, Headers, complete, deploy, fixture_bytes, one_task, start
from flask import Flask
from flask.testing import FlaskClient
from test_pages_auth import login

from engine.views import one_line

WRAPPED = fixture_bytes("api_two_lane.bpmn").replace(
    'name="Thẩm định"'.encode(), 'name="Thẩm&#10;định  hồ&#13;&#10;sơ"'.encode())
ONE_LINE = "Thẩm định hồ sơ"


def test_one_line_joins_every_run_of_white_space() -> None:
    assert one_line("Thẩm định\nhồ sơ") == ONE_LINE
    assert one_line("  Thẩm\tđịnh \r\n hồ   sơ ") == ONE_LINE
    assert one_line(None) == "" and one_line("") == ""


def test_a_wrapped_step_name_shows_on_one_line(
        app: Flask, client: FlaskClient, people: dict[str, Headers]) -> None:
    r = deploy(client, people["admin1"], WRAPPED, "api_two_lane.bpmn")
    assert r.status_code == 201, r.get_json()
    inst = start(client, people["sub_a"], r.get_json()["key"], business_key="HS-NL-1").get_json()
    r = complete(client, people["sub_a"], one_task(inst, "propose")["id"])
    assert r.status_code == 200, r.get_json()
    task = one_task(r.get_json(), "appraise")
    assert task["title"] == ONE_LINE
    notes = client.get(f"{API}/notifications", headers=people["sec1"]).get_json()["items"]
    assert [n["title"] for n in notes] == [f"Công việc mới: {ONE_LINE}"]
    page = app.test_client()
    login(page, "sec1")
    for path in ("/", f"/tasks/{task['id']}", f"/instances/{inst['id']}", "/notifications"):
        html = page.get(path).get_data(as_text=True)
        assert ONE_LINE in html, path
        assert "Thẩm\nđịnh" not in html and "hồ\r\nsơ" not in html and "định  hồ" not in html
