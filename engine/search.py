"""What the inbox searches and filters by, kept on each open ``human_task`` row.

The inbox never deserializes a workflow nor reads an instance's JSON: each ready task
row carries ``search_text`` (the names and codes people look a dossier up by, folded to
lower case without accents) and ``period_year`` (the year the work is about, when the
data says so). ``sync_human_tasks`` keeps both in line after every command, from an
``IndexFacts`` that a ``TaskIndexer`` builds; the engine's own indexer knows the business
key and two generic data names, the application may pass a richer one
(``EngineSettings.task_index``) that names, say, every subject of a proposal.

Folding is the same on SQLite and PostgreSQL because it happens here, in Python: «Hằng»
and «HANG» are both stored and searched as «hang», «Đỗ» as «do».
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, and_, literal, or_, select, update
from sqlalchemy.orm import Session

from engine.store.models import HumanTask, ProcessInstance

# Names in an instance's data the engine indexes by itself (any process may use them).
DEFAULT_NAME_KEYS = ("nominee_name", "subject_name")
YEAR_KEY = "year"
MAX_TEXT = 20_000
SEPARATOR = " | "  # between the terms of ``IndexFacts.text``
_SPACES = re.compile(r"\s+")
# Letters NFKD does not split into a base letter and a mark.
_FOLD = str.maketrans({"đ": "d", "Đ": "D", "ø": "o", "Ø": "O", "ł": "l", "Ł": "L"})


@dataclass(frozen=True)
class IndexFacts:
    """What one instance's open tasks are found by: terms to search, the year it is about."""

    terms: tuple[str, ...] = ()
    year: int | None = None

    @property
    def text(self) -> str:
        """The terms folded and joined (one line, `` | `` between terms), bounded."""
        parts = [fold(t) for t in self.terms]
        return SEPARATOR.join(dict.fromkeys(p for p in parts if p))[:MAX_TEXT]


# (session, business key, instance data) -> facts
TaskIndexer = Callable[[Session, str | None, dict[str, Any]], IndexFacts]


def without_accents(text: str) -> str:
    """The letters without their marks, case kept: «Quyết định 01-QĐ-VP» → «Quyet dinh
    01-QD-VP» (đ and the other letters NFKD does not split are folded too)."""
    decomposed = unicodedata.normalize("NFKD", str(text).translate(_FOLD))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def fold(text: str) -> str:
    """Lower case, no accents, single spaces: «  Nguyễn Thị Minh HẰNG » → «nguyen thi minh hang»."""
    return _SPACES.sub(" ", without_accents(text).casefold()).strip()


def plain_year(value: Any) -> int | None:
    """A calendar year given as a whole number (1900–9999), else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    return value if isinstance(value, int) and 1900 <= value <= 9999 else None


def default_terms(business_key: str | None, data: dict[str, Any]) -> list[str]:
    """The business key and the data's generic names (``nominee_name``, ``subject_name``)."""
    terms = [business_key] if business_key else []
    terms += [data[k] for k in DEFAULT_NAME_KEYS if isinstance(data.get(k), str)]
    return terms


def default_index(_session: Session, business_key: str | None, data: dict[str, Any]
                  ) -> IndexFacts:
    """The engine's own indexer: generic names, and the data's ``year`` if it has one."""
    return IndexFacts(tuple(default_terms(business_key, data)), plain_year(data.get(YEAR_KEY)))


def _like_escaped(word: str) -> str:
    return word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def matches(column: Any, query: str | None) -> ColumnElement[bool] | None:
    """SQL: every word of ``query`` (folded) appears in ``column``; None for a blank query.

    LIKE wildcards in the query are matched literally.
    """
    words = fold(query or "").split()
    if not words:
        return None
    return and_(*(column.like(f"%{_like_escaped(w)}%", escape="\\") for w in words))


def unique_terms(values: Iterable[Any]) -> tuple[str, ...]:
    """Non-empty strings of ``values``, once each, in order."""
    out = [str(v).strip() for v in values if v is not None and str(v).strip()]
    return tuple(dict.fromkeys(out))


_CODES_PER_QUERY = 200


def _naming(words: list[str]) -> ColumnElement[bool]:
    """SQL: one of ``words`` is a whole term of the task's ``search_text``."""
    padded = literal(SEPARATOR) + HumanTask.search_text + literal(SEPARATOR)
    return or_(*(padded.like(f"%{SEPARATOR}{_like_escaped(w)}{SEPARATOR}%", escape="\\")
                 for w in words))


def reindex_naming(session: Session, indexer: TaskIndexer, words: Iterable[str]) -> int:
    """Index again the open tasks that have one of ``words`` (codes of renamed subjects)
    as a whole term.

    The terms of a task are written by the command that makes it ready; when a person or
    a unit it names is renamed later, its old name would stay searchable and the new one
    not. Returns how many instances were indexed again. In the caller's transaction.
    """
    folded = [w for w in dict.fromkeys(fold(w) for w in words) if w]
    found: set[int] = set()
    for i in range(0, len(folded), _CODES_PER_QUERY):
        found.update(session.scalars(
            select(HumanTask.instance_id).where(HumanTask.state == "ready",
                                                _naming(folded[i:i + _CODES_PER_QUERY]))))
    # Each instance's row locked, in one order (as a command locks it): a command on one of
    # them that read the old name commits first, and one that comes after reads the new.
    locked = select(ProcessInstance).where(ProcessInstance.id.in_(sorted(found))) \
        .order_by(ProcessInstance.id).with_for_update() \
        .execution_options(populate_existing=True)
    for inst in session.scalars(locked) if found else []:
        facts = indexer(session, inst.business_key, dict(inst.data or {}))
        session.execute(update(HumanTask)
                        .where(HumanTask.instance_id == inst.id, HumanTask.state == "ready")
                        .values(search_text=facts.text, period_year=facts.year)
                        .execution_options(synchronize_session=False))
    return len(found)
