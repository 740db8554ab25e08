"""Admin pages for people and data (quản trị): users, units, award catalogue, settings.

Only the ``admin`` role may open them (others get 403, visitors go to the login page).
Each route parses the form with a marshmallow schema, calls one service in ``engine/`` or
``workflows/`` and renders; a refused change shows its errors beside the fields with the
input kept, and nothing is written. The landing page ``/admin`` links every admin page,
including those other modules own (by plain URL, they may not be registered).
"""

from __future__ import annotations

from flask import Blueprint, render_template
from flask_babel import lazy_gettext as _l

from webapp.admin.common import admin_required

bp = Blueprint("admin", __name__, url_prefix="/admin")

# (url, title, description) of every admin page; other modules own the last four.
PAGES = (
    ("/admin/users", _l("Người dùng"),
     _l("Tài khoản, vai trò, đơn vị; khóa, mở khóa, đặt lại mật khẩu.")),
    ("/admin/units", _l("Đơn vị"), _l("Cây đơn vị: thêm, đổi tên, chuyển, ngừng hoạt động.")),
    ("/admin/catalogue", _l("Danh mục khen thưởng"),
     _l("Danh hiệu, hình thức: tỷ lệ biểu quyết, hệ số tiền thưởng, điều kiện, căn cứ.")),
    ("/admin/settings", _l("Cấu hình"),
     _l("Lương cơ sở, thời hạn (ngày làm việc), túc số Hội đồng, thư điện tử.")),
    ("/admin/mail", _l("Hộp thư đi"),
     _l("Thư thông báo đang chờ, đã gửi, bị lỗi; gửi lại thư lỗi.")),
    ("/admin/processes", _l("Quy trình"), _l("Sơ đồ BPMN/DMN, phiên bản, triển khai.")),
    ("/admin/migrations", _l("Chuyển phiên bản hồ sơ"),
     _l("Chuyển các hồ sơ đang xử lý sang phiên bản quy trình mới.")),
    ("/admin/templates", _l("Mẫu văn bản"), _l("Mẫu quyết định, tờ trình, giấy khen.")),
    ("/council/members", _l("Hội đồng Thi đua - Khen thưởng"), _l("Thành viên Hội đồng.")),
)


@bp.get("")
@admin_required
def index() -> str:
    return render_template("admin/index.html", pages=PAGES)


from webapp.admin import catalogue, mail, settings, units, users  # noqa: E402,F401  (routes)
