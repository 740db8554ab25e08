"""Labels of statuses, one map per kind, shared by the pages (Vietnamese, lazily translated).

``INSTANCE_STATUS_LABELS`` gives each instance status its label and Bootstrap tone, the
same on /nominations and on the instance page. ``NOMINATION_STATUS_LABELS`` names the
states of one nomination (``workflows.nominations.STATUSES``) as offices name them
(DOMAIN.md, «Dossier states»).
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

INSTANCE_STATUS_LABELS = {
    "running": (_l("Đang xử lý"), "primary"),
    "completed": (_l("Đã kết thúc"), "success"),
    "cancelled": (_l("Đã hủy"), "secondary"),
    "error": (_l("Lỗi"), "danger"),
}

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
