"""Forms of the thematic award (khen thưởng chuyên đề) and the ad-hoc award's appraisal.

Shapes only: the movement, the title and the nominee are checked against the
database by the handlers in ``workflows.handlers.thematic``.
"""

from __future__ import annotations

from typing import Any

from marshmallow import ValidationError, fields, validate, validates_schema

from workflows.forms.common import N_, DecisionForm
from workflows.forms.nomination import NominationProposalForm


class ThematicProposalForm(NominationProposalForm):
    """A unit's proposal for a thematic award: the movement is required.

    Thematic awards are forms of commendation, not annual titles; the office decides
    the Giấy khen itself; a Bằng khen of the province (only in a movement the province or
    the central level launched, checked by ``check_thematic``) goes to the province.
    """

    award_code = fields.String(
        load_default="GK", validate=validate.Length(min=1, max=32),
        metadata={"label": N_("Hình thức khen thưởng"), "options": "award_thematic",
                  "help": N_("Hình thức khen thưởng chuyên đề trong danh mục: Giấy khen của "
                             "Chánh Văn phòng; Bằng khen của tỉnh chỉ khi phong trào do tỉnh "
                             "hoặc trung ương phát động.")})
    movement_code = fields.String(required=True, validate=validate.Length(min=1, max=64),
                                  metadata={"label": N_("Phong trào thi đua chuyên đề"),
                                            "help": N_("Phong trào chuyên đề mà thành tích "
                                                       "thuộc về (bắt buộc).")})


class AdhocAppraisalForm(DecisionForm):
    """The secretariat's appraisal of an ad-hoc proposal (thẩm định khen thưởng đột xuất).

    Approving names the nominee in the office's records (mã cá nhân hoặc mã đơn vị),
    so the award can be written into the registry.
    """

    nominee_code = fields.String(load_default=None, allow_none=True,
                                 validate=validate.Length(min=1, max=64),
                                 metadata={"label": N_("Cá nhân / tập thể được đề nghị"),
                                           "help": N_("Chọn trong danh sách của đơn vị người "
                                                      "(hoặc tập thể) khớp với tờ trình; bắt "
                                                      "buộc khi đồng ý, để ghi vào sổ khen "
                                                      "thưởng.")})

    @validates_schema
    def approval_names_the_nominee(self, data: dict[str, Any], **_: Any) -> None:
        if data.get("decision") == "approve" and not data.get("nominee_code"):
            raise ValidationError("Khi đồng ý, cần ghi mã cá nhân / tập thể được đề nghị.",
                                  "nominee_code")


FORMS = {"thematic_proposal": ThematicProposalForm, "adhoc_appraisal": AdhocAppraisalForm}
