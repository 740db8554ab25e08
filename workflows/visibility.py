"""Who sees which of an instance's data (dữ liệu hồ sơ theo vai trò).

The instance's data is one flat dictionary where every step leaves its fields. The
policy below sorts those keys into sections and says which sections each role sees:
a unit that proposes (submitter) sees its dossier, the decisions and comments sent back
to it and the results, but not the secretariat's eligibility notes, the council's vote
counts or the complaints received during disclosure; the council sees what it votes on;
the secretariat, the chair and the admin see everything, keys no section names included.

A person with several roles sees the union. Change the policy here (data), not in pages.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

# Section code -> the data keys it holds (a key belongs to one section).
SECTIONS: dict[str, tuple[str, ...]] = {
    # hồ sơ đề nghị: what the unit filed
    "dossier": (
        "nominee", "nominee_name", "nominee_code", "subject_kind", "subject_code", "subjects",
        "subject_name", "award_code", "year", "summary", "deed_summary", "deed_date",
        "movement_code", "movement", "nominations", "nominated", "entries", "registered",
        "registration_status", "nomination_status", "dossier", "dossier_missing",
        "award_id", "reason", "evidence_summary",
    ),
    # ý kiến, yêu cầu bổ sung gửi đơn vị: the last decision and its comment
    "exchanges": ("decision", "comment", "supplement_items"),
    # kết quả: decisions issued, the province's answer, the registry
    "results": (
        "decision_issued", "award", "award_status", "outcome", "decision_no",
        "decision_date", "approved_subjects", "province_answer", "proposal_issued",
        "registry", "revocation", "document_no", "sent_date",
    ),
    # thẩm định nội bộ: eligibility verdicts with the history rows they used
    "appraisal": ("eligibility",),
    # Hội đồng: vote counts and minutes
    "council": (
        "council_vote", "council_result", "council_submitted", "votes", "members_total",
        "members_present", "minutes_no", "agree", "disagree", "abstain", "recommend",
    ),
    # công khai: complaints and queries received, and their answers
    "disclosure": ("complaints", "disclosure_outcome"),
}
OTHER = "other"  # keys no section names


@dataclass(frozen=True)
class RoleView:
    sections: frozenset[str]
    others: bool = False  # keys no section names


ALL = frozenset(SECTIONS)
POLICY: dict[str, RoleView] = {
    "submitter": RoleView(frozenset({"dossier", "exchanges", "results"})),
    "council": RoleView(frozenset({"dossier", "exchanges", "results", "appraisal",
                                   "council", "disclosure"})),
    "secretariat": RoleView(ALL, others=True),
    "chair": RoleView(ALL, others=True),
    "admin": RoleView(ALL, others=True),
}
ORDER = (*SECTIONS, OTHER)


def section_of(key: str) -> str:
    for code, keys in SECTIONS.items():
        if key in keys:
            return code
    return OTHER


def visible_sections(roles: Iterable[str], policy: Mapping[str, RoleView] | None = None
                     ) -> frozenset[str]:
    """The section codes people with ``roles`` see (``other``: keys no section names)."""
    seen: set[str] = set()
    for role in roles:
        view = (policy or POLICY).get(role)
        if view is not None:
            seen |= view.sections
            if view.others:
                seen.add(OTHER)
    return frozenset(seen)


def visible_data(roles: Iterable[str], data: Mapping[str, Any],
                 policy: Mapping[str, RoleView] | None = None
                 ) -> list[tuple[str, list[tuple[str, Any]]]]:
    """The instance data a person with ``roles`` may see, by section in a fixed order:
    ``[(section, [(key, value), ...]), ...]``, empty sections left out."""
    allowed = visible_sections(roles, policy)
    grouped: dict[str, list[tuple[str, Any]]] = {}
    for key in sorted(data):
        section = section_of(key)
        if section in allowed:
            grouped.setdefault(section, []).append((key, data[key]))
    return [(code, grouped[code]) for code in ORDER if code in grouped]


def sees_internal_notes(roles: Iterable[str]) -> bool:
    """Whether people with ``roles`` read (and may write) the internal notes of a dossier
    (ghi chú nội bộ): those who see the internal appraisal."""
    return "appraisal" in visible_sections(roles)


def visible_dict(roles: Iterable[str], data: Mapping[str, Any]) -> dict[str, Any]:
    """``data`` without the keys people with ``roles`` may not see (same rule as the page)."""
    allowed = visible_sections(roles)
    return {k: v for k, v in data.items() if section_of(k) in allowed}


def redact_instance(roles: Iterable[str], instance: dict[str, Any]) -> dict[str, Any]:
    """An instance view whose ``data`` keeps only what ``roles`` may see (API answers)."""
    roles = frozenset(roles)
    if OTHER in visible_sections(roles):  # office-wide roles see everything
        return instance
    return {**instance, "data": visible_dict(roles, instance.get("data") or {})}


# Audit payloads that carry instance data: a completed task's data, a delivered message.
def redact_event(roles: Iterable[str], event: dict[str, Any],
                 actor_id: int | None = None) -> dict[str, Any]:
    """An audit event of an instance as ``roles`` may read it in the history; what a
    person did themself (``actor_id``) they read in full."""
    roles = frozenset(roles)
    allowed = visible_sections(roles)
    if OTHER in allowed or (actor_id is not None and event.get("actor_id") == actor_id):
        return event
    payload = dict(event.get("payload") or {})
    if isinstance(payload.get("data"), dict):
        payload["data"] = visible_dict(roles, payload["data"])
    if event.get("type") == "instance.message" and "council" not in allowed:
        payload.pop("payload", None)  # the council's tally travels in the message
    if event.get("type") == "comment.added" and payload.get("internal") \
            and "appraisal" not in allowed:
        payload.pop("text", None)  # an internal note: its words stay in the office
    return {**event, "payload": payload}
