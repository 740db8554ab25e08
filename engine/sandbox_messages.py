"""RestrictedPython's rejection messages in Vietnamese (thông báo của hộp cát).

RestrictedPython (and our stricter policy in ``engine.sandbox``) reports in English, e.g.
``Line 1: "__import__" is an invalid variable name because it starts with "_"``. Admins
read these beside the diagram, so each known message is said in Vietnamese with its
technical detail (line, name, Python's own syntax message and statement) kept as is. An
unknown message keeps its English text after a Vietnamese line prefix.
"""

from __future__ import annotations

import re

_LINE = re.compile(r"^Line (?P<line>\d+|None): (?P<rest>.*)$", re.S)
_SYNTAX = re.compile(r"^(?P<type>\w+Error): (?P<msg>.*) at statement: (?P<stmt>.*)$", re.S)

# (pattern on the text after "Line N: ", Vietnamese template using its named groups).
_RULES: tuple[tuple[re.Pattern[str], str], ...] = tuple((re.compile(p, re.S), t) for p, t in (
    (r'^"(?P<name>.+)" is an invalid variable name because it starts with "_"\.?$',
     "tên biến «{name}» không được phép vì bắt đầu bằng dấu gạch dưới «_»."),
    (r'^"(?P<name>.+)" is an invalid variable name because it ends with "__roles__"\.?$',
     "tên biến «{name}» không được phép vì kết thúc bằng «__roles__»."),
    (r'^"(?P<name>.+)" is an invalid attribute name because it starts with "_"\.?$',
     "thuộc tính «{name}» không được phép vì bắt đầu bằng dấu gạch dưới «_»."),
    (r'^"(?P<name>.+)" is an invalid attribute name because it ends with "__roles__"\.?$',
     "thuộc tính «{name}» không được phép vì kết thúc bằng «__roles__»."),
    (r'^"(?P<name>.+)" is a reserved name\.?$', "«{name}» là tên dành riêng, không được dùng."),
    (r'^"(?P<name>.+)" is a restricted name, that is forbidden to access in RestrictedPython\.?$',
     "«{name}» là tên bị cấm truy cập trong hộp cát."),
    (r"^import statements are not allowed\.?$", "không được dùng lệnh import."),
    (r"^Lazy import statements are not allowed\.?$", "không được dùng lệnh import."),
    (r'^"\*" imports are not allowed\.?$', "không được dùng «from … import *»."),
    (r"^try/except/finally statements are not allowed\.?$",
     "không được dùng try/except/finally (để giới hạn thời gian chạy luôn có hiệu lực)."),
    (r"^class definitions are not allowed\.?$", "không được định nghĩa lớp (class)."),
    (r"^Exec calls are not allowed\.?$", "không được gọi exec()."),
    (r"^Eval calls are not allowed\.?$", "không được gọi eval()."),
    (r"^Unpacking in comprehensions is not allowed\.?$",
     "không được giải nén (unpacking) trong biểu thức comprehension."),
    (r"^Augmented assignment of attributes is not allowed\.?$",
     "không được dùng phép gán kết hợp (+=, -=…) lên thuộc tính."),
    (r"^Augmented assignment of object items and slices is not allowed\.?$",
     "không được dùng phép gán kết hợp (+=, -=…) lên phần tử hoặc lát cắt."),
    (r'^The keyword argument "metaclass" is not allowed\.?$',
     "không được dùng tham số «metaclass»."),
    (r"^Assignment expressions are only allowed for simple targets\.?$",
     "phép gán «:=» chỉ dùng được với tên biến đơn."),
    (r"^(?P<stmt>\w+) statements are not allowed\.?$",
     "không được dùng câu lệnh {stmt}."),
    (r"^compilation failed$", "không biên dịch được mã lệnh."),
))


def _body(text: str) -> str:
    syntax = _SYNTAX.match(text)
    if syntax:
        return (f"lỗi cú pháp ({syntax['type']}: {syntax['msg']}) tại câu lệnh "
                f"{syntax['stmt']}.")
    for pattern, template in _RULES:
        found = pattern.match(text)
        if found:
            return template.format(**found.groupdict())
    return text


def vietnamese(message: str) -> str:
    """One sandbox message in Vietnamese: ``Dòng N: …`` with its detail kept."""
    line = _LINE.match(message)
    if line is None:
        return _body(message)
    where = "" if line["line"] == "None" else f"Dòng {line['line']}: "
    return f"{where}{_body(line['rest'])}"
