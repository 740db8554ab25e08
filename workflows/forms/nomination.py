"""Forms of the nomination procedures (đề nghị khen thưởng theo danh hiệu).

The forms check shapes; whether each subject exists and belongs to the unit,
and whether the title suits it, is checked against the database by the
``create_nominations`` handler.
"""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from workflows.forms.common import (
    COMMENT_HELP,
    DECISIONS,
    N_,
    PER_ROUND,
    comment_field,
    decision_field,
)

CHAIR_DECISIONS = {"approve": N_("Đồng ý, ký"), "return": N_("Trả lại để xem xét lại"),
                   "reject": N_("Không đồng ý")}
MAX_SUBJECTS = 200
VOTES_HELP = N_("Số phiếu ghi trong biên bản kiểm phiếu.")


def _votes(label: str) -> fields.Integer:
    return fields.Integer(required=True, strict=True, validate=validate.Range(min=0, max=500),
                          metadata={"label": label, "help": VOTES_HELP})


def _codes(label: str, help_text: str, **kwargs: Any) -> fields.List:
    return fields.List(fields.String(validate=validate.Length(min=1, max=64)),
                       metadata={"label": label, "help": help_text}, **kwargs)


YEAR_HELP = N_("Năm của thành tích được xét, ví dụ 2026 khi bình xét cuối năm 2026.")
MOVEMENT_HELP = N_("Phong trào thi đua gắn với đề nghị (trang «Phong trào thi đua»); để trống "
                   "nếu không gắn với phong trào nào.")


class NominationProposalForm(Schema):
    """A unit's proposal (tờ trình đề nghị) of one title for a list of subjects.

    The titles offered and accepted are the catalogue's active ones proposed yearly
    (option source ``award_annual``), so a title an admin adds or renames shows at once.
    """

    year = fields.Integer(required=True, strict=True, validate=validate.Range(min=2000, max=2100),
                          metadata={"label": N_("Năm xét khen thưởng"), "help": YEAR_HELP})
    award_code = fields.String(
        required=True, validate=validate.Length(min=1, max=32),
        metadata={"label": N_("Danh hiệu / hình thức khen thưởng"), "options": "award_annual",
                  "help": N_("Danh hiệu thi đua hoặc hình thức khen thưởng đề nghị, lấy từ danh "
                             "mục khen thưởng. Danh hiệu cá nhân chỉ xét cho cá nhân, danh hiệu "
                             "tập thể chỉ xét cho tập thể.")})
    subjects = _codes(N_("Cá nhân / tập thể được đề nghị"), N_(
        "Chọn những người, tập thể của đơn vị được đề nghị cùng danh hiệu này; mỗi người một "
        "lần. Báo cáo thành tích của từng người tải lên ở phần «Tệp hồ sơ»."), required=True,
        validate=validate.Length(min=1, max=MAX_SUBJECTS))
    summary = fields.String(load_default="", validate=validate.Length(max=4000),
                            metadata={"label": N_("Tóm tắt thành tích"),
                                      "help": N_("Tóm tắt thành tích chung của danh sách đề "
                                                 "nghị (không quá 4000 ký tự).")})
    movement_code = fields.String(load_default=None, allow_none=True,
                                  validate=validate.Length(min=1, max=64),
                                  metadata={"label": N_("Phong trào thi đua (nếu có)"),
                                            "help": MOVEMENT_HELP})


class AppraisalForm(Schema):
    """The secretariat's appraisal (thẩm định hồ sơ).

    ``approve`` says the dossier is complete: the procedure then re-checks the title's
    required items (``check_dossier`` with ``refuse``) and refuses the appraisal, naming
    the missing ones, while any is missing (the data's ``dossier_missing`` lists them).
    """

    decision = decision_field(N_("Kết quả thẩm định"), DECISIONS, N_(
        "«Đồng ý»: hồ sơ đủ thành phần, đúng quy định (hệ thống kiểm tra lại các thành phần "
        "bắt buộc của danh hiệu); «Trả lại bổ sung»: gửi về đơn vị, đơn vị bổ sung trong thời "
        "hạn quy định; «Không đồng ý»: kết thúc đề nghị."))
    comment = comment_field(N_("Ý kiến thẩm định"), N_(
        "Nhận xét về hồ sơ; khi trả lại, nêu rõ cần sửa gì. Đơn vị đề nghị xem được ý kiến "
        "này trong diễn biến hồ sơ."))
    supplement_items = fields.List(
        fields.String(validate=validate.Length(min=1, max=500)), load_default=list,
        validate=validate.Length(max=50),
        metadata={PER_ROUND: True, "label": N_("Nội dung cần bổ sung"),
                  "help": N_("Khi trả lại: mỗi dòng một việc đơn vị cần làm, ví dụ «Biên bản "
                             "họp bình xét có chữ ký». Cần ghi nội dung này hoặc ý kiến.")})

    @validates_schema
    def return_says_what(self, data: dict[str, Any], **_: Any) -> None:
        if data.get("decision") == "return" and not (data.get("comment") or "").strip() \
                and not data.get("supplement_items"):
            raise ValidationError("Khi trả lại hồ sơ, cần ghi rõ nội dung cần bổ sung.",
                                  "supplement_items")


class CandidateVotes(Schema):
    """One candidate's line of the tally minutes (biên bản kiểm phiếu)."""

    subject_code = fields.String(required=True, validate=validate.Length(min=1, max=64),
                                 metadata={"label": N_("Cá nhân / tập thể"),
                                           "help": N_("Đối tượng được Hội đồng xét.")})
    agree = _votes(N_("Số phiếu đồng ý"))
    disagree = _votes(N_("Số phiếu không đồng ý"))
    abstain = _votes(N_("Số phiếu không biểu quyết"))


def _count(label: str, help_text: str, minimum: int = 0, strict: bool = True) -> fields.Integer:
    return fields.Integer(load_default=None, allow_none=True, strict=strict,
                          validate=validate.Range(min=minimum, max=500 if strict else None),
                          metadata={"label": label, "help": help_text})


class CouncilResultForm(Schema):
    """The council's result (kết quả xét của Hội đồng TĐKT), entered by its secretary.

    The votes per candidate and the members present are recorded; which candidates pass
    is computed by ``record_council_result`` against the title's threshold, never typed.
    ``passed_subjects`` and the overall counts remain only for procedures that still take
    a result typed by hand (the thematic award); they cannot come with ``votes``.
    """

    votes = fields.List(fields.Nested(CandidateVotes), load_default=None, allow_none=True,
                        validate=validate.Length(max=MAX_SUBJECTS),
                        metadata={"label": N_("Số phiếu của từng đối tượng"),
                                  "help": N_("Một dòng cho mỗi đối tượng theo biên bản kiểm "
                                             "phiếu; hệ thống tự tính đối tượng đạt theo tỷ lệ "
                                             "phiếu của danh hiệu trong danh mục.")})
    members_total = _count(N_("Số thành viên Hội đồng"), N_(
        "Tổng số thành viên Hội đồng theo quyết định thành lập; bắt buộc khi ghi số phiếu."), 1)
    members_present = _count(N_("Số thành viên có mặt"), N_(
        "Số thành viên dự họp, dùng để tính túc số và tỷ lệ phiếu."))
    minutes_no = fields.String(load_default=None, allow_none=True,
                               validate=validate.Length(max=64),
                               metadata={"label": N_("Số biên bản họp Hội đồng"),
                                         "help": N_("Ví dụ 05/BB-HĐTĐKT.")})
    comment = comment_field(N_("Ý kiến của Hội đồng"), COMMENT_HELP)
    passed_subjects = _codes(N_("Đối tượng được Hội đồng thông qua (chỉ khi không ghi số phiếu "
                                "từng đối tượng)"),
                             N_("Chỉ dùng khi biên bản không ghi số phiếu từng đối tượng."),
                             load_default=list, validate=validate.Length(max=MAX_SUBJECTS))
    agree = _count(N_("Số phiếu đồng ý"), VOTES_HELP, strict=False)
    disagree = _count(N_("Số phiếu không đồng ý"), VOTES_HELP, strict=False)
    abstain = _count(N_("Số phiếu không biểu quyết"), VOTES_HELP, strict=False)

    @validates_schema
    def tally_is_complete(self, data: dict[str, Any], **_: Any) -> None:
        if data.get("votes") is None:
            return
        errors: dict[str, list[str]] = {}
        for name in ("members_total", "members_present"):
            if data.get(name) is None:
                errors[name] = ["Cần ghi khi nhập số phiếu của từng đối tượng."]
        if data.get("passed_subjects"):
            errors["passed_subjects"] = ["Danh sách được thông qua do hệ thống tính từ số "
                                         "phiếu; không nhập tay."]
        if errors:
            raise ValidationError(errors)


class Complaint(Schema):
    """A query or complaint received during the disclosure (kiến nghị, thắc mắc, khiếu nại)."""

    received_date = fields.Date(required=True, metadata={
        "label": N_("Ngày nhận"), "help": N_("Ngày nhận kiến nghị, dạng dd/mm/yyyy.")})
    summary = fields.String(required=True, validate=validate.Length(min=1, max=4000),
                            metadata={"label": N_("Nội dung kiến nghị"),
                                      "help": N_("Tóm tắt nội dung kiến nghị, thắc mắc hoặc "
                                                 "khiếu nại và người gửi.")})
    subject_code = fields.String(load_default=None, allow_none=True,
                                 validate=validate.Length(min=1, max=64),
                                 metadata={"label": N_("Đối tượng bị kiến nghị (nếu có)"),
                                           "help": N_("Để trống nếu kiến nghị không nhằm vào "
                                                      "một đối tượng trong danh sách.")})
    answer = fields.String(load_default="", validate=validate.Length(max=4000),
                           metadata={"label": N_("Nội dung trả lời"),
                                     "help": N_("Bắt buộc: mọi kiến nghị phải được trả lời "
                                                "trước khi kết thúc công khai.")})
    answered_date = fields.Date(load_default=None, allow_none=True, metadata={
        "label": N_("Ngày trả lời"),
        "help": N_("Dạng dd/mm/yyyy, không trước ngày nhận; trong thời hạn trả lời theo quy "
                   "định.")})
    upheld = fields.Boolean(load_default=False, metadata={
        "label": N_("Kiến nghị có cơ sở (đối tượng bị loại)"),
        "help": N_("Đánh dấu khi kiến nghị đúng: đối tượng bị kiến nghị được đưa ra khỏi danh "
                   "sách đề nghị.")})

    @validates_schema
    def answered(self, data: dict[str, Any], **_: Any) -> None:
        errors: dict[str, list[str]] = {}
        if not (data.get("answer") or "").strip():
            errors["answer"] = ["Kiến nghị phải được trả lời trước khi kết thúc công khai."]
        answered, received = data.get("answered_date"), data.get("received_date")
        if answered is None:
            errors["answered_date"] = ["Cần ngày trả lời kiến nghị."]
        elif received is not None and answered < received:
            errors["answered_date"] = ["Ngày trả lời không thể trước ngày nhận kiến nghị."]
        if data.get("upheld") and not data.get("subject_code"):
            errors["subject_code"] = ["Kiến nghị có cơ sở phải ghi rõ đối tượng bị kiến nghị."]
        if errors:
            raise ValidationError(errors)


class DisclosureResultForm(Schema):
    """The result of the disclosure window (công khai danh sách, ≥ 10 ngày làm việc).

    Every query or complaint received in the window is recorded with its answer; one
    upheld against a candidate takes that candidate off the list (``record_complaints``).
    """

    complaints = fields.List(
        fields.Nested(Complaint), load_default=list, validate=validate.Length(max=500),
        metadata={"label": N_("Kiến nghị, thắc mắc, khiếu nại đã nhận và trả lời"),
                  "help": N_("Ghi từng kiến nghị nhận được trong thời gian công khai (tối "
                             "thiểu 10 ngày làm việc, theo danh mục) cùng nội dung trả lời; để "
                             "trống nếu không có kiến nghị nào.")})
    comment = comment_field(N_("Ghi chú"), N_(
        "Ví dụ: nơi niêm yết, đăng tải danh sách và thời gian công khai."))


class ChairDecisionForm(Schema):
    """The Chief of Office's decision (Chánh Văn phòng): sign, send back or refuse."""

    decision = decision_field(N_("Quyết định của Chánh Văn phòng"), CHAIR_DECISIONS, N_(
        "«Đồng ý, ký»: ban hành quyết định khen thưởng (hoặc ký tờ trình gửi UBND tỉnh); "
        "«Trả lại để xem xét lại»: chuyển về Phòng TCHCQT; «Không đồng ý»: kết thúc đề nghị."))
    comment = comment_field()


FORMS = {
    "nomination_proposal": NominationProposalForm,
    "appraisal": AppraisalForm,
    "council_result": CouncilResultForm,
    "disclosure_result": DisclosureResultForm,
    "chair_decision": ChairDecisionForm,
}
