"""Import of a ``.bpmn`` drawn in Camunda Modeler or bpmn.io (nhập sơ đồ từ công cụ khác).

What has an obvious equivalent in our engine is mapped, everything else that only
Camunda reads is removed and reported, so the admin knows what to redo:

- ``camunda:formKey`` on a user task, ``camunda:properties`` named ``formKey``,
  ``dueWorkingDays`` or ``notBeforeWorkingDays`` -> ``spiffworkflow:property``;
- an external service task's ``camunda:topic`` -> ``spiffworkflow:serviceTaskOperator``
  (the handler of that name), ``camunda:resultVariable`` -> its result variable;
- a JUEL condition ``${a && !b}`` -> the Python expression ``a and not b``;
- a timer written bare (``P3D``, ``2027-01-15T08:00``, as Camunda reads it) -> the quoted
  Python string SpiffWorkflow evaluates (``"P3D"``);
- a diagram with one process and none executable (bpmn.io's default) becomes executable;
- Camunda 7 roles and Java delegates, Camunda 8 (Zeebe) task types, forms and FEEL
  conditions, scripts in other languages: ``engine.specs.import_rules``.

Each note has a ``kind``: ``mapped`` (done), ``dropped`` (not used, removed) or
``review`` (the admin must redo it: choose a handler, a lane, rewrite a script).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from lxml import etree

from engine.specs import import_rules as rules
from engine.specs.import_rules import ZEEBE_NS, ImportContext
from engine.specs.parser import CAMUNDA_NS, SPIFF_NS
from engine.specs.timer_checks import BARE_ISO
from engine.specs.validate import BPMN_NS, NS, owner_id
from engine.specs.xmlsafe import parse_xml

CAMUNDA = f"{{{CAMUNDA_NS}}}"
SPIFF = f"{{{SPIFF_NS}}}"
BPMN = f"{{{BPMN_NS}}}"
OUR_PROPERTIES = ("formKey", "dueWorkingDays", "notBeforeWorkingDays")
# Namespaces of the diagram itself and of its drawing: never reported.
STANDARD = frozenset({BPMN_NS, SPIFF_NS, "http://www.omg.org/spec/BPMN/20100524/DI",
                      "http://www.omg.org/spec/DD/20100524/DC",
                      "http://www.omg.org/spec/DD/20100524/DI",
                      "http://www.w3.org/2001/XMLSchema-instance",
                      "http://bpmn.io/schema/bpmn/biocolor/1.0",
                      "http://www.omg.org/spec/BPMN/non-normative/color/1.0"})


@dataclass
class ImportReport:
    """The mapped XML and one note per attribute or element mapped or dropped."""

    xml: bytes = b""
    notes: list[dict[str, Any]] = field(default_factory=list)

    def note(self, node: Any, kind: str, message: str) -> None:
        self.notes.append({"element_id": owner_id(node), "kind": kind, "message": message})


def _extension_elements(task: etree._Element) -> etree._Element:
    ext = task.find(f"{BPMN}extensionElements")
    if ext is None:
        ext = etree.Element(f"{BPMN}extensionElements")
        task.insert(0 if task.find(f"{BPMN}documentation") is None else 1, ext)
    return ext


def _properties(task: etree._Element) -> etree._Element:
    ext = _extension_elements(task)
    props = ext.find(f"{SPIFF}properties")
    if props is None:
        props = etree.SubElement(ext, f"{SPIFF}properties")
    return props


def set_property(task: etree._Element, name: str, value: str) -> None:
    props = _properties(task)
    for prop in props.findall(f"{SPIFF}property"):
        if prop.get("name") == name:
            prop.set("value", value)
            return
    etree.SubElement(props, f"{SPIFF}property", name=name, value=value)


def _map_form_keys(root: etree._Element, report: ImportReport) -> None:
    for task in root.iter(f"{BPMN}userTask"):
        key = task.attrib.pop(f"{CAMUNDA}formKey", None)
        if key:
            set_property(task, "formKey", key)
            report.note(task, "mapped", f"camunda:formKey «{key}» → biểu mẫu (formKey).")
    for prop in list(root.iter(f"{CAMUNDA}property")):
        name, value = prop.get("name") or "", prop.get("value") or ""
        holder = prop.getparent().getparent().getparent()  # property/properties/extension/task
        if name in OUR_PROPERTIES and holder is not None:
            set_property(holder, name, value)
            report.note(holder, "mapped", f"camunda:property «{name}» → {name}.")
        else:
            report.note(prop, "dropped", f"camunda:property «{name}» không được dùng; đã bỏ.")
    for props in list(root.iter(f"{CAMUNDA}properties")):
        props.getparent().remove(props)


def _map_service_tasks(root: etree._Element, report: ImportReport) -> None:
    for task in root.iter(f"{BPMN}serviceTask", f"{BPMN}sendTask"):
        topic = task.attrib.pop(f"{CAMUNDA}topic", None)
        task.attrib.pop(f"{CAMUNDA}type", None)
        result = task.attrib.pop(f"{CAMUNDA}resultVariable", None)
        if not topic:
            continue
        op = add_handler(task, topic)
        if result:
            op.set("resultVariable", result)
        report.note(task, "mapped", f"camunda:topic «{topic}» → bộ xử lý (handler) «{topic}».")


def add_handler(task: etree._Element, name: str) -> etree._Element:
    op = etree.SubElement(_extension_elements(task), f"{SPIFF}serviceTaskOperator", id=name)
    etree.SubElement(op, f"{SPIFF}parameters")  # SpiffWorkflow's schema requires it
    return op


_JUEL = re.compile(r"^\s*[$#]\{(.*)\}\s*$", re.S)


def juel_to_python(text: str) -> str | None:
    """``${a && !b || c == 'x'}`` -> ``a and not b or c == 'x'`` (None: not JUEL)."""
    found = _JUEL.match(text)
    if not found:
        return None
    expr = found.group(1).replace("&&", " and ").replace("||", " or ")
    expr = re.sub(r"!(?!=)", " not ", expr)
    expr = re.sub(r"\b(eq)\b", "==", re.sub(r"\b(ne)\b", "!=", expr))
    return re.sub(r"\s+", " ", expr).strip()


def _map_conditions(root: etree._Element, report: ImportReport) -> None:
    for cond in root.iter(f"{BPMN}conditionExpression"):
        language = (cond.get("language") or "").strip()
        mapped = juel_to_python(cond.text or "")
        feel = rules.feel_to_python(cond.text or "") if mapped is None else None
        if mapped is not None:
            report.note(cond, "mapped", f"Điều kiện JUEL «{cond.text}» → «{mapped}».")
            cond.text = mapped
        elif feel is not None:
            report.note(cond, "mapped", f"Điều kiện FEEL «{cond.text}» → «{feel}».")
            cond.text = feel
        elif language.lower() not in rules.PYTHON_FORMATS | {"juel", "feel"}:
            report.note(cond, "review", f"Điều kiện viết bằng «{language}»: động cơ chỉ chạy "
                                        "Python; hãy viết lại bằng Python.")
            continue  # the language stays: validation names it
        cond.attrib.pop("language", None)


def _map_timers(root: etree._Element, report: ImportReport) -> None:
    for tag in ("timeDuration", "timeDate"):
        for node in root.iter(f"{BPMN}{tag}"):
            text = (node.text or "").strip()
            if BARE_ISO.match(text) and not text.upper().startswith("R"):
                node.text = f'"{text}"'
                event = node.getparent().getparent()  # timer definition, then its event
                report.note(event if event is not None else node, "mapped",
                            f"Hẹn giờ «{text}» → biểu thức \"{text}\".")


def _make_executable(root: etree._Element, report: ImportReport) -> None:
    processes = root.xpath(".//bpmn:process", namespaces=NS)
    if len(processes) == 1 and processes[0].get("isExecutable", "false") != "true":
        processes[0].set("isExecutable", "true")
        report.note(processes[0], "mapped", "Quy trình được đánh dấu thực thi (isExecutable).")


def _drop_foreign(root: etree._Element, report: ImportReport) -> None:
    """Remove and report every attribute and extension element we do not read."""
    for node in list(root.iter()):
        if not isinstance(node.tag, str):
            continue
        for attr in list(node.attrib):
            ns = etree.QName(attr).namespace
            if ns and ns not in STANDARD:
                value = node.attrib.pop(attr)
                report.note(node, "dropped", f"Thuộc tính {_prefixed(attr)}=«{value}» "
                                             "không được dùng; đã bỏ.")
        ns = etree.QName(node).namespace
        parent = node.getparent()
        if ns not in STANDARD and parent is not None and ns is not None:
            if not any(etree.QName(a).namespace not in STANDARD
                       for a in node.iterancestors() if isinstance(a.tag, str)):
                report.note(parent, "dropped",
                            f"Phần mở rộng {_prefixed(node.tag)} không được dùng; đã bỏ.")
            parent.remove(node)
    for ext in list(root.iter(f"{BPMN}extensionElements")):
        if len(ext) == 0 and ext.getparent() is not None:
            ext.getparent().remove(ext)


def _prefixed(tag: str) -> str:
    qname = etree.QName(tag)
    prefix = {CAMUNDA_NS: "camunda", ZEEBE_NS: "zeebe"}.get(qname.namespace or "",
                                                           qname.namespace)
    return f"{prefix}:{qname.localname}"


def import_diagram(xml: bytes, context: ImportContext | None = None) -> ImportReport:
    """Map a foreign diagram to ours; the result still has to pass validation.

    ``context`` says which roles, handlers and forms the running system has (Camunda's
    groups, Zeebe's task types and forms are mapped only to those).

    Raises:
        BpmnInvalid: the XML cannot be read safely.
    """
    context = context or ImportContext()
    root = parse_xml(xml)
    report = ImportReport()
    _map_form_keys(root, report)
    rules.map_candidate_groups(root, report, context)
    rules.note_java_delegates(root, report)
    _map_service_tasks(root, report)
    rules.map_zeebe_tasks(root, report, context, add_handler)
    rules.map_zeebe_forms(root, report, context,
                          lambda task, key: set_property(task, "formKey", key))
    rules.note_foreign_scripts(root, report)
    _map_conditions(root, report)
    _map_timers(root, report)
    _make_executable(root, report)
    _drop_foreign(root, report)
    nsmap = {k: v for k, v in root.nsmap.items() if v in STANDARD}
    etree.cleanup_namespaces(root, top_nsmap={**nsmap, "spiffworkflow": SPIFF_NS})
    report.xml = etree.tostring(root, xml_declaration=True, encoding="UTF-8")
    return report
