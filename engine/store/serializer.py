"""The one serializer configuration of the engine.

An instance stores only its runtime state: the specs are immutable per
deployed version and cached by the registry, so they are neither written on
every step nor re-read from JSON on every load.
"""

from __future__ import annotations

import json
from datetime import date
from typing import Any
from uuid import UUID

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.serializer.default import TimerConditionalEventDefinitionConverter
from SpiffWorkflow.bpmn.serializer.default.workflow import BpmnWorkflowConverter
from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG

from engine.specs.timers import ENGINE_TIMERS


class StateOnlyWorkflowConverter(BpmnWorkflowConverter):
    """Writes a workflow without its specs; restores it onto given specs."""

    def to_dict(self, workflow: BpmnWorkflow) -> dict[str, Any]:
        dct = super(BpmnWorkflowConverter, self).to_dict(workflow)
        dct["subprocesses"] = self.mapping_to_dict(workflow.subprocesses)
        dct["bpmn_events"] = self.registry.convert(workflow.bpmn_events)
        return dct

    def from_dict(  # type: ignore[override]
        self, dct: dict[str, Any], spec: Any = None, subprocess_specs: Any = None
    ) -> BpmnWorkflow:
        if spec is None:
            raise ValueError("a stored instance is restored onto its cached spec")
        workflow = self.target_class(spec, subprocess_specs, deserializing=True)
        workflow.tasks = self.mapping_from_dict(dct["tasks"], UUID, workflow=workflow)
        workflow.task_tree = workflow.tasks.get(UUID(dct["root"]))
        self.set_default_attributes(workflow, dct)
        self.subprocesses_from_dict(dct["subprocesses"], workflow)
        workflow.bpmn_events = self.registry.restore(dct.pop("bpmn_events", []))
        return workflow


# The engine's spec classes (timers on the engine's clock) convert like SpiffWorkflow's:
# the migration planner compares specs through this configuration.
SPEC_CONFIG = {**SPIFF_CONFIG, **{cls: TimerConditionalEventDefinitionConverter
                                  for cls in ENGINE_TIMERS}}
_CONFIG = dict(SPEC_CONFIG)
_CONFIG[BpmnWorkflow] = StateOnlyWorkflowConverter
_REGISTRY = BpmnWorkflowSerializer.configure(_CONFIG)
# SpiffWorkflow knows datetime and timedelta; forms also produce plain dates.
_REGISTRY.register(
    date, lambda v: {"value": v.isoformat()}, lambda v: date.fromisoformat(v["value"])
)
_SERIALIZER = BpmnWorkflowSerializer(_REGISTRY)
STATE_FORMAT = f"tdkt-state/{_SERIALIZER.VERSION}"


def dump_state(workflow: BpmnWorkflow) -> str:
    """The workflow's runtime state as a JSON string (no specs)."""
    registry = _SERIALIZER.registry
    registry._encoder_mode = True  # SpiffWorkflow's own serialize_json does the same.
    try:
        dct = registry.convert(workflow)
        dct["format"] = STATE_FORMAT
        return json.dumps(dct, cls=_SERIALIZER._encoder_cls, separators=(",", ":"))
    finally:
        registry._encoder_mode = False


def load_state(state_json: str, spec: Any, subprocess_specs: dict[str, Any]) -> BpmnWorkflow:
    """Restore a workflow from ``dump_state`` output onto its (cached) specs."""
    dct = json.loads(state_json)
    dct.pop("format", None)
    workflow: BpmnWorkflow = _SERIALIZER.registry.restore(
        dct, spec=spec, subprocess_specs=subprocess_specs
    )
    return workflow


def to_jsonable(value: Any) -> Any:
    """Task data as plain JSON: dates as ISO strings, sets as lists."""
    return json.loads(json.dumps(value, default=json_default))


def json_default(obj: Any) -> Any:
    """JSON for what ``json`` does not know: dates, sets, UUIDs."""
    if hasattr(obj, "isoformat"):
        return obj.isoformat()
    if isinstance(obj, (set, frozenset, tuple)):
        return list(obj)
    if isinstance(obj, UUID):
        return str(obj)
    return str(obj)
