"""Forms shared by several procedures: a reviewer's decision, the ad-hoc proposal.

Labels, help texts and choice names are Vietnamese, marked with ``N_`` so that ``make
translations`` extracts them (babel.cfg reads ``workflows/forms``); the web layer
translates them when it renders a form (``webapp.forms_render``). A field whose choices
come from the award catalogue names an option source (``metadata["options"]``,
``workflows.forms.options``): the page offers, and the engine accepts, the same list.
"""

from __future__ import annotations

from marshmallow import Schema, fields, validate


def N_(message: str) -> str:  # noqa: N802 - the gettext convention for "mark, do not translate"
    """Mark ``message`` for extraction and return it unchanged (the web layer translates)."""
    return message


def one_of(choices: dict[str, str]) -> validate.OneOf:
    """A OneOf validator whose message names the choices as people read them."""
    return validate.OneOf(list(choices), labels=list(choices.values()),
                          error="Phải là một trong: {labels}.")


DECISIONS = {"approve": N_("Đồng ý"), "return": N_("Trả lại bổ sung"),
             "reject": N_("Không đồng ý")}
COMMENT_HELP = N_("Ghi rõ lý do khi trả lại hoặc không đồng ý. Ý kiến được lưu vào diễn biến "
                  "hồ sơ, kèm tên người cho ý kiến và bước xử lý.")


# metadata flag of a field that belongs to one round of a step (a decision, a comment, what
# to supplement): a step done again (appraised after a supplement) opens it empty, not
# prefilled with the earlier round's value, which stays in the history.
PER_ROUND = "per_round"


def per_round_fields(schema: Schema) -> set[str]:
    """The names of ``schema``'s fields that start empty in every round of the step."""
    return {name for name, f in schema.fields.items() if f.metadata.get(PER_ROUND)}


def comment_field(label: str = N_("Ý kiến"), help_text: str = COMMENT_HELP) -> fields.String:
    return fields.String(load_default="", validate=validate.Length(max=4000),
                         metadata={"label": label, "help": help_text, PER_ROUND: True})


def decision_field(label: str, choices: dict[str, str], help_text: str) -> fields.String:
    return fields.String(required=True, validate=one_of(choices),
                         metadata={"label": label, "choices": choices, "help": help_text,
                                   PER_ROUND: True})


class DecisionForm(Schema):
    """A reviewer's decision (quyết định xử lý) with an optional comment."""

    decision = decision_field(N_("Quyết định"), DECISIONS, N_(
        "«Đồng ý» chuyển hồ sơ sang bước tiếp theo; «Trả lại bổ sung» gửi hồ sơ về người lập "
        "kèm ý kiến; «Không đồng ý» kết thúc đề nghị."))
    comment = comment_field()


SUBJECT_KINDS = {"individual": N_("Cá nhân"), "collective": N_("Tập thể")}


class AdhocProposalForm(Schema):
    """Short proposal for an ad-hoc award (tờ trình đột xuất, thủ tục đơn giản, Luật Điều 85)."""

    nominee_name = fields.String(required=True, validate=validate.Length(min=2, max=255),
                                 metadata={"label": N_("Tên cá nhân / tập thể được đề nghị"),
                                           "help": N_("Họ tên cá nhân hoặc tên tập thể như "
                                                      "ghi trong tờ trình, ví dụ «Nguyễn Văn "
                                                      "An» hoặc «Phòng Kinh tế».")})
    subject_kind = fields.String(
        load_default="individual", validate=one_of(SUBJECT_KINDS),
        metadata={"label": N_("Đối tượng"), "choices": SUBJECT_KINDS,
                  "help": N_("Cá nhân hay tập thể: hình thức khen thưởng phải phù hợp với "
                             "đối tượng.")})
    award_code = fields.String(
        load_default="GK", validate=validate.Length(min=1, max=32),
        metadata={"label": N_("Hình thức khen thưởng"), "options": "award_adhoc",
                  "help": N_("Các hình thức trong danh mục khen thưởng được xét đột xuất "
                             "theo thủ tục đơn giản (Luật Thi đua, khen thưởng, Điều 85).")})
    deed_summary = fields.String(
        required=True, validate=validate.Length(min=10, max=4000),
        metadata={"label": N_("Tóm tắt thành tích"),
                  "help": N_("Thủ tục đơn giản chỉ cần bản tóm tắt thành tích (Luật Điều 85): "
                             "việc gì, ở đâu, khi nào, kết quả và ý nghĩa của thành tích đột "
                             "xuất. Từ 10 đến 4000 ký tự.")})
    deed_date = fields.Date(required=True, metadata={
        "label": N_("Ngày lập thành tích"),
        "help": N_("Ngày xảy ra thành tích, dạng dd/mm/yyyy; năm của ngày này là năm xét khen "
                   "thưởng.")})


FORMS = {"decision": DecisionForm, "adhoc_proposal": AdhocProposalForm}
