"""The route an instance has taken so far, in BPMN ids, for highlighting its diagram.

Computed from the stored state restored onto the cached spec: the elements that
completed, the ones waiting for someone (or something) now, the ones in error, and
the sequence flows taken. SpiffWorkflow does not keep sequence flow ids, so they are
read from the version's XML (``bpmn:sequenceFlow`` sourceRef/targetRef); a flow is
taken when a task of its source element is the parent of a task of its target
element and both completed (or the target is current).
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from SpiffWorkflow import TaskState
from SpiffWorkflow.bpmn import BpmnWorkflow

from engine.specs.xmlsafe import parse_xml

BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
CURRENT_STATES = TaskState.READY | TaskState.WAITING | TaskState.STARTED


def sequence_flows(xml: str | bytes) -> dict[tuple[str, str], list[str]]:
    """(source id, target id) -> ids of the sequence flows between them, in document order."""
    root = parse_xml(xml)
    flows: dict[tuple[str, str], list[str]] = defaultdict(list)
    for node in root.iter(f"{{{BPMN_NS}}}sequenceFlow"):
        source, target, flow_id = node.get("sourceRef"), node.get("targetRef"), node.get("id")
        if source and target and flow_id:
            flows[(source, target)].append(flow_id)
    return dict(flows)


def _bpmn_id(task: Any) -> str | None:
    value = getattr(task.task_spec, "bpmn_id", None)
    return value if isinstance(value, str) and value else None


def _add(seq: list[str], seen: set[str], value: str) -> None:
    if value not in seen:
        seen.add(value)
        seq.append(value)


def compute_trail(workflow: BpmnWorkflow, xml: str | bytes,
                  error_element: str | None = None) -> dict[str, list[str]]:
    """``{"completed", "current", "error", "flows"}``: lists of BPMN ids, each without repeats.

    Args:
        workflow: the instance's workflow, restored from its stored state.
        xml: the BPMN XML of the instance's version (for the sequence flow ids).
        error_element: the element the instance stopped on, if it is in error.
    """
    flows_by_pair = sequence_flows(xml)
    completed: list[str] = []
    current: list[str] = []
    error: list[str] = []
    flows: list[str] = []
    seen: dict[str, set[str]] = {"completed": set(), "current": set(), "error": set(),
                                 "flows": set()}
    for task in workflow.get_tasks():
        bpmn_id = _bpmn_id(task)
        if bpmn_id is None:
            continue
        if task.state == TaskState.COMPLETED:
            _add(completed, seen["completed"], bpmn_id)
        elif task.state & CURRENT_STATES:
            _add(current, seen["current"], bpmn_id)
        elif task.state == TaskState.ERROR:
            _add(error, seen["error"], bpmn_id)
        else:
            continue
        parent = task.parent
        if task.state == TaskState.ERROR or parent is None:
            continue
        source = _bpmn_id(parent)
        if source is None or parent.state != TaskState.COMPLETED:
            continue
        for flow_id in flows_by_pair.get((source, bpmn_id), []):
            _add(flows, seen["flows"], flow_id)
    if error_element and error_element not in seen["error"]:
        error.append(error_element)
    # An element completed once and current again (a loop) shows as current.
    completed = [c for c in completed if c not in seen["current"]]
    return {"completed": completed, "current": current, "error": error, "flows": flows}
