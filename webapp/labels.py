"""Words the pages share for a dossier's state, so every page says the same thing.

``/nominations``, the inbox and the instance page import these instead of keeping their
own lists (they used to say «Đã kết thúc» on one page and «Đã hoàn thành» on another).
``NOMINATION_STATUS_LABELS`` names the states of one nomination
(``workflows.nominations.STATUSES``) as offices name them (DOMAIN.md, «Dossier states»).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from engine.views import one_line
from webapp.forms_render import flatten

# status of a process instance -> (label, Bootstrap tone of its badge)
STATUS_LABELS = {
    "running": (_l("Đang xử lý"), "primary"),
    "completed": (_l("Đã kết thúc"), "success"),
    "cancelled": (_l("Đã hủy"), "secondary"),
    "error": (_l("Đang lỗi"), "danger"),
}
INSTANCE_STATUS_LABELS = STATUS_LABELS

NOMINATION_STATUS_LABELS = {
    "draft": _l("Nháp"),
    "submitted": _l("Đã gửi"),
    "received": _l("Đã tiếp nhận"),
    "returned": _l("Đã trả lại để bổ sung"),
    "appraised": _l("Đã thẩm định"),
    "eligible": _l("Đủ điều kiện"),
    "ineligible": _l("Không đủ điều kiện"),
    "in_council": _l("Trình Hội đồng"),
    "voted": _l("Đã bỏ phiếu"),
    "disclosed": _l("Đã công khai"),
    "proposed": _l("Đã trình tỉnh"),
    "approved": _l("Được đồng ý"),
    "decided": _l("Đã có quyết định"),
    "not_approved": _l("Không được khen thưởng"),
    "revoked": _l("Đã hủy bỏ"),
}


def status_label(status: str) -> tuple[str, str]:
    """(label, tone) of an instance status; an unknown status is shown as it is."""
    label, tone = STATUS_LABELS.get(status, (status, "secondary"))
    return str(label), tone


def status_choices() -> list[tuple[str, str]]:
    """(status, label) in the order a filter offers them."""
    return [(key, str(label)) for key, (label, _tone) in STATUS_LABELS.items()]


def waiting_label(waiting_for: str | None) -> str:
    """What a running dossier with no step to do waits for, in the diagram's words:
    «Chờ: Phiên họp Hội đồng kết thúc, có kết quả kiểm phiếu»; empty when unknown."""
    return _("Chờ: %(what)s", what=waiting_for) if waiting_for else ""


def current_step(instance: Mapping[str, Any]) -> str:
    """The steps a person has to do, else what the dossier waits for, else nothing."""
    steps = [one_line(t.get("title") or t["name"]) for t in instance.get("tasks") or []]
    if steps:
        return "; ".join(dict.fromkeys(steps))
    if instance.get("status") == "running":
        return waiting_label(instance.get("waiting_for"))
    return ""


def process_choices(processes: list[dict[str, Any]], roles: set[str] | frozenset[str],
                    office_wide: bool) -> list[tuple[str, str]]:
    """(key, name) of the procedures a person filters lists by: not a process another one
    calls (the council's vote, the forwarding to the province: part of a dossier's
    procedure, never started alone), and for a unit's staff only those with a step in a
    lane of their roles (those they start or act in)."""
    return [(p["key"], p["name"] or p["key"]) for p in processes
            if not p.get("called") and (office_wide or set(p.get("roles") or ()) & roles)]


# Names of the keys a refusal may carry besides the form's own fields (a procedure's check).
ERROR_KEYS = {"decision": _l("Quyết định"), "dossier": _l("Hồ sơ")}


def error_lines(errors: Mapping[str, Any], field_labels: Mapping[str, str]) -> list[str]:
    """Messages not shown beside an input, each after its field's label as people read it
    (the form's ``field_labels``, else ``ERROR_KEYS``); an internal key never shows."""
    out: list[str] = []
    for key, messages in errors.items():
        label = field_labels.get(key) or str(ERROR_KEYS.get(key, ""))
        out.extend(f"{label}: {m}" if label else m for m in flatten(messages))
    return out
