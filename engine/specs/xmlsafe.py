"""Hardened XML parsing for uploaded diagrams.

No DTDs, no entities, no network, bounded size: a DOCTYPE is refused outright,
whatever it declares, because a diagram never needs one.
"""

from __future__ import annotations

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
