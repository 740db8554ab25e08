"""Service-task handlers, registered by name (the engine knows only names)."""

from __future__ import annotations

from typing import Any

from engine.extensions import HandlerRegistry, ServiceCall


def echo_params(call: ServiceCall) -> dict[str, Any]:
    """Return the evaluated parameters, so a diagram can compute and store values."""
    return dict(call.params)


def register_handlers(handlers: HandlerRegistry) -> None:
    handlers.register("echo", echo_params,
                      "Trả lại các tham số đã nhận (dùng để gán giá trị trong sơ đồ).")
