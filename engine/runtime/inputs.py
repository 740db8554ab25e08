"""What a command takes in, and how a failure is told: person data and error texts."""

from __future__ import annotations

from typing import Any

from engine.errors import InvalidData
from engine.sandbox import RESERVED_NAMES, unstorable


def check_input(data: dict[str, Any] | None) -> dict[str, Any]:
    """Data a person sends: a JSON object whose names do not hide script builtins."""
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise InvalidData("Dữ liệu phải là một đối tượng JSON.",
                          details={"data": ["Phải là một đối tượng JSON."]})
    clashes = sorted(RESERVED_NAMES.intersection(data))
    if clashes:
        raise InvalidData(
            f"Tên trường trùng với tên hàm dùng trong kịch bản: {', '.join(clashes)}.",
            details={name: ["Tên trường này được dành riêng; hãy đặt tên khác."]
                     for name in clashes})
    bad = unstorable(data)
    if bad:
        raise InvalidData(f"Dữ liệu có giá trị không lưu được ({bad}).",
                          details={"data": [f"Giá trị không hợp lệ: {bad}."]})
    return data


def failing_element(exc: BaseException) -> str | None:
    task = getattr(exc, "task", None)
    if task is not None:
        spec = task.task_spec
        return str(getattr(spec, "bpmn_id", None) or spec.name)
    spec = getattr(exc, "task_spec", None)
    return str(getattr(spec, "bpmn_id", None) or spec.name) if spec is not None else None


def error_text(exc: BaseException) -> str:
    notes = getattr(exc, "__notes__", None) or []
    text = str(exc)
    if notes:
        text = f"{text} ({'; '.join(notes)})"
    return text[:4000]
