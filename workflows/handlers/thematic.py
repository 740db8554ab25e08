"""Handlers of the thematic award (khen thưởng chuyên đề) and the ad-hoc award's nominee.

Both check a proposal before ``create_nominations`` writes it, so a person who
can fix the data (the unit, the secretariat) sees the problem on their own step.
"""

from __future__ import annotations

import unicodedata
from typing import Any

from engine.errors import InvalidData
from engine.extensions import ServiceCall
from workflows.handlers.registration import find_movement
from workflows.models import AwardType
from workflows.nominations import Proposal, check_proposal, instance_unit

KIND_NAMES = {"individual": "cá nhân", "collective": "tập thể"}
# Which levels of the catalogue a thematic movement's awards may reach, by who launched
# it: the office commends in its own movements; in a movement the province or the
# central level launched, a Bằng khen of the province may be proposed too.
MOVEMENT_AWARD_LEVELS = {"office": ("office",), "province": ("office", "province"),
                         "central": ("office", "province")}
LAUNCHERS = {"office": "Văn phòng", "province": "UBND tỉnh", "central": "trung ương"}


def check_thematic(call: ServiceCall) -> dict[str, Any]:
    """The proposal names a thematic movement open to the unit, and a form it allows.

    Reads ``movement_code`` and ``award_code``. The form's level (catalogue) must be one
    the movement allows (``MOVEMENT_AWARD_LEVELS`` by its ``launch_level``): office forms
    always, province forms (decided by the province after the office's tờ trình) only in
    movements launched by the province or the central level. Refuses with
    ``thematic.invalid`` (InvalidData on those fields).

    Returns:
        The movement ``{code, name, year, kind, launch_level}`` and the form's
        ``award_level`` and ``within_office_power``.
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
    elif movement is not None and "movement_code" not in errors:
        launcher = movement.launch_level or "office"
        if award.level not in MOVEMENT_AWARD_LEVELS.get(launcher, ("office",)):
            errors["award_code"] = [
                f"«{award.name}» do {award.decided_by} quyết định: phong trào «{movement.name}» "
                f"do {LAUNCHERS.get(launcher, launcher)} phát động không xét hình thức này."]
    if errors or movement is None or award is None:
        raise InvalidData("Đề nghị khen thưởng chuyên đề không hợp lệ.", code="thematic.invalid",
                          details=errors)
    return {"code": movement.code, "name": movement.name, "year": movement.year,
            "kind": movement.kind, "launch_level": movement.launch_level,
            "award_level": award.level, "within_office_power": award.within_office_power}


def _same_name(text: str) -> str:
    """A name as people write it: Unicode-normalised, case and spacing ignored."""
    return " ".join(unicodedata.normalize("NFC", text).casefold().split())


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
                                                 proposal, within_instance_unit=True)
    except InvalidData as exc:
        details = dict(exc.details or {})
        renamed = {"subjects": "nominee_code", "year": "deed_date"}
        raise InvalidData(exc.message, code="adhoc.invalid",
                          details={renamed.get(k, k): v for k, v in details.items()}) from exc
    kind, name, _unit, _active = rows[code]
    proposed = str(data.get("nominee_name") or "")
    if proposed and _same_name(proposed) != _same_name(name):
        raise InvalidData(
            f"Tờ trình đề nghị khen thưởng «{proposed}», nhưng mã «{code}» là «{name}».",
            code="adhoc.invalid",
            details={"nominee_code": [f"«{code}» là «{name}», không phải «{proposed}»."]})
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
        "Kiểm tra phong trào thi đua chuyên đề và hình thức khen thưởng phong trào cho phép "
        "(Giấy khen; Bằng khen của tỉnh khi phong trào do tỉnh, trung ương phát động)."),
    "check_adhoc_nominee": (
        check_adhoc_nominee,
        "Kiểm tra cá nhân / tập thể được đề nghị khen thưởng đột xuất (mã, loại đối tượng)."),
}
