"""Why an instance cannot move to another version, in the page's language (lý do từ chối).

The engine (``engine/migration/``) says each refusal in Vietnamese (``message``) with a
stable ``code`` and the values in it (``params``; ``reason`` where one code has several
messages). :mod:`webapp.problem_words` renders these templates on pages in another language,
as it does the validation problems. Each template is the engine's message with its values
as ``%(name)s``, marked with ``N_`` so ``pybabel extract`` finds it;
``tests/webapp/test_migration_words.py`` checks that every code the engine emits has one.
"""

from __future__ import annotations

from webapp.i18n_data import N_

# code, or "code/reason" -> template (Vietnamese msgid, English in messages.po).
REASON_TEMPLATES: dict[str, str] = {
    # engine/migration/plan.py
    "migration.instance_error": N_("Hồ sơ đang lỗi; cần xử lý lỗi (retry) trước khi di "
                                   "chuyển."),
    "migration.instance_completed": N_("Hồ sơ đã kết thúc."),
    "migration.instance_cancelled": N_("Hồ sơ đã kết thúc."),
    "migration.current_step_removed": N_("Bước đang xử lý %(step)s không còn trong phiên bản "
                                         "đích."),
    "migration.current_step_removed/subprocess": N_(
        "Bước đang xử lý %(step)s trong quy trình con «%(subprocess)s» không còn trong "
        "phiên bản đích."),
    "migration.completed_step_removed": N_("Bước đã làm %(step)s bị xoá khỏi phiên bản đích "
                                           "(đường đi đã qua không còn hợp lệ)."),
    "migration.completed_step_removed/subprocess": N_(
        "Bước đã làm %(step)s trong quy trình con «%(subprocess)s» bị xoá khỏi phiên bản "
        "đích (đường đi đã qua không còn hợp lệ)."),
    "migration.boundary_changed/current": N_(
        "Sự kiện gắn trên bước đang xử lý %(step)s khác ở phiên bản đích (%(before)s → "
        "%(after)s); hồ sơ di chuyển được sau khi qua bước này."),
    "migration.boundary_changed/current_subprocess": N_(
        "Sự kiện gắn trên bước đang xử lý %(step)s trong quy trình con «%(subprocess)s» "
        "khác ở phiên bản đích (%(before)s → %(after)s); hồ sơ di chuyển được sau khi qua "
        "bước này."),
    "migration.boundary_changed/done": N_(
        "Sự kiện gắn trên bước đã làm %(step)s khác ở phiên bản đích (%(before)s → "
        "%(after)s); đường đi đã qua không còn hợp lệ."),
    "migration.boundary_changed/done_subprocess": N_(
        "Sự kiện gắn trên bước đã làm %(step)s trong quy trình con «%(subprocess)s» khác ở "
        "phiên bản đích (%(before)s → %(after)s); đường đi đã qua không còn hợp lệ."),
    "migration.subprocess_changed": N_("Quy trình con «%(subprocess)s» đang chạy không còn "
                                       "được gọi từ cùng bước trong phiên bản đích."),
    "migration.move_failed": N_("Không đặt được hồ sơ lên phiên bản đích: %(detail)s"),
    "migration.structure_changed": N_("Không đặt được bước %(step)s lên phiên bản đích (cấu "
                                      "trúc sau bước đang chạy đã đổi)."),
    "migration.restore_failed": N_("Không khôi phục được hồ sơ trên phiên bản đích: "
                                   "%(detail)s"),
    # engine/migration/paths.py
    "migration.completed_path_removed": N_("Đường đi đã qua %(source)s → %(target)s (luồng "
                                           "%(flow)s) không còn trong phiên bản đích."),
    # engine/migration/apply.py
    "migration.engine_step_failed": N_("Bước tự động trên phiên bản đích gặp lỗi: "
                                       "%(detail)s"),
    "migration.version_changed": N_("Hồ sơ không còn ở phiên bản %(expected)s (đang ở phiên "
                                    "bản %(actual)s)."),
    # engine/migration/batches.py
    "migration.conflict": N_("Hồ sơ vừa được người khác cập nhật trong lúc di chuyển (đã thử "
                             "%(attempts)s lần); chạy lại sau."),
    "migration.failed": N_("Lỗi không mong đợi khi di chuyển: %(detail)s"),
}


# Errors of the migration commands (``EngineError.code``; values in ``details``), by code.
ERROR_TEMPLATES: dict[str, str] = {
    # engine/migration/back.py
    "migration.no_previous": N_("Hồ sơ chưa từng được chuyển phiên bản nên không có phiên "
                                "bản cũ để quay về."),
    "migration.not_last_move": N_("Hồ sơ đã được di chuyển lần khác sau đó (đợt "
                                  "#%(job_id)s); chỉ hoàn tác được lần di chuyển gần nhất."),
    "migration.version_changed": N_("Hồ sơ không còn ở phiên bản mà đợt #%(job_id)s đã chuyển "
                                    "tới (đang ở phiên bản %(version)s); không quay về được."),
    "migration.refused": N_("Không chuyển hồ sơ về phiên bản cũ được: %(reasons)s"),
    "migration.item_not_found": N_("Đợt di chuyển này không có hồ sơ đã chuyển như vậy."),
    # engine/migration/jobs.py
    "migration.same_version": N_("Phiên bản đích phải khác phiên bản nguồn."),
    "migration.no_instances": N_("Không có hồ sơ đang chạy nào khớp bộ lọc."),
    "migration.not_found": N_("Không có đợt di chuyển này."),
    "migration.rollback_of_rollback": N_("Đây là đợt hoàn tác; hãy tạo đợt di chuyển mới."),
    "migration.not_done": N_("Chỉ hoàn tác được đợt di chuyển đã xong."),
    "migration.already_rolled_back": N_("Đợt di chuyển này đã được hoàn tác."),
    "migration.nothing_to_roll_back": N_("Đợt này không di chuyển hồ sơ nào nên không có gì "
                                         "để hoàn tác."),
}
