"""The main stages of a procedure (các bước chính) and where an instance stands on them.

A stage is a user task or a call activity of the process, read from the version's XML,
in the order of its distance (in sequence flows) from the start event. A step that only
leads back to earlier stages, never on nor to an end (the supplement a dossier returned
for supplement goes through), is a detour, not a stage, unless the instance went through
it. Each stage is
``done``, ``current`` or ``error`` from the instance's trail (``engine.runtime.trail``),
``skipped`` when a later stage was reached without it (a branch not taken) or the
instance ended without it, else ``pending``.
"""

from __future__ import annotations

from collections import deque
from typing import Any

from engine.runtime.trail import BPMN_NS
from engine.specs.xmlsafe import parse_xml

STAGE_KINDS = ("userTask", "callActivity")


def _graph(xml: str | bytes, process_key: str) -> tuple[dict[str, list[str]], dict[str, Any],
                                                         list[str]]:
    """``(outgoing targets by node, stage elements by id, start event ids)`` of a process."""
    root = parse_xml(xml)
    process = next((p for p in root.iter(f"{{{BPMN_NS}}}process")
                    if p.get("id") == process_key), None)
    if process is None:
        return {}, {}, []
    targets: dict[str, list[str]] = {}
    for flow in process.iter(f"{{{BPMN_NS}}}sequenceFlow"):
        source, target = flow.get("sourceRef"), flow.get("targetRef")
        if source and target:
            targets.setdefault(source, []).append(target)
    stages = {node.get("id"): node for kind in STAGE_KINDS
              for node in process.iter(f"{{{BPMN_NS}}}{kind}") if node.get("id")}
    starts = [n.get("id") for n in process.findall(f"{{{BPMN_NS}}}startEvent") if n.get("id")]
    return targets, stages, starts


def _depths(targets: dict[str, list[str]], starts: list[str]) -> dict[str, int]:
    depth = {s: 0 for s in starts}
    queue = deque(starts)
    while queue:
        node = queue.popleft()
        for nxt in targets.get(node, []):
            if nxt not in depth:
                depth[nxt] = depth[node] + 1
                queue.append(nxt)
    return depth


def _next_stages(node: str, targets: dict[str, list[str]], stages: dict[str, Any]) -> set[str]:
    """The stages reached from ``node`` through elements that are not stages; an end of the
    process (an element with no way out) counts as the stage ``""``."""
    found: set[str] = set()
    seen: set[str] = set()
    todo = list(targets.get(node, []))
    while todo:
        nxt = todo.pop()
        if nxt in seen:
            continue
        seen.add(nxt)
        if nxt in stages:
            found.add(nxt)
        elif not targets.get(nxt):
            found.add("")
        else:
            todo.extend(targets[nxt])
    return found


def _state(stage: str, trail: dict[str, list[str]]) -> str:
    for state, key in (("current", "current"), ("error", "error"), ("done", "completed")):
        if stage in trail.get(key, []):
            return state
    return "pending"


def compute_stages(xml: str | bytes, process_key: str, trail: dict[str, list[str]],
                   finished: bool = False) -> list[dict[str, str]]:
    """``[{"id", "name", "state"}]`` of the process's stages, in order (see the module);
    once the instance has ``finished``, a stage it never reached is ``skipped``."""
    targets, stages, starts = _graph(xml, process_key)
    depth = _depths(targets, starts)
    visited = set(trail.get("completed", [])) | set(trail.get("current", [])) \
        | set(trail.get("error", []))
    order: list[tuple[str, bool]] = []
    for sid in sorted((s for s in stages if s in depth), key=lambda s: depth[s]):
        ahead = _next_stages(sid, targets, stages)
        detour = bool(ahead) and "" not in ahead \
            and all(depth.get(a, 0) < depth[sid] for a in ahead)
        if not detour or sid in visited:
            order.append((sid, detour))
    out = [{"id": sid, "name": " ".join((stages[sid].get("name") or sid).split()),
            "state": _state(sid, trail)} for sid, _detour in order]
    reached = [i for i, (s, (_sid, detour)) in enumerate(zip(out, order, strict=True))
               if s["state"] != "pending" and not detour]
    last = len(out) if finished else max(reached) if reached else -1
    for i, stage in enumerate(out):
        if stage["state"] == "pending" and i < last:
            stage["state"] = "skipped"
    return out
