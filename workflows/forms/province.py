"""Forms of the forwarding to the province (trình UBND tỉnh qua Sở Nội vụ)."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, ValidationError, fields, pre_load, validate, validates_schema

from workflows.forms.common import N_, comment_field, one_of

# The province answers what was proposed: an award, or the revocation of one.
OUTCOMES = {"approved": N_("Đồng ý (có quyết định)"), "partial": N_("Đồng ý một phần"),
            "rejected": N_("Không đồng ý")}
NOTE_HELP = N_("Không bắt buộc; được lưu vào diễn biến hồ sơ.")


class ProposalRevisionForm(Schema):
    """The secretariat revises the tờ trình the Chief of Office sent back."""

    comment = fields.String(required=True, validate=validate.Length(min=1, max=4000),
                            metadata={"label": N_("Nội dung đã chỉnh sửa, bổ sung"),
                                      "help": N_("Tóm tắt những gì đã sửa trong tờ trình theo "
                                                 "ý kiến của Chánh Văn phòng.")})


class ProvinceSubmissionForm(Schema):
    """The dossier sent to Sở Nội vụ (văn bản trình tỉnh).

    The tờ trình's number was issued from the register when the Chief of Office signed
    (``issue_proposal_number``): the form shows it (read only) and never takes one; a
    number typed by a client is ignored, so the register stays the only source.
    """

    document_no = fields.String(dump_only=True,
                                metadata={"label": N_("Số tờ trình (cấp từ sổ tờ trình)"),
                                          "readonly": True,
                                          "help": N_("Số do hệ thống cấp khi Chánh Văn phòng "
                                                     "ký tờ trình; không sửa được.")})
    sent_date = fields.Date(required=True, metadata={
        "label": N_("Ngày gửi"),
        "help": N_("Ngày gửi hồ sơ đến Sở Nội vụ (Ban Thi đua - Khen thưởng), dạng "
                   "dd/mm/yyyy.")})
    comment = comment_field(N_("Ghi chú"), N_(
        "Ví dụ: hình thức gửi (trục liên thông, bưu điện), số văn bản đến của Sở Nội vụ."))

    @pre_load
    def issued_number_is_not_typed(self, data: dict[str, Any], **_: Any) -> dict[str, Any]:
        return {k: v for k, v in data.items() if k != "document_no"}


class ProvinceAnswerForm(Schema):
    """The province's answer (kết quả của UBND tỉnh): decision or refusal."""

    outcome = fields.String(required=True, validate=one_of(OUTCOMES),
                            metadata={"label": N_("Kết quả"), "choices": OUTCOMES,
                                      "help": N_("Theo văn bản trả lời của UBND tỉnh.")})
    decision_no = fields.String(load_default=None, allow_none=True,
                                validate=validate.Length(min=1, max=64),
                                metadata={"label": N_("Số quyết định của UBND tỉnh"),
                                          "help": N_("Ví dụ 312/QĐ-UBND; bắt buộc khi tỉnh "
                                                     "đồng ý. Được ghi vào sổ khen thưởng.")})
    decision_date = fields.Date(load_default=None, allow_none=True,
                                metadata={"label": N_("Ngày quyết định"),
                                          "help": N_("Dạng dd/mm/yyyy; bắt buộc khi tỉnh "
                                                     "đồng ý.")})
    approved_subjects = fields.List(
        fields.String(validate=validate.Length(min=1, max=64)), load_default=list,
        validate=validate.Length(max=200),
        metadata={"label": N_("Đối tượng được khen thưởng (để trống nếu đồng ý tất cả)"),
                  "help": N_("Khi tỉnh đồng ý một phần: chọn những đối tượng có tên trong "
                             "quyết định của tỉnh.")})
    comment = comment_field(N_("Ghi chú"), NOTE_HELP)

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
