"""Vietnamese working days and task deadlines (Asia/Ho_Chi_Minh)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from engine_kit import World, linear, make_world, ready

from engine.calendar import WorkingCalendar

HCM = ZoneInfo("Asia/Ho_Chi_Minh")


@pytest.fixture(scope="module")
def cal() -> WorkingCalendar:
    return WorkingCalendar("Asia/Ho_Chi_Minh", "VN")


def test_tet_2027(cal: WorkingCalendar) -> None:
    # Tết Đinh Mùi: Thu 4 Feb – Wed 10 Feb 2027 are days off.
    assert [cal.is_working_day(date(2027, 2, d)) for d in range(1, 13)] == [
        True, True, True, False, False, False, False, False, False, False, True, True]
    start = date(2027, 2, 1)  # Monday
    assert [cal.add_working_days(start, n) for n in range(1, 6)] == [
        date(2027, 2, 2), date(2027, 2, 3), date(2027, 2, 11), date(2027, 2, 12),
        date(2027, 2, 15)]
    assert cal.working_days_between(start, date(2027, 2, 15)) == 5
    assert cal.working_days_between(date(2027, 2, 15), start) == -5
    assert cal.working_days_between(start, start) == 0
    assert cal.add_working_days(start, 0) == start


def test_national_day_2026_swap(cal: WorkingCalendar) -> None:
    # Saturday 22 Aug 2026 is worked so that Monday 31 Aug can be taken off.
    assert cal.is_working_day(date(2026, 8, 22))
    assert not cal.is_working_day(date(2026, 8, 23))
    assert not cal.is_working_day(date(2026, 8, 31))
    assert not cal.is_working_day(date(2026, 9, 1)) and not cal.is_working_day(date(2026, 9, 2))
    assert cal.add_working_days(date(2026, 8, 21), 1) == date(2026, 8, 22)
    assert cal.add_working_days(date(2026, 8, 28), 1) == date(2026, 9, 3)
    assert cal.working_days_between(date(2026, 8, 20), date(2026, 9, 4)) == 9


def test_due_at_is_end_of_local_day(cal: WorkingCalendar) -> None:
    # 17:30 UTC on Mon 1 Feb 2027 is already Tue 2 Feb in Hà Nội: counting starts there.
    due = cal.due_at(datetime(2027, 2, 1, 17, 30, tzinfo=UTC), 1)
    assert due == datetime(2027, 2, 3, 16, 59, 59, tzinfo=UTC)
    assert due.astimezone(HCM).time() == time(23, 59, 59)
    # Naive datetimes are taken as UTC.
    assert cal.due_at(datetime(2027, 2, 1, 17, 30), 1) == due
    assert cal.local_date(datetime(2027, 2, 1, 16, 59, tzinfo=UTC)) == date(2027, 2, 1)


@pytest.fixture
def w(db_url: str, monkeypatch: pytest.MonkeyPatch) -> World:
    return make_world(db_url, monkeypatch)


def test_appraise_due_is_tenth_working_day(w: World, cal: WorkingCalendar) -> None:
    w.deploy("two_lane.bpmn")
    inst = w.start("two_lane", "sub_a")
    inst = w.complete(ready(inst, "propose")["id"], "sub_a", {"title": "Đề nghị"})
    task = ready(inst, "appraise")
    created = datetime.fromisoformat(task["created_at"])
    due = datetime.fromisoformat(task["due_at"])
    assert due == cal.due_at(created, 10)
    local_due = due.astimezone(HCM)
    assert local_due.time() == time(23, 59, 59)
    assert cal.is_working_day(local_due.date())
    assert cal.working_days_between(cal.local_date(created), local_due.date()) == 10
    assert local_due.date() - cal.local_date(created) >= timedelta(days=12)
    # The inbox carries the same deadline.
    assert w.inbox("sec1")[0]["due_at"] == task["due_at"]


def test_due_from_expression_and_inbox_order(w: World, cal: WorkingCalendar) -> None:
    user = ('<bpmn:userTask id="n1"><bpmn:extensionElements><spiffworkflow:properties>'
            '<spiffworkflow:property name="dueWorkingDays" value="days * 2" />'
            '</spiffworkflow:properties></bpmn:extensionElements></bpmn:userTask>')
    w.deploy(linear(user))
    slow = w.start("p", "sub_a", {"days": 10})
    fast = w.start("p", "sub_a", {"days": 1})
    for inst, days in ((slow, 20), (fast, 2)):
        task = ready(inst, "n1")
        created = datetime.fromisoformat(task["created_at"])
        assert datetime.fromisoformat(task["due_at"]) == cal.due_at(created, days)
    # Most urgent first.
    assert [t["instance_id"] for t in w.inbox("sub_a")] == [fast["id"], slow["id"]]
