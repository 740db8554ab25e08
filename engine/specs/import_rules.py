"""What Camunda 7 and Camunda 8 (Zeebe) put in a diagram, mapped to what our engine reads
where the running system knows an equivalent, else reported for the admin to redo
(``review`` notes), never silently dropped:

- ``camunda:candidateGroups`` / ``zeebe:assignmentDefinition candidateGroups`` naming a
  known role -> the role of the task's lane (a lane with no role is named after it);
- ``camunda:class`` / ``expression`` / ``delegateExpression`` (Java) -> a note: choose a
  registered handler;
- ``zeebe:taskDefinition type`` -> the handler of that name when it is registered;
- ``zeebe:formDefinition`` (``formId``/``formKey``) -> the form key when it is registered;
  ``zeebe:userTask`` -> nothing to do (a user task is a user task);
- a FEEL condition ``=a = 1 and not(b)`` -> the Python ``a == 1 and not(b)``;
- a script in another language (``scriptFormat`` groovy, javascript, …) -> a note; it
  stays marked with its language so validation names the problem.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from lxml import etree

from engine.roles import role_of_lane
from engine.specs.parser import CAMUNDA_NS, SPIFF_NS
from engine.specs.validate import BPMN_NS, PYTHON_FORMATS

if TYPE_CHECKING:
    from engine.specs.importing import ImportReport

CAMUNDA = f"{{{CAMUNDA_NS}}}"
ZEEBE_NS = "http://camunda.org/schema/zeebe/1.0"
ZEEBE = f"{{{ZEEBE_NS}}}"
SPIFF = f"{{{SPIFF_NS}}}"
BPMN = f"{{{BPMN_NS}}}"
JAVA_ATTRIBUTES = ("class", "expression", "delegateExpression")
AUTOMATIC = (f"{BPMN}serviceTask", f"{BPMN}sendTask", f"{BPMN}businessRuleTask",
             f"{BPMN}scriptTask")


@dataclass(frozen=True)
class ImportContext:
    """What the running system knows: its roles, registered handlers and forms."""

    roles: tuple[str, ...] = ()
    handler_exists: Callable[[str], bool] = field(default=lambda _n: False)
    form_exists: Callable[[str], bool] = field(default=lambda _k: False)


def _groups(raw: str) -> list[str]:
    """``a, b`` or Zeebe's FEEL list ``=["a", "b"]`` -> ``["a", "b"]``."""
    text = raw.strip().lstrip("=").strip().strip("[]")
    return [g.strip().strip("\"'").strip() for g in text.split(",") if g.strip()]


def _lanes_by_node(root: etree._Element) -> dict[str, etree._Element]:
    return {(ref.text or "").strip(): lane for lane in root.iter(f"{BPMN}lane")
            for ref in lane.findall(f"{BPMN}flowNodeRef")}


def _candidate_groups(task: etree._Element) -> tuple[str, str] | None:
    raw = task.attrib.pop(f"{CAMUNDA}candidateGroups", None)
    if raw:
        return raw, "camunda:candidateGroups"
    for assignment in task.iter(f"{ZEEBE}assignmentDefinition"):
        raw = assignment.attrib.pop("candidateGroups", None)
        if raw:
            return raw, "zeebe:assignmentDefinition candidateGroups"
    return None


def map_candidate_groups(root: etree._Element, report: ImportReport,
                         context: ImportContext) -> None:
    lanes = _lanes_by_node(root)
    roles = tuple(r.lower() for r in context.roles)
    for task in root.iter(f"{BPMN}userTask"):
        found = _candidate_groups(task)
        if found is None:
            continue
        raw, source = found
        known = [g.lower() for g in _groups(raw) if g.lower() in roles]
        if not known:
            report.note(task, "review", f"{source}=«{raw}» không ứng với vai trò nào đã biết "
                                        f"({', '.join(roles)}); hãy đặt bước vào làn của vai "
                                        "trò phù hợp trong trình vẽ.")
            continue
        _place_in_lane(task, known[0], f"{source}=«{raw}»", lanes.get(task.get("id") or ""),
                       roles, report)


def _place_in_lane(task: etree._Element, role: str, said: str, lane: etree._Element | None,
                   roles: Iterable[str], report: ImportReport) -> None:
    if lane is None:
        report.note(task, "review", f"{said} → vai trò «{role}», nhưng bước không nằm trong "
                                    f"làn nào: hãy thêm làn «… ({role})» và đặt bước vào đó "
                                    "(bước ngoài làn giao cho người khởi tạo hồ sơ).")
        return
    name = (lane.get("name") or "").strip()
    current = role_of_lane(name, roles)
    if current is None:
        lane.set("name", f"{name} ({role})" if name else role)
        report.note(task, "mapped", f"{said} → làn «{lane.get('name')}» (vai trò «{role}»).")
    elif current == role:
        report.note(task, "mapped", f"{said} → khớp với làn «{name}».")
    else:
        report.note(task, "review", f"{said} → vai trò «{role}», nhưng bước nằm trong làn "
                                    f"«{name}» của vai trò «{current}»; đã giữ làn, hãy xem lại.")


def note_java_delegates(root: etree._Element, report: ImportReport) -> None:
    for task in root.iter(*AUTOMATIC):
        for attr in JAVA_ATTRIBUTES:
            value = task.attrib.pop(f"{CAMUNDA}{attr}", None)
            if value:
                report.note(task, "review", f"camunda:{attr}=«{value}» là mã Java/biểu thức "
                                            "của Camunda, động cơ này không chạy được; hãy "
                                            "chọn bộ xử lý (handler) đã đăng ký cho bước này.")


def map_zeebe_tasks(root: etree._Element, report: ImportReport, context: ImportContext,
                    add_handler: Callable[[etree._Element, str], None]) -> None:
    for definition in list(root.iter(f"{ZEEBE}taskDefinition")):
        task = definition.getparent().getparent()  # taskDefinition/extensionElements/task
        kind = (definition.get("type") or "").strip()
        definition.getparent().remove(definition)
        if kind and context.handler_exists(kind):
            add_handler(task, kind)
            report.note(task, "mapped",
                        f"zeebe:taskDefinition type=«{kind}» → bộ xử lý (handler) «{kind}».")
        else:
            report.note(task, "review", f"zeebe:taskDefinition type=«{kind}»: không có bộ xử lý "
                                        "(handler) tên này; hãy chọn bộ xử lý đã đăng ký.")


def map_zeebe_forms(root: etree._Element, report: ImportReport, context: ImportContext,
                    set_form: Callable[[etree._Element, str], None]) -> None:
    for form in list(root.iter(f"{ZEEBE}formDefinition")):
        task = form.getparent().getparent()
        raw = form.get("formId") or form.get("formKey") or form.get("externalReference") or ""
        key = raw.split(":")[-1].strip()
        form.getparent().remove(form)
        if key and context.form_exists(key):
            set_form(task, key)
            report.note(task, "mapped", f"zeebe:formDefinition «{raw}» → biểu mẫu «{key}».")
        else:
            report.note(task, "review", f"zeebe:formDefinition «{raw}»: biểu mẫu «{key}» chưa "
                                        "được đăng ký; hãy chọn biểu mẫu trong trình vẽ.")
    for marker in list(root.iter(f"{ZEEBE}userTask")):
        task = marker.getparent().getparent()
        marker.getparent().remove(marker)
        report.note(task, "mapped", "zeebe:userTask → bước do người thực hiện.")


def feel_to_python(text: str) -> str | None:
    """``=a = 1 and b != "x" or not(c)`` -> ``a == 1 and b != "x" or not(c)`` (None: not
    a FEEL expression)."""
    stripped = text.strip()
    if not stripped.startswith("="):
        return None
    expr = re.sub(r"(?<![<>!=])=(?!=)", "==", stripped[1:])
    for feel, python in (("true", "True"), ("false", "False"), ("null", "None")):
        expr = re.sub(rf"\b{feel}\b", python, expr)
    return re.sub(r"\s+", " ", expr).strip()


def note_foreign_scripts(root: etree._Element, report: ImportReport) -> None:
    for task in root.iter(f"{BPMN}scriptTask"):
        language = (task.get("scriptFormat") or "").strip()
        if language.lower() not in PYTHON_FORMATS:
            report.note(task, "review", f"Mã lệnh viết bằng «{language}»: động cơ chỉ chạy "
                                        "Python trong hộp cát; hãy viết lại bằng Python.")
