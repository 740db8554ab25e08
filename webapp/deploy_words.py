"""The words of the confirmation before a deploy (the editors' «Triển khai» dialog).

``deploy_summary`` turns ``engine.version_changes.deploy_preview`` into the texts the
dialog shows (translated here, so the bundle only places them): a title, sentences on the
version made and the instances that stay on theirs, the changes since the newest version
(at most ``MAX_CHANGES``) and the confirm button's label.
"""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from flask_babel import ngettext

from webapp.diagram_words import readable_changes

MAX_CHANGES = 8


def _change_line(change: dict[str, Any]) -> str:
    status = {"added": _("Thêm mới"), "removed": _("Bị xoá"),
              "changed": _("Thay đổi")}.get(change["status"], change["status"])
    details = "; ".join(
        f"{line.label}: {line.old or '—'} → {line.new or '—'}" for line in change["lines"])
    return f"{status} {change['element']}" + (f": {details}" if details else "")


def _running(preview: dict[str, Any]) -> str:
    running: dict[int, int] = preview["running"]
    total = sum(running.values())
    if not total:
        return _("Không có hồ sơ nào đang chạy trên các phiên bản cũ.")
    per_version = ", ".join(_("phiên bản %(v)s: %(n)s", v=v, n=n) for v, n in running.items())
    return ngettext("%(num)s hồ sơ đang chạy vẫn giữ phiên bản đã bắt đầu (%(detail)s); "
                    "muốn chuyển, dùng «Chuyển hồ sơ sang phiên bản khác».",
                    "%(num)s hồ sơ đang chạy vẫn giữ phiên bản đã bắt đầu (%(detail)s); "
                    "muốn chuyển, dùng «Chuyển hồ sơ sang phiên bản khác».",
                    total, detail=per_version)


def deploy_summary(preview: dict[str, Any]) -> dict[str, Any]:
    """``{"title", "sentences", "changes_title", "changes", "confirm"}`` for the dialog."""
    n, name = preview["next_version"], preview["name"] or preview["key"]
    if preview["identical_to"] is not None:
        return {"title": _("Sơ đồ không đổi"), "changes_title": "", "changes": [],
                "sentences": [_("Sơ đồ giống hệt phiên bản %(v)s đã có: triển khai sẽ không "
                                "tạo phiên bản mới, chỉ đóng bản nháp này.",
                                v=preview["identical_to"])],
                "confirm": _("Đóng bản nháp")}
    title = _("Triển khai phiên bản %(n)s?", n=n)
    confirm = _("Triển khai phiên bản %(n)s", n=n)
    if preview["kind"] == "dmn":
        return {"title": title, "changes_title": "", "changes": [], "confirm": confirm,
                "sentences": [
                    _("Bảng quyết định «%(name)s» sẽ có phiên bản %(n)s.", name=name, n=n),
                    _("Phiên bản này áp dụng ngay cho mọi lần xét điều kiện từ lúc triển "
                      "khai, kể cả các hồ sơ đang chạy; kết quả đã xét trước đó giữ nguyên.")]}
    sentences = [_("Quy trình «%(name)s» sẽ có phiên bản %(n)s; hồ sơ bắt đầu từ nay theo "
                   "phiên bản này.", name=name, n=n), _running(preview)]
    changes: list[str] = []
    changes_title = ""
    if preview["changes"] is not None:
        found = readable_changes(preview["changes"], preview["elements"]["old"],
                                 preview["elements"]["new"])
        changes = [_change_line(c) for c in found[:MAX_CHANGES]]
        if len(found) > MAX_CHANGES:
            changes.append(_("… và %(n)s thay đổi khác.", n=len(found) - MAX_CHANGES))
        changes_title = _("Thay đổi so với phiên bản %(v)s (%(n)s):",
                          v=preview["current_version"], n=len(found)) if found else \
            _("Không có thay đổi nào so với phiên bản %(v)s về các bước, luồng và thuộc tính.",
              v=preview["current_version"])
    return {"title": title, "sentences": sentences, "changes_title": changes_title,
            "changes": changes, "confirm": confirm}
