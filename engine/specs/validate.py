"""Deploy-time validation of a BPMN document.

Every problem is reported with the id of the element it belongs to, a stable
``code`` and a ``severity`` (``error`` refuses the deploy, ``warning`` does not),
so the editor can mark it on the diagram. Its ``message`` is Vietnamese; ``params``
holds the values in it (and ``reason`` where one code has several messages), so
the web layer can say it in another language (``webapp/problem_words.py``).
Checks on the shape of the flow (unreachable elements, gateways without a default,
conditions reading data nothing produces) are in ``engine.specs.flow_checks``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from lxml import etree
from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException

from engine.roles import role_of_lane
from engine.sandbox import script_errors
from engine.specs.parser import SPIFF_NS

BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
NS = {"bpmn": BPMN_NS, "spiffworkflow": SPIFF_NS}

# (xpath, sandbox mode): every piece of code an admin can put in a diagram.
CODE_PATHS: tuple[tuple[str, str], ...] = (
    (".//bpmn:scriptTask/bpmn:script", "exec"),
    (".//spiffworkflow:preScript", "exec"),
    (".//spiffworkflow:postScript", "exec"),
    (".//bpmn:sequenceFlow/bpmn:conditionExpression", "eval"),
    (".//bpmn:completionCondition", "eval"),
    (".//bpmn:loopCardinality", "eval"),
    (".//bpmn:loopCondition", "eval"),
    (".//spiffworkflow:serviceTaskOperator//spiffworkflow:parameter/@value", "eval"),
)


ERROR = "error"
WARNING = "warning"


@dataclass
class Problems:
    """Problems found in one document: ``{element_id, code, severity, message, params}``."""

    items: list[dict[str, Any]] = field(default_factory=list)

    def add(self, element_id: str | None, message: str, code: str = "bpmn.invalid",
            severity: str = ERROR, **params: Any) -> None:
        self.items.append({"element_id": element_id, "code": code, "severity": severity,
                           "message": message, "params": params})

    @property
    def errors(self) -> list[dict[str, Any]]:
        return [p for p in self.items if p["severity"] == ERROR]

    @property
    def warnings(self) -> list[dict[str, Any]]:
        return [p for p in self.items if p["severity"] == WARNING]

    def __bool__(self) -> bool:
        """True when there is an error (warnings do not refuse a deploy)."""
        return bool(self.errors)


def owner_id(node: Any) -> str | None:
    """The id of the nearest BPMN element (not an extension element) holding ``node``."""
    if isinstance(node, etree._ElementUnicodeResult):
        node = node.getparent()
    bpmn_prefix = f"{{{BPMN_NS}}}"
    while node is not None:
        if isinstance(node.tag, str) and node.tag.startswith(bpmn_prefix) and node.get("id"):
            return str(node.get("id"))
        node = node.getparent()
    return None


# What a script's scriptFormat or a condition's language may say: our sandbox runs Python.
PYTHON_FORMATS = frozenset({"", "python", "python3", "py", "text/python", "text/x-python",
                            "application/x-python"})


def foreign_language(node: Any) -> str | None:
    """The language of a script or condition written in something else than Python."""
    if isinstance(node, etree._ElementUnicodeResult):
        return None
    holder = node.getparent() if etree.QName(node).localname == "script" else node
    attr = "scriptFormat" if etree.QName(node).localname == "script" else "language"
    language = ((holder.get(attr) if holder is not None else None) or "").strip()
    return language if language.lower() not in PYTHON_FORMATS else None


def check_code(root: etree._Element, problems: Problems) -> None:
    for path, mode in CODE_PATHS:
        for node in root.xpath(path, namespaces=NS):
            text = str(node) if isinstance(node, etree._ElementUnicodeResult) else node.text
            if not text or not text.strip():
                continue
            language = foreign_language(node)
            if language:
                problems.add(owner_id(node), f"Mã lệnh viết bằng «{language}»: động cơ chỉ "
                                             "chạy Python (trong hộp cát); hãy viết lại bằng "
                                             "Python.", "code.language", language=language)
                continue
            for err, original in script_errors(text.strip(), mode):
                problems.add(owner_id(node), f"Mã lệnh bị từ chối: {err}", "code.rejected",
                             detail=original)


def check_lanes(root: etree._Element, roles: Iterable[str], problems: Problems) -> None:
    known = set(roles)
    for lane in root.xpath(".//bpmn:lane", namespaces=NS):
        name = lane.get("name") or ""
        if role_of_lane(name, known) is None:
            problems.add(
                lane.get("id"),
                f"Làn (lane) «{name}» không ứng với vai trò nào đã biết "
                f"({', '.join(sorted(known))}).", "role.unknown",
                name=name, roles=", ".join(sorted(known)),
            )


def check_user_tasks(
    root: etree._Element, form_exists: Callable[[str], bool], problems: Problems
) -> None:
    camunda_attr = "{http://camunda.org/schema/1.0/bpmn}formKey"
    for task in root.xpath(".//bpmn:userTask", namespaces=NS):
        props = {
            p.get("name"): p.get("value")
            for p in task.xpath(".//spiffworkflow:property", namespaces=NS)
        }
        form_key = props.get("formKey") or task.get(camunda_attr)
        if form_key and not form_exists(form_key):
            problems.add(task.get("id"), f"Biểu mẫu «{form_key}» chưa được đăng ký.",
                         "form.unknown", form_key=form_key)
        for prop in ("dueWorkingDays", "notBeforeWorkingDays"):
            days = (props.get(prop) or "").strip()
            if days.startswith("setting:"):
                if not re.fullmatch(r"setting:[A-Za-z_][\w.]*", days):
                    problems.add(task.get("id"),
                                 f"{prop} dạng setting:<tên> có tên không hợp lệ.",
                                 "days.invalid", reason="setting", property=prop)
            elif days and not days.isdigit():
                for err, original in script_errors(days, "eval"):
                    problems.add(task.get("id"), f"{prop} không hợp lệ: {err}", "days.invalid",
                                 reason="sandbox", property=prop, detail=original)


def check_service_tasks(
    root: etree._Element, handler_exists: Callable[[str], bool], problems: Problems
) -> None:
    for task in root.xpath(".//bpmn:serviceTask[not(.//spiffworkflow:serviceTaskOperator)]",
                           namespaces=NS):
        problems.add(task.get("id"), "Bước tự động chưa chọn bộ xử lý (handler).",
                     "handler.missing")
    for op in root.xpath(".//bpmn:serviceTask//spiffworkflow:serviceTaskOperator", namespaces=NS):
        name = op.get("id") or ""
        if not handler_exists(name):
            problems.add(owner_id(op), f"Không có bộ xử lý (handler) tên «{name}».",
                         "handler.unknown", name=name)


def spiff_problem(exc: ValidationException, problems: Problems) -> None:
    element = getattr(exc, "id", None) or None
    if element and any(p["element_id"] == element for p in problems.errors):
        return  # SpiffWorkflow stops at the first error, often one already explained
    problems.add(element, f"Lỗi cấu trúc BPMN: {exc}", "bpmn.structure", detail=str(exc))


def called_elements(root: etree._Element) -> set[str]:
    return {
        c.get("calledElement")
        for c in root.xpath(".//bpmn:callActivity", namespaces=NS)
        if c.get("calledElement")
    }


def executable_process_ids(root: etree._Element) -> list[str]:
    return [
        p.get("id")
        for p in root.xpath(".//bpmn:process", namespaces=NS)
        if p.get("isExecutable", "false").lower() == "true"
    ]


# Waiting on a condition has nothing that would re-evaluate it: refuse such diagrams at
# deploy instead of leaving instances that wait forever. (Timers: timer_checks.py.)
UNSUPPORTED = (
    (".//bpmn:conditionalEventDefinition", "Sự kiện điều kiện chưa được hỗ trợ."),
)


def check_supported(root: etree._Element, problems: Problems) -> None:
    for path, message in UNSUPPORTED:
        for node in root.xpath(path, namespaces=NS):
            # the event, not its definition
            problems.add(owner_id(node.getparent()), message, "event.unsupported")


# Column sizes of the stored rows (process_model_version.process_key, human_task.name).
MAX_PROCESS_ID = 128
MAX_ELEMENT_ID = 255


def check_lengths(root: etree._Element, problems: Problems) -> None:
    for process in root.xpath(".//bpmn:process", namespaces=NS):
        pid = process.get("id") or ""
        if len(pid) > MAX_PROCESS_ID:
            problems.add(pid[:40], f"Mã quy trình dài quá {MAX_PROCESS_ID} ký tự.",
                         "id.too_long", reason="process", limit=MAX_PROCESS_ID)
    for node in root.xpath(".//bpmn:*[@id]", namespaces=NS):
        if len(node.get("id")) > MAX_ELEMENT_ID:
            problems.add(node.get("id")[:40] + "…", f"Mã phần tử dài quá {MAX_ELEMENT_ID} ký tự.",
                         "id.too_long", reason="element", limit=MAX_ELEMENT_ID)


def check_unique_ids(root: etree._Element, problems: Problems) -> None:
    """Every BPMN element id once, and no handler named like an element.

    SpiffWorkflow indexes elements by id, extension elements too, so a service task
    whose id equals its handler's name (``serviceTaskOperator id``) breaks parsing.
    The same handler may serve many service tasks.
    """
    seen: dict[str, str] = {}
    handlers: set[str] = set()
    for node in root.iter():
        if not isinstance(node.tag, str) or not node.get("id"):
            continue
        ident = node.get("id")
        if node.tag == f"{{{SPIFF_NS}}}serviceTaskOperator":
            handlers.add(ident)
        elif node.tag.startswith(f"{{{BPMN_NS}}}"):
            tag = etree.QName(node).localname
            if ident in seen:
                problems.add(ident, f"Mã «{ident}» dùng cho hai phần tử ({seen[ident]} và "
                                    f"{tag}); mỗi mã chỉ được dùng một lần.", "id.duplicate",
                             id=ident, first=seen[ident], second=tag)
            seen[ident] = tag
    for ident in sorted(handlers.intersection(seen)):
        problems.add(ident, f"Phần tử «{ident}» trùng tên với bộ xử lý (handler) «{ident}»; "
                            "hãy đặt mã phần tử khác (ví dụ thêm tiền tố task_).",
                     "id.handler_clash", id=ident)
