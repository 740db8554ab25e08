"""Handlers of the emulation registration (đăng ký thi đua).

A unit's registration is a list of (subject, title) lines for one year. The
lines become ``Registration`` rows linked to the process instance, so the
secretariat's review, a correction after a return and a rejection all act on
the same rows. A row is ``submitted`` until the secretariat accepts it
(``accepted``: only these count for eligibility) or rejects it (``rejected``:
kept as history). Registering after the year's deadline (setting
``registration_deadline``, "MM-DD") is allowed, with a warning for the reviewer.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.errors import InvalidData
from engine.extensions import ServiceCall
from engine.store.models import Unit, utcnow
from workflows.catalogue import office_today, setting
from workflows.models import AwardType, EmulationMovement, Person, Registration
from workflows.nominations import instance_unit, is_office_wide, unit_scope

KIND_NAMES = {"individual": "cá nhân", "collective": "tập thể"}


@dataclass(frozen=True)
class _Subject:
    kind: str  # individual | collective
    unit_code: str
    active: bool


def _subjects(session: Session, codes: set[str]) -> dict[str, _Subject]:
    found = {p.code: _Subject("individual", p.unit_code, p.active) for p in session.scalars(
        select(Person).where(Person.code.in_(codes))).all()}
    for unit in session.scalars(select(Unit).where(Unit.code.in_(codes - set(found)))).all():
        found[unit.code] = _Subject("collective", unit.code, True)
    return found


def find_movement(session: Session, code: str | None) -> EmulationMovement | None:
    """The emulation movement with this code, or None (also for no code)."""
    if not code:
        return None
    return session.scalars(
        select(EmulationMovement).where(EmulationMovement.code == code)).first()


def _movement_errors(movement: EmulationMovement | None, code: str | None, year: int,
                     unit: str | None) -> list[str]:
    if not code:
        return []
    if movement is None:
        return [f"Không có phong trào thi đua mã «{code}»."]
    errors = []
    if movement.year != year:
        errors.append(f"Phong trào «{code}» thuộc năm {movement.year}, không phải năm {year}.")
    if movement.target_units and unit is not None and unit not in movement.target_units:
        errors.append(f"Phong trào «{code}» không dành cho đơn vị «{unit}».")
    return errors


def _entry_errors(entry: dict[str, Any], awards: dict[str, AwardType],
                  subjects: dict[str, _Subject], scope: set[str] | None,
                  unit: str | None) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    award = awards.get(entry["award_code"])
    subject = subjects.get(entry["subject_code"])
    if award is None:
        errors["award_code"] = [f"Không có danh hiệu / hình thức khen thưởng "
                                f"«{entry['award_code']}» trong danh mục."]
    if subject is None:
        errors["subject_code"] = [f"Không có cá nhân hay tập thể mã «{entry['subject_code']}»."]
        return errors
    if not subject.active:
        errors["subject_code"] = ["Cá nhân này không còn công tác."]
    elif scope is not None and subject.unit_code not in scope:
        errors["subject_code"] = [f"Không thuộc đơn vị «{unit}»: đơn vị chỉ đăng ký cho "
                                  f"cá nhân, tập thể của mình."]
    if award is not None and award.subject_kind not in ("both", subject.kind):
        errors.setdefault("award_code", []).append(
            f"«{award.name}» không dành cho {KIND_NAMES[subject.kind]}.")
    return errors


def validate_entries(call: ServiceCall) -> tuple[EmulationMovement | None, dict[str, _Subject]]:
    """Check the registration against the catalogue and the units; InvalidData lists every
    bad line (``details.entries[i].field``).

    A unit registers its own people and itself (with its sub-units); an instance
    started without a unit, or completed by someone who works office-wide, may
    register anyone.
    """
    session, data = call.session, call.data
    year = int(data["year"])
    entries: list[dict[str, Any]] = data["entries"]
    unit = instance_unit(session, call.instance_id)
    office_wide = unit is None or is_office_wide(call.actor)
    scope = None if office_wide or unit is None else unit_scope(session, unit)
    movement = find_movement(session, data.get("movement_code"))
    awards = {a.code: a for a in session.scalars(
        select(AwardType).where(AwardType.active.is_(True))).all()}
    subjects = _subjects(session, {e["subject_code"] for e in entries})
    details: dict[str, Any] = {}
    movement_errors = _movement_errors(movement, data.get("movement_code"), year, unit)
    if movement_errors:
        details["movement_code"] = movement_errors
    lines = {i: errs for i, entry in enumerate(entries)
             if (errs := _entry_errors(entry, awards, subjects, scope, unit))}
    if lines:
        details["entries"] = lines
    if details:
        raise InvalidData("Bản đăng ký thi đua có dòng không hợp lệ.",
                          code="registration.invalid", details=details)
    return movement, subjects


def registration_deadline(session: Session, year: int) -> date | None:
    """The registration deadline of ``year`` (setting ``registration_deadline``, "MM-DD").

    None when the setting is missing or malformed (then no warning can be given).
    """
    raw = setting(session, "registration_deadline")
    try:
        month, day = (int(part) for part in str(raw).split("-"))
        return date(year, month, day)
    except (TypeError, ValueError):
        return None


def _lateness(session: Session, year: int) -> dict[str, Any]:
    deadline = registration_deadline(session, year)
    today = office_today()
    late = deadline is not None and today > deadline
    warnings = [f"Đăng ký sau hạn: hạn đăng ký thi đua năm {year} là "
                f"{deadline:%d/%m/%Y}, bản đăng ký gửi ngày {today:%d/%m/%Y}."] if late else []
    return {"deadline": deadline.isoformat() if deadline else None, "late": late,
            "warnings": warnings}


def record_registrations(call: ServiceCall) -> dict[str, Any]:
    """Upsert this instance's registrations to match the submitted list (idempotent).

    New lines are written ``submitted``. Lines already registered by another instance
    are left as they are, unless that registration was rejected: then this instance
    takes the line over (it counts as created). Lines this instance registered before
    and no longer lists are removed (they were never decided). A list sent after the
    year's deadline is recorded too, with ``late`` and a warning for the reviewer.

    Returns:
        ``{"year", "count", "created", "unchanged", "updated", "removed", "deadline",
        "late", "warnings"}``.
    """
    session, data = call.session, call.data
    movement, subjects = validate_entries(call)
    year = int(data["year"])
    movement_id = movement.id if movement is not None else None
    wanted = {(e["subject_code"], e["award_code"]) for e in data["entries"]}
    existing = {(r.subject_code, r.award_code): r for r in session.scalars(
        select(Registration).where(Registration.year == year,
                                   Registration.subject_code.in_({s for s, _ in wanted}))).all()}
    counts = {"created": 0, "unchanged": 0, "updated": 0, "removed": 0}
    for subject_code, award_code in sorted(wanted):
        row = existing.get((subject_code, award_code))
        if row is not None and row.instance_id == call.instance_id:
            counts["updated" if row.movement_id != movement_id else "unchanged"] += 1
            row.movement_id = movement_id
        elif row is not None and row.status != "rejected":
            counts["unchanged"] += 1  # another instance's line stays with it
        else:  # a new line, or one another instance had rejected: registered anew here
            if row is None:
                row = Registration(year=year, subject_code=subject_code, award_code=award_code)
                session.add(row)
            row.movement_id, row.unit_code = movement_id, subjects[subject_code].unit_code
            row.instance_id, row.registered_by = call.instance_id, call.actor.id
            row.registered_at, row.status = utcnow(), "submitted"
            counts["created"] += 1
    for row in session.scalars(
            select(Registration).where(Registration.instance_id == call.instance_id)).all():
        if row.year != year or (row.subject_code, row.award_code) not in wanted:
            session.delete(row)
            counts["removed"] += 1
    return {"year": year, "count": len(wanted), **counts, **_lateness(session, year)}


def set_registration_status(call: ServiceCall) -> dict[str, Any]:
    """Accept or reject this instance's registrations (parameter ``status``).

    Rejected rows are kept (history), not deleted; only accepted ones count for
    eligibility.

    Returns:
        ``{"status", "count"}``.
    """
    status = call.params.get("status")
    if status not in ("accepted", "rejected"):
        raise ValueError("Sơ đồ cần tham số status là accepted hoặc rejected.")
    rows = call.session.scalars(
        select(Registration).where(Registration.instance_id == call.instance_id)).all()
    for row in rows:
        row.status = status
    return {"status": status, "count": len(rows)}


HANDLERS = {
    "record_registrations": (
        record_registrations,
        "Ghi nhận (cập nhật) danh sách đăng ký thi đua của đơn vị cho năm đăng ký; cảnh báo "
        "khi đăng ký sau hạn."),
    "set_registration_status": (
        set_registration_status,
        "Ghi kết quả xem xét các đăng ký thi đua của hồ sơ: chấp nhận hoặc không chấp nhận."),
}
