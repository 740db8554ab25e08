"""``EngineSettings``: what an application tells the engine about itself (roles, calendar,
sandbox, links, reminders, visibility, search index, completion note)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from engine.mail.compose import DEFAULT_BASE_URL
from engine.reminders import ReminderPolicy
from engine.roles import DEFAULT_ROLES, DEFAULT_UNIT_SCOPED
from engine.runtime.access import VisibilityGrant
from engine.search import TaskIndexer


@dataclass(frozen=True)
class EngineSettings:
    roles: tuple[str, ...] = DEFAULT_ROLES
    unit_scoped_roles: frozenset[str] = DEFAULT_UNIT_SCOPED
    script_timeout_s: float = 5.0
    timezone: str = "Asia/Ho_Chi_Minh"
    country: str = "VN"
    spec_cache_size: int = 256
    script_helpers: dict[str, Any] = field(default_factory=dict)
    # dueWorkingDays="setting:<name>" asks this for the number of days (None: unknown).
    named_days: Callable[[Session, str], Any] | None = None
    # The address people open the app at: the links in notification e-mails start with it.
    base_url: str = DEFAULT_BASE_URL
    # Reminders and escalation as the office configured them (None: ReminderPolicy()).
    reminder_policy: Callable[[Session], ReminderPolicy] | None = None
    # Extra read access to instances, given by the domain (engine.runtime.access).
    visibility_grants: tuple[VisibilityGrant, ...] = ()
    # What open tasks are searched and filtered by (engine/search.py); None: the engine's
    # own (business key, ``nominee_name``, ``subject_name``, the data's ``year``).
    task_index: TaskIndexer | None = None
    # A line on the outcome of an ended instance, for the notification its starter gets
    # (the domain's words: awarded, not awarded, …); None: the notification names the
    # instance only.
    completion_note: Callable[[Session, int], str | None] | None = None
    # Lines a task's notification adds under the dossier's, by the task's ``notifyKind`` and
    # data (the domain's words); None: the dossier's line only (engine.runtime.state).
    task_note: Callable[[str | None, Mapping[str, Any]], str | None] | None = None
