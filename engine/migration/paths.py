"""The way an instance has come (đường đi đã qua): the sequence flows it took.

SpiffWorkflow keeps which elements ran, not which sequence flows led between them, so
the flows are read from the two versions' XML: for each completed element and the
completed element before it (in the same process or sub-process), the flow that joins
them in the source version must still join them in the target version. A flow that is
gone refuses the move; one that was renamed or whose condition changed is reported.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from SpiffWorkflow.util.task import TaskState

from engine.specs.validate import BPMN_NS
from engine.specs.xmlsafe import parse_xml

BPMN = f"{{{BPMN_NS}}}"
CONTAINERS = (f"{BPMN}process", f"{BPMN}subProcess", f"{BPMN}transaction",
              f"{BPMN}adHocSubProcess")

# container id -> (source id, target id) -> (flow id, condition text)
Flows = dict[str, dict[tuple[str, str], tuple[str, str | None]]]


def flow_map(documents: Iterable[str | bytes]) -> Flows:
    """The sequence flows of every process and sub-process of the documents."""
    out: Flows = {}
    for xml in documents:
        root = parse_xml(xml.encode("utf-8") if isinstance(xml, str) else xml)
        for container in root.iter(*CONTAINERS):
            flows = out.setdefault(str(container.get("id")), {})
            for flow in container.iterchildren(f"{BPMN}sequenceFlow"):
                cond = flow.find(f"{BPMN}conditionExpression")
                text = " ".join((cond.text or "").split()) if cond is not None else None
                flows[(flow.get("sourceRef") or "", flow.get("targetRef") or "")] = (
                    str(flow.get("id")), text or None)
    return out


def _bpmn_id(task: Any) -> str | None:
    return getattr(task.task_spec, "bpmn_id", None)


def _previous_element(task: Any) -> Any:
    """The nearest completed ancestor that is a BPMN element (Spiff inserts others)."""
    parent = task.parent
    while parent is not None and _bpmn_id(parent) is None:
        parent = parent.parent
    return parent if parent is not None and parent.has_state(TaskState.COMPLETED) else None


# A task in one of these states was reached through a flow (not merely predicted).
REACHED = TaskState.COMPLETED | TaskState.READY | TaskState.WAITING | TaskState.STARTED


def taken(tasks: Iterable[Any]) -> set[tuple[str, str, str]]:
    """(container, source, target) of every flow taken to reach the completed, ready or
    waiting tasks."""
    out: set[tuple[str, str, str]] = set()
    for task in tasks:
        if not task.has_state(REACHED) or _bpmn_id(task) is None:
            continue
        before = _previous_element(task)
        if before is not None:
            out.add((str(task.workflow.spec.name), str(_bpmn_id(before)), str(_bpmn_id(task))))
    return out


def check_paths(steps: set[tuple[str, str, str]], old: Flows, new: Flows,
                skip: set[str] | frozenset[str] = frozenset(),
                ) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(reasons to refuse, changes to report) for the flows the instance took; ``skip``:
    elements already refused (their flows went with them)."""
    reasons: list[dict[str, Any]] = []
    changes: list[dict[str, Any]] = []
    for container, source, target in sorted(steps):
        was = old.get(container, {}).get((source, target))
        if was is None or source in skip or target in skip:
            continue  # not joined by a sequence flow (a boundary event), or said already
        now = new.get(container, {}).get((source, target))
        if now is None:
            reasons.append({
                "code": "migration.completed_path_removed", "element_id": was[0],
                "message": f"Đường đi đã qua {source} → {target} (luồng {was[0]}) không còn "
                           "trong phiên bản đích.",
                "params": {"source": source, "target": target, "flow": was[0]}})
        elif now[0] != was[0]:
            changes.append({"element_id": now[0], "field": "path", "label":
                            "Đường đi đã qua (mã luồng)", "old": was[0], "new": now[0]})
        elif now[1] != was[1]:
            changes.append({"element_id": now[0], "field": "path_condition", "label":
                            "Điều kiện của đường đi đã qua", "old": was[1], "new": now[1]})
    return reasons, changes


def version_documents(version: Any, dependencies: Iterable[Any]) -> list[str]:
    """The XML of a version and of the versions of the processes it calls."""
    return [version.bpmn_xml, *(dep.bpmn_xml for dep in dependencies if dep is not None)]



