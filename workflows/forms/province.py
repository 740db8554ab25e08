"""Forms of the forwarding to the province (trình UBND tỉnh qua Sở Nội vụ)."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, ValidationError, fields, pre_load, validate, validates_schema

# The province answers what was proposed: an award, or the revocation of one.
OUTCOMES = {"approved": "Đồng ý (có quyết định)", "partial": "Đồng ý một phần",
            "rejected": "Không đồng ý"}


class ProposalRevisionForm(Schema):
    """The secretariat revises the tờ trình the Chief of Office sent back."""

    comment = fields.String(required=True, validate=validate.Length(min=1, max=4000),
                            metadata={"label": "Nội dung đã chỉnh sửa, bổ sung"})


class ProvinceSubmissionForm(Schema):
    """The dossier sent to Sở Nội vụ (văn bản trình tỉnh).

    The tờ trình's number was issued from the register when the Chief of Office signed
    (``issue_proposal_number``): the form shows it (read only) and never takes one; a
    number typed by a client is ignored, so the register stays the only source.
    """

    document_no = fields.String(dump_only=True,
                                metadata={"label": "Số tờ trình (cấp từ sổ tờ trình)",
                                          "readonly": True})
    sent_date = fields.Date(required=True, metadata={"label": "Ngày gửi"})
    comment = fields.String(load_default="", validate=validate.Length(max=4000),
                            metadata={"label": "Ghi chú"})

    @pre_load
    def issued_number_is_not_typed(self, data: dict[str, Any], **_: Any) -> dict[str, Any]:
        return {k: v for k, v in data.items() if k != "document_no"}


class ProvinceAnswerForm(Schema):
    """The province's answer (kết quả của UBND tỉnh): decision or refusal."""

    outcome = fields.String(required=True, validate=validate.OneOf(list(OUTCOMES)),
                            metadata={"label": "Kết quả", "choices": OUTCOMES})
    decision_no = fields.String(load_default=None, allow_none=True,
                                validate=validate.Length(min=1, max=64),
                                metadata={"label": "Số quyết định của UBND tỉnh"})
    decision_date = fields.Date(load_default=None, allow_none=True,
                                metadata={"label": "Ngày quyết định"})
    approved_subjects = fields.List(
        fields.String(validate=validate.Length(min=1, max=64)), load_default=list,
        validate=validate.Length(max=200),
        metadata={"label": "Đối tượng được khen thưởng (mã; để trống nếu đồng ý tất cả)"})
    comment = fields.String(load_default="", validate=validate.Length(max=4000),
                            metadata={"label": "Ghi chú"})

    @validates_schema
    def decision_when_approved(self, data: dict[str, Any], **_: Any) -> None:
        if data.get("outcome") not in ("approved", "partial"):
            return
        errors: dict[str, list[str]] = {}
        if not data.get("decision_no"):
            errors["decision_no"] = ["Cần số quyết định khi tỉnh đồng ý."]
        if not data.get("decision_date"):
            errors["decision_date"] = ["Cần ngày quyết định khi tỉnh đồng ý."]
        if data.get("outcome") == "partial" and not data.get("approved_subjects"):
            errors["approved_subjects"] = ["Đồng ý một phần: cần danh sách được khen thưởng."]
        if errors:
            raise ValidationError(errors)


FORMS = {
    "proposal_revision": ProposalRevisionForm,
    "province_submission": ProvinceSubmissionForm,
    "province_answer": ProvinceAnswerForm,
}
