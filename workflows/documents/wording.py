"""The words a decision (quyết định khen thưởng) and a Giấy khen use for what they give.

A decision *recognises* an emulation title («Công nhận danh hiệu Lao động tiên tiến năm
2026») and *gives* a form of commendation («Tặng Giấy khen của Chánh Văn phòng»); which one
an award is, the catalogue says (``AwardType.is_emulation_title``). The recipients are
called «cá nhân», «tập thể», or «cá nhân, tập thể» only when the list holds both. A form
given for a deed says the deed («đã có thành tích dũng cảm cứu người…»).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

WHO = {frozenset({"individual"}): "cá nhân", frozenset({"collective"}): "tập thể"}
BOTH = "cá nhân, tập thể"
DEED_MAX = 300  # characters of the deed a decision line or a certificate prints
_DEED_PREFIX = re.compile(r"^\s*(đã\s+)?có\s+thành\s+tích\s*:?\s*", re.IGNORECASE)
_LINES = re.compile(r"\s*\n\s*")


@dataclass(frozen=True)
class Awarded:
    """An award a document names: its catalogue name and whether it is a title."""

    name: str
    is_title: bool


def recipients_word(kinds: Iterable[str]) -> str:
    """«cá nhân» / «tập thể» / «cá nhân, tập thể» for the subject kinds of a list."""
    found = frozenset("collective" if k == "collective" else "individual" for k in kinds)
    return WHO.get(found, BOTH)


def deed_phrase(deed: str | None) -> str:
    """The deed a unit typed as it follows «đã có thành tích»: its first line, no final
    stop, the first letter lowered unless it starts a name («Dũng cảm cứu…» →
    «dũng cảm cứu…»; «Phòng Kinh tế…» kept); at most ``DEED_MAX`` characters."""
    text = _LINES.split(str(deed or "").strip(), maxsplit=1)[0]
    text = " ".join(_DEED_PREFIX.sub("", text).split()).rstrip(" .;:")
    if len(text) > DEED_MAX:
        text = text[:DEED_MAX].rsplit(" ", 1)[0].rstrip(" ,;:") + "…"
    words = text.split(" ", 2)
    if len(words) > 1 and words[1][:1].islower() and not words[0].isupper():
        text = text[:1].lower() + text[1:]
    return text


def achievement(kind: str, year: int | None, movement: str | None = None,
                deed: str | None = None) -> str:
    """What the recipients did, after «đã có thành tích» (lý do khen thưởng)."""
    if kind == "adhoc":
        return deed_phrase(deed) or "xuất sắc đột xuất"
    if kind == "thematic":
        return f"xuất sắc trong phong trào thi đua {movement}" if movement else \
            "xuất sắc trong phong trào thi đua"
    return f"hoàn thành tốt nhiệm vụ năm {year}" if year else "hoàn thành tốt nhiệm vụ"


def decision_words(awards: Sequence[Awarded], year: int | None,
                   recipients: Sequence[dict[str, Any]], reason: str) -> dict[str, str]:
    """The phrases of a decision: ``subject`` («Về việc công nhận danh hiệu …»),
    ``action`` (Điều 1: «Công nhận danh hiệu … năm 2026» / «Tặng Giấy khen …»), ``who``,
    ``reason`` (forms only: «đã có thành tích …»), ``accompany`` (Điều 2: what the bonus
    goes with), and the list's column names."""
    titles = list(dict.fromkeys(a.name for a in awards if a.is_title))
    forms = list(dict.fromkeys(a.name for a in awards if not a.is_title))
    parts = []
    if titles:
        parts.append(f"công nhận danh hiệu {', '.join(titles)}" + (f" năm {year}" if year
                                                                    else ""))
    if forms:
        parts.append(f"tặng {', '.join(forms)}")
    action = " và ".join(parts) or "khen thưởng"
    who = recipients_word(r.get("kind") or "individual" for r in recipients)
    if titles and forms:
        accompany, column = "danh hiệu, hình thức khen thưởng", "Danh hiệu, hình thức khen thưởng"
    elif titles:
        accompany, column = "danh hiệu được công nhận", "Danh hiệu"
    else:
        accompany, column = ", ".join(forms) or "khen thưởng", "Hình thức khen thưởng"
    return {"subject": f"Về việc {action}", "action": action[:1].upper() + action[1:],
            "who": who, "reason": f"đã có thành tích {reason}" if forms and reason else "",
            "accompany": accompany, "award_column": column,
            "name_column": {"cá nhân": "Họ và tên", "tập thể": "Tên tập thể"}.get(
                who, "Họ và tên / Tập thể")}
