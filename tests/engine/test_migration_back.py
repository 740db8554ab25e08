"""One instance back to its previous version (move back), refusals and failed jobs in the
audit log."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import pytest
from engine_kit import World, make_world, ready
from migration_kit import (
    TWO_LANE,
    changed_appraise,
    edit,
    job_view,
    migrate,
    migration_world,
    queue,
    without_appraise,
)
from sqlalchemy import select

from engine import audit
from engine.errors import Conflict, NotFound
from engine.migration import batches, move_back, move_back_offer
from engine.store.models import AuditEvent, MigrationJob


@pytest.fixture
def w(db_url: str, monkeypatch: pytest.MonkeyPatch) -> World:
    return migration_world(make_world(db_url, monkeypatch))


def at_appraise(w: World) -> dict[str, Any]:
    inst = w.start("two_lane", "sub_a")
    return w.complete(ready(inst, "propose")["id"], "sub_a", {"title": "Đề nghị"})


def back(w: World, instance_id: int) -> dict[str, Any]:
    return dict(w.write(lambda s: move_back(w.eng, s, w["admin1"], instance_id)))


@dataclass
class Event:
    instance_id: int | None
    actor_id: int | None
    payload: dict[str, Any]


def events(w: World, kind: str) -> list[Event]:
    rows = w.read(lambda s: s.scalars(select(AuditEvent).where(
        AuditEvent.event_type == kind).order_by(AuditEvent.id)).all())
    return [Event(r.instance_id, r.actor_id, json.loads(r.payload)) for r in rows]


def test_move_back_one_instance_of_a_job(w: World) -> None:
    w.deploy(TWO_LANE)
    a, b = at_appraise(w), at_appraise(w)
    w.deploy(changed_appraise())
    job = migrate(w, "two_lane", 1, 2)
    assert job["moved"] == 2
    item = next(i for i in job["items"] if i["instance_id"] == a["id"])
    assert w.read(lambda s: move_back_offer(s, a["id"])) == {
        "job_id": job["id"], "item_id": item["id"], "from_version": 2, "to_version": 1}

    done = back(w, a["id"])

    assert (done["from_version"], done["to_version"], done["move_back_of"]) == (2, 1, job["id"])
    assert (w.instance(a["id"])["version"], w.instance(b["id"])["version"]) == (1, 2)
    row = [r for r in w.task_rows(a["id"]) if r.state == "ready"][0]
    assert (row.title, row.role) == ("Thẩm định", "secretariat")  # v1's step again
    moved = events(w, "instance.migrated")[-1]
    assert (moved.instance_id, moved.actor_id) == (a["id"], w["admin1"].id)
    assert moved.payload["move_back_of"] == job["id"]
    assert (moved.payload["from_version"], moved.payload["to_version"]) == (2, 1)
    assert w.read(lambda s: move_back_offer(s, a["id"])) is None
    with pytest.raises(Conflict) as twice:  # only the newest move, only once
        back(w, a["id"])
    assert twice.value.code == "migration.version_changed"
    w.complete(ready(w.instance(a["id"]), "appraise")["id"], "sec1", {"decision": "approve"})
    assert w.instance(a["id"])["status"] == "completed"
    assert w.read(audit.verify).ok


def test_move_back_is_refused_when_never_moved(w: World) -> None:
    w.deploy(TWO_LANE)
    never = at_appraise(w)
    with pytest.raises(NotFound) as info:
        back(w, never["id"])
    assert info.value.code == "migration.no_previous"
    with pytest.raises(NotFound):
        back(w, 999_999)

    w.deploy(changed_appraise())
    migrate(w, "two_lane", 1, 2)
    w.deploy(TWO_LANE.replace(b"appraise", b"review"))  # v3: appraise's id changed
    job = migrate(w, "two_lane", 2, 3)
    assert job["refused"] == 1  # the ready step is gone in v3: it stays on v2
    before = w.snapshot(never["id"])
    done = back(w, never["id"])  # a refused move is no move: v1 → v2 is undone
    assert (done["from_version"], done["to_version"]) == (2, 1)
    assert w.snapshot(never["id"])[0] != before[0]


def test_refused_instances_and_failed_jobs_are_audited(w: World) -> None:
    w.deploy(TWO_LANE)
    stays = at_appraise(w)
    w.deploy(without_appraise())
    job = migrate(w, "two_lane", 1, 2)
    assert job["refused"] == 1
    refused = events(w, "instance.migration_refused")
    assert [(e.instance_id, e.actor_id) for e in refused] == [(stays["id"], w["admin1"].id)]
    assert refused[0].payload["job_id"] == job["id"]
    assert refused[0].payload["reasons"][0]["code"] == "migration.current_step_removed"
    assert (refused[0].payload["from_version"], refused[0].payload["to_version"]) == (1, 2)

    failing = queue(w, "two_lane", 1, 2)
    assert batches.claim(w.db, "w1", failing) == failing
    batches.fail(w.db, failing, "w1", "phiên bản đích không đọc được")
    assert job_view(w, failing)["status"] == "failed"
    failed = events(w, "migration.failed")
    assert [(e.payload["job_id"], e.actor_id) for e in failed] == [(failing, w["admin1"].id)]
    assert failed[0].payload["message"] == "phiên bản đích không đọc được"
    batches.fail(w.db, failing, "another-worker", "x")  # not its job: nothing more
    assert len(events(w, "migration.failed")) == 1
    assert w.read(lambda s: s.get(MigrationJob, failing).status) == "failed"
    assert w.read(audit.verify).ok


def test_move_back_is_refused_when_the_instance_went_on_to_a_new_step(w: World) -> None:
    w.deploy(TWO_LANE)
    inst = w.start("two_lane", "sub_a")
    w.deploy(edit(TWO_LANE, (  # v2: a new step between propose and appraise
        '<bpmn:sequenceFlow id="f2" sourceRef="propose" targetRef="appraise" />',
        '<bpmn:sequenceFlow id="f2" sourceRef="propose" targetRef="intro" />'
        '<bpmn:manualTask id="intro" name="Giới thiệu" />'
        '<bpmn:sequenceFlow id="f2i" sourceRef="intro" targetRef="appraise" />')))
    assert migrate(w, "two_lane", 1, 2)["moved"] == 1
    w.complete(ready(w.instance(inst["id"]), "propose")["id"], "sub_a", {"title": "Đề nghị"})
    before = w.snapshot(inst["id"])

    with pytest.raises(Conflict) as info:
        back(w, inst["id"])

    assert info.value.code == "migration.refused"
    assert info.value.details[0]["code"] == "migration.current_step_removed"
    assert "Giới thiệu" in info.value.message
    assert w.snapshot(inst["id"]) == before and w.instance(inst["id"])["version"] == 2
