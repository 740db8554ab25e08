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
    """The secretariat's appraisal (thẩm định hồ sơ)."""

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


class CouncilResultForm(Schema):
    """The council's result (kết quả xét của Hội đồng TĐKT), entered by its secretary."""

    passed_subjects = _codes("Đối tượng được Hội đồng thông qua (mã)", load_default=list,
                             validate=validate.Length(max=MAX_SUBJECTS))
    agree = fields.Integer(load_default=None, allow_none=True, validate=validate.Range(min=0),
                           metadata={"label": "Số phiếu đồng ý"})
    disagree = fields.Integer(load_default=None, allow_none=True, validate=validate.Range(min=0),
                              metadata={"label": "Số phiếu không đồng ý"})
    abstain = fields.Integer(load_default=None, allow_none=True, validate=validate.Range(min=0),
                             metadata={"label": "Số phiếu không biểu quyết"})
    minutes_no = fields.String(load_default=None, allow_none=True,
                               validate=validate.Length(max=64),
                               metadata={"label": "Số biên bản họp Hội đồng"})
    comment = _comment("Ý kiến của Hội đồng")


class DisclosureResultForm(Schema):
    """The result of the disclosure window (công khai danh sách, ≥ 10 ngày làm việc)."""

    complaints_received = fields.Integer(
        required=True, strict=True, validate=validate.Range(min=0),
        metadata={"label": "Số kiến nghị, thắc mắc, khiếu nại nhận được"})
    complaints_resolved = fields.Boolean(load_default=False,
                                         metadata={"label": "Đã trả lời, giải quyết xong"})
    comment = _comment("Ghi chú")

    @validates_schema
    def resolved_before_decision(self, data: dict[str, Any], **_: Any) -> None:
        if data.get("complaints_received", 0) > 0 and not data.get("complaints_resolved"):
            raise ValidationError("Các kiến nghị, khiếu nại phải được trả lời xong trước khi "
                                  "trình quyết định.", "complaints_resolved")


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
