"""Checks on the shape of the flow (luồng) of a BPMN document.

- every flow node can be reached from a start event (``flow.unreachable``, error);
- an exclusive or inclusive gateway that splits has a default flow
  (``gateway.no_default``, error): without one, an instance whose data matches no
  condition stops with an error in the middle of a procedure;
- a condition reads only data that something before it produces: a form's fields, a
  service task's result variable, names a script assigns (``condition.unknown_data``,
  warning: data given when the instance starts is not known here).
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

from lxml import etree

from engine.sandbox import RESERVED_NAMES
from engine.specs.validate import NS, WARNING, Problems

BPMN = "{http://www.omg.org/spec/BPMN/20100524/MODEL}"
SPIFF = "{http://spiffworkflow.org/bpmn/schema/1.0/core}"
FLOW_NODES = frozenset((
    "task", "userTask", "serviceTask", "scriptTask", "manualTask", "businessRuleTask",
    "sendTask", "receiveTask", "callActivity", "subProcess", "transaction", "adHocSubProcess",
    "startEvent", "endEvent", "intermediateCatchEvent", "intermediateThrowEvent",
    "boundaryEvent", "exclusiveGateway", "inclusiveGateway", "parallelGateway",
    "eventBasedGateway", "complexGateway",
))
CAMUNDA_FORM_KEY = "{http://camunda.org/schema/1.0/bpmn}formKey"
CONTAINERS = frozenset({"subProcess", "transaction", "adHocSubProcess"})
# Elements whose produced data cannot be known from the diagram: a condition after them
# is not questioned.
OPEN_ENDED = frozenset({"callActivity", "businessRuleTask"})

FormFields = Callable[[str], "Iterable[str] | None"]


def local(node: etree._Element) -> str:
    return etree.QName(node).localname if isinstance(node.tag, str) else ""


@dataclass
class Scope:
    """The flow nodes and sequence flows directly inside a process or a sub-process."""

    nodes: dict[str, etree._Element] = field(default_factory=dict)
    edges: dict[str, set[str]] = field(default_factory=dict)
    back: dict[str, set[str]] = field(default_factory=dict)
    flows: list[etree._Element] = field(default_factory=list)

    def link(self, source: str, target: str) -> None:
        self.edges.setdefault(source, set()).add(target)
        self.back.setdefault(target, set()).add(source)


def read_scope(container: etree._Element) -> Scope:
    scope = Scope()
    for child in container:
        kind = local(child)
        if kind in FLOW_NODES and child.get("id"):
            scope.nodes[child.get("id")] = child
        elif kind == "sequenceFlow":
            scope.flows.append(child)
    for flow in scope.flows:
        scope.link(flow.get("sourceRef") or "", flow.get("targetRef") or "")
    for ident, node in scope.nodes.items():
        if local(node) == "boundaryEvent" and node.get("attachedToRef"):
            scope.link(node.get("attachedToRef"), ident)
    _link_events(scope)
    return scope


def _link_events(scope: Scope) -> None:
    """A link throw event goes on at the link catch event of the same name."""
    catches: dict[str, str] = {}
    throws: list[tuple[str, str]] = []
    for ident, node in scope.nodes.items():
        link = node.find(f"{BPMN}linkEventDefinition")
        if link is None:
            continue
        if local(node) == "intermediateCatchEvent":
            catches[link.get("name") or node.get("name") or ""] = ident
        else:
            throws.append((ident, link.get("name") or node.get("name") or ""))
    for ident, name in throws:
        if name in catches:
            scope.link(ident, catches[name])


def _roots(scope: Scope) -> list[str]:
    return [ident for ident, node in scope.nodes.items()
            if local(node) == "startEvent" or node.get("triggeredByEvent") == "true"]


def _walk(start: Iterable[str], edges: dict[str, set[str]]) -> set[str]:
    seen: set[str] = set()
    pending = list(start)
    while pending:
        ident = pending.pop()
        if ident in seen:
            continue
        seen.add(ident)
        pending.extend(edges.get(ident, ()))
    return seen


def reachable_scopes(root: etree._Element
                     ) -> Iterator[tuple[Scope, set[str], etree._Element | None]]:
    """Each scope that runs (executable processes, reachable sub-processes), what in it
    can be reached from its start events, and (for a sub-process) its top process."""
    pending: list[tuple[etree._Element, etree._Element | None]] = [
        (p, None) for p in root.xpath(".//bpmn:process", namespaces=NS)
        if p.get("isExecutable", "false").lower() == "true"]
    while pending:
        container, top = pending.pop()
        scope = read_scope(container)
        reached = _walk(_roots(scope), scope.edges)
        yield scope, reached, top
        pending.extend((node, top if top is not None else container)
                       for ident, node in scope.nodes.items()
                       if ident in reached and local(node) in CONTAINERS)


def check_reachable(root: etree._Element, problems: Problems) -> None:
    for scope, reached, _top in reachable_scopes(root):
        for ident, node in scope.nodes.items():
            if ident not in reached:
                name = node.get("name") or ident
                problems.add(ident, f"Không thể đi tới «{name}» từ sự kiện bắt đầu nào.",
                             "flow.unreachable")


def check_gateway_defaults(root: etree._Element, problems: Problems) -> None:
    for scope, _reached, _top in reachable_scopes(root):
        for ident, node in scope.nodes.items():
            if local(node) not in ("exclusiveGateway", "inclusiveGateway"):
                continue
            if len(scope.edges.get(ident, ())) > 1 and not node.get("default"):
                name = node.get("name") or ident
                problems.add(ident, f"Cổng rẽ nhánh «{name}» chưa có nhánh mặc định: "
                                    "khi không điều kiện nào đúng, hồ sơ sẽ dừng vì lỗi.",
                             "gateway.no_default")


# -- data read by conditions --------------------------------------------------------------

def assigned_names(source: str) -> set[str] | None:
    """Names a script assigns at its top level (None: it does not parse)."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return None
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            names.add(node.id)
    return names


def read_names(expression: str) -> set[str] | None:
    """Free names an expression reads (None: it does not parse)."""
    try:
        tree = ast.parse(expression.strip(), mode="eval")
    except SyntaxError:
        return None
    bound = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)
             and isinstance(n.ctx, ast.Store)}
    bound |= {a.arg for n in ast.walk(tree) if isinstance(n, ast.Lambda)
              for a in n.args.args}
    used = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)
            and isinstance(n.ctx, ast.Load)}
    return used - bound - RESERVED_NAMES


def produced_by(node: etree._Element, form_fields: FormFields) -> set[str] | None:
    """Data names an element produces (None: cannot be known)."""
    kind = local(node)
    if kind in OPEN_ENDED:
        return None
    names: set[str] = set()
    for script in node.iter(f"{BPMN}script", f"{SPIFF}preScript", f"{SPIFF}postScript"):
        names |= assigned_names(script.text or "") or set()
    for var in node.iter(f"{SPIFF}messageVariable"):  # a caught message's payload
        names.add((var.text or "").strip())
    for op in node.iter(f"{SPIFF}serviceTaskOperator"):
        if op.get("resultVariable"):
            names.add(op.get("resultVariable"))
    keys = [p.get("value") for p in node.iter(f"{SPIFF}property")
            if p.get("name") == "formKey" and p.get("value")]
    keys += [t.get(CAMUNDA_FORM_KEY) for t in node.iter() if t.get(CAMUNDA_FORM_KEY)]
    for key in keys:
        fields = form_fields(key)
        if fields is None:
            return None
        names |= set(fields)
    for obj in node.iter(f"{BPMN}dataObject"):
        names.add(obj.get("id") or "")
    return names


def check_condition_data(root: etree._Element, form_fields: FormFields,
                         known: Iterable[str], problems: Problems) -> None:
    """Warn about a condition reading a name that no element before it produces."""
    always = set(known)
    for scope, _reached, top in reachable_scopes(root):
        outer: set[str] | None = set()
        if top is not None:  # inside a sub-process: anything its process produces
            outer = produced_by(top, form_fields)
        if outer is None:
            continue
        produced = {ident: produced_by(node, form_fields) for ident, node in scope.nodes.items()}
        for flow in scope.flows:
            _check_flow(flow, scope, produced, always | outer, problems)


def _check_flow(flow: etree._Element, scope: Scope, produced: dict[str, set[str] | None],
                always: set[str], problems: Problems) -> None:
    cond = flow.find(f"{BPMN}conditionExpression")
    names = read_names(cond.text or "") if cond is not None and cond.text else None
    if not names:
        return
    earlier = _walk([flow.get("sourceRef") or ""], scope.back)
    if any(produced.get(e, set()) is None for e in earlier):
        return
    available = always.union(*(produced.get(e) or set() for e in earlier))
    for name in sorted(names - available):
        problems.add(flow.get("id"), f"Điều kiện đọc dữ liệu «{name}» nhưng không "
                                     "biểu mẫu hay bước nào trước đó tạo ra.",
                     "condition.unknown_data", WARNING)
