"""Forms of the nomination procedures (đề nghị khen thưởng theo danh hiệu).

The forms check shapes; whether each subject exists and belongs to the unit,
and whether the title suits it, is checked against the database by the
``create_nominations`` handler.
"""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

# The catalogue's codes and titles (migration w0002); the handler checks the live catalogue.
AWARD_CHOICES = {
    "LDTT": "Lao động tiên tiến",
    "CSTD_CS": "Chiến sĩ thi đua cơ sở",
    "CSTD_TINH": "Chiến sĩ thi đua cấp tỉnh",
    "CSTD_TQ": "Chiến sĩ thi đua toàn quốc",
    "TTLDTT": "Tập thể lao động tiên tiến",
    "TTLDXS": "Tập thể lao động xuất sắc",
    "GK": "Giấy khen của Chánh Văn phòng",
    "BK_TINH": "Bằng khen của Chủ tịch UBND tỉnh",
    "BK_TTG": "Bằng khen của Thủ tướng Chính phủ",
    "CO_TINH": "Cờ thi đua của UBND tỉnh",
}
DECISIONS = {"approve": "Đồng ý", "return": "Trả lại bổ sung", "reject": "Không đồng ý"}
CHAIR_DECISIONS = {"approve": "Đồng ý, ký", "return": "Trả lại để xem xét lại",
                   "reject": "Không đồng ý"}
MAX_SUBJECTS = 200


def _comment(label: str = "Ý kiến") -> fields.String:
    return fields.String(load_default="", validate=validate.Length(max=4000),
                         metadata={"label": label})


def _decision(label: str, choices: dict[str, str] = DECISIONS) -> fields.String:
    return fields.String(required=True, validate=validate.OneOf(list(choices)),
                         metadata={"label": label, "choices": choices})


def _votes(label: str) -> fields.Integer:
    return fields.Integer(required=True, strict=True, validate=validate.Range(min=0, max=500),
                          metadata={"label": label})


def _codes(label: str, **kwargs: Any) -> fields.List:
    return fields.List(fields.String(validate=validate.Length(min=1, max=64)),
                       metadata={"label": label}, **kwargs)


class NominationProposalForm(Schema):
    """A unit's proposal (tờ trình đề nghị) of one title for a list of subjects."""

    year = fields.Integer(required=True, strict=True, validate=validate.Range(min=2000, max=2100),
                          metadata={"label": "Năm xét khen thưởng"})
    award_code = fields.String(required=True, validate=validate.OneOf(list(AWARD_CHOICES)),
                               metadata={"label": "Danh hiệu / hình thức khen thưởng",
                                         "choices": AWARD_CHOICES})
    subjects = _codes("Cá nhân / tập thể được đề nghị (mã)", required=True,
                      validate=validate.Length(min=1, max=MAX_SUBJECTS))
    summary = fields.String(load_default="", validate=validate.Length(max=4000),
                            metadata={"label": "Tóm tắt thành tích"})
    movement_code = fields.String(load_default=None, allow_none=True,
                                  validate=validate.Length(min=1, max=64),
                                  metadata={"label": "Phong trào thi đua (nếu có)"})


class AppraisalForm(Schema):
    """The secretariat's appraisal (thẩm định hồ sơ).

    ``approve`` says the dossier is complete: the procedure then re-checks the title's
    required items (``check_dossier`` with ``refuse``) and refuses the appraisal, naming
    the missing ones, while any is missing (the data's ``dossier_missing`` lists them).
    """

    decision = _decision("Kết quả thẩm định")
    comment = _comment("Ý kiến thẩm định")
    supplement_items = fields.List(fields.String(validate=validate.Length(min=1, max=500)),
                                   load_default=list, validate=validate.Length(max=50),
                                   metadata={"label": "Nội dung cần bổ sung"})

    @validates_schema
    def return_says_what(self, data: dict[str, Any], **_: Any) -> None:
        if data.get("decision") == "return" and not (data.get("comment") or "").strip() \
                and not data.get("supplement_items"):
            raise ValidationError("Khi trả lại hồ sơ, cần ghi rõ nội dung cần bổ sung.",
                                  "supplement_items")


class CandidateVotes(Schema):
    """One candidate's line of the tally minutes (biên bản kiểm phiếu)."""

    subject_code = fields.String(required=True, validate=validate.Length(min=1, max=64),
                                 metadata={"label": "Mã cá nhân / tập thể"})
    agree = _votes("Số phiếu đồng ý")
    disagree = _votes("Số phiếu không đồng ý")
    abstain = _votes("Số phiếu không biểu quyết")


class CouncilResultForm(Schema):
    """The council's result (kết quả xét của Hội đồng TĐKT), entered by its secretary.

    The votes per candidate and the members present are recorded; which candidates pass
    is computed by ``record_council_result`` against the title's threshold, never typed.
    ``passed_subjects`` and the overall counts remain only for procedures that still take
    a result typed by hand (the thematic award); they cannot come with ``votes``.
    """

    votes = fields.List(fields.Nested(CandidateVotes), load_default=None, allow_none=True,
                        validate=validate.Length(max=MAX_SUBJECTS),
                        metadata={"label": "Số phiếu của từng đối tượng"})
    members_total = fields.Integer(load_default=None, allow_none=True, strict=True,
                                   validate=validate.Range(min=1, max=500),
                                   metadata={"label": "Số thành viên Hội đồng"})
    members_present = fields.Integer(load_default=None, allow_none=True, strict=True,
                                     validate=validate.Range(min=0, max=500),
                                     metadata={"label": "Số thành viên có mặt"})
    minutes_no = fields.String(load_default=None, allow_none=True,
                               validate=validate.Length(max=64),
                               metadata={"label": "Số biên bản họp Hội đồng"})
    comment = _comment("Ý kiến của Hội đồng")
    passed_subjects = _codes("Đối tượng được Hội đồng thông qua (mã; chỉ khi không ghi số "
                             "phiếu từng đối tượng)", load_default=list,
                             validate=validate.Length(max=MAX_SUBJECTS))
    agree = fields.Integer(load_default=None, allow_none=True, validate=validate.Range(min=0),
                           metadata={"label": "Số phiếu đồng ý"})
    disagree = fields.Integer(load_default=None, allow_none=True, validate=validate.Range(min=0),
                              metadata={"label": "Số phiếu không đồng ý"})
    abstain = fields.Integer(load_default=None, allow_none=True, validate=validate.Range(min=0),
                             metadata={"label": "Số phiếu không biểu quyết"})

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

    received_date = fields.Date(required=True, metadata={"label": "Ngày nhận"})
    summary = fields.String(required=True, validate=validate.Length(min=1, max=4000),
                            metadata={"label": "Nội dung kiến nghị"})
    subject_code = fields.String(load_default=None, allow_none=True,
                                 validate=validate.Length(min=1, max=64),
                                 metadata={"label": "Đối tượng bị kiến nghị (mã, nếu có)"})
    answer = fields.String(load_default="", validate=validate.Length(max=4000),
                           metadata={"label": "Nội dung trả lời"})
    answered_date = fields.Date(load_default=None, allow_none=True,
                                metadata={"label": "Ngày trả lời"})
    upheld = fields.Boolean(load_default=False,
                            metadata={"label": "Kiến nghị có cơ sở (đối tượng bị loại)"})

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

    complaints = fields.List(fields.Nested(Complaint), load_default=list,
                             validate=validate.Length(max=500),
                             metadata={"label": "Kiến nghị, thắc mắc, khiếu nại đã nhận và trả "
                                                "lời"})
    comment = _comment("Ghi chú")


class ChairDecisionForm(Schema):
    """The Chief of Office's decision (Chánh Văn phòng): sign, send back or refuse."""

    decision = _decision("Quyết định của Chánh Văn phòng", CHAIR_DECISIONS)
    comment = _comment()


FORMS = {
    "nomination_proposal": NominationProposalForm,
    "appraisal": AppraisalForm,
    "council_result": CouncilResultForm,
    "disclosure_result": DisclosureResultForm,
    "chair_decision": ChairDecisionForm,
}
