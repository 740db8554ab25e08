"""The award registry pages: the awards one may see, with filters, and a subject's history."""

from __future__ import annotations

from demo_kit import DemoOffice
from flask.testing import FlaskClient
from test_pages_auth import login

from webapp.demo import DEMO_PASSWORD


def _signed_in(demo: DemoOffice, username: str) -> FlaskClient:
    client = demo.app.test_client()
    assert login(client, username, DEMO_PASSWORD).status_code == 302
    return client


def test_the_registry_lists_what_one_may_see_with_filters(demo: DemoOffice) -> None:
    everything = demo.ok(demo.get("thuky", "/registry/awards", per_page=500))
    kt = [a for a in everything["items"] if a["subject_code"].startswith("KT")]
    vx = [a for a in everything["items"] if a["subject_code"].startswith("VX")]
    assert kt and vx
    office = _signed_in(demo, "thuky").get("/registry").get_data(as_text=True)
    assert f"{everything['total']} khen thưởng" in office
    assert kt[0]["decision_no"] in office and vx[0]["decision_no"] in office
    unit = _signed_in(demo, "donvi_kt")
    mine = unit.get("/registry").get_data(as_text=True)
    assert f'href="/registry/subjects/{kt[0]["subject_code"]}"' in mine
    assert f'href="/registry/subjects/{vx[0]["subject_code"]}"' not in mine
    year = kt[0]["year"]
    filtered = unit.get(f"/registry?year={year}&award={kt[0]['award_code']}"
                        ).get_data(as_text=True)
    assert f"<td>{year}</td>" in filtered
    assert f"<td>{year - 10}</td>" not in filtered
    by_name = unit.get(f"/registry?subject={kt[0]['subject_name']}").get_data(as_text=True)
    assert kt[0]["subject_code"] in by_name


def test_a_subjects_history_is_shown_to_those_who_may_see_it(demo: DemoOffice) -> None:
    history = demo.ok(demo.get("thuky", "/registry/subjects/KT02"))
    page = _signed_in(demo, "donvi_kt").get("/registry/subjects/KT02")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert history["name"] in html and "Xếp loại hằng năm" in html
    for award in history["awards"]:
        assert award["decision_no"] in html
    assert _signed_in(demo, "donvi_vx").get("/registry/subjects/KT02").status_code == 404
    assert _signed_in(demo, "thuky").get("/registry/subjects/NOPE").status_code == 404
    anonymous = demo.app.test_client().get("/registry")
    assert anonymous.status_code == 302 and "/login" in anonymous.headers["Location"]


def test_a_subjects_ratings_read_in_the_readers_language(demo: DemoOffice) -> None:
    """The annual ratings are named in Vietnamese, and in English for an English reader."""
    from workflows.history import RATING_NAMES
    history = demo.ok(demo.get("thuky", "/registry/subjects/KT02"))
    assert history["ratings"], "the demo subject has ratings"
    code = history["ratings"][0]["rating"]
    client = _signed_in(demo, "thuky")
    assert f"</strong>: {RATING_NAMES[code]}</li>" in client.get(
        "/registry/subjects/KT02").get_data(as_text=True)
    english = client.get("/registry/subjects/KT02?lang=en").get_data(as_text=True)
    assert RATING_NAMES[code] not in english
    assert {"HTXSNV": "Tasks completed with excellence", "HTTNV": "Tasks completed well",
            "HTNV": "Tasks completed", "KHTNV": "Tasks not completed"}[code] in english
