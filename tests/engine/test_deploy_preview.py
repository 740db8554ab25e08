"""Drafts do not pile up (saving again from the same version updates the admin's open
draft), and the preview of a deploy says which version it makes, which instances stay on
their versions and what changed (engine.version_changes)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from conftest import fixture_bytes
from engine_kit import World, make_world
from sqlalchemy import select

from engine import drafts
from engine.errors import Conflict
from engine.store.models import AuditEvent, ProcessDraft
from engine.version_changes import deploy_preview, latest_version

TWO_LANE = fixture_bytes("two_lane.bpmn")
RENAMED = TWO_LANE.replace('name="Thẩm định"'.encode(), 'name="Thẩm định lần hai"'.encode())
AGAIN = TWO_LANE.replace('name="Thẩm định"'.encode(), 'name="Thẩm định lần ba"'.encode())


@pytest.fixture
def w(db_url: str, monkeypatch: pytest.MonkeyPatch) -> World:
    return make_world(db_url, monkeypatch)


def save(w: World, xml: bytes, who: str = "admin1", **kwargs: Any) -> dict[str, Any]:
    return dict(w.write(drafts.save_draft, w[who], xml, **kwargs))


def open_ids(w: World) -> list[int]:
    return list(w.read(lambda s: s.scalars(select(ProcessDraft.id).where(
        ProcessDraft.status == "draft").order_by(ProcessDraft.id)).all()))


def test_saving_again_from_a_version_updates_the_open_draft(w: World) -> None:
    w.deploy(TWO_LANE)
    first = save(w, RENAMED, base_version_id=1, reuse_open=True)
    again = save(w, AGAIN, base_version_id=1, reuse_open=True)
    assert (first["reused"], again["reused"], again["id"]) == (False, True, first["id"])
    assert "lần ba" in w.read(drafts.get_draft, first["id"]).xml
    assert [d["id"] for d in w.read(drafts.list_models)[0]["drafts"]] == [first["id"]]
    # Another person's draft, a draft from no version (an import) and a plain save
    # (reuse_open not asked) are drafts of their own.
    other = save(w, RENAMED, who="sec1", base_version_id=1, reuse_open=True)
    unbased = save(w, RENAMED, reuse_open=True)
    plain = save(w, RENAMED, base_version_id=1)
    assert len({first["id"], other["id"], unbased["id"], plain["id"]}) == 4
    assert save(w, RENAMED, base_version_id=1, reuse_open=True)["id"] == plain["id"]  # newest
    # A deployed draft is closed: the next save from its version goes to the other open
    # one, and with none left starts a new one.
    w.write(drafts.deploy_draft, w.eng, w["admin1"], plain["id"])
    assert save(w, AGAIN, base_version_id=1, reuse_open=True)["id"] == first["id"]
    w.write(drafts.delete_draft, w["admin1"], first["id"])
    fresh = save(w, AGAIN, base_version_id=1, reuse_open=True)
    assert fresh["id"] != plain["id"] and fresh["id"] in open_ids(w)
    assert plain["id"] not in open_ids(w)  # kept (audited), listed no more
    saved = w.read(lambda s: s.scalars(select(AuditEvent.payload).where(
        AuditEvent.event_type == "draft.saved")).all())
    payloads = [json.loads(p) if isinstance(p, str) else p for p in saved]
    assert [p["draft_id"] for p in payloads].count(first["id"]) == 3  # each save audited


def test_preview_names_the_new_version_the_instances_that_stay_and_the_changes(
        w: World) -> None:
    w.deploy(TWO_LANE)
    for _ in range(2):
        w.start("two_lane", "sub_a")
    draft = save(w, RENAMED, base_version_id=1)
    found = w.read(deploy_preview, draft["id"])
    assert (found["current_version"], found["next_version"], found["identical_to"]) == (1, 2, None)
    assert found["running"] == {1: 2}
    [change] = found["changes"]["changes"]
    assert change["status"] == "changed" and [f["field"] for f in change["fields"]] == ["name"]
    w.write(drafts.deploy_draft, w.eng, w["admin1"], draft["id"])
    assert w.read(latest_version, "two_lane") == 2
    with pytest.raises(Conflict) as info:
        w.read(deploy_preview, draft["id"])
    assert info.value.code == "draft.deployed"
    same = save(w, RENAMED, base_version_id=1)  # the bytes of version 2
    assert w.read(deploy_preview, same["id"])["identical_to"] == 2
    assert w.read(latest_version, "nothing") is None
