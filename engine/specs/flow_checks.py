"""Checks on the shape of the flow (luồng) of a BPMN document.

- every flow node can be reached from a start event (``flow.unreachable``, error);
- an exclusive or inclusive gateway that splits has a default flow
  (``gateway.no_default``, error): without one, an instance whose data matches no
  condition stops with an error in the middle of a procedure;
- a condition reads only data that something before it produces: a form's fields, a
  service task's result variable, names a script assigns, what a called process gives
  back (its ``dataOutput``s, else everything it produces), a business-rule task's result
  (``camunda:resultVariable`` or the outputs of its decision table)
  (``condition.unknown_data``, warning: data given when the instance starts is not known
  here). Only when a called process or a decision table cannot be found is a path after
  it not questioned.
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
CAMUNDA = "{http://camunda.org/schema/1.0/bpmn}"
CAMUNDA_FORM_KEY = f"{CAMUNDA}formKey"
CONTAINERS = frozenset({"subProcess", "transaction", "adHocSubProcess"})

FormFields = Callable[[str], "Iterable[str] | None"]
# A called process's <bpmn:process> element (None: not known here).
CalledProcess = Callable[[str], "etree._Element | None"]
# The output names of a decision table (None: not known here).
DecisionOutputs = Callable[[str], "Iterable[str] | None"]


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
                             "flow.unreachable", name=name)


def check_gateway_defaults(root: etree._Element, problems: Problems) -> None:
    for scope, _reached, _top in reachable_scopes(root):
        for ident, node in scope.nodes.items():
            if local(node) not in ("exclusiveGateway", "inclusiveGateway"):
                continue
            if len(scope.edges.get(ident, ())) > 1 and not node.get("default"):
                name = node.get("name") or ident
                problems.add(ident, f"Cổng rẽ nhánh «{name}» chưa có nhánh mặc định: "
                                    "khi không điều kiện nào đúng, hồ sơ sẽ dừng vì lỗi.",
                             "gateway.no_default", name=name)


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


@dataclass
class Producers:
    """What each element leaves in the instance's data, with what the system knows."""

    form_fields: FormFields
    called: CalledProcess = lambda _id: None
    decisions: DecisionOutputs = lambda _id: None
    _visiting: set[str] = field(default_factory=set)

    def of(self, node: etree._Element) -> set[str] | None:
        """Data names ``node`` (an element, a sub-process or a process) produces, nested
        elements included (None: cannot be known)."""
        kind = local(node)
        if kind == "callActivity":
            return self._call(node)
        own = self._decision(node) if kind == "businessRuleTask" else set()
        names = _written(node, self.form_fields)
        if own is None or names is None:
            return None
        names |= own
        for inner in node.iterdescendants(f"{BPMN}callActivity", f"{BPMN}businessRuleTask"):
            more = self.of(inner)
            if more is None:
                return None
            names |= more
        return names

    def _call(self, node: etree._Element) -> set[str] | None:
        """A call activity gives back its process's data outputs, or everything it made."""
        ident = node.get("calledElement") or ""
        process = self.called(ident) if ident else None
        if process is None or ident in self._visiting:
            return None
        outputs = process.xpath("./bpmn:ioSpecification/bpmn:dataOutput/@id", namespaces=NS)
        if outputs:
            return {str(o) for o in outputs}
        self._visiting.add(ident)
        try:
            return self.of(process)
        finally:
            self._visiting.discard(ident)

    def _decision(self, node: etree._Element) -> set[str] | None:
        result = node.get(f"{CAMUNDA}resultVariable")
        if result:
            return {result}
        ref = node.find(f".//{SPIFF}calledDecisionId")
        decision = ((ref.text or "").strip() if ref is not None else "") or \
            node.get(f"{CAMUNDA}decisionRef") or ""
        outputs = self.decisions(decision) if decision else None
        return None if outputs is None else set(outputs)


def _written(node: etree._Element, form_fields: FormFields) -> set[str] | None:
    """Names scripts, messages, handlers, forms and data objects inside ``node`` write."""
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


def local_processes(root: etree._Element) -> dict[str, etree._Element]:
    return {str(p.get("id")): p for p in root.xpath(".//bpmn:process", namespaces=NS)}


def check_condition_data(root: etree._Element, form_fields: FormFields,
                         known: Iterable[str], problems: Problems,
                         called: CalledProcess | None = None,
                         decisions: DecisionOutputs | None = None) -> None:
    """Warn about a condition reading a name that no element before it produces.

    ``called`` finds a process the document calls but does not define (the deployed
    one); ``decisions`` gives a decision table's output names.
    """
    always = set(known)
    here = local_processes(root)
    def find(ident: str) -> etree._Element | None:
        found = here.get(ident)  # an lxml element is falsy without children: test for None
        if found is None and called is not None:
            found = called(ident)
        return found

    producers = Producers(form_fields, find, decisions or (lambda _id: None))
    for scope, _reached, top in reachable_scopes(root):
        outer: set[str] | None = set()
        if top is not None:  # inside a sub-process: anything its process produces
            outer = producers.of(top)
        if outer is None:
            continue
        produced = {ident: producers.of(node) for ident, node in scope.nodes.items()}
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
                     "condition.unknown_data", WARNING, name=name)
