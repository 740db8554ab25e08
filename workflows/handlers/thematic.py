"""Handlers of the thematic award (khen thưởng chuyên đề) and the ad-hoc award's nominee.

Both check a proposal before ``create_nominations`` writes it, so a person who
can fix the data (the unit, the secretariat) sees the problem on their own step.
"""

from __future__ import annotations

from typing import Any

from engine.errors import InvalidData
from engine.extensions import ServiceCall
from workflows.handlers.registration import find_movement
from workflows.models import AwardType
from workflows.nominations import Proposal, check_proposal, instance_unit

KIND_NAMES = {"individual": "cá nhân", "collective": "tập thể"}


def check_thematic(call: ServiceCall) -> dict[str, Any]:
    """The proposal names a thematic movement open to the unit, and a form the office decides.

    Reads ``movement_code`` and ``award_code``; refuses with ``thematic.invalid``
    (InvalidData on those fields). Returns the movement ``{code, name, year, kind}``.
    """
    session, data = call.session, call.data
    errors: dict[str, list[str]] = {}
    code = data.get("movement_code")
    movement = find_movement(session, code)
    unit = instance_unit(session, call.instance_id)
    if movement is None:
        errors["movement_code"] = [f"Không có phong trào thi đua mã «{code}»."]
    elif movement.kind != "thematic":
        errors["movement_code"] = [f"«{movement.name}» không phải phong trào thi đua chuyên đề."]
    elif movement.target_units and unit is not None and unit not in movement.target_units:
        errors["movement_code"] = [f"Phong trào «{movement.name}» không dành cho đơn vị «{unit}»."]
    award = session.get(AwardType, str(data.get("award_code") or ""))
    if award is None or not award.active:
        errors["award_code"] = [f"Không có hình thức khen thưởng «{data.get('award_code')}»."]
    elif not award.within_office_power:
        errors["award_code"] = [f"«{award.name}» vượt thẩm quyền của Văn phòng: đề nghị qua quy "
                                f"trình trình UBND tỉnh."]
    if errors or movement is None:
        raise InvalidData("Đề nghị khen thưởng chuyên đề không hợp lệ.", code="thematic.invalid",
                          details=errors)
    return {"code": movement.code, "name": movement.name, "year": movement.year,
            "kind": movement.kind}


def check_adhoc_nominee(call: ServiceCall) -> dict[str, Any]:
    """The nominee the secretariat named (``nominee_code``) fits the ad-hoc proposal.

    The subject must exist, be active, be of the proposal's ``subject_kind`` and suit
    the title; the year is the year of the deed (``deed_date``). Refuses with
    ``adhoc.invalid`` (InvalidData on ``nominee_code`` / ``deed_date``).

    Returns:
        ``{"subjects": [code], "year", "subject_code", "subject_kind", "name"}``.
    """
    data = call.data
    code = str(data.get("nominee_code") or "").strip()
    year = int(str(data.get("deed_date") or "0")[:4] or 0)
    proposal = Proposal(year=year, award_code=data.get("award_code"), subjects=[code],
                        kind="adhoc")
    try:
        _award, _movement, rows = check_proposal(call.session, call.instance_id, call.actor,
                                                 proposal)
    except InvalidData as exc:
        details = dict(exc.details or {})
        renamed = {"subjects": "nominee_code", "year": "deed_date"}
        raise InvalidData(exc.message, code="adhoc.invalid",
                          details={renamed.get(k, k): v for k, v in details.items()}) from exc
    kind, name, _unit, _active = rows[code]
    wanted = data.get("subject_kind") or kind
    if kind != wanted:
        raise InvalidData(
            f"Tờ trình đề nghị khen thưởng {KIND_NAMES.get(wanted, wanted)}, nhưng «{code}» "
            f"({name}) là {KIND_NAMES[kind]}.", code="adhoc.invalid",
            details={"nominee_code": [f"«{code}» là {KIND_NAMES[kind]}."]})
    return {"subjects": [code], "year": year, "subject_code": code, "subject_kind": kind,
            "name": name}


HANDLERS = {
    "check_thematic": (
        check_thematic,
        "Kiểm tra phong trào thi đua chuyên đề và hình thức khen thưởng thuộc thẩm quyền "
        "Văn phòng."),
    "check_adhoc_nominee": (
        check_adhoc_nominee,
        "Kiểm tra cá nhân / tập thể được đề nghị khen thưởng đột xuất (mã, loại đối tượng)."),
}
