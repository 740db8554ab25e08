"""Differences between two versions of a diagram (so sánh hai phiên bản), by element id.

Each element (flow node, sequence flow, lane) is described by what the engine reads:
its type, name, lane, properties (form key, due days...), handler and parameters,
scripts, condition, timer, default flow and its source/target. Elements present in
one version only are ``added`` or ``removed``; elements in both whose description
differs are ``changed``, with one entry per field (old and new value).
"""

from __future__ import annotations

from typing import Any

from lxml import etree

from engine.specs.flow_checks import FLOW_NODES, local
from engine.specs.parser import SPIFF_NS
from engine.specs.validate import BPMN_NS, NS
from engine.specs.xmlsafe import parse_xml

BPMN = f"{{{BPMN_NS}}}"
SPIFF = f"{{{SPIFF_NS}}}"
COMPARED = FLOW_NODES | {"sequenceFlow", "lane"}
# The fields of a description in the order the list shows them.
FIELDS = ("type", "name", "lane", "properties", "handler", "script", "condition", "timer",
          "message", "default", "flows")


def _text(node: etree._Element | None) -> str | None:
    if node is None or node.text is None:
        return None
    return node.text.strip()


def _lanes(root: etree._Element) -> dict[str, str]:
    out: dict[str, str] = {}
    for lane in root.xpath(".//bpmn:lane", namespaces=NS):
        for ref in lane.findall(f"{BPMN}flowNodeRef"):
            out[(ref.text or "").strip()] = lane.get("name") or lane.get("id") or ""
    return out


def _handler(node: etree._Element) -> dict[str, Any] | None:
    op = node.find(f"{BPMN}extensionElements/{SPIFF}serviceTaskOperator")
    if op is None:
        return None
    params = {p.get("id"): p.get("value") for p in op.iter(f"{SPIFF}parameter")}
    return {"name": op.get("id"), "result": op.get("resultVariable"), "parameters": params}


def _scripts(node: etree._Element) -> dict[str, str] | None:
    found: dict[str, str | None]
    found = {
        "script": _text(node.find(f"{BPMN}script")),
        "pre": _text(node.find(f"{BPMN}extensionElements/{SPIFF}preScript")),
        "post": _text(node.find(f"{BPMN}extensionElements/{SPIFF}postScript")),
    }
    kept = {k: v for k, v in found.items() if v}
    return kept or None


def _timer(node: etree._Element) -> dict[str, str] | None:
    timer = node.find(f"{BPMN}timerEventDefinition")
    if timer is None:
        return None
    return {local(child): _text(child) or "" for child in timer if isinstance(child.tag, str)}


def _message(node: etree._Element) -> dict[str, Any] | None:
    event = node.find(f"{BPMN}messageEventDefinition")
    if event is None:
        return None
    return {"ref": event.get("messageRef"),
            "variable": _text(event.find(f".//{SPIFF}messageVariable"))}


def describe(node: etree._Element, lanes: dict[str, str]) -> dict[str, Any]:
    """What the engine reads from one element, as plain data."""
    kind = local(node)
    props = {p.get("name"): p.get("value") for p in node.iter(f"{SPIFF}property")}
    flows = None
    if kind == "sequenceFlow":
        flows = {"source": node.get("sourceRef"), "target": node.get("targetRef")}
    return {
        "type": kind,
        "name": node.get("name") or None,
        "lane": lanes.get(node.get("id") or "") if kind in FLOW_NODES else None,
        "properties": props or None,
        "handler": _handler(node),
        "script": _scripts(node),
        "condition": _text(node.find(f"{BPMN}conditionExpression")),
        "timer": _timer(node),
        "message": _message(node),
        "default": node.get("default"),
        "flows": flows,
    }


def elements(xml: bytes | str) -> dict[str, dict[str, Any]]:
    """Description of every compared element of a document, by id."""
    root = parse_xml(xml.encode("utf-8") if isinstance(xml, str) else xml)
    lanes = _lanes(root)
    out: dict[str, dict[str, Any]] = {}
    for process in root.xpath(".//bpmn:process", namespaces=NS):
        for node in process.iter():
            if isinstance(node.tag, str) and local(node) in COMPARED and node.get("id") \
                    and node.tag.startswith(BPMN):
                out[node.get("id")] = describe(node, lanes)
    return out


def _entry(ident: str, status: str, desc: dict[str, Any],
           fields: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    return {"id": ident, "name": desc.get("name"), "type": desc["type"], "status": status,
            "fields": fields or []}


def diff(old_xml: bytes | str, new_xml: bytes | str) -> dict[str, Any]:
    """What changed from ``old_xml`` to ``new_xml``.

    Returns:
        ``{"changes": [{id, name, type, status, fields: [{field, old, new}]}],
        "counts": {"added": n, "removed": n, "changed": n}}``, changes sorted by status
        then id.
    """
    old, new = elements(old_xml), elements(new_xml)
    changes: list[dict[str, Any]] = []
    for ident in sorted(new.keys() - old.keys()):
        changes.append(_entry(ident, "added", new[ident]))
    for ident in sorted(old.keys() - new.keys()):
        changes.append(_entry(ident, "removed", old[ident]))
    for ident in sorted(old.keys() & new.keys()):
        fields = [{"field": f, "old": old[ident][f], "new": new[ident][f]}
                  for f in FIELDS if old[ident][f] != new[ident][f]]
        if fields:
            changes.append(_entry(ident, "changed", new[ident], fields))
    counts = {s: sum(1 for c in changes if c["status"] == s)
              for s in ("added", "removed", "changed")}
    return {"changes": changes, "counts": counts}
