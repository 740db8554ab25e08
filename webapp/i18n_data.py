"""Labels that pages translate at run time, listed here so ``pybabel extract`` sees them.

Templates and pages call ``_()`` on values taken from dicts (``{{ _(label) }}``), e.g. the
council positions or the movement kinds. pybabel only extracts string literals, so each such
value is repeated below inside ``N_()``, a no-op marker that ``babel.cfg`` and ``make
translations`` register as an extraction keyword (``-k N_``). Catalogues of run-time texts
kept beside their code (``webapp/problem_words.py``) import ``N_`` from here.
``tests/webapp/test_pages_english.py`` checks that every label of the listed dicts appears
here, so a new label without an English translation fails the tests.
"""

from __future__ import annotations


def N_(message: str) -> str:  # noqa: N802 - the gettext convention for "mark, do not translate"
    """Mark ``message`` for extraction and return it unchanged."""
    return message


# workflows.catalogue_admin.LEVELS, VOTE_BASES (/admin/catalogue)
CATALOGUE = (
    N_("Văn phòng"), N_("Cấp tỉnh"), N_("Cấp nhà nước"),
    N_("Tổng số thành viên Hội đồng"), N_("Số thành viên có mặt"),
)

# workflows.settings_admin.GROUPS, SETTINGS[*].label and .unit, TLS_MODES (/admin/settings)
SETTINGS = (
    N_("Tiền thưởng"), N_("Thời hạn"), N_("Hội đồng và quyết định"), N_("Thư điện tử (SMTP)"),
    N_("Mức lương cơ sở"), N_("Thời hạn thẩm định hồ sơ"),
    N_("Thời hạn bổ sung hồ sơ bị trả lại"), N_("Thời gian công khai tối thiểu"),
    N_("Thời hạn trả lời kiến nghị, khiếu nại"), N_("Thời hạn theo dõi kết quả của tỉnh"),
    N_("Hạn đăng ký thi đua hằng năm"), N_("Hạn gửi báo cáo thống kê"),
    N_("Túc số Hội đồng (trên tỷ lệ thành viên)"), N_("Ký hiệu số quyết định khen thưởng"),
    N_("Máy chủ SMTP"), N_("Cổng SMTP"), N_("Tài khoản SMTP"), N_("Mật khẩu SMTP"),
    N_("Địa chỉ gửi thư"), N_("Mã hóa kết nối"),
    N_("đồng/tháng"), N_("ngày làm việc"), N_("tháng-ngày, ví dụ 03-31"),
    N_("tháng-ngày, ví dụ 12-15"), N_("Không mã hóa"),
    N_("Tiêu đề văn bản ban hành"), N_("Cơ quan chủ quản (dòng trên của tiêu đề)"),
    N_("Cơ quan ban hành (viết tắt trên tiêu đề)"), N_("Tên đầy đủ cơ quan ban hành"),
    N_("Địa danh ghi ngày tháng"), N_("Chức vụ người ký"), N_("Họ tên người ký"),
    N_("Đơn vị trình (ghi trong quyết định)"), N_("Tên Hội đồng Thi đua - Khen thưởng"),
    N_("Nhắc hạn và báo quá hạn"), N_("Nhắc trước hạn xử lý"),
    N_("ngày làm việc; 0: không nhắc"), N_("Bước của đơn vị quá hạn: báo cho"),
    N_("Bước của Phòng TCHCQT quá hạn: báo cho"), N_("Bước của Hội đồng quá hạn: báo cho"),
    N_("Bước của Chánh Văn phòng quá hạn: báo cho"),
)

# webapp.admin.users.STATUSES (/admin/users)
USER_STATUSES = (N_("Đang hoạt động"), N_("Đã khóa"))

# workflows.movements.KINDS, LAUNCH_LEVELS, SCOPES; webapp.movements_pages.STATUS_LABELS
MOVEMENTS = (
    N_("Thường xuyên (hằng năm)"), N_("Chuyên đề"),
    N_("Văn phòng UBND tỉnh"), N_("UBND tỉnh"), N_("Trung ương"),
    N_("Trong Văn phòng"), N_("Địa phương"), N_("Khối thi đua"), N_("Toàn quốc"),
    N_("Sắp diễn ra"), N_("Đang diễn ra"), N_("Đã kết thúc"),
)

# webapp.registry_pages.KINDS (/registry); workflows.history.RATING_NAMES, LEVEL_NAMES,
# DISCIPLINE_NAMES (a subject's history, /registry/subjects/<code>)
REGISTRY = (
    N_("Hằng năm"), N_("Chuyên đề"), N_("Đột xuất"),
    N_("Hoàn thành xuất sắc nhiệm vụ"), N_("Hoàn thành tốt nhiệm vụ"),
    N_("Hoàn thành nhiệm vụ"), N_("Không hoàn thành nhiệm vụ"),
    N_("cơ sở"), N_("cấp tỉnh"), N_("toàn quốc"),
    N_("khiển trách"), N_("cảnh cáo"), N_("hạ bậc lương"), N_("cách chức"),
    N_("buộc thôi việc"),
)

# workflows.council.views.STATUS_LABEL, MODE_LABEL, REASON_LABEL;
# workflows.council.members.POSITION_LABEL; webapp.council_pages.MODES;
# webapp.council_meeting_pages.CHOICE_LABEL (/council)
COUNCIL = (
    N_("Đang chuẩn bị"), N_("Đang họp"), N_("Đang bỏ phiếu"), N_("Đã kết thúc"), N_("Đã hủy"),
    N_("Bỏ phiếu điện tử"), N_("Phiếu giấy"), N_("Phiếu giấy (Thư ký nhập kết quả)"),
    N_("Là đối tượng được xét"), N_("Là thủ trưởng đơn vị của đối tượng"),
    N_("Tự khai có xung đột lợi ích"),
    N_("Chủ tịch Hội đồng"), N_("Phó Chủ tịch Hội đồng"), N_("Thư ký Hội đồng"), N_("Ủy viên"),
    N_("Đồng ý"), N_("Không đồng ý"), N_("Không biểu quyết"),
)

# The names of the procedures in bpmn/ (bpmn:process/@name): the task and instance pages
PROCESSES = (
    N_("Khen thưởng danh hiệu thi đua hằng năm"), N_("Khen thưởng chuyên đề"),
    N_("Khen thưởng đột xuất (thủ tục đơn giản)"),
    N_("Trình UBND tỉnh khen thưởng (qua Sở Nội vụ)"),
    N_("Hủy bỏ quyết định khen thưởng"), N_("Đăng ký thi đua"),
    N_("Hội đồng Thi đua - Khen thưởng xét, bỏ phiếu"),
)

# The steps of the procedures in bpmn/ (userTask and callActivity names): the task page's
# title, the stages, the waiting steps and the timeline of the instance page
STEPS = (
    N_("Lập hồ sơ, tờ trình đề nghị khen thưởng"), N_("Tiếp nhận, thẩm định hồ sơ"),
    N_("Bổ sung hồ sơ"), N_("Hội đồng xét, bỏ phiếu (phiên họp Hội đồng)"),
    N_("Công khai danh sách, tiếp nhận kiến nghị"), N_("Xem xét, ký quyết định khen thưởng"),
    N_("Trình UBND tỉnh khen thưởng"), N_("Lập tờ trình đề nghị khen thưởng chuyên đề"),
    N_("Lập tờ trình đề nghị khen thưởng đột xuất"), N_("Thẩm định hồ sơ"),
    N_("Xem xét, quyết định khen thưởng"), N_("Ký tờ trình đề nghị UBND tỉnh khen thưởng"),
    N_("Hoàn thiện hồ sơ, tờ trình"), N_("Gửi hồ sơ đến Sở Nội vụ"),
    N_("Ghi nhận kết quả của UBND tỉnh"), N_("Lập hồ sơ đề nghị hủy bỏ khen thưởng"),
    N_("Hội đồng xem xét, kiến nghị"), N_("Quyết định hủy bỏ khen thưởng"),
    N_("Trình UBND tỉnh hủy bỏ khen thưởng"), N_("Đăng ký thi đua"),
    N_("Xem xét bản đăng ký"), N_("Chỉnh sửa bản đăng ký"),
)

# workflows.dossier.ITEMS and GENERATED_ITEMS: the dossier's items (task and instance pages)
DOSSIER_ITEMS = (
    N_("Tờ trình đề nghị khen thưởng"), N_("Danh sách đề nghị khen thưởng"),
    N_("Báo cáo thành tích"), N_("Biên bản họp bình xét"),
    N_("Biên bản họp Hội đồng Thi đua - Khen thưởng"), N_("Quyết định công nhận sáng kiến"),
    N_("Tóm tắt thành tích"), N_("Tài liệu khác"), N_("Quyết định khen thưởng"),
    N_("Tờ trình đề nghị UBND tỉnh khen thưởng"), N_("Giấy khen"), N_("Biên bản kiểm phiếu"),
)

# workflows.catalogue_admin.PROCEDURE_KINDS (/admin/catalogue)
PROCEDURE_KINDS = (N_("Hằng năm"), N_("Chuyên đề"), N_("Đột xuất"))

# workflows.nomination_start.SUBJECT_KINDS (/nominations/new)
START = (N_("Cá nhân"), N_("Tập thể"))

# workflows.outcome.OUTCOME_LABELS: a dossier's outcome (/nominations, instance page, bell)
OUTCOMES = (N_("Được khen thưởng"), N_("Được khen thưởng một phần"),
            N_("Không được khen thưởng"))

# engine.notify.TITLES: the notifications' titles, said again in the reader's language
NOTIFICATIONS = (
    N_("Công việc mới: {step}"), N_("Hồ sơ bị trả lại: {step}"),
    N_("Hồ sơ đã kết thúc: {step}"), N_("Sắp đến hạn xử lý: {step}"),
    N_("Quá hạn xử lý: {step}"), N_("Bước quá hạn cần đôn đốc: {step}"),
    N_("Mời họp Hội đồng Thi đua - Khen thưởng: {step}"),  # workflows.council.invitations
    N_("Thay đổi lịch họp Hội đồng Thi đua - Khen thưởng: {step}"),
    N_("Hủy họp Hội đồng Thi đua - Khen thưởng: {step}"),
)

# workflows.handlers.*.HANDLERS descriptions and documents.WRAPPED notes (the modeler's
# handler list, webapp/modeler_words.py)
HANDLERS = (
    N_("Trả lại các tham số đã nhận (dùng để gán giá trị trong sơ đồ)."),
    N_("Lập / cập nhật danh sách đề nghị khen thưởng của hồ sơ."),
    N_("Ghi trạng thái các đề nghị khen thưởng của hồ sơ."),
    N_("Ghi kết quả xét của Hội đồng Thi đua - Khen thưởng (tính kết quả từ số phiếu theo "
       "ngưỡng của danh hiệu)."),
    N_("Ghi kiến nghị, khiếu nại khi công khai; loại đối tượng có kiến nghị đúng."),
    N_("Kiểm tra thành phần hồ sơ theo danh hiệu."),
    N_("Kiểm tra điều kiện khen thưởng của mọi đề nghị trong hồ sơ (hoặc của danh sách "
       "«subjects» với «award_code», «year»), ghi kết quả vào từng đề nghị."),
    N_("Cấp số quyết định khen thưởng từ sổ quyết định."),
    N_("Ghi các đề nghị được chấp thuận vào sổ khen thưởng (kèm tiền thưởng)."),
    N_("Tính tiền thưởng của các đề nghị trong hồ sơ."),
    N_("Kiểm tra phong trào thi đua chuyên đề và hình thức khen thưởng phong trào cho phép "
       "(Giấy khen; Bằng khen của tỉnh khi phong trào do tỉnh, trung ương phát động)."),
    N_("Kiểm tra cá nhân / tập thể được đề nghị khen thưởng đột xuất (mã, loại đối tượng)."),
    N_("Ghi nhận (cập nhật) danh sách đăng ký thi đua của đơn vị cho năm đăng ký; cảnh báo "
       "khi đăng ký sau hạn."),
    N_("Ghi kết quả xem xét các đăng ký thi đua của hồ sơ: chấp nhận hoặc không chấp nhận."),
    N_("Kiểm tra khen thưởng có trong sổ khen thưởng và chưa bị hủy bỏ."),
    N_("Ghi nhận hủy bỏ khen thưởng theo quyết định hủy bỏ (của Văn phòng hoặc của UBND "
       "tỉnh), giữ nguyên lịch sử, ghi số tiền thưởng phải thu hồi."),
    N_("Cấp số tờ trình đề nghị UBND tỉnh khen thưởng từ sổ tờ trình."),
    N_("Ghi kết quả xét khen thưởng của UBND tỉnh vào các đề nghị."),
    N_("Trình Hội đồng TĐKT: đưa các đối tượng của hồ sơ vào danh sách chờ phiên họp."),
    N_("Ghi kết quả phiên họp Hội đồng (đã kiểm phiếu theo ngưỡng của danh hiệu) vào các "
       "đề nghị."),
    N_("Dựng quyết định (DOCX, PDF) và Giấy khen."), N_("Dựng tờ trình (DOCX, PDF)."),
)

# workflows.eligibility_catalogue.KEYS labels and QUOTA_SCOPES (/admin/catalogue/<code>)
ELIGIBILITY_RULES = (
    N_("mức xếp loại tối thiểu"), N_("mức xếp loại của các năm liên tục"),
    N_("hình thức kỷ luật cao nhất còn được xét"), N_("danh hiệu cần có cùng năm"),
    N_("danh hiệu tính tỷ lệ thành viên"), N_("danh hiệu cần có thành viên đạt"),
    N_("danh hiệu, hình thức tiền đề"), N_("danh hiệu cần đạt trong thời gian xét (cá nhân)"),
    N_("danh hiệu cần đạt trong thời gian xét (tập thể)"), N_("số năm liên tục"),
    N_("số lần liên tục"), N_("số năm mỗi lần"),
    N_("số lần đạt danh hiệu trong thời gian xét (cá nhân)"),
    N_("số lần đạt danh hiệu trong thời gian xét (tập thể)"), N_("số năm tính sáng kiến"),
    N_("cấp sáng kiến được tính"), N_("tỷ lệ thành viên đạt danh hiệu tối thiểu"),
    N_("tỷ lệ tối đa so với số Lao động tiên tiến"), N_("phạm vi tính tỷ lệ"),
    N_("yêu cầu mọi thành viên hoàn thành nhiệm vụ"), N_("bắt buộc đăng ký thi đua"),
    N_("toàn Văn phòng"), N_("đơn vị của người được xét"),
)

MESSAGES: frozenset[str] = frozenset(
    CATALOGUE + SETTINGS + USER_STATUSES + MOVEMENTS + REGISTRY + COUNCIL + PROCESSES + STEPS
    + DOSSIER_ITEMS + PROCEDURE_KINDS + START + OUTCOMES + NOTIFICATIONS + HANDLERS
    + ELIGIBILITY_RULES)
