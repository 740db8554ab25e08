"""The scheduler (bộ lập lịch): fires due timers, sends reminders and overdue notices.

- :mod:`~engine.scheduler.lease`: one active scheduler across processes (a lease row);
- :mod:`~engine.scheduler.jobs`: what a tick does (timers, reminders);
- :mod:`~engine.scheduler.service`: APScheduler 3 calling the tick every N seconds.
"""

from engine.scheduler.service import Scheduler, TickReport

__all__ = ["Scheduler", "TickReport"]
