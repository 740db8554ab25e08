"""Generic service-task handlers."""

from __future__ import annotations

from typing import Any

from engine.extensions import ServiceCall


def echo_params(call: ServiceCall) -> dict[str, Any]:
    """Return the evaluated parameters, so a diagram can compute and store values."""
    return dict(call.params)


HANDLERS = {
    "echo": (echo_params, "Trả lại các tham số đã nhận (dùng để gán giá trị trong sơ đồ)."),
}
