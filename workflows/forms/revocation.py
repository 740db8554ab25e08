"""Forms of the revocation of an award (hủy bỏ quyết định khen thưởng, Luật Điều 93)."""

from __future__ import annotations

from marshmallow import Schema, fields, validate


class RevocationRequestForm(Schema):
    """The secretariat opens a case: which award, why, on what evidence."""

    award_id = fields.Integer(required=True, strict=True, validate=validate.Range(min=1),
                              metadata={"label": "Số hiệu khen thưởng trong sổ khen thưởng"})
    reason = fields.String(required=True, validate=validate.Length(min=10, max=4000),
                           metadata={"label": "Lý do hủy bỏ (khai man thành tích, "
                                              "không đủ điều kiện, …)"})
    evidence_summary = fields.String(load_default="", validate=validate.Length(max=4000),
                                     metadata={"label": "Tóm tắt căn cứ, chứng cứ"})


class RevocationReviewForm(Schema):
    """The council's recommendation on a revocation case."""

    recommend = fields.String(
        required=True, validate=validate.OneOf(["revoke", "keep"]),
        metadata={"label": "Kiến nghị của Hội đồng", "choices": {
            "revoke": "Đề nghị hủy bỏ khen thưởng", "keep": "Giữ nguyên khen thưởng"}})
    comment = fields.String(load_default="", validate=validate.Length(max=4000),
                            metadata={"label": "Ý kiến"})


FORMS = {"revocation_request": RevocationRequestForm, "revocation_review": RevocationReviewForm}
