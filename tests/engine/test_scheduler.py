"""The scheduler: one active process (lease), concurrent firing, reminders and escalation."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from engine_kit import World, bpmn, make_world, ready
from sqlalchemy import func, select
from timer_kit import LANES, T0, escalating, notes, refs, start_at, tick, timers, waiting

from engine import clock
from engine.reminders import ReminderPolicy
from engine.scheduler import Scheduler, lease
from engine.scheduler.jobs import fire_due_timers
from engine.store.models import AuditEvent

POLICY = ReminderPolicy(remind_days=2, supervisors={"submitter": "secretariat"})


@pytest.fixture
def w(db_url: str, monkeypatch: pytest.MonkeyPatch) -> World:
    return make_world(db_url, monkeypatch)


def fired_events(w: World) -> int:
    return int(w.read(lambda s: s.scalar(select(func.count()).select_from(AuditEvent).where(
        AuditEvent.event_type == "timer.fired"))))


# -- one active scheduler --------------------------------------------------------------
class Wall:
    """A wall clock the test moves by hand (the lease reads only this one)."""

    def __init__(self, moment: datetime) -> None:
        self.moment = moment

    def __call__(self) -> datetime:
        return self.moment


def test_a_second_scheduler_waits_and_takes_over_when_the_first_dies(w: World) -> None:
    wall = Wall(T0)
    first = Scheduler(w.eng, w.db, interval_s=30, holder="first", wall_clock=wall)
    second = Scheduler(w.eng, w.db, interval_s=30, holder="second", wall_clock=wall)
    assert first.stale_after == timedelta(minutes=2)

    assert first.tick().active
    wall.moment = T0 + timedelta(seconds=30)
    assert not second.tick().active
    wall.moment = T0 + timedelta(seconds=60)
    assert first.tick().active  # renewed
    wall.moment = T0 + timedelta(seconds=170)
    assert not second.tick().active
    assert lease.holder_of(w.db) == ("first", T0 + timedelta(seconds=60))
    # the first stops reporting: after two minutes the second takes over
    wall.moment = T0 + timedelta(seconds=181)
    assert second.tick().active
    wall.moment = T0 + timedelta(seconds=190)
    assert not first.tick().active
    assert lease.holder_of(w.db)[0] == "second"


def test_a_tick_run_at_another_moment_holds_the_lease_in_real_time(w: World) -> None:
    """``tdkt scheduler --once --at 2027-…`` must not keep the real scheduler out."""
    wall = Wall(T0)
    assert Scheduler(w.eng, w.db, holder="manual", wall_clock=wall).tick(
        T0 + timedelta(days=400)).active
    assert lease.holder_of(w.db) == ("manual", T0)
    wall.moment = T0 + timedelta(minutes=3)
    assert Scheduler(w.eng, w.db, holder="real", wall_clock=wall).tick().active


def test_a_clean_stop_hands_the_lease_over_at_once(w: World) -> None:
    first = Scheduler(w.eng, w.db, holder="first")
    second = Scheduler(w.eng, w.db, holder="second")
    assert first.tick(T0).active
    first.stop()
    assert second.tick(T0 + timedelta(seconds=1)).active


def test_the_waiting_scheduler_fires_nothing(w: World) -> None:
    w.deploy(waiting())
    inst = start_at(w, T0, "waiting")
    assert tick(w, T0, holder="first").active  # the lease is held in real time
    report = tick(w, T0 + timedelta(days=3, seconds=1), holder="second")
    assert (report.active, report.timers.fired) == (False, [])
    assert w.instance(inst["id"])["tasks"] == []


def test_two_schedulers_at_once_fire_each_timer_once(pg_url: str,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    w = make_world(pg_url, monkeypatch)
    w.deploy(waiting())
    ids = [start_at(w, T0, "waiting")["id"] for _ in range(6)]
    at = T0 + timedelta(days=3, seconds=1)
    results: list[Any] = []
    barrier = threading.Barrier(2)

    def run(holder: str) -> None:
        barrier.wait()
        results.append(Scheduler(w.eng, w.db, holder=holder).tick(at))

    threads = [threading.Thread(target=run, args=(f"s{n}",)) for n in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(r.active for r in results) == [False, True]
    assert fired_events(w) == 6
    assert all([t["name"] for t in w.instance(i)["tasks"]] == ["after"] for i in ids)


def test_firing_twice_at_once_without_the_lease_still_fires_once(
        pg_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """The instance lock and version counter guard each firing on their own."""
    w = make_world(pg_url, monkeypatch)
    w.deploy(waiting())
    ids = [start_at(w, T0, "waiting")["id"] for _ in range(6)]
    at = T0 + timedelta(days=3, seconds=1)
    reports: list[Any] = []
    barrier = threading.Barrier(2)

    def run() -> None:
        barrier.wait()
        with clock.at(at):
            reports.append(fire_due_timers(w.eng, w.db, at))

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert fired_events(w) == 6
    assert sorted(i for r in reports for i in r.fired) == sorted(ids)
    assert all(len(w.task_rows(i)) == 1 for i in ids)


# -- reminders and escalation ------------------------------------------------------------
def deadline_doc(days: str = "3") -> bytes:
    body = ('<bpmn:startEvent id="start" /><bpmn:userTask id="review" name="Xem xét">'
            '<bpmn:extensionElements><spiffworkflow:properties><spiffworkflow:property '
            f'name="dueWorkingDays" value="{days}" /></spiffworkflow:properties>'
            '</bpmn:extensionElements></bpmn:userTask><bpmn:endEvent id="end" />'
            '<bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="review" />'
            '<bpmn:sequenceFlow id="f2" sourceRef="review" targetRef="end" />')
    return bpmn(body, "deadline", LANES.format(first=refs("start", "review", "end"), second=""))


def kinds(w: World, who: str) -> list[str]:
    return [n.kind for n in notes(w, who)]


def test_reminder_before_the_deadline_and_escalation_after_it_once_each(w: World) -> None:
    w.deploy(deadline_doc("3"))
    inst = start_at(w, T0, "deadline")  # due: 13/02, then Tết, 23/02, 24/02 (end of day)
    row = w.task_rows(inst["id"])[0]
    assert row.due_at == datetime(2026, 2, 24, 16, 59, 59, tzinfo=UTC)

    # 12/02 23:00 in Hà Nội: three working days left
    assert tick(w, datetime(2026, 2, 12, 16, 0, tzinfo=UTC), policy=POLICY
                ).reminders.reminded == 0
    # 13/02 00:30: two working days left after today
    assert tick(w, datetime(2026, 2, 12, 17, 30, tzinfo=UTC), policy=POLICY
                ).reminders.reminded == 1
    tick(w, datetime(2026, 2, 13, 3, 0, tzinfo=UTC), policy=POLICY)
    # the starter got no task.new (their own action), the unit's other submitter did
    assert kinds(w, "sub_a") == ["task.reminder"]
    assert kinds(w, "sub_a2") == ["task.new", "task.reminder"]
    assert notes(w, "sub_a", "task.reminder")[0].title == (
        "Sắp đến hạn xử lý: Xem xét (hạn 24/02/2026 23:59)")
    assert kinds(w, "sub_b") == kinds(w, "sec1") == []

    late = datetime(2026, 2, 24, 17, 0, tzinfo=UTC)
    assert tick(w, late, policy=POLICY).reminders.overdue == 1
    assert tick(w, late + timedelta(hours=1), policy=POLICY).reminders.overdue == 0
    assert kinds(w, "sub_a") == ["task.reminder", "task.overdue"]
    assert kinds(w, "sec1") == kinds(w, "sec2") == ["task.escalated"]
    assert notes(w, "sec1")[0].title == "Bước quá hạn cần đôn đốc: Xem xét (hạn 24/02/2026 23:59)"
    assert kinds(w, "council1") == []


def test_a_claimed_task_reminds_its_assignee_and_short_deadlines_are_not_reminded(
        w: World) -> None:
    w.deploy(deadline_doc("1"))
    inst = start_at(w, T0, "deadline")
    w.write(w.eng.claim_task, ready(inst, "review")["id"], w["sub_a2"])

    tick(w, T0 + timedelta(hours=1), policy=POLICY)
    assert kinds(w, "sub_a2") == ["task.new"]  # one working day: task.new said it
    tick(w, datetime(2026, 2, 13, 17, 0, tzinfo=UTC), policy=POLICY)  # after 13/02
    assert kinds(w, "sub_a2") == ["task.new", "task.overdue"]
    assert kinds(w, "sub_a") == []
    assert kinds(w, "sec1") == ["task.escalated"]


def test_no_supervisor_and_no_reminders_when_the_policy_says_so(w: World) -> None:
    w.deploy(deadline_doc("3"))
    start_at(w, T0, "deadline")
    quiet = ReminderPolicy(remind_days=0)
    assert tick(w, datetime(2026, 2, 23, 3, 0, tzinfo=UTC), policy=quiet
                ).reminders.reminded == 0
    assert tick(w, datetime(2026, 2, 25, 3, 0, tzinfo=UTC), policy=quiet
                ).reminders.overdue == 1
    assert kinds(w, "sub_a2") == ["task.new", "task.overdue"]
    assert kinds(w, "sec1") == []


def test_completed_tasks_are_not_reminded(w: World) -> None:
    w.deploy(deadline_doc("3"))
    inst = start_at(w, T0, "deadline")
    w.complete(ready(inst, "review")["id"], "sub_a")
    report = tick(w, datetime(2026, 3, 2, 3, 0, tzinfo=UTC), policy=POLICY)
    assert (report.reminders.reminded, report.reminders.overdue) == (0, 0)


def test_a_boundary_timer_at_the_deadline_escalates_with_the_notices(w: World) -> None:
    """The office's usual shape: the step's deadline and its boundary timer agree."""
    w.deploy(escalating(True, "working_days(3)", due_days="3"))
    inst = start_at(w, T0, "esc")
    [row] = timers(w, inst["id"])
    assert row.due_at == w.task_rows(inst["id"])[0].due_at

    report = tick(w, datetime(2026, 2, 24, 17, 0, tzinfo=UTC), policy=POLICY)

    assert report.timers.fired == [inst["id"]]
    assert report.reminders.overdue == 0  # the late step was cancelled by its timer
    assert [t["name"] for t in w.instance(inst["id"])["tasks"]] == ["escalate"]
