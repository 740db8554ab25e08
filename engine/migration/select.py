"""Which instances a migration looks at (chọn hồ sơ): a version's running instances,
optionally narrowed by ids, business-key prefix, current step and start date."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session

from engine.errors import InvalidData
from engine.store.models import HumanTask, ProcessInstance

# Instances that still run: an instance in error is shown (and refused with its reason).
OPEN_STATUSES = ("running", "error")


@dataclass(frozen=True)
class Filters:
    """``started_after`` counts from the start of that day, ``started_before`` up to it."""

    instance_ids: tuple[int, ...] = ()
    business_key_prefix: str | None = None
    step: str | None = None
    started_after: date | None = None
    started_before: date | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "instance_ids": list(self.instance_ids),
            "business_key_prefix": self.business_key_prefix, "step": self.step,
            "started_after": self.started_after.isoformat() if self.started_after else None,
            "started_before": self.started_before.isoformat() if self.started_before else None,
        }


def _ids(value: Any, errors: dict[str, list[str]]) -> tuple[int, ...]:
    if value in (None, "", []):
        return ()
    items = value.replace(";", ",").split(",") if isinstance(value, str) else value
    try:
        ids = tuple(int(str(v).strip()) for v in items if str(v).strip())
    except (TypeError, ValueError):
        errors["instance_ids"] = ["Danh sách số hồ sơ phải là các số nguyên, cách nhau dấu phẩy."]
        return ()
    if any(i <= 0 for i in ids) or len(ids) > 10000:
        errors["instance_ids"] = ["Số hồ sơ phải dương (tối đa 10.000 số)."]
        return ()
    return ids


def _day(name: str, value: Any, errors: dict[str, list[str]]) -> date | None:
    if value in (None, ""):
        return None
    if isinstance(value, date):
        return value if not isinstance(value, datetime) else value.date()
    text = str(value).strip()
    for pattern in ("%d/%m/%Y", "%Y-%m-%d"):
        try:
            return datetime.strptime(text[:10], pattern).date()
        except ValueError:
            continue
    errors[name] = ["Ngày không hợp lệ (dd/mm/yyyy, ví dụ 25/11/2026)."]
    return None


def _text(name: str, value: Any, errors: dict[str, list[str]], limit: int) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    if len(text) > limit:
        errors[name] = [f"Tối đa {limit} ký tự."]
    return text or None


def parse_filters(raw: dict[str, Any] | None) -> Filters:
    """Filters from a request or the command line; every bad value is named."""
    raw = raw or {}
    unknown = sorted(set(raw) - set(Filters.__dataclass_fields__))
    errors: dict[str, list[str]] = {name: ["Bộ lọc không được hỗ trợ."] for name in unknown}
    filters = Filters(
        instance_ids=_ids(raw.get("instance_ids"), errors),
        business_key_prefix=_text("business_key_prefix", raw.get("business_key_prefix"),
                                  errors, 255),
        step=_text("step", raw.get("step"), errors, 255),
        started_after=_day("started_after", raw.get("started_after"), errors),
        started_before=_day("started_before", raw.get("started_before"), errors),
    )
    if filters.started_after and filters.started_before \
            and filters.started_after >= filters.started_before:
        errors.setdefault("started_before", []).append(
            "Ngày «trước ngày» phải sau ngày «từ ngày».")
    if errors:
        raise InvalidData("Bộ lọc hồ sơ không hợp lệ.", details=errors)
    return filters


def _like_prefix(prefix: str) -> str:
    return prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def _conditions(version_id: int, filters: Filters, tz: ZoneInfo) -> list[ColumnElement[bool]]:
    where = [ProcessInstance.model_version_id == version_id,
             ProcessInstance.status.in_(OPEN_STATUSES)]
    if filters.instance_ids:
        where.append(ProcessInstance.id.in_(filters.instance_ids))
    if filters.business_key_prefix:
        where.append(ProcessInstance.business_key.like(
            _like_prefix(filters.business_key_prefix), escape="\\"))
    if filters.step:
        where.append(ProcessInstance.id.in_(
            select(HumanTask.instance_id).where(HumanTask.state == "ready",
                                                HumanTask.name == filters.step)))
    if filters.started_after:
        start = datetime.combine(filters.started_after, time.min, tz)
        where.append(ProcessInstance.started_at >= start)
    if filters.started_before:
        end = datetime.combine(filters.started_before, time.min, tz)
        where.append(ProcessInstance.started_at < end)
    return where


def instance_ids(session: Session, version_id: int, filters: Filters, tz: ZoneInfo
                 ) -> list[int]:
    """Ids of the chosen instances of a version, oldest first."""
    query = (select(ProcessInstance.id).where(*_conditions(version_id, filters, tz))
             .order_by(ProcessInstance.id))
    return list(session.scalars(query).all())

