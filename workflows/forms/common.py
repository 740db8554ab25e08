"""Forms shared by several procedures: a reviewer's decision, the ad-hoc proposal."""

from __future__ import annotations

from marshmallow import Schema, fields, validate


class DecisionForm(Schema):
    """A reviewer's decision (quyết định xử lý) with an optional comment."""

    decision = fields.String(
        required=True,
        validate=validate.OneOf(["approve", "return", "reject"]),
        metadata={"label": "Quyết định", "choices": {
            "approve": "Đồng ý", "return": "Trả lại bổ sung", "reject": "Không đồng ý"}},
    )
    comment = fields.String(load_default="", validate=validate.Length(max=4000),
                            metadata={"label": "Ý kiến"})




class AdhocProposalForm(Schema):
    """Short proposal for an ad-hoc award (tờ trình đột xuất, thủ tục đơn giản, Luật Điều 85)."""

    nominee_name = fields.String(required=True, validate=validate.Length(min=2, max=255),
                                 metadata={"label": "Tên cá nhân / tập thể được đề nghị"})
    subject_kind = fields.String(
        load_default="individual", validate=validate.OneOf(["individual", "collective"]),
        metadata={"label": "Đối tượng", "choices": {"individual": "Cá nhân",
                                                    "collective": "Tập thể"}})
    award_code = fields.String(
        load_default="GK", validate=validate.OneOf(["GK", "BK_TINH"]),
        metadata={"label": "Hình thức khen thưởng", "choices": {
            "GK": "Giấy khen của Chánh Văn phòng", "BK_TINH": "Bằng khen của Chủ tịch UBND tỉnh"}})
    deed_summary = fields.String(required=True, validate=validate.Length(min=10, max=4000),
                                 metadata={"label": "Tóm tắt thành tích"})
    deed_date = fields.Date(required=True, metadata={"label": "Ngày lập thành tích"})


FORMS = {"decision": DecisionForm, "adhoc_proposal": AdhocProposalForm}
