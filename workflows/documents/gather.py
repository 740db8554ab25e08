"""Reading what a document says from the database: letterhead, recipients, legal basis."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.errors import InvalidData
from engine.roles import Actor, plain_name
from engine.store.models import Unit
from workflows.catalogue import bonus_amount, setting
from workflows.documents.context import LETTERHEAD_DEFAULTS, legal_basis_lines, letterhead
from workflows.documents.wording import Awarded
from workflows.models import AwardType, Nomination, Person, Setting

# The laws every decision and proposal cites first (setting ``document_legal_basis``).
GENERAL_BASIS = [
    "Căn cứ Luật Thi đua, khen thưởng ngày 15 tháng 6 năm 2022",
    "Căn cứ Nghị định số 98/2023/NĐ-CP ngày 31 tháng 12 năm 2023 của Chính phủ quy định chi "
    "tiết thi hành một số điều của Luật Thi đua, khen thưởng, được sửa đổi, bổ sung bởi Nghị "
    "định số 152/2025/NĐ-CP của Chính phủ",
]
_DOC_NUMBER = re.compile(r"\d+/\d{4}/[\w-]+")
SALUTATION = {"male": "Ông", "female": "Bà"}


# Letterhead settings a document cannot be issued without (tên hiển thị của thiết lập), and
# the shipped placeholders that name no province (they count as not set).
REQUIRED_LETTERHEAD = {"document_place": "Địa danh ghi ngày tháng",
                       "document_parent_body": "Cơ quan chủ quản (dòng trên của tiêu đề)",
                       "document_issuer_full": "Tên đầy đủ cơ quan ban hành"}
PLACEHOLDERS = {"document_parent_body": "UBND TỈNH",
                "document_issuer_full": "Văn phòng UBND tỉnh"}


def office_letterhead(session: Session) -> dict[str, str]:
    rows = session.scalars(select(Setting).where(Setting.key.in_(LETTERHEAD_DEFAULTS))).all()
    return letterhead({r.key: r.value for r in rows})


def letterhead_missing(head: dict[str, str]) -> list[str]:
    """The required letterhead settings still empty or at their placeholder, by key."""
    return [key for key in REQUIRED_LETTERHEAD
            if not head.get(key, "").strip()
            or head[key].strip().casefold() == PLACEHOLDERS.get(key, "").casefold()]


def require_letterhead(head: dict[str, str]) -> None:
    """Refuse to issue a document whose letterhead would print «……» or no province.

    Raises:
        InvalidData ``document.letterhead_missing`` naming the settings to fill in.
    """
    missing = letterhead_missing(head)
    if missing:
        names = "; ".join(f"«{REQUIRED_LETTERHEAD[k]}» ({k})" for k in missing)
        raise InvalidData(
            f"Chưa ban hành được văn bản: tiêu đề văn bản còn thiếu {names}. Quản trị hệ "
            "thống khai báo ở trang Thiết lập, mục «Tiêu đề văn bản ban hành», rồi làm lại.",
            code="document.letterhead_missing",
            details={"settings": [f"{REQUIRED_LETTERHEAD[k]} ({k})" for k in missing]})


def signer_name(actor: Actor | None) -> str:
    """The name of whoever signs (the chair acting), without the "(…)" note demo names carry."""
    if actor is None or not actor.has_role("chair"):
        return ""
    return plain_name(actor.full_name)


_ARTICLE = re.compile(r"\bĐiều\s+(\d+[a-zđ]?)", re.IGNORECASE)
_LAW_NAMES = ("luật tđkt", "luật thi đua, khen thưởng", "luật thi đua khen thưởng",
              "06/2022/qh15")
LAW = "Luật Thi đua, khen thưởng"
_KINDS = (("/NĐ-CP", "Nghị định"), ("/TT-", "Thông tư"), ("/QĐ-", "Quyết định"),
          ("/NQ-", "Nghị quyết"))


def _document(part: str) -> tuple[str | None, str | None]:
    """(key, name) of the document a catalogue citation names: the Law (by any of its
    short names) or a numbered text (``98/2023/NĐ-CP`` → «Nghị định số 98/2023/NĐ-CP»)."""
    if any(name in part.casefold() for name in _LAW_NAMES):
        return "law", LAW
    number = _DOC_NUMBER.search(part)
    if number is None:
        return None, None
    kind = next((k for mark, k in _KINDS if mark in number.group(0)), "Văn bản")
    return number.group(0), f"{kind} số {number.group(0)}"


def catalogue_citation(part: str, cited: set[str]) -> str | None:
    """One catalogue citation as a «Căn cứ …» line, or None when it adds nothing.

    ``cited``: documents the general basis already cites in full (``law``, numbers). An
    article of one of them is cited by article («Căn cứ Điều 26 Luật Thi đua, khen
    thưởng»), never by repeating the document; the document alone is left out. Anything
    else is cited as the catalogue writes it («Căn cứ Thông tư số 01/2024/TT-VPCP …»).
    """
    part = part.strip().rstrip(".;")
    if not part:
        return None
    key, name = _document(part)
    article = _ARTICLE.search(part)
    if key is not None and key in cited:
        return f"Căn cứ Điều {article.group(1)} {name}" if article else None
    if article and name is not None:
        return f"Căn cứ Điều {article.group(1)} {name}"
    if key not in (None, "law") and \
            part.replace(key, "").strip().casefold() in {k.casefold() for _, k in _KINDS}:
        return f"Căn cứ {name}"  # «Thông tư 01/2024/TT-VPCP» → «Thông tư số …»
    return part if part.startswith("Căn cứ") else f"Căn cứ {part[:1].upper()}{part[1:]}"


def legal_basis(session: Session, awards: Iterable[AwardType]) -> list[str]:
    """General basis (a setting), then each title's basis from the catalogue, no repeats
    (see ``catalogue_citation``)."""
    general = setting(session, "document_legal_basis", GENERAL_BASIS)
    lines = [str(x).rstrip(";. ") for x in (general if isinstance(general, list) else [])]
    cited = {m for line in lines for m in _DOC_NUMBER.findall(line)}
    if any(LAW.casefold() in line.casefold() for line in lines):
        cited.add("law")
    extra = [line for award in awards for part in (award.legal_basis or "").split(";")
             if (line := catalogue_citation(part, cited)) is not None]
    return legal_basis_lines(lines, extra)


def recipients(session: Session, noms: list[Nomination], with_amounts: bool
               ) -> list[dict[str, Any]]:
    """One row per nomination: name, position, unit, title, bonus (coefficient × base salary)."""
    codes = [n.subject_code for n in noms]
    people = {p.code: p for p in session.scalars(select(Person).where(Person.code.in_(codes)))}
    unit_codes = {n.unit_code for n in noms} | set(codes) | {p.unit_code for p in people.values()}
    units = {u.code: u.name for u in session.scalars(select(Unit).where(
        Unit.code.in_([c for c in unit_codes if c])))}
    awards: dict[str, AwardType | None] = {}
    rows = []
    for nom in noms:
        award = awards.setdefault(nom.award_code, session.get(AwardType, nom.award_code))
        person = people.get(nom.subject_code)
        unit = units.get((person.unit_code if person else None) or nom.unit_code or "", "")
        rows.append({
            "nomination_id": nom.id, "subject_code": nom.subject_code,
            "award_code": nom.award_code, "kind": nom.subject_kind,
            "name": person.full_name if person else units.get(nom.subject_code,
                                                               nom.subject_code),
            "position": person.position if person else "",
            "unit": unit, "award_name": award.name if award else nom.award_code,
            "salutation": SALUTATION.get(person.gender or "", "") if person else "",
            "amount": bonus_amount(session, award) if with_amounts and award else None})
    return rows


def award_rows(session: Session, noms: list[Nomination]) -> list[AwardType]:
    codes = list(dict.fromkeys(n.award_code for n in noms))
    found = {a.code: a for a in session.scalars(select(AwardType).where(
        AwardType.code.in_(codes)))}
    return [found[c] for c in codes if c in found]


def awarded(awards: Iterable[AwardType]) -> list[Awarded]:
    """The awards as a document words them (title recognised, form given)."""
    return [Awarded(a.name, a.is_emulation_title) for a in awards]
