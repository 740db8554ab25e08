"""Editing the award catalogue (danh mục danh hiệu, hình thức khen thưởng) with typed values.

Columns (threshold, vote base, secret ballot, bonus coefficient, legal basis…) and the
known keys of ``award_type.rules`` (``eligibility_catalogue.KEYS``) each have a type and a
range; a key given as ``None`` is removed from the rules, keys this module does not know
are kept untouched. Nothing is written when any value is bad; every change is audited
with the values before and after.

A new title or form is created with its code, kind of subject and level (which never
change afterwards: the award history refers to them), optionally copying the values and
rules of another. Retiring one (``active = False``, ngừng sử dụng) takes it off the forms
of new nominations while the history keeps it; it is refused while a nomination for it is
still being processed.
"""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, ValidationError, fields, validate
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine import audit
from engine.errors import Conflict, InvalidData, NotFound
from engine.messages import translate
from engine.roles import Actor
from workflows.dossier import ITEMS
from workflows.eligibility_catalogue import KEYS, QUOTA_SCOPES, check_rules
from workflows.history import DISCIPLINE_NAMES, LEVEL_NAMES, RATING_NAMES
from workflows.models import AwardType, Nomination

SUBJECT_KINDS = {"individual": "Cá nhân", "collective": "Tập thể", "both": "Cá nhân và tập thể"}
LEVELS = {"office": "Văn phòng", "province": "Cấp tỉnh", "national": "Cấp nhà nước"}
# The procedures a title or form may be proposed in (award_type.kinds).
PROCEDURE_KINDS = {"annual": "Hằng năm", "thematic": "Chuyên đề", "adhoc": "Đột xuất"}
VOTE_BASES = {"members": "Tổng số thành viên Hội đồng", "present": "Số thành viên có mặt"}
_PCT = validate.Range(min=0, max=100, min_inclusive=False,
                      error="Cần một số lớn hơn 0 và không quá 100.")
_FILLED = [validate.Length(min=1, error="Không được để trống."),
           validate.Length(max=255, error="Không được quá {max} ký tự.")]
COLUMNS = ("name", "decided_by", "bonus_coefficient", "secret_ballot", "vote_threshold_pct",
           "vote_base", "needs_disclosure", "disclosure_working_days", "dossier_items",
           "simplified_dossier_items", "registration_required", "legal_basis", "sort_order",
           "active", "kinds")


def _rule_field(kind: str) -> fields.Field:
    """The marshmallow field for one kind of rule value (``KEYS``); None removes the key."""
    one_of = {"rating": RATING_NAMES, "discipline": DISCIPLINE_NAMES, "scope": QUOTA_SCOPES}
    if kind in one_of:
        return fields.String(allow_none=True, validate=validate.OneOf(list(one_of[kind])))
    if kind == "title":
        return fields.String(allow_none=True, validate=validate.Length(min=1, max=32))
    if kind == "count":
        return fields.Integer(allow_none=True, strict=False, validate=validate.Range(min=1,
                                                                                     max=100))
    if kind == "levels":
        return fields.List(fields.String(validate=validate.OneOf(list(LEVEL_NAMES))),
                           allow_none=True, validate=validate.Length(min=1))
    if kind == "pct":
        return fields.Float(allow_none=True, validate=_PCT)
    return fields.Boolean(allow_none=True)


RulesSchema = Schema.from_dict({k: _rule_field(kind) for k, (_l, kind) in KEYS.items()},
                               name="RulesSchema")
_ITEM_LIST = fields.List(fields.String(validate=validate.OneOf(list(ITEMS))))


class AwardTypeEditSchema(Schema):
    """What an admin may change of one title or form (all optional: a PATCH)."""

    name = fields.String(validate=_FILLED)
    decided_by = fields.String(validate=_FILLED)
    bonus_coefficient = fields.Float(allow_none=True, validate=validate.Range(min=0, max=100))
    secret_ballot = fields.Boolean()
    vote_threshold_pct = fields.Float(allow_none=True, validate=_PCT)
    vote_base = fields.String(validate=validate.OneOf(list(VOTE_BASES)))
    needs_disclosure = fields.Boolean()
    disclosure_working_days = fields.Integer(validate=validate.Range(min=1, max=365))
    dossier_items = _ITEM_LIST
    simplified_dossier_items = _ITEM_LIST
    registration_required = fields.Boolean()
    legal_basis = fields.String(validate=validate.Length(max=5000))
    sort_order = fields.Integer(validate=validate.Range(min=0, max=10_000))
    active = fields.Boolean()
    kinds = fields.List(fields.String(validate=validate.OneOf(list(PROCEDURE_KINDS))),
                        validate=validate.Length(
                            min=1, error="Chọn ít nhất một thủ tục được đề nghị."))
    rules = fields.Nested(RulesSchema)


def get_award_type(session: Session, code: str) -> AwardType:
    """Any title or form, active or not (the public ``award_type`` hides inactive ones)."""
    row = session.get(AwardType, code)
    if row is None:
        raise NotFound(f"Không có danh hiệu / hình thức khen thưởng «{code}».",
                       code="award.not_found")
    return row


def all_award_types(session: Session) -> list[AwardType]:
    return list(session.scalars(select(AwardType).order_by(AwardType.sort_order,
                                                           AwardType.code)).all())


def snapshot(row: AwardType) -> dict[str, Any]:
    out = {name: getattr(row, name) for name in COLUMNS}
    for name in ("bonus_coefficient", "vote_threshold_pct"):
        out[name] = None if out[name] is None else float(out[name])
    out["rules"] = dict(row.rules or {})
    out["kinds"] = list(row.kinds or [])
    return out


def _invalid(details: dict[str, Any]) -> InvalidData:
    return InvalidData("Danh mục có giá trị không hợp lệ.", code="catalogue.invalid",
                       details=details)


def _load(data: dict[str, Any]) -> dict[str, Any]:
    try:
        loaded: dict[str, Any] = AwardTypeEditSchema().load(data)
    except ValidationError as exc:
        raise _invalid(translate(exc.messages)) from exc
    return loaded


def _check_titles(session: Session, rules: dict[str, Any]) -> None:
    bad = {key: ["Cần mã một danh hiệu, hình thức có trong danh mục."]
           for key, value in rules.items()
           if value is not None and KEYS.get(key, ("", ""))[1] == "title"
           and session.get(AwardType, value) is None}
    if bad:
        raise _invalid({"rules": bad})


def _merged_rules(row: AwardType, changes: dict[str, Any]) -> dict[str, Any]:
    rules = dict(row.rules or {})
    for key, value in changes.items():
        if isinstance(value, float) and value.is_integer():
            value = int(value)  # 20, as the seed writes it, not 20.0
        if value is None:
            rules.pop(key, None)
        else:
            rules[key] = value
    return rules


class AwardTypeCreateSchema(AwardTypeEditSchema):
    """A new title or form: its identity, then any value an edit may set."""

    code = fields.String(required=True, validate=validate.Regexp(
        r"^[A-Z][A-Z0-9_]{1,31}$", error="Mã gồm 2–32 chữ in hoa không dấu, số và dấu _, "
                                          "bắt đầu bằng chữ (ví dụ GK_CHUYEN_DE)."))
    name = fields.String(required=True, validate=_FILLED)
    decided_by = fields.String(required=True, validate=_FILLED)
    subject_kind = fields.String(required=True, validate=validate.OneOf(list(SUBJECT_KINDS)))
    level = fields.String(required=True, validate=validate.OneOf(list(LEVELS)))
    copy_from = fields.String(load_default=None, allow_none=True)


def create_award_type(session: Session, actor: Actor, data: dict[str, Any]) -> AwardType:
    """A new title or form (thêm danh hiệu, hình thức); audited ``catalogue.created``.

    ``copy_from`` (a code) starts from that one's values, dossier items and rules.

    Raises:
        InvalidData: ``catalogue.invalid`` with ``details`` by field.
        Conflict: ``catalogue.exists`` when the code is taken.
    """
    try:
        loaded: dict[str, Any] = AwardTypeCreateSchema().load(data)
    except ValidationError as exc:
        raise _invalid(translate(exc.messages)) from exc
    if session.get(AwardType, loaded["code"]) is not None:
        raise Conflict(f"Mã «{loaded['code']}» đã có trong danh mục.", code="catalogue.exists",
                       details={"code": ["Mã này đã được dùng; chọn mã khác."]})
    source = loaded.pop("copy_from", None)
    base: dict[str, Any] = {}
    if source:
        model = session.get(AwardType, source)
        if model is None:
            raise _invalid({"copy_from": ["Cần mã một danh hiệu, hình thức có trong danh mục."]})
        base = {k: v for k, v in snapshot(model).items()
                if k not in ("name", "active", "sort_order")}
    rules = {**base.pop("rules", {}), **loaded.pop("rules", {})}
    _check_titles(session, rules)
    row = AwardType(**{**base, **loaded, "active": loaded.get("active", True)})
    row.rules = {k: (int(v) if isinstance(v, float) and v.is_integer() else v)
                 for k, v in rules.items() if v is not None}
    row.sort_order = loaded.get("sort_order", _next_order(session))
    session.add(row)
    session.flush()
    check_rules(session, row)  # the caller rolls back on any error
    audit.append(session, actor, "catalogue.created",
                 {"code": row.code, "copy_from": source, "after": snapshot(row)})
    return row


def _next_order(session: Session) -> int:
    return int(session.scalar(select(func.max(AwardType.sort_order))) or 0) + 10


def open_nominations(session: Session, code: str) -> int:
    """Nominations for this title still being processed (not closed, instance open)."""
    from engine.store.models import ProcessInstance
    from workflows.nominations import CLOSED, OPEN_INSTANCE

    return int(session.scalar(
        select(func.count()).select_from(Nomination)
        .join(ProcessInstance, ProcessInstance.id == Nomination.instance_id)
        .where(Nomination.award_code == code, Nomination.status.not_in(CLOSED),
               ProcessInstance.status.in_(OPEN_INSTANCE))) or 0)


def _check_retire(session: Session, row: AwardType) -> None:
    pending = open_nominations(session, row.code)
    if pending:
        raise Conflict(f"Còn {pending} đề nghị «{row.name}» đang được xử lý; chỉ ngừng sử dụng "
                       "được khi các đề nghị đó đã xong.", code="catalogue.in_use",
                       details={"active": [f"Còn {pending} đề nghị đang xử lý."]})


def update_award_type(session: Session, actor: Actor, code: str,
                      data: dict[str, Any]) -> AwardType:
    """Change one title's values (sửa danh mục); audited as ``catalogue.updated`` (and
    ``catalogue.retired`` / ``catalogue.restored`` when ``active`` changes).

    Raises:
        NotFound: ``award.not_found``.
        InvalidData: ``catalogue.invalid`` with ``details`` by field (``rules`` nested).
        Conflict: ``catalogue.in_use`` when retiring a title with nominations in progress.
    """
    row = get_award_type(session, code)
    loaded = _load(data)
    rule_changes = loaded.pop("rules", {})
    _check_titles(session, rule_changes)
    if row.active and loaded.get("active") is False:
        _check_retire(session, row)
    before = snapshot(row)
    for name, value in loaded.items():
        setattr(row, name, value)
    if rule_changes:
        row.rules = _merged_rules(row, rule_changes)
    check_rules(session, row)  # the caller rolls back on any error
    after = snapshot(row)
    changed = {k for k in after if after[k] != before[k]}
    if changed:
        audit.append(session, actor, "catalogue.updated",
                     {"code": code, "before": {k: before[k] for k in sorted(changed)},
                      "after": {k: after[k] for k in sorted(changed)}})
    if "active" in changed:
        audit.append(session, actor, "catalogue.restored" if row.active else
                     "catalogue.retired", {"code": code, "name": row.name})
    return row
