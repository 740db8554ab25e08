"""Deploy-time checks of timer events (sự kiện hẹn giờ).

The engine runs intermediate timer catch events, boundary timers (interrupting or
not) and a timer behind an event-based gateway, each with a ``timeDuration`` or a
``timeDate`` that SpiffWorkflow evaluates as a Python expression in the sandbox:
``"P3D"`` (quoted: an ISO 8601 duration), ``"2027-01-15T08:00"`` (a moment, office
zone), ``working_days(5)`` or ``working_days("setting:appraisal_working_days")`` (the
end of the n-th working day), or any expression on the data giving one of these.

Each problem names the event's id with a stable code:

- ``timer.start_unsupported``: a timer start event (instances are started by people;
  wait after the start event instead);
- ``timer.cycle_unsupported``: a repeating timer (``timeCycle``); reminders before a
  deadline and notices after it are sent by the scheduler, configured in the settings;
- ``timer.missing``: no ``timeDuration`` / ``timeDate``, or an empty one;
- ``timer.unquoted``: an ISO value written bare (``P3D``), which Python reads as a
  name: it must be quoted (``"P3D"``), as the modeler writes it;
- ``timer.invalid``: code the sandbox refuses, a constant that is no ISO 8601 duration
  or moment, or a bad ``working_days`` argument;
- ``timer.gateway_multiple``: two timers behind one event-based gateway (SpiffWorkflow
  keeps one moment per gateway).
"""

from __future__ import annotations

import ast
import re
from datetime import UTC, datetime

from lxml import etree

from engine.sandbox import WORKING_DAYS, script_errors
from engine.specs.timers import TimerValueError, due_from
from engine.specs.validate import NS, Problems, owner_id

BARE_ISO = re.compile(r"^(R\d*/)?([Pp]\S*|\d{4}-\d{2}-\d{2}([T ]\S*)?)$")
_SETTING = re.compile(r"^setting:[A-Za-z_][\w.]*$")
EXAMPLE = "viết \"P3D\" (trong dấu ngoặc kép) hoặc working_days(5)"


def check_timers(root: etree._Element, problems: Problems) -> None:
    """Report every timer event the engine cannot run, on its own element."""
    for definition in root.xpath(".//bpmn:timerEventDefinition", namespaces=NS):
        event = definition.getparent()
        element = owner_id(event)
        kind = etree.QName(event).localname
        if kind == "startEvent":
            problems.add(element, "Sự kiện bắt đầu hẹn giờ chưa được hỗ trợ: hồ sơ do người "
                                  "dùng khởi tạo. Hãy đặt sự kiện hẹn giờ trung gian sau sự "
                                  "kiện bắt đầu.", "timer.start_unsupported")
            continue
        if kind not in ("intermediateCatchEvent", "boundaryEvent"):
            problems.add(element, "Hẹn giờ chỉ dùng cho sự kiện chờ (trung gian) hoặc gắn trên "
                                  "một bước.", "timer.invalid", reason="placement")
            continue
        if definition.find("bpmn:timeCycle", NS) is not None:
            problems.add(element, "Hẹn giờ lặp lại (timeCycle) chưa được hỗ trợ; nhắc hạn "
                                  "trước và báo quá hạn sau thời hạn được gửi tự động theo "
                                  "cấu hình.", "timer.cycle_unsupported")
            continue
        value = next((node for node in (definition.find("bpmn:timeDuration", NS),
                                        definition.find("bpmn:timeDate", NS))
                      if node is not None), None)
        text = (value.text or "").strip() if value is not None else ""
        if not text:
            problems.add(element, f"Hẹn giờ chưa có thời hạn: {EXAMPLE}.", "timer.missing")
            continue
        for message, code, params in expression_problems(text):
            problems.add(element, message, code, **params)
    _check_gateways(root, problems)


def expression_problems(text: str) -> list[tuple[str, str, dict[str, str]]]:
    """(message, code, params) of a timer expression's problems; [] when it can run."""
    if BARE_ISO.match(text):
        return [(f"Biểu thức hẹn giờ «{text}» là mã Python nên giá trị ISO phải nằm trong "
                 f"dấu ngoặc kép: \"{text}\".", "timer.unquoted", {"text": text})]
    errors = script_errors(text, "eval")
    if errors:
        return [(f"Biểu thức hẹn giờ bị từ chối: {err}", "timer.invalid",
                 {"reason": "sandbox", "detail": original}) for err, original in errors]
    tree = ast.parse(text, mode="eval").body
    if isinstance(tree, ast.Call) and isinstance(tree.func, ast.Name) \
            and tree.func.id == WORKING_DAYS:
        return _working_days_problems(tree)
    try:
        constant = ast.literal_eval(tree)
    except ValueError:
        return []  # reads the data: checked when the wait begins
    try:
        due_from(constant, datetime.now(UTC), UTC)
    except TimerValueError as exc:
        return [(str(exc), "timer.invalid", {"reason": "value", "value": repr(constant)})]
    return []


def _working_days_problems(call: ast.Call) -> list[tuple[str, str, dict[str, str]]]:
    usage = [("working_days cần đúng một đối số: số ngày làm việc (0–3650) hoặc "
              "\"setting:<tên cấu hình>\".", "timer.invalid", {"reason": "working_days"})]
    if len(call.args) != 1 or call.keywords:
        return usage
    try:
        days = ast.literal_eval(call.args[0])
    except ValueError:
        return []  # an expression on the data
    if isinstance(days, str) and _SETTING.match(days.strip()):
        return []
    if isinstance(days, int) and not isinstance(days, bool) and 0 <= days <= 3650:
        return []
    return usage


def _check_gateways(root: etree._Element, problems: Problems) -> None:
    timers = {e.get("id") for e in root.xpath(
        ".//bpmn:intermediateCatchEvent[bpmn:timerEventDefinition]", namespaces=NS)}
    for gateway in root.xpath(".//bpmn:eventBasedGateway", namespaces=NS):
        targets = {f.get("targetRef") for f in gateway.getparent().xpath(
            "bpmn:sequenceFlow[@sourceRef=$g]", namespaces=NS, g=gateway.get("id"))}
        if len(targets & timers) > 1:
            problems.add(gateway.get("id"), "Sau một cổng sự kiện chỉ được có một hẹn giờ.",
                         "timer.gateway_multiple")
