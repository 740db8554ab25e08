"""Domain errors with a stable code and a Vietnamese message.

The web layer maps each class to an HTTP status; nothing here knows HTTP.
"""

from __future__ import annotations

from typing import Any


class EngineError(Exception):
    """Base class: ``code`` is stable for API clients, ``message`` is for people."""

    code = "engine.error"
    message = "Đã có lỗi xảy ra."

    def __init__(
        self,
        message: str | None = None,
        *,
        code: str | None = None,
        details: Any = None,
    ) -> None:
        self.message = message or self.message
        self.code = code or self.code
        self.details = details
        super().__init__(f"{self.code}: {self.message}")

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.details is not None:
            out["details"] = self.details
        return out


class NotFound(EngineError):
    code = "not_found"
    message = "Không tìm thấy."


class Forbidden(EngineError):
    code = "forbidden"
    message = "Bạn không có quyền thực hiện thao tác này."


class Unauthorized(EngineError):
    code = "auth.required"
    message = "Cần đăng nhập hoặc mã truy cập hợp lệ."


class Conflict(EngineError):
    code = "conflict"
    message = "Dữ liệu đã thay đổi, vui lòng tải lại và thử lại."


class InvalidData(EngineError):
    """Bad input; ``details`` maps field names to lists of messages."""

    code = "data.invalid"
    message = "Dữ liệu không hợp lệ."


class BpmnInvalid(EngineError):
    """A diagram fails validation; ``details`` is ``[{element_id, message}]``."""

    code = "bpmn.invalid"
    message = "Sơ đồ quy trình không hợp lệ."
