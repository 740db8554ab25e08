"""Roles are codes; a lane names the role that does its tasks.

A lane's name is either the role code itself (``secretariat``, any case) or a
label that ends with the code in parentheses (``Phòng TCHCQT (secretariat)``),
so diagrams read well in Vietnamese and still map to a role.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

DEFAULT_ROLES: tuple[str, ...] = ("submitter", "secretariat", "council", "chair", "admin")
# Roles whose tasks belong to one unit: the unit that started the instance.
DEFAULT_UNIT_SCOPED: frozenset[str] = frozenset({"submitter"})

_TRAILING_CODE = re.compile(r"\(([A-Za-z_][\w-]*)\)\s*$")
_TRAILING_NOTE = re.compile(r"\s*\([^()]*\)\s*$")


def plain_name(full_name: str | None) -> str:
    """A person's name without the note in parentheses an account's name may carry
    (``Lê Thị Thu (Phòng TCHCQT)`` → ``Lê Thị Thu``); the text itself when nothing is left."""
    text = (full_name or "").strip()
    return _TRAILING_NOTE.sub("", text).strip() or text


def role_of_lane(lane_name: str | None, known: Iterable[str]) -> str | None:
    """The role code a lane name maps to, or None."""
    if not lane_name:
        return None
    known_set = {k.lower() for k in known}
    candidate = lane_name.strip().lower()
    if candidate in known_set:
        return candidate
    match = _TRAILING_CODE.search(lane_name.strip())
    if match and match.group(1).lower() in known_set:
        return match.group(1).lower()
    return None


@dataclass(frozen=True)
class Actor:
    """Who acts: a user with role codes and (optionally) a unit."""

    id: int | None
    username: str
    roles: frozenset[str] = field(default_factory=frozenset)
    unit_code: str | None = None
    full_name: str = ""

    def has_role(self, role: str) -> bool:
        return role in self.roles


SYSTEM = Actor(id=None, username="system", roles=frozenset({"admin"}))
