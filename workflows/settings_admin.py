"""The office settings (cấu hình) as admins edit them: types, ranges, audit.

``SETTINGS`` lists every key with its Vietnamese label and group; ``SettingsSchema``
checks types and ranges. ``update_settings`` writes only the keys given, audits each
change with its value before and after, and writes nothing when any value is bad.
The SMTP password is stored but never returned: views only say whether one is set,
and the audit log masks it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from marshmallow import Schema, ValidationError, fields, validate, validates
from sqlalchemy import select
from sqlalchemy.orm import Session

from engine import audit
from engine.errors import InvalidData
from engine.messages import translate
from engine.reminders import ReminderPolicy
from engine.roles import Actor
from engine.store.models import utcnow
from workflows.documents.context import LETTERHEAD_DEFAULTS
from workflows.models import Setting

SECRET_KEYS = frozenset({"smtp_password"})
MASK = "••••••"
TLS_MODES = {"none": "Không mã hóa", "starttls": "STARTTLS", "ssl": "SSL/TLS"}


@dataclass(frozen=True)
class SettingSpec:
    key: str
    label: str
    group: str
    unit: str = ""


SETTINGS: tuple[SettingSpec, ...] = (
    SettingSpec("base_salary", "Mức lương cơ sở", "money", "đồng/tháng"),
    SettingSpec("appraisal_working_days", "Thời hạn thẩm định hồ sơ", "deadlines",
                "ngày làm việc"),
    SettingSpec("supplement_working_days", "Thời hạn bổ sung hồ sơ bị trả lại", "deadlines",
                "ngày làm việc"),
    SettingSpec("disclosure_working_days", "Thời gian công khai tối thiểu", "deadlines",
                "ngày làm việc"),
    SettingSpec("complaint_working_days", "Thời hạn trả lời kiến nghị, khiếu nại", "deadlines",
                "ngày làm việc"),
    SettingSpec("province_answer_working_days", "Thời hạn theo dõi kết quả của tỉnh",
                "deadlines", "ngày làm việc"),
    SettingSpec("registration_deadline", "Hạn đăng ký thi đua hằng năm", "deadlines",
                "tháng-ngày, ví dụ 03-31"),
    SettingSpec("statistics_deadline", "Hạn gửi báo cáo thống kê", "deadlines",
                "tháng-ngày, ví dụ 12-15"),
    SettingSpec("reminder_working_days", "Nhắc trước hạn xử lý", "reminders",
                "ngày làm việc; 0: không nhắc"),
    SettingSpec("supervisor_of_submitter", "Bước của đơn vị quá hạn: báo cho", "reminders"),
    SettingSpec("supervisor_of_secretariat", "Bước của Phòng TCHCQT quá hạn: báo cho",
                "reminders"),
    SettingSpec("supervisor_of_council", "Bước của Hội đồng quá hạn: báo cho", "reminders"),
    SettingSpec("supervisor_of_chair", "Bước của Chánh Văn phòng quá hạn: báo cho",
                "reminders"),
    SettingSpec("council_quorum_pct", "Túc số Hội đồng (trên tỷ lệ thành viên)", "council",
                "%"),
    SettingSpec("decision_number_suffix", "Ký hiệu số quyết định khen thưởng", "council"),
    SettingSpec("smtp_host", "Máy chủ SMTP", "smtp"),
    SettingSpec("smtp_port", "Cổng SMTP", "smtp"),
    SettingSpec("smtp_user", "Tài khoản SMTP", "smtp"),
    SettingSpec("smtp_password", "Mật khẩu SMTP", "smtp"),
    SettingSpec("smtp_sender", "Địa chỉ gửi thư", "smtp"),
    SettingSpec("smtp_tls", "Mã hóa kết nối", "smtp"),
    SettingSpec("document_parent_body", "Cơ quan chủ quản (dòng trên của tiêu đề)", "documents"),
    SettingSpec("document_issuer", "Cơ quan ban hành (viết tắt trên tiêu đề)", "documents"),
    SettingSpec("document_issuer_full", "Tên đầy đủ cơ quan ban hành", "documents"),
    SettingSpec("document_place", "Địa danh ghi ngày tháng", "documents"),
    SettingSpec("document_signer_title", "Chức vụ người ký", "documents"),
    SettingSpec("document_signer_name", "Họ tên người ký", "documents"),
    SettingSpec("document_proposer", "Đơn vị trình (ghi trong quyết định)", "documents"),
    SettingSpec("document_council", "Tên Hội đồng Thi đua - Khen thưởng", "documents"),
)
SPECS = {s.key: s for s in SETTINGS}
GROUPS = {"money": "Tiền thưởng", "deadlines": "Thời hạn",
          "reminders": "Nhắc hạn và báo quá hạn", "council": "Hội đồng và quyết định",
          "smtp": "Thư điện tử (SMTP)", "documents": "Tiêu đề văn bản ban hành"}
# Whose overdue steps are told to whom (the step's supervisor, DOMAIN.md): a role code,
# or "" for nobody besides the step's own people.
SUPERVISED_ROLES = ("submitter", "secretariat", "council", "chair")
SUPERVISOR_ROLES = ("secretariat", "council", "chair", "admin")
REMINDER_DEFAULTS: dict[str, Any] = {
    "reminder_working_days": 2, "supervisor_of_submitter": "secretariat",
    "supervisor_of_secretariat": "chair", "supervisor_of_council": "chair",
    "supervisor_of_chair": ""}
DEFAULTS: dict[str, Any] = {"smtp_host": "", "smtp_port": 587, "smtp_user": "",
                            "smtp_password": "", "smtp_sender": "", "smtp_tls": "starttls",
                            **LETTERHEAD_DEFAULTS, **REMINDER_DEFAULTS}

_DAYS = validate.Range(min=1, max=365)


def _letterhead(required: bool = False) -> fields.String:
    """A line of the documents' letterhead (Nghị định 30/2020/NĐ-CP); some may stay empty."""
    return fields.String(required=required,
                         validate=validate.Length(min=1 if required else 0, max=255))


def _supervisor() -> fields.String:
    return fields.String(required=True, validate=validate.OneOf(
        ["", *SUPERVISOR_ROLES], error="Chọn một vai trò trong danh sách, hoặc để trống."))


def _month_day(value: str) -> None:
    try:
        month, day = (int(p) for p in value.split("-"))
        date(2024, month, day)  # a leap year, so 02-29 is accepted
        if len(value) != 5:
            raise ValueError(value)
    except ValueError as exc:
        raise ValidationError("Cần dạng tháng-ngày (MM-DD), ví dụ 03-31.") from exc


class SettingsSchema(Schema):
    """Types and ranges of every setting (loaded with ``partial=True`` for a PATCH)."""

    base_salary = fields.Integer(required=True, strict=False,
                                 validate=validate.Range(min=0, max=1_000_000_000))
    appraisal_working_days = fields.Integer(required=True, validate=_DAYS)
    supplement_working_days = fields.Integer(required=True, validate=_DAYS)
    disclosure_working_days = fields.Integer(required=True, validate=_DAYS)
    complaint_working_days = fields.Integer(required=True, validate=_DAYS)
    province_answer_working_days = fields.Integer(required=True, validate=_DAYS)
    reminder_working_days = fields.Integer(required=True, validate=validate.Range(
        min=0, max=30, error="Phải từ {min} đến {max} ngày làm việc (0: không nhắc)."))
    supervisor_of_submitter = _supervisor()
    supervisor_of_secretariat = _supervisor()
    supervisor_of_council = _supervisor()
    supervisor_of_chair = _supervisor()
    registration_deadline = fields.String(required=True, validate=_month_day)
    statistics_deadline = fields.String(required=True, validate=_month_day)
    # "more than N % of the members" (rules.has_quorum): 100 would make a meeting impossible
    council_quorum_pct = fields.Float(required=True, validate=validate.Range(
        min=1, max=100, max_inclusive=False,
        error="Phải từ {min} đến dưới {max} (%): túc số là số thành viên có mặt trên tỷ lệ này."))
    decision_number_suffix = fields.String(required=True, validate=validate.Length(min=1,
                                                                                   max=32))
    smtp_host = fields.String(load_default="", validate=validate.Length(max=255))
    smtp_port = fields.Integer(required=True, validate=validate.Range(min=1, max=65535))
    smtp_user = fields.String(load_default="", validate=validate.Length(max=255))
    smtp_password = fields.String(validate=validate.Length(max=255))
    smtp_sender = fields.String(load_default="", validate=validate.Length(max=255))
    smtp_tls = fields.String(required=True, validate=validate.OneOf(list(TLS_MODES)))
    document_parent_body = _letterhead(required=True)
    document_issuer = _letterhead(required=True)
    document_issuer_full = _letterhead(required=True)
    document_place = _letterhead()
    document_signer_title = _letterhead(required=True)
    document_signer_name = _letterhead()
    document_proposer = _letterhead(required=True)
    document_council = _letterhead(required=True)

    @validates("smtp_sender")
    def _sender(self, value: str, **_kw: Any) -> None:
        if value:
            validate.Email(error="Địa chỉ thư điện tử không hợp lệ.")(value)

    @validates("smtp_host")
    def _host(self, value: str, **_kw: Any) -> None:
        if value and (" " in value or "/" in value):
            raise ValidationError("Tên máy chủ không được chứa dấu cách hay «/».")


def _stored(session: Session) -> dict[str, Any]:
    return {row.key: row.value for row in session.scalars(select(Setting)).all()}


def current_settings(session: Session) -> dict[str, Any]:
    """Every known setting's value (defaults where unset); secrets are left out."""
    stored = _stored(session)
    out = {key: stored.get(key, DEFAULTS.get(key)) for key in SPECS if key not in SECRET_KEYS}
    out["smtp_password_set"] = bool(stored.get("smtp_password"))
    return out


def reminder_policy(session: Session) -> ReminderPolicy:
    """When the scheduler reminds before a deadline and whom it tells after it."""
    values = current_settings(session)
    supervisors = {role: str(values[f"supervisor_of_{role}"]) for role in SUPERVISED_ROLES
                   if values.get(f"supervisor_of_{role}")}
    return ReminderPolicy(remind_days=int(values["reminder_working_days"]),
                          supervisors=supervisors)


def smtp_settings(session: Session) -> dict[str, Any]:
    """The SMTP settings with the password, for the mail sender only (never for display)."""
    stored = _stored(session)
    return {key: stored.get(key, DEFAULTS[key]) for key in DEFAULTS}


def _shown(key: str, value: Any) -> Any:
    return (MASK if value else "") if key in SECRET_KEYS else value


def _load(data: dict[str, Any]) -> dict[str, Any]:
    try:
        loaded: dict[str, Any] = SettingsSchema().load(data, partial=True)
    except ValidationError as exc:
        details = translate(exc.messages)
        raise InvalidData("Cấu hình có giá trị không hợp lệ.", code="settings.invalid",
                          details=details) from exc
    if "council_quorum_pct" in loaded and float(loaded["council_quorum_pct"]).is_integer():
        loaded["council_quorum_pct"] = int(loaded["council_quorum_pct"])
    return loaded


def update_settings(session: Session, actor: Actor, data: dict[str, Any]) -> list[str]:
    """Write the settings given (cập nhật cấu hình); return the keys that changed.

    An empty ``smtp_password`` keeps the stored one; ``smtp_password_clear`` removes it.
    """
    clear = bool(data.pop("smtp_password_clear", False))
    if not data.get("smtp_password"):
        data.pop("smtp_password", None)
    loaded = _load(data)
    if clear:
        loaded["smtp_password"] = ""
    changed = []
    for key, value in loaded.items():
        row = session.get(Setting, key)
        before = row.value if row is not None else DEFAULTS.get(key)
        if before == value:
            continue  # unchanged, or still the default: nothing to write nor audit
        if row is None:
            row = Setting(key=key, description=SPECS[key].label)
            session.add(row)
        row.value, row.updated_at, row.updated_by = value, utcnow(), actor.id
        audit.append(session, actor, "setting.updated",
                     {"key": key, "before": _shown(key, before), "after": _shown(key, value)})
        changed.append(key)
    return changed
