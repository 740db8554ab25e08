"""The main stages of a procedure (các bước chính) and where an instance stands on them.

A stage is a user task or a call activity of the process, read from the version's XML,
in the order of its distance (in sequence flows) from the start event. A step that only
leads back to earlier stages, never on nor to an end (the supplement a dossier returned
for supplement goes through), is a detour, not a stage, unless the instance went through
it. Each stage is
``done``, ``current`` or ``error`` from the instance's trail (``engine.runtime.trail``),
``skipped`` when a later stage was reached without it (a branch not taken) or the
instance ended without it, else ``pending``. A pending stage whose every way in is a branch
of an exclusive gateway that the instance's data already rules out (its condition is false,
or, for the default branch, another branch's condition is true) is ``skipped`` too: the
province's stage of a title the office decides itself. A condition that cannot be evaluated
yet (its data is not known) rules nothing out.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from engine.runtime.trail import BPMN_NS
from engine.specs.xmlsafe import parse_xml

STAGE_KINDS = ("userTask", "callActivity")


def _process(xml: str | bytes, process_key: str) -> Any:
    """The ``bpmn:process`` element of that id in the diagram, or None."""
    return next((p for p in parse_xml(xml).iter(f"{{{BPMN_NS}}}process")
                 if p.get("id") == process_key), None)


def _graph(process: Any) -> tuple[dict[str, list[str]], dict[str, Any], list[str]]:
    """``(outgoing targets by node, stage elements by id, start event ids)`` of a process."""
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


@dataclass(frozen=True)
class _Branch:
    """A sequence flow that leaves an exclusive gateway."""

    gateway: str
    condition: str | None  # None: the gateway's default flow, or an unconditional one
    default: bool


def _branches_into(process: Any
                   ) -> tuple[dict[str, list[_Branch | None]], dict[str, list[_Branch]]]:
    """``(ways into each element, branches of each exclusive gateway)``; a way in that is
    not a gateway's branch is None (nothing can rule it out)."""
    if process is None:
        return {}, {}
    defaults = {g.get("id"): g.get("default")
                for g in process.iter(f"{{{BPMN_NS}}}exclusiveGateway")}
    into: dict[str, list[_Branch | None]] = {}
    out: dict[str, list[_Branch]] = {}
    for flow in process.iter(f"{{{BPMN_NS}}}sequenceFlow"):
        source, target = flow.get("sourceRef"), flow.get("targetRef")
        if not source or not target:
            continue
        if source not in defaults:
            into.setdefault(target, []).append(None)
            continue
        cond = flow.find(f"{{{BPMN_NS}}}conditionExpression")
        text = " ".join((cond.text or "").split()) if cond is not None else ""
        branch = _Branch(source, text or None, defaults[source] == flow.get("id"))
        into.setdefault(target, []).append(branch)
        out.setdefault(source, []).append(branch)
    return into, out


def _ruled_out(stage: str, into: dict[str, list[_Branch | None]],
               out: dict[str, list[_Branch]], test: Callable[[str], bool | None]) -> bool:
    """Whether every way into ``stage`` is a gateway branch the data rules out."""
    def closed(branch: _Branch | None) -> bool:
        if branch is None:
            return False
        if branch.condition is not None:
            return test(branch.condition) is False
        if not branch.default:
            return False
        return any(other.condition is not None and test(other.condition) is True
                   for other in out.get(branch.gateway, []))
    ways = into.get(stage, [])
    return bool(ways) and all(closed(b) for b in ways)


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
                   finished: bool = False, data: Mapping[str, Any] | None = None,
                   evaluate: Callable[[str, dict[str, Any]], Any] | None = None
                   ) -> list[dict[str, str]]:
    """``[{"id", "name", "state"}]`` of the process's stages, in order (see the module);
    once the instance has ``finished``, a stage it never reached is ``skipped``.

    Args:
        data: the instance's current data; with ``evaluate`` (a sandboxed expression
            evaluator), a pending stage behind branches the data rules out is ``skipped``.
    """
    process = _process(xml, process_key)
    targets, stages, starts = _graph(process)
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
    if data is not None and evaluate is not None:
        _skip_ruled_out(out, process, dict(data), evaluate)
    return out


def _skip_ruled_out(out: list[dict[str, str]], process: Any, data: dict[str, Any],
                    evaluate: Callable[[str, dict[str, Any]], Any]) -> None:
    into, branches = _branches_into(process)
    known: dict[str, bool | None] = {}

    def test(condition: str) -> bool | None:
        if condition not in known:
            try:
                known[condition] = bool(evaluate(condition, dict(data)))
            except Exception:  # data not known yet (or a bad condition): decides nothing
                known[condition] = None
        return known[condition]

    for stage in out:
        if stage["state"] == "pending" and _ruled_out(stage["id"], into, branches, test):
            stage["state"] = "skipped"
