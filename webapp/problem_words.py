"""Validation problems, migration refusals and changes in the page's language.

The engine says each problem in Vietnamese (``message``) with a stable ``code`` and the
values in it (``params``; ``reason`` where one code has several messages). On a page in
another language the message is made again here from a template chosen by code (and
reason), translated with Flask-Babel. A problem whose code has no template, or whose
params lack a value the template needs, keeps the engine's message. Vietnamese pages
always show the engine's message.

Each template is a Vietnamese msgid marked with ``N_`` so ``pybabel extract`` finds it;
``tests/webapp/test_problem_words.py`` checks that every code the validator emits has one.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from flask_babel import get_locale
from flask_babel import gettext as _

from engine.errors import EngineError
from webapp.i18n_data import N_
from webapp.migration_words import ERROR_TEMPLATES, REASON_TEMPLATES

# code, or "code/reason" -> template (Vietnamese msgid, English in messages.po).
TEMPLATES: dict[str, str] = {
    # engine/specs/validate.py
    "code.language": N_("Mã lệnh viết bằng «%(language)s»: động cơ chỉ chạy Python (trong "
                        "hộp cát); hãy viết lại bằng Python."),
    "code.rejected": N_("Mã lệnh bị từ chối: %(detail)s"),
    "role.unknown": N_("Làn (lane) «%(name)s» không ứng với vai trò nào đã biết (%(roles)s)."),
    "form.unknown": N_("Biểu mẫu «%(form_key)s» chưa được đăng ký."),
    "days.invalid/setting": N_("%(property)s dạng setting:<tên> có tên không hợp lệ."),
    "days.invalid/sandbox": N_("%(property)s không hợp lệ: %(detail)s"),
    "handler.missing": N_("Bước tự động chưa chọn bộ xử lý (handler)."),
    "handler.unknown": N_("Không có bộ xử lý (handler) tên «%(name)s»."),
    "bpmn.structure": N_("Lỗi cấu trúc BPMN: %(detail)s"),
    "event.unsupported": N_("Sự kiện điều kiện chưa được hỗ trợ."),
    "id.too_long/process": N_("Mã quy trình dài quá %(limit)s ký tự."),
    "id.too_long/element": N_("Mã phần tử dài quá %(limit)s ký tự."),
    "id.duplicate": N_("Mã «%(id)s» dùng cho hai phần tử (%(first)s và %(second)s); mỗi mã "
                       "chỉ được dùng một lần."),
    "id.handler_clash": N_("Phần tử «%(id)s» trùng tên với bộ xử lý (handler) «%(id)s»; hãy "
                           "đặt mã phần tử khác (ví dụ thêm tiền tố task_)."),
    # the whole file (engine/specs/xmlsafe.py, registry.py) when it cannot be read at all
    "bpmn.invalid": N_("Sơ đồ không dùng được: %(detail)s"),
    "bpmn.too_large": N_("Tệp quá lớn: %(detail)s."),
    "bpmn.doctype_forbidden": N_("Tệp có khai báo DOCTYPE; sơ đồ BPMN không được chứa "
                                 "DOCTYPE hay entity."),
    # engine/specs/timer_checks.py
    "timer.start_unsupported": N_("Sự kiện bắt đầu hẹn giờ chưa được hỗ trợ: hồ sơ do người "
                                  "dùng khởi tạo. Hãy đặt sự kiện hẹn giờ trung gian sau sự "
                                  "kiện bắt đầu."),
    "timer.invalid/placement": N_("Hẹn giờ chỉ dùng cho sự kiện chờ (trung gian) hoặc gắn "
                                  "trên một bước."),
    "timer.invalid/sandbox": N_("Biểu thức hẹn giờ bị từ chối: %(detail)s"),
    "timer.invalid/value": N_("Giá trị hẹn giờ %(value)s không phải khoảng thời gian ISO 8601 "
                              "(ví dụ \"P3D\") hay thời điểm (ví dụ \"2027-01-15T08:00\")."),
    "timer.invalid/working_days": N_("working_days cần đúng một đối số: số ngày làm việc "
                                     "(0–3650) hoặc \"setting:<tên cấu hình>\"."),
    "timer.cycle_unsupported": N_("Hẹn giờ lặp lại (timeCycle) chưa được hỗ trợ; nhắc hạn "
                                  "trước và báo quá hạn sau thời hạn được gửi tự động theo "
                                  "cấu hình."),
    "timer.missing": N_("Hẹn giờ chưa có thời hạn: viết \"P3D\" (trong dấu ngoặc kép) hoặc "
                        "working_days(5)."),
    "timer.unquoted": N_("Biểu thức hẹn giờ «%(text)s» là mã Python nên giá trị ISO phải "
                         "nằm trong dấu ngoặc kép: \"%(text)s\"."),
    "timer.gateway_multiple": N_("Sau một cổng sự kiện chỉ được có một hẹn giờ."),
    # engine/specs/flow_checks.py, deadline_checks.py
    "flow.unreachable": N_("Không thể đi tới «%(name)s» từ sự kiện bắt đầu nào."),
    "gateway.no_default": N_("Cổng rẽ nhánh «%(name)s» chưa có nhánh mặc định: khi không "
                             "điều kiện nào đúng, hồ sơ sẽ dừng vì lỗi."),
    "condition.unknown_data": N_("Điều kiện đọc dữ liệu «%(name)s» nhưng không biểu mẫu hay "
                                 "bước nào trước đó tạo ra."),
    "task.deadline_removed": N_("Bước «%(name)s» không còn thời hạn xử lý: phiên bản "
                                "%(version)s đặt %(property)s = «%(old)s». Không có thời hạn "
                                "thì bước không có hạn chót và không được nhắc việc; nếu "
                                "không cố ý, hãy đặt lại thời hạn."),
    # decision tables: engine/drafts.py, engine/specs/dmn_tables.py
    "dmn.no_table": N_("Quyết định không có bảng."),
    "dmn.invalid": N_("Bảng quyết định không hợp lệ: %(detail)s"),
    "dmn.rule_shape": N_("Bảng «%(table)s», quy tắc số %(number)s (%(rule)s): có %(inputs)s "
                         "ô điều kiện và %(outputs)s ô kết quả, bảng có %(columns_in)s và "
                         "%(columns_out)s cột."),
    "dmn.cell_invalid/input_syntax": N_("Bảng «%(table)s», quy tắc số %(number)s (%(rule)s), "
                                        "cột «%(column)s»: điều kiện «%(text)s» không phải "
                                        "biểu thức hợp lệ."),
    "dmn.cell_invalid/input_sandbox": N_("Bảng «%(table)s», quy tắc số %(number)s "
                                         "(%(rule)s), cột «%(column)s»: điều kiện «%(text)s» "
                                         "bị hộp cát từ chối: %(detail)s."),
    "dmn.cell_invalid/output_empty": N_("Bảng «%(table)s», quy tắc số %(number)s (%(rule)s), "
                                        "cột «%(column)s»: ô kết quả đang trống."),
    "dmn.cell_invalid/output_syntax": N_("Bảng «%(table)s», quy tắc số %(number)s "
                                         "(%(rule)s), cột «%(column)s»: kết quả «%(text)s» "
                                         "không phải biểu thức hợp lệ."),
    "dmn.cell_invalid/output_sandbox": N_("Bảng «%(table)s», quy tắc số %(number)s "
                                          "(%(rule)s), cột «%(column)s»: kết quả «%(text)s» "
                                          "bị hộp cát từ chối: %(detail)s."),
    # why an instance cannot move to another version (engine/migration/)
    **REASON_TEMPLATES,
}

# engine.migration.plan: the ``field`` of a change -> its label (the engine's ``label``).
CHANGE_LABELS: dict[str, str] = {
    "title": N_("Tên bước"),
    "role": N_("Vai trò xử lý"),
    "lane": N_("Làn (lane)"),
    "form_key": N_("Biểu mẫu (form key)"),
    "due": N_("Quy tắc hạn xử lý (dueWorkingDays)"),
    "not_before": N_("Thời gian chờ tối thiểu (notBeforeWorkingDays)"),
    "timer": N_("Hẹn giờ (timer)"),
    "required_fields": N_("Trường bắt buộc mới của biểu mẫu"),
    # engine.migration.paths.check_paths
    "path": N_("Đường đi đã qua (mã luồng)"),
    "path_condition": N_("Điều kiện của đường đi đã qua"),
}


def template_key(problem: dict[str, Any]) -> str:
    """``code``, or ``code/reason`` when the problem says which of its messages it is."""
    reason = (problem.get("params") or {}).get("reason")
    code = str(problem.get("code") or "")
    return f"{code}/{reason}" if reason else code


def _vietnamese_page() -> bool:
    locale = get_locale()
    return locale is None or locale.language == "vi"


def _value(value: Any) -> Any:
    """A list of ids (boundary events before and after) as the message writes it."""
    if isinstance(value, list):
        return ", ".join(map(str, value)) or _("(không có)")
    return value


def problem_message(problem: dict[str, Any]) -> str:
    """The problem's message in the page's language (the stored one when there is none)."""
    stored = str(problem.get("message") or "")
    template = TEMPLATES.get(template_key(problem))
    if template is None or _vietnamese_page():
        return stored
    params = {k: _value(v) for k, v in (problem.get("params") or {}).items()
              if k != "reason"}
    try:
        return _(template) % params
    except (KeyError, TypeError, ValueError):  # a value the template needs is missing
        return stored


def localized_problems(problems: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """The problems, each with its ``message`` in the page's language."""
    return [{**p, "message": problem_message(p)} if isinstance(p, dict) else p
            for p in problems]


def with_localized_reasons(report: dict[str, Any]) -> dict[str, Any]:
    """A migration dry run or job whose items' refusal ``reasons`` are in the page's
    language."""
    items = [{**i, "reasons": localized_problems(i.get("reasons") or [])}
             for i in report.get("items") or []]
    return {**report, "items": items}


def change_label(change: dict[str, Any]) -> str:
    """The label of a migration change (``field``) in the page's language."""
    label = CHANGE_LABELS.get(str(change.get("field")))
    return _(label) if label is not None else str(change.get("label") or "")


def error_message(exc: EngineError) -> str:
    """A migration command's error in the page's language (the engine's message when the
    page is Vietnamese, the code has no template or a value is missing)."""
    template = ERROR_TEMPLATES.get(exc.code)
    if template is None or _vietnamese_page():
        return exc.message
    params: dict[str, Any] = dict(exc.details) if isinstance(exc.details, dict) else {}
    if exc.code == "migration.refused" and isinstance(exc.details, list):
        params["reasons"] = "; ".join(problem_message(r) for r in exc.details
                                      if isinstance(r, dict))
    try:
        return _(template) % params
    except (KeyError, TypeError, ValueError):
        return exc.message
