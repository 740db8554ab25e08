"""Emulation movements (phong trào thi đua): launched by the office, the province or the centre.

The secretariat (and the admin) create and edit movements; everybody signed in sees them,
as the annual plan is public inside the office. Registrations and nominations tied to a
movement are counted on the list; the detail shows them, a unit-scoped person (a
submitter) seeing only their own unit's rows (the engine's access policy). Every change is
audited with the values before and after.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from marshmallow import Schema, ValidationError, fields, validate, validates_schema
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine import audit
from engine.errors import Conflict, Forbidden, InvalidData, NotFound
from engine.messages import translate
from engine.roles import Actor
from engine.runtime.access import AccessPolicy
from engine.store.models import Unit
from workflows.models import AwardType, EmulationMovement, Nomination, Person, Registration

EDIT_ROLES = frozenset({"secretariat", "admin"})
KINDS = {"annual": "Thường xuyên (hằng năm)", "thematic": "Chuyên đề"}
LAUNCH_LEVELS = {"office": "Văn phòng UBND tỉnh", "province": "UBND tỉnh",
                 "central": "Trung ương"}
SCOPES = {"office": "Trong Văn phòng", "local": "Địa phương", "bloc": "Khối thi đua",
          "national": "Toàn quốc"}
CODE_PATTERN = r"^[A-Za-z0-9_.\-]+$"


class MovementInput(Schema):
    """A movement as the secretariat types it (thông tin phong trào thi đua)."""

    code = fields.String(required=True, validate=[
        validate.Length(min=2, max=64),
        validate.Regexp(CODE_PATTERN, error="Chỉ dùng chữ không dấu, số, dấu chấm, gạch ngang "
                                            "hoặc gạch dưới.")],
        metadata={"label": "Mã phong trào"})
    name = fields.String(required=True, validate=validate.Length(min=3, max=255),
                         metadata={"label": "Tên phong trào"})
    kind = fields.String(required=True, validate=validate.OneOf(list(KINDS)),
                         metadata={"label": "Loại phong trào", "choices": KINDS})
    year = fields.Integer(required=True, strict=False,
                          validate=validate.Range(min=2000, max=2100),
                          metadata={"label": "Năm"})
    launch_level = fields.String(load_default="office",
                                 validate=validate.OneOf(list(LAUNCH_LEVELS)),
                                 metadata={"label": "Cấp phát động", "choices": LAUNCH_LEVELS})
    scope = fields.String(load_default="office", validate=validate.OneOf(list(SCOPES)),
                          metadata={"label": "Phạm vi", "choices": SCOPES})
    start_date = fields.Date(required=True, metadata={"label": "Ngày bắt đầu"})
    end_date = fields.Date(load_default=None, allow_none=True,
                           metadata={"label": "Ngày kết thúc"})
    target_units = fields.List(fields.String(validate=validate.Length(min=1, max=64)),
                               load_default=list, validate=validate.Length(max=500),
                               metadata={"label": "Đơn vị tham gia (để trống: tất cả)"})
    description = fields.String(load_default="", validate=validate.Length(max=20000),
                                metadata={"label": "Nội dung, tiêu chí"})

    @validates_schema
    def _dates_in_order(self, data: dict[str, Any], **_: Any) -> None:
        start, end = data.get("start_date"), data.get("end_date")
        if start and end and end < start:
            raise ValidationError("Ngày kết thúc phải sau ngày bắt đầu.", "end_date")


class MovementUpdate(MovementInput):
    """Every field optional on an update; the code never changes."""

    class Meta:
        exclude = ("code",)


def _may_edit(actor: Actor) -> None:
    if not EDIT_ROLES & actor.roles:
        raise Forbidden("Chỉ Phòng TCHCQT hoặc quản trị được tạo, sửa phong trào thi đua.",
                        code="movement.forbidden")


def _load(schema: Schema, data: dict[str, Any], partial: bool = False) -> dict[str, Any]:
    try:
        loaded: dict[str, Any] = schema.load(data, partial=partial)
    except ValidationError as exc:
        raise InvalidData("Thông tin phong trào chưa hợp lệ.", code="movement.invalid",
                          details=translate(exc.normalized_messages())) from exc
    return loaded


def _check_units(session: Session, codes: list[str]) -> None:
    if not codes:
        return
    known = set(session.scalars(select(Unit.code).where(Unit.code.in_(codes))))
    unknown = [c for c in codes if c not in known]
    if unknown:
        raise InvalidData("Không có đơn vị: " + ", ".join(unknown) + ".", code="movement.invalid",
                          details={"target_units": [f"Không có đơn vị {c}." for c in unknown]})


def _row(session: Session, code: str) -> EmulationMovement:
    row = session.scalars(select(EmulationMovement).where(EmulationMovement.code == code)).first()
    if row is None:
        raise NotFound(f"Không có phong trào thi đua {code}.", code="movement.not_found")
    return row


def _plain(row: EmulationMovement) -> dict[str, Any]:
    return {
        "id": row.id, "code": row.code, "name": row.name, "kind": row.kind, "year": row.year,
        "launch_level": row.launch_level, "scope": row.scope,
        "start_date": row.start_date.isoformat(),
        "end_date": row.end_date.isoformat() if row.end_date else None,
        "target_units": list(row.target_units or []), "description": row.description,
    }


def _status(row: EmulationMovement, today: date) -> str:
    if row.start_date > today:
        return "upcoming"
    if row.end_date is not None and row.end_date < today:
        return "ended"
    return "running"


def _counts(session: Session, model: Any, ids: list[int]) -> dict[int, int]:
    if not ids:
        return {}
    rows = session.execute(select(model.movement_id, func.count())
                           .where(model.movement_id.in_(ids))
                           .group_by(model.movement_id)).all()
    return {mid: n for mid, n in rows}


def list_movements(session: Session, actor: Actor, *, year: int | None = None,
                   kind: str | None = None, today: date | None = None) -> list[dict[str, Any]]:
    """The movements, newest year first, with their registration and nomination counts."""
    query = select(EmulationMovement).order_by(EmulationMovement.year.desc(),
                                               EmulationMovement.start_date.desc(),
                                               EmulationMovement.code)
    if year is not None:
        query = query.where(EmulationMovement.year == year)
    if kind is not None:
        query = query.where(EmulationMovement.kind == kind)
    rows = list(session.scalars(query))
    ids = [r.id for r in rows]
    registrations = _counts(session, Registration, ids)
    nominations = _counts(session, Nomination, ids)
    day = today or date.today()
    return [{**_plain(r), "status": _status(r, day),
             "registrations": registrations.get(r.id, 0),
             "nominations": nominations.get(r.id, 0)} for r in rows]


def _subject_names(session: Session, codes: set[str]) -> dict[str, str]:
    if not codes:
        return {}
    people = dict(session.execute(select(Person.code, Person.full_name)
                                  .where(Person.code.in_(codes))).all())
    units = dict(session.execute(select(Unit.code, Unit.name).where(Unit.code.in_(codes))).all())
    return {**units, **people}


def get_movement(session: Session, actor: Actor, code: str, policy: AccessPolicy,
                 today: date | None = None) -> dict[str, Any]:
    """One movement with the registrations and nominations the actor may see."""
    row = _row(session, code)
    regs = select(Registration).where(Registration.movement_id == row.id)
    noms = select(Nomination).where(Nomination.movement_id == row.id)
    if not policy.office_roles(actor):
        unit = actor.unit_code or "\x00"  # a person without a unit sees no rows
        regs = regs.where(Registration.unit_code == unit)
        noms = noms.where(Nomination.unit_code == unit)
    reg_rows = list(session.scalars(regs.order_by(Registration.unit_code,
                                                  Registration.subject_code)))
    nom_rows = list(session.scalars(noms.order_by(Nomination.unit_code, Nomination.id)))
    names = _subject_names(session, {r.subject_code for r in reg_rows}
                           | {n.subject_code for n in nom_rows})
    awards = dict(session.execute(select(AwardType.code, AwardType.name)).all())
    return {
        **_plain(row), "status": _status(row, today or date.today()),
        "registrations": [{
            "subject_code": r.subject_code, "subject_name": names.get(r.subject_code, ""),
            "award_code": r.award_code, "award_name": awards.get(r.award_code, ""),
            "unit_code": r.unit_code, "status": r.status, "instance_id": r.instance_id,
        } for r in reg_rows],
        "nominations": [{
            "subject_code": n.subject_code, "subject_name": names.get(n.subject_code, ""),
            "award_code": n.award_code, "award_name": awards.get(n.award_code, ""),
            "unit_code": n.unit_code, "status": n.status, "instance_id": n.instance_id,
        } for n in nom_rows],
    }


def create_movement(session: Session, actor: Actor, data: dict[str, Any]) -> dict[str, Any]:
    """Create a movement (phát động phong trào); the caller commits."""
    _may_edit(actor)
    values = _load(MovementInput(), data)
    _check_units(session, values["target_units"])
    exists = session.scalars(select(EmulationMovement.id)
                             .where(EmulationMovement.code == values["code"])).first()
    if exists is not None:
        raise Conflict(f"Đã có phong trào mã {values['code']}.", code="movement.exists")
    row = EmulationMovement(**values)
    session.add(row)
    session.flush()
    audit.append(session, actor, "movement.created", {"code": row.code, "after": _plain(row)})
    return _plain(row)


def update_movement(session: Session, actor: Actor, code: str,
                    data: dict[str, Any]) -> dict[str, Any]:
    """Change a movement's fields; ``code`` stays. The caller commits."""
    _may_edit(actor)
    row = _row(session, code)
    values = _load(MovementUpdate(), data, partial=True)
    _check_units(session, values.get("target_units", []))
    start = values.get("start_date", row.start_date)
    end = values.get("end_date", row.end_date)
    if end is not None and end < start:
        raise InvalidData("Ngày kết thúc phải sau ngày bắt đầu.", code="movement.invalid",
                          details={"end_date": ["Ngày kết thúc phải sau ngày bắt đầu."]})
    before = _plain(row)
    for key, value in values.items():
        setattr(row, key, value)
    session.flush()
    after = _plain(row)
    if after != before:
        audit.append(session, actor, "movement.updated",
                     {"code": code, "before": before, "after": after})
    return after
