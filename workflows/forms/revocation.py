"""Forms of the revocation of an award (hủy bỏ quyết định khen thưởng, Luật Điều 93)."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from workflows.forms.common import N_, comment_field, one_of

RECOMMENDATIONS = {"revoke": N_("Đề nghị hủy bỏ khen thưởng"),
                   "keep": N_("Giữ nguyên khen thưởng")}


class RevocationRequestForm(Schema):
    """The secretariat opens a case: which award, why, on what evidence."""

    award_id = fields.Integer(required=True, strict=True, validate=validate.Range(min=1),
                              metadata={"label": N_("Số hiệu khen thưởng trong sổ khen thưởng"),
                                        "help": N_("Số hiệu của dòng khen thưởng trong Sổ theo "
                                                   "dõi khen thưởng (trang lịch sử khen thưởng "
                                                   "của cá nhân, tập thể).")})
    reason = fields.String(required=True, validate=validate.Length(min=10, max=4000),
                           metadata={"label": N_("Lý do hủy bỏ"),
                                     "help": N_("Luật Thi đua, khen thưởng Điều 93: khai man "
                                                "thành tích, không đủ điều kiện tại thời điểm "
                                                "khen thưởng, … Từ 10 ký tự.")})
    evidence_summary = fields.String(load_default="", validate=validate.Length(max=4000),
                                     metadata={"label": N_("Tóm tắt căn cứ, chứng cứ"),
                                               "help": N_("Kết luận thanh tra, kiểm tra, văn "
                                                          "bản làm căn cứ; bản chụp tải lên ở "
                                                          "phần hồ sơ.")})


class RevocationReviewForm(Schema):
    """The council's recommendation on a revocation case."""

    recommend = fields.String(
        required=True, validate=one_of(RECOMMENDATIONS),
        metadata={"label": N_("Kiến nghị của Hội đồng"), "choices": RECOMMENDATIONS,
                  "help": N_("Kiến nghị gửi người có thẩm quyền quyết định hủy bỏ.")})
    comment = comment_field()


FORMS = {"revocation_request": RevocationRequestForm, "revocation_review": RevocationReviewForm}
