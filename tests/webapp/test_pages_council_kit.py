"""The demo office and its council, with nominations waiting for it, for the council pages.

The demo's council (``webapp.demo_council``): chanhvp chairs, phochanhvp is vice chair,
thuky (secretariat) is the secretary, hoidong, truongkt, uyvien1 and uyvien2 are members;
truongkt is linked to KT01, head of unit KT, so is recused automatically from KT's
candidates. ``vanthu`` is a second secretariat officer who is not a member.
``waiting_nominations`` walks an annual LĐTT nomination of KT through the API to the
council's agenda pool (the instance waits for the meeting's result).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from demo_kit import DemoOffice, make_demo_office
from flask.testing import FlaskClient
from test_demo_procedures import appraise, file_dossier
from test_pages_auth import csrf_token, login

from engine import identity
from engine.roles import SYSTEM
from engine.runtime.runner import run_command
from webapp.demo import DEMO_PASSWORD
from workflows.handlers.registry import office_today

PDF = b"%PDF-1.4\n% scanned minutes\n%%EOF\n"
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 64
SECRETARIAT_NOT_MEMBER = "vanthu"
# A meeting date a few days ahead: past or far dates are asked to be confirmed first.
SOON = (office_today() + timedelta(days=9)).strftime("%d/%m/%Y")


def council_office(db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
                   ) -> DemoOffice:
    """The demo (with its council) and CSRF on; ``vanthu``: secretariat, not a member."""
    demo = make_demo_office(db_url, tmp_path, monkeypatch)
    demo.app.config["WTF_CSRF_ENABLED"] = True
    svc = demo.app.extensions["tdkt"]
    with svc.db.write_session() as s:
        identity.create_user(s, SYSTEM, SECRETARIAT_NOT_MEMBER, DEMO_PASSWORD,
                             ["secretariat"], svc.engine.settings.roles, "TCHCQT",
                             "Đỗ Văn Thư (Phòng TCHCQT)")
        s.commit()
    return demo


@pytest.fixture
def office(db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
           ) -> Iterator[DemoOffice]:
    """The council's demo office (``council_office``) for one test, disposed after it."""
    demo = council_office(db_url, tmp_path, monkeypatch)
    yield demo
    demo.app.extensions["tdkt"].db.dispose()


def service(demo: DemoOffice, fn: Any, *args: Any, **kwargs: Any) -> Any:
    """A council service call as the system, in its own transaction (test set-up only)."""
    with demo.app.extensions["tdkt"].db.write_session() as s:
        return run_command(s, lambda: fn(s, SYSTEM, *args, **kwargs))


def waiting_nominations(demo: DemoOffice, subjects: tuple[str, ...] = ("KT04", "KT05"),
                        key: str = "LDTT-2026-KT") -> dict[str, Any]:
    """An annual LĐTT nomination of ``subjects``, appraised: it waits for the council."""
    inst = demo.start("donvi_kt", "annual_title_nomination", key)
    file_dossier(demo, inst, "donvi_kt", "LDTT")
    inst = demo.step(inst, "propose", "submitter", "donvi_kt", {
        "year": 2026, "award_code": "LDTT", "subjects": list(subjects),
        "summary": "Hoàn thành tốt nhiệm vụ năm 2026."})
    inst = demo.walk(inst, [appraise()])
    assert inst["status"] == "running" and inst["tasks"] == [], inst
    return inst


def signed_in(demo: DemoOffice, username: str) -> FlaskClient:
    client = demo.app.test_client()
    response = login(client, username, DEMO_PASSWORD)
    assert response.status_code == 302, response.get_data(as_text=True)
    return client


def post(client: FlaskClient, path: str, data: dict[str, Any] | None = None,
         **kwargs: Any) -> Any:
    """A form POST with the session's CSRF token (read from /nominations, open to all)."""
    body = {"csrf_token": csrf_token(client, "/nominations"), **(data or {})}
    return client.post(path, data=body, **kwargs)


def cast(client: FlaskClient, url: str, candidate: int, choice: str, **kwargs: Any) -> Any:
    """A member's confirmed vote from the meeting page ``url`` (the page's second step)."""
    return post(client, f"{url}/vote", {"candidate_id": candidate, "choice": choice,
                                        "confirm": "1"}, **kwargs)


def text(response: Any) -> str:
    """The page's visible text, tags dropped and spaces collapsed (for assertions)."""
    html = response.get_data(as_text=True)
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def create_meeting(client: FlaskClient, nomination_ids: list[int], member_ids: list[int],
                   mode: str = "electronic", title: str = "Phiên họp Hội đồng TĐKT cuối năm"
                   ) -> int:
    response = post(client, "/council/meetings/new", {
        "title": title, "meeting_date": SOON, "mode": mode,
        "nomination_ids": [str(i) for i in nomination_ids],
        "member_ids": [str(i) for i in member_ids]})
    assert response.status_code == 302, text(response)
    match = re.search(r"/council/meetings/(\d+)$", response.headers["Location"])
    assert match, response.headers["Location"]
    return int(match.group(1))


def checksums_aside(html: str, key: str) -> list[str]:
    """The full SHA-256 of the files listed in the page's «Mã kiểm tra tệp» details
    (``#<key>-checksums``); no part of them is shown anywhere else on the page."""
    found = re.search(rf'<details[^>]*id="{key}-checksums".*?</details>', html, flags=re.S)
    assert found, f"no #{key}-checksums details on the page"
    shas = re.findall(r"\b[0-9a-f]{64}\b", found.group(0))
    outside = html.replace(found.group(0), "")
    assert shas and not [s for s in shas if s[:8] in outside], "a hash shown in the main view"
    return shas
