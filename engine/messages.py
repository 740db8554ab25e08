"""Vietnamese wording for marshmallow's validation messages.

marshmallow speaks English; people read Vietnamese. Field errors are
translated after validation so every schema gets the same wording.
"""

from __future__ import annotations

import re
from typing import Any

EXACT = {
    "Missing data for required field.": "Trường này là bắt buộc.",
    "Field may not be null.": "Trường này không được để trống.",
    "Unknown field.": "Trường không được hỗ trợ.",
    "Not a valid string.": "Phải là chuỗi ký tự.",
    "Not a valid integer.": "Phải là số nguyên.",
    "Not a valid number.": "Phải là số.",
    "Not a valid boolean.": "Phải là đúng/sai.",
    "Not a valid date.": "Ngày không hợp lệ.",
    "Not a valid datetime.": "Thời điểm không hợp lệ.",
    "Not a valid mapping type.": "Phải là một đối tượng JSON.",
    "Not a valid list.": "Phải là một danh sách.",
    "Not a valid email address.": "Địa chỉ thư điện tử không hợp lệ.",
    "Invalid input type.": "Kiểu dữ liệu không hợp lệ.",
    "Invalid value.": "Giá trị không hợp lệ.",
    "Shorter than minimum length 1.": "Không được để trống.",
    "Not a valid file.": "Tệp không hợp lệ.",
    "Invalid JSON body.": "Nội dung JSON không hợp lệ.",
}

PATTERNS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"^Must be one of: (.*)\.$"), "Phải là một trong: {0}."),
    (re.compile(r"^Length must be between (\d+) and (\d+)\.$"),
     "Độ dài phải từ {0} đến {1} ký tự."),
    (re.compile(r"^Shorter than minimum length (\d+)\.$"), "Cần ít nhất {0} ký tự."),
    (re.compile(r"^Longer than maximum length (\d+)\.$"), "Không được quá {0} ký tự."),
    (re.compile(r"^Must be greater than or equal to (\S+) and less than or equal to (\S+)\.$"),
     "Phải từ {0} đến {1}."),
    (re.compile(r"^Must be greater than or equal to (\S+)\.$"), "Phải lớn hơn hoặc bằng {0}."),
    (re.compile(r"^Must be less than or equal to (\S+)\.$"), "Phải nhỏ hơn hoặc bằng {0}."),
]


def translate(messages: Any) -> Any:
    """Translate a marshmallow ``messages`` structure (dicts and lists of strings)."""
    if isinstance(messages, dict):
        return {k: translate(v) for k, v in messages.items()}
    if isinstance(messages, list):
        return [translate(m) for m in messages]
    if isinstance(messages, str):
        if messages in EXACT:
            return EXACT[messages]
        for pattern, template in PATTERNS:
            match = pattern.match(messages)
            if match:
                return template.format(*match.groups())
    return messages
