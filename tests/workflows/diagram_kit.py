"""What every procedure diagram in ``bpmn/`` owes the modeler (bpmn-js) and its readers.

``diagram_problems`` reads a diagram's XML and lists what is wrong, in words: a flow node
outside the lanes or without a shape, a flow without an edge, a gateway's outgoing flow
without a name (or without a condition, unless it is the default), and an untidy drawing
(shapes or labels that overlap, a shape outside its lane, an edge that does not start and
end on its shapes' borders, a slanted segment, an edge drawn through another shape).
"""

from __future__ import annotations

from itertools import combinations
from pathlib import Path

from lxml import etree

BPMN_DIR = Path(__file__).resolve().parents[2] / "bpmn"
NS = {"bpmn": "http://www.omg.org/spec/BPMN/20100524/MODEL",
      "bpmndi": "http://www.omg.org/spec/BPMN/20100524/DI",
      "dc": "http://www.omg.org/spec/DD/20100524/DC",
      "di": "http://www.omg.org/spec/DD/20100524/DI"}
SKIP = {"laneSet", "sequenceFlow", "documentation", "extensionElements"}
Box = tuple[float, float, float, float]  # x, y, width, height
Point = tuple[float, float]


def _bounds(element: etree._Element | None) -> Box | None:
    found = element.find("dc:Bounds", NS) if element is not None else None
    if found is None:
        return None
    x, y, w, h = (float(found.get(k, "0")) for k in ("x", "y", "width", "height"))
    return x, y, w, h


def _overlap(a: Box, b: Box) -> bool:
    return a[0] < b[0] + b[2] and b[0] < a[0] + a[2] and a[1] < b[1] + b[3] and b[1] < a[1] + a[3]


def _within(inner: Box, outer: Box) -> bool:
    return (outer[0] <= inner[0] and inner[0] + inner[2] <= outer[0] + outer[2]
            and outer[1] <= inner[1] and inner[1] + inner[3] <= outer[1] + outer[3])


def _on_border(p: Point, b: Box, tol: float = 2) -> bool:
    x, y, w, h = b
    inside = x - tol <= p[0] <= x + w + tol and y - tol <= p[1] <= y + h + tol
    return inside and min(abs(p[0] - x), abs(p[0] - x - w), abs(p[1] - y),
                          abs(p[1] - y - h)) <= tol


def _through(p: Point, q: Point, b: Box, margin: float = 3) -> bool:
    """Whether the straight segment p–q runs through the inside of ``b``."""
    x, y, w, h = b[0] + margin, b[1] + margin, b[2] - 2 * margin, b[3] - 2 * margin
    if p[0] == q[0]:
        low, high = sorted((p[1], q[1]))
        return x < p[0] < x + w and low < y + h and high > y
    low, high = sorted((p[0], q[0]))
    return y < p[1] < y + h and low < x + w and high > x


def _structure(process: etree._Element, root: etree._Element) -> list[str]:
    problems = []
    nodes = {n.get("id") for n in process if etree.QName(n).localname not in SKIP}
    refs = [r.text for r in process.iterfind(".//bpmn:flowNodeRef", NS)]
    if sorted(refs) != sorted(nodes):
        problems.append(f"lanes hold {sorted(refs)}, the process has {sorted(nodes)}")
    shapes = {s.get("bpmnElement") for s in root.iterfind(".//bpmndi:BPMNShape", NS)}
    lanes = {lane.get("id") for lane in process.iterfind(".//bpmn:lane", NS)}
    expected = nodes | lanes | {"participant_office"}
    if expected != shapes:
        problems.append(f"shapes differ: {sorted(shapes ^ expected)}")
    flows = {f.get("id"): f for f in process.iterfind("bpmn:sequenceFlow", NS)}
    edges = {e.get("bpmnElement") for e in root.iterfind(".//bpmndi:BPMNEdge", NS)}
    if set(flows) != edges:
        problems.append(f"edges differ: {sorted(set(flows) ^ edges)}")
    for gw in process.iterfind("bpmn:exclusiveGateway", NS):
        for out in gw.iterfind("bpmn:outgoing", NS):
            flow = flows[out.text]
            if not flow.get("name"):
                problems.append(f"{out.text} leaves {gw.get('id')} without a name")
            conditioned = flow.find("bpmn:conditionExpression", NS) is not None
            if conditioned == (out.text == gw.get("default")):
                problems.append(f"{out.text}: a condition on each flow but the default")
    return problems


def _edges(process: etree._Element, root: etree._Element, nodes: dict[str, Box],
           labels: dict[str, Box]) -> list[str]:
    """Edges on their shapes' borders, straight, around other shapes; labels collected."""
    problems = []
    flows = {f.get("id"): f for f in process.iterfind("bpmn:sequenceFlow", NS)}
    for edge in root.iterfind(".//bpmndi:BPMNEdge", NS):
        flow = flows[edge.get("bpmnElement")]
        fid, source, target = flow.get("id"), flow.get("sourceRef"), flow.get("targetRef")
        points = [(float(w.get("x", "0")), float(w.get("y", "0")))
                  for w in edge.iterfind("di:waypoint", NS)]
        if not _on_border(points[0], nodes[source]):
            problems.append(f"{fid} does not start on {source}")
        if not _on_border(points[-1], nodes[target]):
            problems.append(f"{fid} does not end on {target}")
        for p, q in zip(points, points[1:], strict=False):
            if p[0] != q[0] and p[1] != q[1]:
                problems.append(f"{fid} has a slanted segment {p}–{q}")
            problems += [f"{fid} is drawn through {n}" for n, b in nodes.items()
                         if n not in (source, target) and _through(p, q, b)]
        label = _bounds(edge.find("bpmndi:BPMNLabel", NS))
        if flow.get("name") and label is None:
            problems.append(f"{fid} has a name but no label position")
        elif label is not None:
            labels[f"label of {fid}"] = label
    return problems


def _drawing(process: etree._Element, root: etree._Element) -> list[str]:
    lanes = {lane.get("id"): [r.text for r in lane.iterfind("bpmn:flowNodeRef", NS)]
             for lane in process.iterfind(".//bpmn:lane", NS)}
    boxes: dict[str, Box] = {}
    labels: dict[str, Box] = {}
    for shape in root.iterfind(".//bpmndi:BPMNShape", NS):
        element = shape.get("bpmnElement")
        boxes[element] = _bounds(shape) or (0, 0, 0, 0)
        label = _bounds(shape.find("bpmndi:BPMNLabel", NS))
        if label is not None:
            labels[f"label of {element}"] = label
    nodes = {k: v for k, v in boxes.items() if k not in lanes and k != "participant_office"}
    problems = [f"{a} overlaps {b}" for a, b in combinations(sorted(nodes), 2)
                if _overlap(nodes[a], nodes[b])]
    problems += [f"{ref} is drawn outside {lane}" for lane, refs in lanes.items()
                 for ref in refs if not _within(nodes[ref], boxes[lane])]
    problems += _edges(process, root, nodes, labels)
    for name, label in labels.items():
        problems += [f"{name} covers {n}" for n, b in nodes.items()
                     if name != f"label of {n}" and _overlap(label, b)]
    problems += [f"{a} overlaps {b}" for a, b in combinations(sorted(labels), 2)
                 if _overlap(labels[a], labels[b])]
    return problems


def diagram_problems(path: Path) -> list[str]:
    """Everything that keeps the diagram from being complete and tidy in the modeler."""
    root = etree.parse(str(path)).getroot()
    process = root.find("bpmn:process", NS)
    if process is None or process.get("isExecutable") != "true":
        return ["no executable process"]
    return _structure(process, root) + _drawing(process, root)
