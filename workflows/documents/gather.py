"""Reading what a document says from the database: letterhead, recipients, legal basis."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.roles import Actor
from engine.store.models import Unit
from workflows.catalogue import bonus_amount, setting
from workflows.documents.context import LETTERHEAD_DEFAULTS, legal_basis_lines, letterhead
from workflows.models import AwardType, Nomination, Person, Setting

# The laws every decision and proposal cites first (setting ``document_legal_basis``).
GENERAL_BASIS = [
    "Căn cứ Luật Thi đua, khen thưởng ngày 15 tháng 6 năm 2022",
    "Căn cứ Nghị định số 98/2023/NĐ-CP ngày 31 tháng 12 năm 2023 của Chính phủ quy định chi "
    "tiết thi hành một số điều của Luật Thi đua, khen thưởng",
]
_DOC_NUMBER = re.compile(r"\d+/\d{4}/[\w-]+")
SALUTATION = {"male": "Ông", "female": "Bà"}


def office_letterhead(session: Session) -> dict[str, str]:
    rows = session.scalars(select(Setting).where(Setting.key.in_(LETTERHEAD_DEFAULTS))).all()
    return letterhead({r.key: r.value for r in rows})


def signer_name(actor: Actor | None) -> str:
    """The name of whoever signs (the chair acting), without the "(…)" note demo names carry."""
    if actor is None or not actor.has_role("chair"):
        return ""
    return re.sub(r"\s*\(.*\)\s*$", "", actor.full_name or "").strip()


def legal_basis(session: Session, awards: Iterable[AwardType]) -> list[str]:
    """General basis (a setting), then each title's basis from the catalogue, no repeats."""
    general = setting(session, "document_legal_basis", GENERAL_BASIS)
    lines = [str(x).rstrip(";. ") for x in (general if isinstance(general, list) else [])]
    cited = {m for line in lines for m in _DOC_NUMBER.findall(line)}
    extra: list[str] = []
    for award in awards:
        for part in (award.legal_basis or "").split(";"):
            part = part.strip().rstrip(".")
            numbers = set(_DOC_NUMBER.findall(part))
            if part and not (numbers and numbers <= cited):
                extra.append(f"Căn cứ {part}")
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


def reason_for(kind: str, year: int | None, movement: str | None = None) -> str:
    """The line a Giấy khen prints under the name (lý do khen thưởng)."""
    if kind == "thematic":
        return (f"Đã có thành tích xuất sắc trong phong trào thi đua {movement}"
                if movement else "Đã có thành tích xuất sắc trong phong trào thi đua")
    if kind == "adhoc":
        return "Đã có thành tích xuất sắc đột xuất"
    return f"Đã có thành tích hoàn thành tốt nhiệm vụ năm {year}" if year else \
        "Đã có thành tích hoàn thành tốt nhiệm vụ"
