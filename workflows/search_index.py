"""What a dossier's open tasks are found by in the inbox (engine/search.py's indexer).

Beyond the engine's own terms (business key, ``nominee_name``, ``subject_name``), a
proposal is found by every subject it names, by code and by name from the registry
(``person``, ``unit``): «KT02», «Nguyễn Thị Minh Hằng», «hang». The year is the year the
proposal is about: ``year`` (annual, thematic, registration) or the year of the deed
(``deed_date``, ad-hoc awards).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from engine.search import IndexFacts, default_terms, plain_year, reindex_naming, unique_terms
from workflows.catalogue import subject_names

MAX_CODES = 500
# Data names that hold one subject's code.
CODE_KEYS = ("nominee_code", "subject_code")


def subject_codes(data: dict[str, Any]) -> list[str]:
    """The codes of the people and units the data names, once each, in order."""
    found: list[Any] = []
    subjects = data.get("subjects")
    if isinstance(subjects, list):
        found += [s.get("subject_code") or s.get("code") if isinstance(s, dict) else s
                  for s in subjects]
    entries = data.get("entries")
    if isinstance(entries, list):
        found += [e.get("subject_code") for e in entries if isinstance(e, dict)]
    nominee = data.get("nominee")
    if isinstance(nominee, dict):
        found.append(nominee.get("code") or nominee.get("subject_code"))
    found += [data.get(k) for k in CODE_KEYS]
    codes = [str(c).strip() for c in found if isinstance(c, (str, int)) and str(c).strip()]
    return list(dict.fromkeys(c[:64] for c in codes))[:MAX_CODES]


def period_year(data: dict[str, Any]) -> int | None:
    """The year the proposal is about: ``year``, else the year of ``deed_date``."""
    year = plain_year(data.get("year"))
    if year is None and isinstance(data.get("deed_date"), str):
        year = plain_year(data["deed_date"][:4])
    return year


def instance_index(session: Session, business_key: str | None, data: dict[str, Any]
                   ) -> IndexFacts:
    """The engine's terms, then each subject's code and name (``EngineSettings.task_index``)."""
    codes = subject_codes(data)
    names = subject_names(session, codes)
    terms = default_terms(business_key, data)
    for code in codes:
        terms += [code, names.get(code, "")]
    nominee = data.get("nominee")
    if isinstance(nominee, dict):
        terms += [nominee.get("name") or "", nominee.get("subject_name") or ""]
    return IndexFacts(unique_terms(terms), period_year(data))


def refresh_names(session: Session, codes: list[str]) -> int:
    """After people or units were renamed: their dossiers' open tasks are found by the new
    names at once (not only after the next step). Returns how many dossiers."""
    return reindex_naming(session, instance_index, codes)
