"""Migration jobs: 1,000 instances in batches, rollback, races with people, resuming."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from engine_kit import World, make_world, ready
from migration_kit import (
    TWO_LANE,
    changed_appraise,
    clone_instances,
    job_view,
    migrate,
    migration_world,
    queue,
    straight_to_calc,
)
from sqlalchemy import select, update
from test_concurrency import race

from engine import audit
from engine.errors import Conflict, EngineError
from engine.migration import MigrationWorker, batches, create_rollback
from engine.migration.jobs import planner_for
from engine.store.models import (
    HumanTask,
    MigrationItem,
    MigrationJob,
    ProcessInstance,
    utcnow,
)
from engine.store.serializer import load_state


@pytest.fixture
def w(db_url: str, monkeypatch: pytest.MonkeyPatch) -> World:
    return migration_world(make_world(db_url, monkeypatch))


def at_appraise(w: World, **kwargs: Any) -> dict[str, Any]:
    inst = w.start("two_lane", "sub_a", **kwargs)
    return w.complete(ready(inst, "propose")["id"], "sub_a", {"title": "Đề nghị"})


def consistent(w: World, instance_id: int) -> set[str]:
    """The stored state loads on the instance's own version and its ready user tasks are
    exactly its ready ``human_task`` rows; returns those ids."""
    def body(s: Any) -> set[str]:
        inst = s.get(ProcessInstance, instance_id)
        loaded = w.eng.specs.load(s, inst.model_version_id)
        assert loaded.version == inst.version
        wf = load_state(inst.state_json, loaded.spec, loaded.subprocess_specs)
        in_state = {str(t.id) for t in wf.get_tasks(state=16, manual=True)}
        rows = set(s.scalars(select(HumanTask.id).where(
            HumanTask.instance_id == instance_id, HumanTask.state == "ready")).all())
        assert in_state == rows, (in_state, rows)
        assert (inst.status == "completed") == wf.completed
        return rows
    return set(w.read(body))


def test_batch_of_1000_reports_counts_and_moved_instances_complete(w: World) -> None:
    w.deploy(TWO_LANE)
    proposing = w.start("two_lane", "sub_a", business_key="P-seed")
    appraising = at_appraise(w, business_key="A-seed")
    moving = [proposing["id"], *clone_instances(w, proposing["id"], 599, "P")]
    staying = [appraising["id"], *clone_instances(w, appraising["id"], 399, "A")]
    w.deploy(straight_to_calc())

    job_id = queue(w, "two_lane", 1, 2, batch_size=100)
    assert job_view(w, job_id)["status"] == "queued"
    assert batches.claim(w.db, "w1", job_id) == job_id
    batches.run_job(w.eng, w.db, job_id, "w1")

    job = job_view(w, job_id)
    assert (job["status"], job["total"], job["moved"], job["refused"], job["percent"]) == (
        "done", 1000, 600, 400, 100)
    items = {i["instance_id"]: i for i in job["items"]}
    assert {i for i, item in items.items() if item["state"] == "moved"} == set(moving)
    assert {r["code"] for i in staying for r in items[i]["reasons"]} == {
        "migration.current_step_removed"}
    versions = dict(w.read(lambda s: s.execute(
        select(ProcessInstance.id, ProcessInstance.version)).all()))
    assert {versions[i] for i in moving} == {2} and {versions[i] for i in staying} == {1}
    tasks = dict(w.read(lambda s: s.execute(
        select(HumanTask.instance_id, HumanTask.id).where(HumanTask.state == "ready",
                                                          HumanTask.name == "propose")).all()))
    for instance_id in moving:
        done = w.complete(tasks[instance_id], "sub_a", {"title": f"Đề nghị {instance_id}"})
        assert (done["status"], done["version"], done["data"]["total"]) == ("completed", 2, 3)
    # the refused ones were left as they were: they finish on version 1, by its own path
    appraisals = dict(w.read(lambda s: s.execute(
        select(HumanTask.instance_id, HumanTask.id).where(HumanTask.state == "ready",
                                                          HumanTask.name == "appraise")).all()))
    assert set(appraisals) == set(staying)
    for instance_id in staying:
        done = w.complete(appraisals[instance_id], "sec1", {"decision": "approve"})
        assert (done["status"], done["version"], done["data"]["total"]) == ("completed", 1, 3)
    assert w.read(audit.verify).ok


def test_rollback_moves_back_what_is_still_there(w: World) -> None:
    w.deploy(TWO_LANE)
    a, b = at_appraise(w), at_appraise(w)
    rows_before = {r.id: r for r in w.task_rows(a["id"])}
    w.deploy(changed_appraise())
    first = migrate(w, "two_lane", 1, 2)
    assert first["moved"] == 2
    w.complete(ready(w.instance(b["id"]), "appraise")["id"], "council1",
               {"decision": "approve"})  # b finishes on v2 before the rollback

    back_id = w.write(lambda s: (create_rollback(s, w["admin1"], first["id"]), s.commit())[0])
    assert batches.claim(w.db, "w1", back_id) == back_id
    batches.run_job(w.eng, w.db, back_id, "w1")

    back = job_view(w, back_id)
    assert (back["rollback_of"], back["from_version"], back["to_version"]) == (first["id"], 2, 1)
    assert (back["moved"], back["refused"]) == (1, 1)
    refused = [i for i in back["items"] if i["state"] == "refused"][0]
    assert (refused["instance_id"], refused["reasons"][0]["code"]) == (
        b["id"], "migration.instance_completed")
    assert w.instance(a["id"])["version"] == 1
    row = [r for r in w.task_rows(a["id"]) if r.state == "ready"][0]
    old = rows_before[row.id]
    assert (row.title, row.role, row.due_at) == (old.title, old.role, old.due_at)
    assert [t["id"] for t in w.inbox("sec1")] == [row.id]
    done = w.complete(row.id, "sec1", {"decision": "approve"})
    assert (done["status"], done["version"]) == ("completed", 1)
    assert w.history_types(a["id"]).count("instance.migrated") == 2
    assert job_view(w, first["id"])["rolled_back_by"] == back_id
    for job_id in (first["id"], back_id):  # once only; never a rollback of a rollback
        with pytest.raises(Conflict):
            w.write(create_rollback, w["admin1"], job_id)


def test_user_and_migration_race_on_one_instance(w: World) -> None:
    """Whoever locks the instance first wins; the other acts on what it left."""
    w.deploy(TWO_LANE)
    instances = [at_appraise(w) for _ in range(4)]
    w.deploy(changed_appraise())
    for inst in instances:
        job_id = queue(w, "two_lane", 1, 2, instance_ids=[inst["id"]])
        assert batches.claim(w.db, "w1", job_id) == job_id
        task_id = ready(inst, "appraise")["id"]
        who = "sec1"  # may act on v1 (secretariat); on v2 the step is the council's

        def person(task_id: str = task_id, who: str = who) -> Any:
            return w.complete(task_id, who, {"decision": "approve"})

        def migration(job_id: int = job_id) -> Any:
            batches.run_job(w.eng, w.db, job_id, "w1")
            return job_id

        completed, _ = race(person, migration)
        item = job_view(w, job_id)["items"][0]
        stored = w.instance(inst["id"])
        if isinstance(completed, EngineError):  # migration first: the council's step now
            assert completed.code in ("task.forbidden", "task.not_ready"), completed
            assert (item["state"], stored["version"], stored["status"]) == (
                "moved", 2, "running")
        else:  # the person first: the migration found a finished instance
            assert completed["status"] == "completed"
            assert item["state"] == "refused"
            assert stored["version"] == 1
        consistent(w, inst["id"])
    assert w.read(audit.verify).ok


def test_claim_is_exclusive_and_a_silent_worker_is_taken_over(w: World) -> None:
    w.deploy(TWO_LANE)
    ids = [at_appraise(w)["id"] for _ in range(5)]
    w.deploy(changed_appraise())
    job_id = queue(w, "two_lane", 1, 2, batch_size=2)
    assert batches.claim(w.db, "w1", job_id) == job_id
    assert batches.claim(w.db, "w2") is None  # running, heartbeat fresh
    # w1 moves one batch, then its process stops
    job = w.read(lambda s: s.get(MigrationJob, job_id))
    planner = w.read(lambda s: planner_for(w.eng, s, job.from_version_id,
                                                    job.to_version_id))
    for item in job_view(w, job_id)["items"][:2]:
        pending = w.read(lambda s, i=item: s.execute(select(MigrationItem.id).where(
            MigrationItem.job_id == job_id,
            MigrationItem.instance_id == i["instance_id"])).scalar_one())
        batches.process_item(w.eng, w.db, planner, job, pending, item["instance_id"],
                             w["admin1"])
    stale = utcnow() - batches.STALE_AFTER - timedelta(seconds=1)
    w.write(lambda s: (s.execute(update(MigrationJob).values(heartbeat_at=stale)), s.commit()))

    worker = MigrationWorker(w.eng, w.db, poll_s=0.05)
    worker.wake()
    worker.join(60)

    done = job_view(w, job_id)
    assert (done["status"], done["moved"], done["refused"]) == ("done", 5, 0)
    assert w.read(lambda s: s.get(MigrationJob, job_id)).worker == worker.name
    assert {w.instance(i)["version"] for i in ids} == {2}
    assert w.history_types(ids[0]).count("instance.migrated") == 1
    assert batches.claim(w.db, "w3") is None


def test_worker_thread_runs_queued_jobs_and_stops(w: World) -> None:
    w.deploy(TWO_LANE)
    inst = at_appraise(w)
    w.deploy(changed_appraise())
    job_id = queue(w, "two_lane", 1, 2)
    worker = MigrationWorker(w.eng, w.db, poll_s=0.05)
    worker.wake()
    worker.join(60)
    assert job_view(w, job_id)["status"] == "done"
    assert w.instance(inst["id"])["version"] == 2
    assert not batches.has_open_jobs(w.db)
