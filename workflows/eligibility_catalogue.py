"""The catalogue values eligibility reads (``AwardType.rules``): names, checks, wording.

Every key a decision table or a fact may read is listed in ``KEYS`` with its Vietnamese
label and the kind of value it takes. ``check_rules`` refuses a title whose catalogue
holds a value of the wrong kind (``"HTTNV "`` with a trailing space, a percentage of
150, an unknown title code…): InvalidData ``award.misconfigured``, naming the title, the
key and the value, so a typo never makes a rule pass silently. ``missing`` builds the same
error for a key a required rule needs but the catalogue does not set.

``shown`` and ``setting_text`` word values for people: catalogue names of titles
(«Chiến sĩ thi đua cơ sở (CSTD_CS)»), names of ratings («Hoàn thành tốt nhiệm vụ
(HTTNV)»), «có»/«không», percentages; ``award_name`` and ``unit_name`` give names by code.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy.orm import Session

from engine.errors import InvalidData
from engine.store.models import Unit
from workflows.catalogue import vn_number
from workflows.history import DISCIPLINE_NAMES, LEVEL_NAMES, RATING_NAMES
from workflows.models import AwardType

# Where a quota counts its base (Lao động tiên tiến) and its holders.
QUOTA_SCOPES = {"office": "toàn Văn phòng", "unit": "đơn vị của người được xét"}
DEFAULT_QUOTA_SCOPE = "office"

# key: (Vietnamese label, kind of value)
KEYS: dict[str, tuple[str, str]] = {
    "min_rating": ("mức xếp loại tối thiểu", "rating"),
    "consecutive_rating": ("mức xếp loại của các năm liên tục", "rating"),
    "max_discipline_form": ("hình thức kỷ luật cao nhất còn được xét", "discipline"),
    "needs_title_same_year": ("danh hiệu cần có cùng năm", "title"),
    "member_title": ("danh hiệu tính tỷ lệ thành viên", "title"),
    "needs_member_title": ("danh hiệu cần có thành viên đạt", "title"),
    "prerequisite": ("danh hiệu, hình thức tiền đề", "title"),
    "title_in_window": ("danh hiệu cần đạt trong thời gian xét (cá nhân)", "title"),
    "collective_title_in_window": ("danh hiệu cần đạt trong thời gian xét (tập thể)",
                                   "title"),
    "consecutive_years": ("số năm liên tục", "count"),
    "consecutive_times": ("số lần liên tục", "count"),
    "period_years": ("số năm mỗi lần", "count"),
    "title_in_window_times": ("số lần đạt danh hiệu trong thời gian xét (cá nhân)", "count"),
    "collective_title_in_window_times": ("số lần đạt danh hiệu trong thời gian xét (tập thể)",
                                         "count"),
    "initiative_window_years": ("số năm tính sáng kiến", "count"),
    "initiative_levels": ("cấp sáng kiến được tính", "levels"),
    "min_member_title_pct": ("tỷ lệ thành viên đạt danh hiệu tối thiểu", "pct"),
    "quota_pct_of_ldtt": ("tỷ lệ tối đa so với số Lao động tiên tiến", "pct"),
    "quota_scope": ("phạm vi tính tỷ lệ", "scope"),
    "all_members_complete": ("yêu cầu mọi thành viên hoàn thành nhiệm vụ", "bool"),
    "registration_required": ("bắt buộc đăng ký thi đua", "bool"),
}
_EXPECTED = {
    "rating": f"cần một mức xếp loại: {', '.join(RATING_NAMES)}",
    "discipline": f"cần một hình thức kỷ luật: {', '.join(DISCIPLINE_NAMES)}",
    "title": "cần mã một danh hiệu, hình thức có trong danh mục",
    "count": "cần một số nguyên từ 1 trở lên",
    "levels": f"cần danh sách (không rỗng) các cấp: {', '.join(LEVEL_NAMES)}",
    "pct": "cần một số lớn hơn 0 và không quá 100",
    "scope": f"cần một trong: {', '.join(QUOTA_SCOPES)}",
    "bool": "cần true hoặc false",
}


def label(key: str) -> str:
    return KEYS.get(key, (key, ""))[0]


def award_name(session: Session, code: str) -> str:
    award = session.get(AwardType, code)
    return award.name if award is not None else code


def unit_name(session: Session, code: str) -> str:
    unit = session.get(Unit, code)
    return unit.name if unit is not None else code


def _valid(session: Session, kind: str, value: Any) -> bool:
    number = isinstance(value, int | float) and not isinstance(value, bool)
    if kind == "rating":
        return isinstance(value, str) and value in RATING_NAMES
    if kind == "discipline":
        return isinstance(value, str) and value in DISCIPLINE_NAMES
    if kind == "title":
        return isinstance(value, str) and session.get(AwardType, value) is not None
    if kind == "count":
        return number and value >= 1 and value == int(value)
    if kind == "levels":
        return isinstance(value, list) and bool(value) and \
            all(isinstance(v, str) and v in LEVEL_NAMES for v in value)
    if kind == "pct":
        return number and 0 < value <= 100
    if kind == "scope":
        return isinstance(value, str) and value in QUOTA_SCOPES
    return isinstance(value, bool)


def _where(award: AwardType) -> str:
    return f"Danh mục «{award.name}» ({award.code})"


def check_rules(session: Session, award: AwardType) -> None:
    """Refuse a title whose catalogue sets a known key to a value of the wrong kind.

    Raises:
        InvalidData: ``award.misconfigured``; ``details["rules"]`` lists every bad value.
    """
    problems = []
    for key, value in (award.rules or {}).items():
        if key in KEYS and value is not None and not _valid(session, KEYS[key][1], value):
            problems.append(f"{label(key)} ({key}) = «{value}» không hợp lệ: "
                            f"{_EXPECTED[KEYS[key][1]]}.")
    if problems:
        raise InvalidData(f"{_where(award)} có giá trị không hợp lệ: {problems[0]}",
                          code="award.misconfigured", details={"rules": problems})


def missing(award: AwardType, rule_label: str, keys: Iterable[str]) -> InvalidData:
    """The error for a required rule whose catalogue values are not set."""
    names = [f"{label(k)} ({k})" for k in dict.fromkeys(keys)]
    message = (f"{_where(award)} chưa đặt {', '.join(names)}, cần cho điều kiện "
               f"«{rule_label}».")
    return InvalidData(message, code="award.misconfigured", details={"rules": [message]})


def shown(session: Session, key: str, value: Any) -> str:
    """A catalogue value in words: names first, codes in parentheses."""
    kind = KEYS.get(key, (key, ""))[1]
    if isinstance(value, bool):
        return "có" if value else "không"
    if kind == "rating":
        return f"{RATING_NAMES.get(value, value)} ({value})"
    if kind == "discipline":
        return DISCIPLINE_NAMES.get(value, str(value))
    if kind == "title":
        return f"{award_name(session, value)} ({value})"
    if kind == "levels":
        return ", ".join(LEVEL_NAMES.get(v, str(v)) for v in value)
    if kind == "pct":
        return f"{vn_number(value)}%"
    if kind == "scope":
        return QUOTA_SCOPES.get(value, str(value))
    return str(value)


# What a catalogue value requires, as a verdict says it («cần 3 năm liên tục»); a
# flag that requires nothing (``False``) is not said at all.
NEEDS: dict[str, str] = {
    "min_rating": "cần xếp loại từ {} trở lên",
    "consecutive_rating": "cần xếp loại từ {} trở lên",
    "max_discipline_form": "hình thức kỷ luật cao nhất còn được xét: {}",
    "needs_title_same_year": "cần đạt {} cùng năm",
    "member_title": "tỷ lệ tính theo số thành viên đạt {}",
    "needs_member_title": "cần có thành viên đạt {}",
    "prerequisite": "cần đã đạt {}",
    "title_in_window": "cần đạt {} trong thời gian xét",
    "collective_title_in_window": "cần đạt {} trong thời gian xét",
    "consecutive_years": "cần {} năm liên tục",
    "consecutive_times": "cần {} lần liên tục",
    "period_years": "mỗi lần cách nhau {} năm",
    "title_in_window_times": "cần {} lần",
    "collective_title_in_window_times": "cần {} lần",
    "initiative_window_years": "sáng kiến tính trong {} năm",
    "initiative_levels": "cần sáng kiến cấp {}",
    "min_member_title_pct": "cần ít nhất {} thành viên đạt",
    "quota_pct_of_ldtt": "chỉ tiêu tối đa {} số Lao động tiên tiến",
    "quota_scope": "tính trên {}",
    "all_members_complete": "cần mọi thành viên hoàn thành nhiệm vụ",
    "registration_required": "danh mục bắt buộc đăng ký thi đua",
}


def setting_text(session: Session, key: str, value: Any) -> str:
    """«cần 3 năm liên tục»: what a verdict says about a catalogue value it used (what
    the title requires, never the setting's internal name); empty for a flag that is off."""
    if value is False:
        return ""
    if key not in NEEDS:
        return f"{label(key)}: {shown(session, key, value)}"
    words = shown(session, key, value)
    if key == "initiative_levels":  # the level names already say «cấp tỉnh»
        words = words.replace("cấp ", "")
    return NEEDS[key].format(words)
