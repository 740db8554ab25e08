"""Forms of the thematic award (khen thưởng chuyên đề) and the ad-hoc award's appraisal.

Shapes only: the movement, the title and the nominee are checked against the
database by the handlers in ``workflows.handlers.thematic``.
"""

from __future__ import annotations

from typing import Any

from marshmallow import ValidationError, fields, validate, validates_schema

from workflows.forms.common import DecisionForm
from workflows.forms.nomination import NominationProposalForm

THEMATIC_AWARDS = {"GK": "Giấy khen của Chánh Văn phòng",
                   "BK_TINH": "Bằng khen của Chủ tịch UBND tỉnh"}


class ThematicProposalForm(NominationProposalForm):
    """A unit's proposal for a thematic award: the movement is required.

    Thematic awards are forms of commendation, not annual titles; the office decides
    the Giấy khen itself; a Bằng khen of the province (only in a movement the province or
    the central level launched, checked by ``check_thematic``) goes to the province.
    """

    award_code = fields.String(load_default="GK", validate=validate.OneOf(list(THEMATIC_AWARDS)),
                               metadata={"label": "Hình thức khen thưởng",
                                         "choices": THEMATIC_AWARDS})
    movement_code = fields.String(required=True, validate=validate.Length(min=1, max=64),
                                  metadata={"label": "Phong trào thi đua chuyên đề"})


class AdhocAppraisalForm(DecisionForm):
    """The secretariat's appraisal of an ad-hoc proposal (thẩm định khen thưởng đột xuất).

    Approving names the nominee in the office's records (mã cá nhân hoặc mã đơn vị),
    so the award can be written into the registry.
    """

    nominee_code = fields.String(load_default=None, allow_none=True,
                                 validate=validate.Length(min=1, max=64),
                                 metadata={"label": "Mã cá nhân / tập thể được đề nghị"})

    @validates_schema
    def approval_names_the_nominee(self, data: dict[str, Any], **_: Any) -> None:
        if data.get("decision") == "approve" and not data.get("nominee_code"):
            raise ValidationError("Khi đồng ý, cần ghi mã cá nhân / tập thể được đề nghị.",
                                  "nominee_code")


FORMS = {"thematic_proposal": ThematicProposalForm, "adhoc_appraisal": AdhocAppraisalForm}
