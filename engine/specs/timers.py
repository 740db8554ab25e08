"""Timer events (sự kiện hẹn giờ) on SpiffWorkflow's own timer machinery.

SpiffWorkflow evaluates a timer's ``timeDuration`` or ``timeDate`` as a Python
expression, remembers the moment it computed in the waiting task's internal data
(``event_value``) and fires the event when ``BpmnWorkflow.refresh_timers`` finds that
moment passed. The two subclasses here change only what the engine needs:

- the moment is compared with the engine's clock (:mod:`engine.clock`), so the
  scheduler fires what is due at its tick and tests can run "at" a date;
- the expression may give an ISO 8601 duration (``"P3D"``, ``"PT4H"``: from the moment
  the wait begins), a moment (``"2027-01-15T08:00"``, a ``datetime`` or a ``date``), or
  what ``working_days(n)`` returns (the end of the n-th working day, Vietnamese
  holidays and Tết excluded); so both ``timeDuration`` and ``timeDate`` accept all of
  them. A moment without a time zone is in the office's zone (Asia/Ho_Chi_Minh), not
  the server's;
- each remembers its BPMN id, so the ``timer`` rows name the event even when an
  event-based gateway holds it.

Cycles (``timeCycle``) keep SpiffWorkflow's class: deploy refuses them
(``engine.specs.validate.check_timers``).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import Any

from SpiffWorkflow.bpmn.exceptions import WorkflowTaskException
from SpiffWorkflow.bpmn.parser.util import first
from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException
from SpiffWorkflow.bpmn.specs.event_definitions.multiple import MultipleEventDefinition
from SpiffWorkflow.bpmn.specs.event_definitions.timer import (
    CycleTimerEventDefinition,
    DurationTimerEventDefinition,
    TimeDateEventDefinition,
    TimerEventDefinition,
)
from SpiffWorkflow.bpmn.util import PendingBpmnEvent

from engine import clock


class TimerValueError(ValueError):
    """A timer's expression gave something that is neither a duration nor a moment."""


def _aware(moment: datetime, zone: tzinfo) -> datetime:
    return (moment if moment.tzinfo is not None else moment.replace(tzinfo=zone)).astimezone(UTC)


def due_from(value: Any, start: datetime, zone: tzinfo) -> datetime:
    """The UTC moment a timer whose expression gave ``value`` fires, waiting from ``start``.

    Raises:
        TimerValueError: ``value`` is not an ISO 8601 duration or moment.
    """
    if isinstance(value, datetime):
        return _aware(value, zone)
    if isinstance(value, date):
        return _aware(datetime.combine(value, time()), zone)
    if isinstance(value, timedelta):
        return start + value
    if not isinstance(value, str) or not value.strip():
        raise TimerValueError(
            f"Hẹn giờ cần một khoảng thời gian ISO 8601 (ví dụ \"P3D\"), một thời điểm "
            f"(ví dụ \"2027-01-15T08:00\") hoặc working_days(n); nhận được {value!r}.")
    text = value.strip()
    if text[0] in "Pp":
        try:
            parsed = TimerEventDefinition.parse_iso_duration(text)
        except Exception as exc:
            raise TimerValueError(f"Khoảng thời gian «{text}» không đúng ISO 8601 "
                                  "(ví dụ P3D, PT4H, P1M).") from exc
        return start + TimerEventDefinition.get_timedelta_from_start(parsed, start)
    try:
        return _aware(datetime.fromisoformat(text), zone)
    except ValueError as exc:
        raise TimerValueError(f"Thời điểm «{text}» không đúng ISO 8601 "
                              "(ví dụ 2027-01-15 hoặc 2027-01-15T08:00).") from exc


def _zone(my_task: Any) -> tzinfo:
    """The office's zone, from the command's script engine (UTC outside a command)."""
    zone: tzinfo = getattr(my_task.workflow.script_engine, "zone", UTC)
    return zone


class _EngineClockTimer(TimerEventDefinition):
    """A timer whose moment is computed once, then compared with the engine's clock."""

    def __init__(self, name: str, expression: str, bpmn_id: str | None = None,
                 description: str | None = None) -> None:
        super().__init__(name, expression, description=description)
        self.bpmn_id = bpmn_id

    @staticmethod
    def due_at(my_task: Any) -> datetime | None:
        """When this task's timer fires (None until the wait began)."""
        value = my_task._get_internal_data("event_value")
        return datetime.fromisoformat(value) if isinstance(value, str) else None

    def has_fired(self, my_task: Any) -> bool:
        due = self.due_at(my_task)
        if due is None:
            start = clock.now()
            value = my_task.workflow.script_engine.evaluate(my_task, self.expression)
            try:
                due = due_from(value, start, _zone(my_task))
            except TimerValueError as exc:  # the instance goes to error at this event
                raise WorkflowTaskException(str(exc), task=my_task, exception=exc) from exc
            my_task._set_internal_data(event_value=due.isoformat())
        if due <= clock.now():
            my_task._set_internal_data(event_fired=True)
        return bool(my_task._get_internal_data("event_fired", False))

    def details(self, my_task: Any) -> PendingBpmnEvent:
        return PendingBpmnEvent(self.name, self.__class__.__name__,
                                my_task._get_internal_data("event_value"))


class EngineDurationTimer(_EngineClockTimer, DurationTimerEventDefinition):
    """``timeDuration``: usually a duration, counted from the moment the wait begins."""


class EngineDateTimer(_EngineClockTimer, TimeDateEventDefinition):
    """``timeDate``: usually a moment."""


ENGINE_TIMERS = (EngineDurationTimer, EngineDateTimer)


class TimerParsingMixin:
    """Makes an event parser build the engine's timer classes (cycles stay Spiff's)."""

    node: Any
    # provided by SpiffWorkflow's EventDefinitionParser, which comes after in the MRO
    xpath: Any
    get_event_description: Any

    def parse_timer_event(self, event: Any) -> TimerEventDefinition:
        description = self.get_event_description(event)
        bpmn_id = self.node.get("id")
        name = self.node.get("name", bpmn_id)
        for tag, cls in (("timeDate", EngineDateTimer), ("timeDuration", EngineDurationTimer)):
            found = first(self.xpath(f".//bpmn:{tag}"))
            if found is not None:
                return cls(name, (found.text or "").strip(), bpmn_id, description=description)
        cycle = first(self.xpath(".//bpmn:timeCycle"))
        if cycle is not None:
            return CycleTimerEventDefinition(name, cycle.text, description=description)
        raise ValidationException("Hẹn giờ chưa có thời hạn (timeDuration, timeDate).",
                                  node=self.node)


def engine_timers(definition: Any) -> list[_EngineClockTimer]:
    """The engine timers of an event definition (an event-based gateway holds several)."""
    if isinstance(definition, _EngineClockTimer):
        return [definition]
    if isinstance(definition, MultipleEventDefinition):
        return [d for d in definition.event_definitions if isinstance(d, _EngineClockTimer)]
    return []
