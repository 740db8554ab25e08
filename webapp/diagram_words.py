"""Diagram differences in words (so sánh phiên bản, chạy thử di chuyển hồ sơ).

``engine.specs.diff`` describes what changed as data: element ids, BPMN type names,
nested values. The pages say it the way an admin reads it: the element's name and its
kind in Vietnamese («Thẩm định» · bước người xử lý), one line per thing that changed
(«thời hạn xử lý: 10 → 5 ngày làm việc», «bỏ mã lệnh chạy trước bước»), other elements
named by their names, never raw JSON.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from webapp.readable import tr

ELEMENT_TYPES = {
    "task": _l("bước"), "userTask": _l("bước người xử lý"), "serviceTask": _l("bước tự động"),
    "scriptTask": _l("bước chạy mã lệnh"), "manualTask": _l("bước làm thủ công"),
    "businessRuleTask": _l("bước áp dụng bảng quyết định"),
    "sendTask": _l("bước gửi thông điệp"), "receiveTask": _l("bước nhận thông điệp"),
    "callActivity": _l("bước gọi quy trình khác"), "subProcess": _l("quy trình con"),
    "transaction": _l("giao dịch"), "adHocSubProcess": _l("quy trình con tự do"),
    "startEvent": _l("sự kiện bắt đầu"), "endEvent": _l("sự kiện kết thúc"),
    "intermediateCatchEvent": _l("sự kiện chờ"),
    "intermediateThrowEvent": _l("sự kiện phát"), "boundaryEvent": _l("sự kiện biên"),
    "exclusiveGateway": _l("cổng chọn một nhánh"), "inclusiveGateway": _l("cổng chọn nhiều nhánh"),
    "parallelGateway": _l("cổng song song"), "eventBasedGateway": _l("cổng theo sự kiện"),
    "complexGateway": _l("cổng phức hợp"), "sequenceFlow": _l("luồng"), "lane": _l("làn"),
}

PROPERTY_LABELS = {
    "formKey": _l("biểu mẫu"), "dueWorkingDays": _l("thời hạn xử lý (ngày làm việc)"),
    "notBeforeWorkingDays": _l("không hoàn thành trước (ngày làm việc)"),
    "notifyKind": _l("loại thông báo"),
}
SCRIPT_LABELS = {"script": _l("mã lệnh"), "pre": _l("mã lệnh chạy trước bước"),
                 "post": _l("mã lệnh chạy sau bước")}
TIMER_LABELS = {"timeDate": _l("hẹn giờ vào lúc"), "timeDuration": _l("hẹn giờ sau khoảng"),
                "timeCycle": _l("hẹn giờ lặp lại")}
FIELD_LABELS = {
    "type": _l("loại phần tử"), "name": _l("tên"), "lane": _l("làn (vai trò)"),
    "condition": _l("điều kiện"), "default": _l("nhánh mặc định"),
}


def type_label(kind: str | None) -> str:
    return str(ELEMENT_TYPES.get(kind or "", kind or ""))


@dataclass(frozen=True)
class Line:
    """One thing that changed: what (``label``), from ``old`` to ``new`` (None: none)."""

    label: str
    old: str | None
    new: str | None


def _text(value: Any) -> str | None:
    if value is None or value == "" or value == {}:
        return None
    if isinstance(value, (list, tuple)):
        return ", ".join(str(v) for v in value)
    return str(value)


class Words:
    """Names every element of two versions, and says their differences in words."""

    def __init__(self, *versions: Mapping[str, Mapping[str, Any]]) -> None:
        self.known: dict[str, Mapping[str, Any]] = {}
        for described in versions:
            self.known.update(described)

    def element(self, ident: str | None) -> str:
        """«name» (kind), or the id when the element is unknown or unnamed."""
        if not ident:
            return "—"
        found = self.known.get(ident)
        if found is None:
            return ident
        kind = type_label(found.get("type"))
        name = found.get("name")
        return f"«{tr(name)}» ({kind})" if name else f"{ident} ({kind})"

    def lines(self, field: str, old: Any, new: Any) -> list[Line]:
        """The field's change as lines of words (a dict field gives one line a key)."""
        if field == "type":
            return [Line(str(FIELD_LABELS[field]), type_label(old), type_label(new))]
        if field == "default":
            return [Line(str(FIELD_LABELS[field]), self._flow(old), self._flow(new))]
        if field == "flows":
            return self._keyed({"source": _("nối từ"), "target": _("nối đến")}, old, new,
                               self.element)
        if field == "properties":
            return self._keyed(PROPERTY_LABELS, old, new)
        if field == "script":
            return self._keyed(SCRIPT_LABELS, old, new)
        if field == "timer":
            return self._keyed(TIMER_LABELS, old, new)
        if field == "handler":
            return self._handler(old or {}, new or {})
        if field == "message":
            return self._keyed({"ref": _("thông điệp chờ"), "variable": _("lưu vào biến")},
                               old, new)
        label = FIELD_LABELS.get(field, field)
        return [Line(str(label), _text(old), _text(new))]

    def _flow(self, ident: Any) -> str | None:
        return self.element(ident) if ident else None

    @staticmethod
    def _keyed(labels: Mapping[str, Any], old: Any, new: Any,
               show: Any = None) -> list[Line]:
        old, new = old or {}, new or {}
        out = []
        for key in list(labels) + sorted((set(old) | set(new)) - set(labels)):
            if old.get(key) == new.get(key):
                continue
            before, after = _text(old.get(key)), _text(new.get(key))
            if show is not None:
                before, after = (show(before) if before else None), (show(after) if after else None)
            out.append(Line(str(labels.get(key, key)), before, after))
        return out

    def _handler(self, old: Mapping[str, Any], new: Mapping[str, Any]) -> list[Line]:
        out = self._keyed({"name": _("bộ xử lý"), "result": _("lưu kết quả vào biến")},
                          {k: old.get(k) for k in ("name", "result")},
                          {k: new.get(k) for k in ("name", "result")})
        params = self._keyed({}, old.get("parameters"), new.get("parameters"))
        return out + [Line(_("tham số «%(name)s» của bộ xử lý", name=p.label), p.old, p.new)
                      for p in params]


def readable_changes(result: Mapping[str, Any], old: Mapping[str, Any],
                     new: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The diff's changes, each with ``element`` (name and kind) and ``lines`` in words.

    Args:
        result: ``engine.specs.diff.diff`` of the two versions.
        old, new: ``engine.specs.diff.elements`` of each version (to name other elements).
    """
    words = Words(old, new)
    out = []
    for change in result["changes"]:
        lines: list[Line] = []
        for f in change["fields"]:
            lines.extend(words.lines(f["field"], f["old"], f["new"]))
        out.append({**change, "element": words.element(change["id"]),
                    "type_label": type_label(change["type"]), "lines": lines})
    return out


def version_words(session: Any, key: str, *versions: int) -> Words:
    """A ``Words`` naming the elements of those versions of process ``key`` (a version
    gone is skipped: its elements are shown by id)."""
    from engine import drafts
    from engine.errors import NotFound
    from engine.specs.diff import elements

    found = []
    for number in versions:
        try:
            found.append(elements(drafts.version_row(session, key, number).bpmn_xml))
        except NotFound:
            continue
    return Words(*found)
