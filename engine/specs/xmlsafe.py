"""Hardened XML parsing for uploaded diagrams.

No DTDs, no entities, no network, bounded size: a DOCTYPE is refused outright,
whatever it declares, because a diagram never needs one.
"""

from __future__ import annotations

import re

from lxml import etree

from engine.errors import BpmnInvalid

MAX_BPMN_BYTES = 2 * 1024 * 1024

_PARSER = etree.XMLParser(
    resolve_entities=False,
    no_network=True,
    load_dtd=False,
    dtd_validation=False,
    huge_tree=False,
    remove_comments=False,
)


def parse_xml(data: bytes | str, *, max_bytes: int = MAX_BPMN_BYTES) -> etree._Element:
    """Parse ``data`` into an element tree, or raise ``BpmnInvalid``."""
    raw = data.encode("utf-8") if isinstance(data, str) else data
    if len(raw) > max_bytes:
        raise BpmnInvalid(
            f"Tệp quá lớn ({len(raw)} byte); giới hạn là {max_bytes} byte.",
            code="bpmn.too_large",
            details=[{"element_id": None,
                      "message": f"{len(raw)} bytes; the limit is {max_bytes} bytes"}],
        )
    if _has_doctype(raw):
        raise BpmnInvalid(
            "Tệp có khai báo DOCTYPE; sơ đồ BPMN không được chứa DOCTYPE hay entity.",
            code="bpmn.doctype_forbidden",
            details=[{"element_id": None, "message": "DOCTYPE is not allowed"}],
        )
    try:
        root = etree.fromstring(raw, parser=_PARSER)
    except etree.XMLSyntaxError as exc:
        raise BpmnInvalid(
            f"Tệp không phải XML hợp lệ: {exc}",
            details=[{"element_id": None, "message": str(exc)}],
        ) from exc
    if root.getroottree().docinfo.doctype:
        raise BpmnInvalid(
            "Tệp có khai báo DOCTYPE; sơ đồ BPMN không được chứa DOCTYPE hay entity.",
            code="bpmn.doctype_forbidden",
            details=[{"element_id": None, "message": "DOCTYPE is not allowed"}],
        )
    return root


# The prolog: XML declaration, comments, processing instructions and blanks.
_PROLOG_ITEM = re.compile(r"\s+|<\?.*?\?>|<!--.*?-->", re.DOTALL)


def _has_doctype(raw: bytes) -> bool:
    """Whether the prolog declares a DOCTYPE; checked before lxml sees any entity."""
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        text = raw[:65536].decode("utf-16", errors="replace")
    else:
        text = raw[:65536].decode("utf-8", errors="replace").lstrip("\ufeff")
    pos = 0
    while True:
        match = _PROLOG_ITEM.match(text, pos)
        if not match or match.end() == pos:
            break
        pos = match.end()
    return text[pos:pos + 9].upper() == "<!DOCTYPE"
