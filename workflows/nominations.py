"""Nominations (đề nghị khen thưởng) of a procedure instance: checking, syncing, statuses.

A nomination is one subject (a person or a unit) proposed for one title in one
procedure instance. The service-task handlers in ``workflows.handlers``
call these functions; they run inside the engine command's transaction, and
a refusal is an ``InvalidData`` that rolls the whole command back.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from engine.errors import InvalidData
from engine.roles import DEFAULT_UNIT_SCOPED, Actor
from engine.store.models import ProcessInstance, Unit, utcnow
from workflows.dossier import ITEMS as DOSSIER_ITEMS
from workflows.dossier import UNIT_ITEMS
from workflows.models import (
    AWARD_KINDS,
    Attachment,
    AwardType,
    EmulationMovement,
    Nomination,
    Person,
)

# The states people expect to see (DOMAIN.md, "Dossier states"), plus the
# eligibility verdicts and "approved" (approved by whoever decides, not yet recorded).
STATUSES = ("draft", "submitted", "received", "returned", "appraised", "eligible",
            "ineligible", "in_council", "voted", "disclosed", "proposed", "approved",
            "decided", "not_approved", "revoked")
# A status no later step changes: the registry row exists, or it was revoked.
FINAL = frozenset({"decided", "revoked"})
# Out of the running: nothing but an explicit list (a new appraisal) brings it back.
CLOSED = FINAL | {"not_approved", "ineligible"}
# «Không được khen thưởng» never hides the more precise «Không đủ điều kiện»: a nominee the
# eligibility check turned down keeps that status when the rest are marked not approved.
KEEPS_OVER_NOT_APPROVED = FINAL | {"ineligible"}
MAX_SUBJECTS = 200
KIND_LABEL = {"individual": "cá nhân", "collective": "tập thể"}
PROCEDURE_LABEL = {"annual": "hằng năm", "thematic": "chuyên đề", "adhoc": "đột xuất"}
# Procedures whose dossier follows the simplified procedure (Law Art. 85).
SIMPLIFIED_PROCESSES = frozenset({"adhoc_award"})
# An instance whose nominations are still being pursued.
OPEN_INSTANCE = ("running", "error")


@dataclass
class Proposal:
    """What a unit proposes: the title, the year and the list of subjects."""

    year: Any
    award_code: Any
    subjects: Any
    kind: Any = "annual"
    movement_code: Any = None
    errors: dict[str, list[str]] = field(default_factory=dict)

    def fail(self, name: str, message: str) -> None:
        self.errors.setdefault(name, []).append(message)


def instance_unit(session: Session, instance_id: int) -> str | None:
    """The unit the instance belongs to (the unit that started it)."""
    return session.scalar(
        select(ProcessInstance.unit_code).where(ProcessInstance.id == instance_id))


def unit_scope(session: Session, unit_code: str) -> set[str]:
    """The unit and all its descendant units."""
    children: dict[str | None, list[str]] = {}
    for code, parent in session.execute(select(Unit.code, Unit.parent_code)).all():
        children.setdefault(parent, []).append(code)
    scope: set[str] = set()
    todo = [unit_code]
    while todo:
        code = todo.pop()
        if code not in scope:
            scope.add(code)
            todo.extend(children.get(code, []))
    return scope


def is_office_wide(actor: Actor) -> bool:
    """Whether the actor works office-wide (any role that is not unit-scoped)."""
    return any(role not in DEFAULT_UNIT_SCOPED for role in actor.roles)


def instance_nominations(session: Session, instance_id: int) -> list[Nomination]:
    return list(session.scalars(
        select(Nomination).where(Nomination.instance_id == instance_id)
        .order_by(Nomination.id)).all())


def running_subjects(session: Session, instance_ids: set[int]) -> dict[int, list[str]]:
    """Per instance with nominations, the subjects still in the running (not closed), in
    the order proposed: what a step still decides on (the chair's step does not decide on
    a nominee found ineligible or turned down by the council)."""
    out: dict[int, list[str]] = {}
    if not instance_ids:
        return out
    rows = session.execute(select(Nomination.instance_id, Nomination.subject_code,
                                  Nomination.status)
                           .where(Nomination.instance_id.in_(instance_ids))
                           .order_by(Nomination.id)).all()
    for iid, code, status in rows:
        codes = out.setdefault(iid, [])
        if status not in CLOSED:
            codes.append(code)
    return out


def subject_code_of(item: Any) -> str:
    """A subject code from a code or a row-like mapping (``subject_code`` or ``code``)."""
    if isinstance(item, dict):
        return str(item.get("subject_code") or item.get("code") or "")
    return str(item)


# -- checking a proposal ---------------------------------------------------------------
def _check_award(session: Session, proposal: Proposal) -> AwardType | None:
    award = session.get(AwardType, str(proposal.award_code or ""))
    if award is None or not award.active:
        proposal.fail("award_code", f"Không có danh hiệu / hình thức khen thưởng "
                                    f"«{proposal.award_code}».")
        return None
    if proposal.kind in AWARD_KINDS and proposal.kind not in (award.kinds or ["annual"]):
        proposal.fail("award_code", f"«{award.name}» không được đề nghị theo thủ tục khen "
                                    f"thưởng {PROCEDURE_LABEL[proposal.kind]}.")
    return award


def _check_movement(session: Session, proposal: Proposal) -> EmulationMovement | None:
    code = proposal.movement_code
    if not code:
        return None
    movement = session.scalars(
        select(EmulationMovement).where(EmulationMovement.code == code)).first()
    if movement is None:
        proposal.fail("movement_code", f"Không có phong trào thi đua mã «{code}».")
    elif isinstance(proposal.year, int) and movement.year != proposal.year:
        proposal.fail("movement_code",
                      f"Phong trào «{code}» thuộc năm {movement.year}, không phải năm "
                      f"{proposal.year}.")
    return movement


def _subject_rows(session: Session, codes: list[str]) -> dict[str, tuple[str, str, str, bool]]:
    """code → (kind, name, unit_code, active) for the persons and units that exist."""
    found = {p.code: ("individual", p.full_name, p.unit_code, p.active)
             for p in session.scalars(select(Person).where(Person.code.in_(codes))).all()}
    rest = [c for c in codes if c not in found]
    if rest:
        for unit in session.scalars(select(Unit).where(Unit.code.in_(rest))).all():
            found[unit.code] = ("collective", unit.name, unit.code, True)
    return found


def _check_subjects(session: Session, proposal: Proposal, award: AwardType | None,
                    scope: set[str] | None) -> dict[str, tuple[str, str, str, bool]]:
    codes = proposal.subjects
    if not isinstance(codes, list) or not codes:
        proposal.fail("subjects", "Cần ít nhất một cá nhân hoặc tập thể được đề nghị.")
        return {}
    if len(codes) > MAX_SUBJECTS:
        proposal.fail("subjects", f"Không quá {MAX_SUBJECTS} đối tượng trong một hồ sơ.")
        return {}
    codes = [str(c).strip() for c in codes]
    rows = _subject_rows(session, codes)
    seen: set[str] = set()
    for code in codes:
        if code in seen:
            proposal.fail("subjects", f"«{code}» có tên hai lần trong danh sách.")
            continue
        seen.add(code)
        row = rows.get(code)
        if row is None:
            proposal.fail("subjects", f"Không có cá nhân hay tập thể mã «{code}».")
            continue
        kind, name, unit_code, active = row
        if not active:
            proposal.fail("subjects", f"{name} ({code}) không còn công tác.")
        if award is not None and award.subject_kind not in ("both", kind):
            proposal.fail("subjects", f"{name} ({code}) là {KIND_LABEL[kind]}; «{award.name}» "
                                      f"chỉ dành cho {KIND_LABEL[award.subject_kind]}.")
        if scope is not None and unit_code not in scope:
            proposal.fail("subjects", f"{name} ({code}) không thuộc đơn vị đề nghị.")
    return rows


def check_proposal(session: Session, instance_id: int, actor: Actor, proposal: Proposal,
                   within_instance_unit: bool = False
                   ) -> tuple[AwardType, EmulationMovement | None,
                              dict[str, tuple[str, str, str, bool]]]:
    """Check a proposal against the catalogue and the units; InvalidData on any problem.

    Subjects must belong to the instance's unit (or its sub-units) unless the actor works
    office-wide; ``within_instance_unit`` applies the unit's scope to anybody (e.g. the
    secretariat naming the nominee of a unit's proposal).
    """
    if isinstance(proposal.year, bool) or not isinstance(proposal.year, int) \
            or not 2000 <= proposal.year <= 2100:
        proposal.fail("year", "Năm phải là số nguyên từ 2000 đến 2100.")
    if proposal.kind not in AWARD_KINDS:
        proposal.fail("kind", f"Loại khen thưởng phải là một trong: {', '.join(AWARD_KINDS)}.")
    award = _check_award(session, proposal)
    movement = _check_movement(session, proposal)
    unit = instance_unit(session, instance_id)
    open_scope = is_office_wide(actor) and not within_instance_unit
    scope = None if unit is None or open_scope else unit_scope(session, unit)
    rows = _check_subjects(session, proposal, award, scope)
    if proposal.errors or award is None:
        first = next(iter(proposal.errors.values()))[0]
        raise InvalidData(f"Hồ sơ đề nghị khen thưởng không hợp lệ: {first}",
                          code="nomination.invalid", details=proposal.errors)
    return award, movement, rows


def check_not_pursued_elsewhere(session: Session, instance_id: int, proposal: Proposal,
                                award: AwardType, movement: EmulationMovement | None,
                                names: dict[str, str]) -> None:
    """Refuse a subject another open instance already proposes for the same title.

    "The same title" is the award and year of an annual nomination, or the award, year
    and movement of a thematic one; ad-hoc awards reward separate deeds and are not
    compared. A nomination no longer in the running (closed status) or in an instance
    that ended does not count.

    Raises:
        InvalidData: ``nomination.duplicate``, naming the other instance for each subject.
    """
    if proposal.kind == "adhoc":
        return
    codes = [str(c).strip() for c in proposal.subjects]
    query = (select(Nomination.subject_code, Nomination.instance_id,
                    ProcessInstance.business_key)
             .join(ProcessInstance, ProcessInstance.id == Nomination.instance_id)
             .where(Nomination.subject_code.in_(codes), Nomination.award_code == award.code,
                    Nomination.year == proposal.year, Nomination.kind == proposal.kind,
                    Nomination.instance_id != instance_id,
                    ProcessInstance.status.in_(OPEN_INSTANCE),
                    Nomination.status.not_in(CLOSED))
             .order_by(Nomination.subject_code, Nomination.instance_id))
    if proposal.kind == "thematic":
        query = query.where(Nomination.movement_id.is_(None) if movement is None
                            else Nomination.movement_id == movement.id)
    messages = []
    for code, other, business_key in session.execute(query).all():
        where = f"hồ sơ số {other}" + (f" ({business_key})" if business_key else "")
        messages.append(f"{names.get(code, code)} ({code}) đã được đề nghị «{award.name}» năm "
                        f"{proposal.year} trong {where} đang xử lý.")
    if messages:
        raise InvalidData(f"Không đề nghị trùng một danh hiệu: {messages[0]}",
                          code="nomination.duplicate", details={"subjects": messages})


# -- writing nominations ---------------------------------------------------------------
def sync_nominations(session: Session, instance_id: int, process_key: str, actor: Actor,
                     proposal: Proposal) -> tuple[AwardType, list[Nomination]]:
    """Create or refresh the instance's nominations to match the proposal.

    Rows for subjects still proposed are kept (with their status and history),
    new subjects are added, dropped ones removed (their files stay with the instance).
    """
    award, movement, rows = check_proposal(session, instance_id, actor, proposal)
    check_not_pursued_elsewhere(session, instance_id, proposal, award, movement,
                                {code: row[1] for code, row in rows.items()})
    wanted = [str(c).strip() for c in proposal.subjects]
    existing = {(n.subject_code, n.award_code): n
                for n in instance_nominations(session, instance_id)}
    now = utcnow()
    dropped = [n for key, n in existing.items() if key not in {(c, award.code) for c in wanted}]
    for gone in dropped:
        if gone.award_id is not None:
            raise InvalidData(f"«{gone.subject_code}» đã có quyết định khen thưởng, không thể "
                              f"bỏ khỏi hồ sơ.", code="nomination.invalid",
                              details={"subjects": [f"«{gone.subject_code}» đã có quyết định."]})
    if dropped:
        ids = [n.id for n in dropped]
        session.execute(update(Attachment).where(Attachment.nomination_id.in_(ids))
                        .values(nomination_id=None))
        for gone in dropped:
            session.delete(gone)
    result: list[Nomination] = []
    for code in wanted:
        kind, _name, unit_code, _active = rows[code]
        nom = existing.get((code, award.code))
        if nom is None:
            nom = Nomination(instance_id=instance_id, process_key=process_key,
                             award_code=award.code, subject_code=code, status="submitted",
                             created_at=now)
            session.add(nom)
        nom.year = proposal.year
        nom.subject_kind = kind
        nom.unit_code = unit_code
        nom.kind = proposal.kind
        nom.movement_id = movement.id if movement is not None else None
        nom.updated_at = now
        result.append(nom)
    session.flush()
    return award, result


def set_status(session: Session, instance_id: int, status: str,
               subjects: list[str] | None = None, others: str | None = None
               ) -> dict[str, list[str]]:
    """Set the status of the instance's nominations.

    Without ``subjects``: every nomination still in the running gets ``status``
    (``not_approved`` applies to every one not yet decided). With ``subjects``:
    those get ``status`` (an explicit list may bring a closed one back, e.g. after a
    new appraisal) and, when ``others`` is given, the rest not yet decided get it.
    ``not_approved`` given to the rest (``others``, or no ``subjects``) leaves an
    ``ineligible`` nomination as it is (``KEEPS_OVER_NOT_APPROVED``).
    Returns the subject codes changed, by new status.
    """
    for value in (status, others):
        if value is not None and value not in STATUSES:
            raise ValueError(f"trạng thái hồ sơ đề nghị không hợp lệ: {value!r}")
    noms = instance_nominations(session, instance_id)
    changed: dict[str, list[str]] = {}
    if subjects is None:
        closed = KEEPS_OVER_NOT_APPROVED if status == "not_approved" else CLOSED
        targets = [(n, status) for n in noms if n.status not in closed]
    else:
        listed = {subject_code_of(s) for s in subjects}
        unknown = listed - {n.subject_code for n in noms} - {""}
        if unknown:
            raise InvalidData("Có đối tượng không thuộc hồ sơ này: "
                              f"{', '.join(sorted(unknown))}.", code="nomination.invalid",
                              details={"subjects": [f"«{c}» không thuộc hồ sơ."
                                                    for c in sorted(unknown)]})
        targets = [(n, status) for n in noms if n.subject_code in listed
                   and n.status not in FINAL]
        if others is not None:
            kept = KEEPS_OVER_NOT_APPROVED if others == "not_approved" else FINAL
            targets += [(n, others) for n in noms if n.subject_code not in listed
                        and n.status not in kept]
    now = utcnow()
    for nom, new in targets:
        nom.status = new
        nom.updated_at = now
        changed.setdefault(new, []).append(nom.subject_code)
    return changed


def nomination_view(nom: Nomination, name: str) -> dict[str, Any]:
    return {"id": nom.id, "subject_code": nom.subject_code, "subject_kind": nom.subject_kind,
            "name": name}


# -- the dossier -----------------------------------------------------------------------
def dossier_gaps(session: Session, instance_id: int, award: AwardType, simplified: bool,
                 exclude: list[str] | None = None) -> tuple[list[str], list[str]]:
    """The title's required dossier items and those missing from the instance's dossier.

    Required: ``award.dossier_items`` (``simplified_dossier_items`` for the simplified
    procedure), less ``exclude`` (items made later, e.g. the council's minutes). Only
    current attachments count: a superseded version is history, not the dossier.

    Returns:
        ``(required, missing)``, item codes in the catalogue's order.
    """
    items = award.simplified_dossier_items if simplified else award.dossier_items
    required = [i for i in (items or []) if i not in set(exclude or [])]
    present = set(session.scalars(select(Attachment.item).where(
        Attachment.instance_id == instance_id, Attachment.superseded_at.is_(None))).all())
    return required, [i for i in required if i not in present]


def item_views(items: list[str]) -> list[dict[str, str]]:
    """Dossier items with their Vietnamese labels (thành phần hồ sơ)."""
    return [{"item": i, "label": DOSSIER_ITEMS.get(i, i)} for i in items]


def unit_items(award: AwardType, simplified: bool) -> list[str]:
    """The title's required items a unit files itself (its proposal and supplement steps):
    the catalogue's list less what the office adds later (the council's minutes)."""
    items = award.simplified_dossier_items if simplified else award.dossier_items
    return [i for i in items or [] if i in UNIT_ITEMS]


def required_unit_items(session: Session, instance_id: int, data: dict[str, Any],
                        process_key: str | None) -> list[str]:
    """The dossier items the unit must file for the title the instance proposes: its
    nominations' title, else the ``award_code`` of ``data`` (typed or prefilled); none
    while no title is chosen. The ad-hoc procedure takes the simplified items (as its
    diagram's ``check_dossier`` does)."""
    simplified = process_key in SIMPLIFIED_PROCESSES
    noms = instance_nominations(session, instance_id)
    code = noms[0].award_code if noms else data.get("award_code")
    award = session.get(AwardType, str(code)) if code else None
    if award is None:
        return []
    return unit_items(award, simplified or (bool(noms) and noms[0].kind == "adhoc"))
