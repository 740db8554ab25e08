"""The engine's clock: "now" for every command, timers and reminders.

Production code reads :func:`now`; it is the system clock unless a caller runs a block
:func:`at` a given moment. The scheduler does so with the moment of its tick (one
tick, one "now" for every timer it fires), and tests use it to walk an instance
through a deadline without waiting. The moment is held in a context variable, so it
belongs to one thread (or task) and never leaks into another request.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime

_FIXED: ContextVar[datetime | None] = ContextVar("tdkt_clock", default=None)


def now() -> datetime:
    """The current moment, timezone-aware UTC."""
    fixed = _FIXED.get()
    return fixed if fixed is not None else datetime.now(UTC)


@contextmanager
def at(moment: datetime | None) -> Iterator[datetime]:
    """Run a block as if it were ``moment`` (aware; None: the real clock)."""
    if moment is None:
        yield now()
        return
    if moment.tzinfo is None:
        raise ValueError("the clock takes timezone-aware moments")
    token = _FIXED.set(moment.astimezone(UTC))
    try:
        yield moment
    finally:
        _FIXED.reset(token)
