"""Plain-dict views of stored rows: what API clients and pages receive."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from engine.store.models import AuditEvent, HumanTask, ProcessInstance, ProcessModelVersion


def one_line(text: str | None) -> str:
    """A name from a diagram on one line: the modeler wraps long names («Thẩm định\nhồ
    sơ»); every run of spaces, tabs and line breaks becomes one space."""
    return " ".join((text or "").split())


def iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def version_view(row: ProcessModelVersion) -> dict[str, Any]:
    return {
        "key": row.process_key, "version": row.version, "name": row.name,
        "sha256": row.sha256, "filename": row.filename, "deployed_by": row.deployed_by,
        "deployed_at": iso(row.deployed_at),
    }


def task_view(row: HumanTask, assignee: str | None = None) -> dict[str, Any]:
    return {
        "id": row.id, "instance_id": row.instance_id, "process_key": row.process_key,
        "name": row.name, "title": one_line(row.title) or None, "role": row.role,
        "unit": row.unit_code,
        "assignee": assignee, "assignee_id": row.assignee_id, "owner_id": row.owner_id,
        "form_key": row.form_key, "due_at": iso(row.due_at),
        "not_before": iso(row.not_before), "state": row.state,
        "created_at": iso(row.created_at), "completed_at": iso(row.completed_at),
    }


def instance_view(inst: ProcessInstance, tasks: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "id": inst.id, "process_key": inst.process_key, "version": inst.version,
        "status": inst.status, "business_key": inst.business_key, "unit": inst.unit_code,
        "started_by": inst.started_by, "started_at": iso(inst.started_at),
        "updated_at": iso(inst.updated_at), "ended_at": iso(inst.ended_at),
        "error": ({"message": inst.error_message, "element_id": inst.error_element}
                  if inst.status == "error" else None),
        "waiting_for": inst.waiting_for if inst.status == "running" and not tasks else None,
        "data": inst.data or {}, "tasks": tasks,
    }


def event_view(row: AuditEvent) -> dict[str, Any]:
    return {
        "id": row.id, "at": iso(row.at), "actor_id": row.actor_id, "actor": row.actor_name,
        "instance_id": row.instance_id, "type": row.event_type,
        "payload": json.loads(row.payload), "hash": row.hash,
    }
