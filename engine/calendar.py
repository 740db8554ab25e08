"""Working days (ngày làm việc) in the office's time zone.

Vietnamese public holidays, Tết and the substituted weekend workdays come from
the maintained ``holidays`` library rather than a hand-kept list.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from functools import cached_property
from zoneinfo import ZoneInfo

import holidays


class WorkingCalendar:
    """Counts working days for one country and time zone.

    Args:
        tz_name: IANA time zone of the office, e.g. ``Asia/Ho_Chi_Minh``.
        country: ISO code understood by the ``holidays`` library.
    """

    def __init__(self, tz_name: str = "Asia/Ho_Chi_Minh", country: str = "VN") -> None:
        self.tz = ZoneInfo(tz_name)
        self.country = country

    @cached_property
    def _holidays(self) -> holidays.HolidayBase:
        return holidays.country_holidays(self.country)

    def local_date(self, moment: datetime) -> date:
        """The calendar date of ``moment`` in the office's time zone."""
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
        return moment.astimezone(self.tz).date()

    def is_working_day(self, day: date) -> bool:
        return bool(self._holidays.is_working_day(day))

    def add_working_days(self, start: date, days: int) -> date:
        """The ``days``-th working day after ``start`` (``start`` itself not counted)."""
        if days <= 0:
            return start
        result: date = self._holidays.get_nth_working_day(start, days)
        return result

    def working_days_between(self, start: date, end: date) -> int:
        """Working days after ``start`` up to and including ``end`` (negative if earlier)."""
        if end == start:
            return 0
        if end > start:
            return int(self._holidays.get_working_days_count(start + timedelta(days=1), end))
        return -int(self._holidays.get_working_days_count(end + timedelta(days=1), start))

    def due_at(self, start: datetime, days: int) -> datetime:
        """Deadline ``days`` working days after ``start``: the end of that local day, in UTC."""
        day = self.add_working_days(self.local_date(start), days)
        end_of_day = datetime.combine(day, time(23, 59, 59), tzinfo=self.tz)
        return end_of_day.astimezone(UTC)
