"""index the ready tasks by their dossier's subjects (codes and names) and year

The engine's revision e0009 added ``human_task.search_text`` / ``period_year`` and filled
them with what the engine knows; this fills them as ``workflows.search_index`` does from
now on, with the names of every person or unit a proposal lists. Downgrading leaves the
columns to e0009.

Revision ID: w0008
Revises: w0007
Create Date: 2026-11-26
"""
import json
import re
import unicodedata
from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "w0008"
down_revision = "w0007"
branch_labels = None
depends_on = "e0009"


# Frozen copies (as at e0009 and workflows/search_index.py at this revision): a migration
# must not change when the application's code does.
_SPACES = re.compile(r"\s+")
_FOLD = str.maketrans({"đ": "d", "Đ": "d", "ø": "o", "Ø": "o", "ł": "l", "Ł": "l"})


def fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", str(text).translate(_FOLD))
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return _SPACES.sub(" ", bare.casefold()).strip()


def plain_year(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    return value if isinstance(value, int) and 1900 <= value <= 9999 else None


def subject_codes(data: dict[str, Any]) -> list[str]:
    """The codes of the people and units the data names (as workflows/search_index.py did
    at this revision), once each, in order."""
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
    found += [data.get(k) for k in ("nominee_code", "subject_code")]
    codes = [str(c).strip() for c in found if isinstance(c, (str, int)) and str(c).strip()]
    return list(dict.fromkeys(c[:64] for c in codes))[:500]


def _names(conn: sa.engine.Connection, codes: list[str]) -> dict[str, str]:
    if not codes:
        return {}
    names: dict[str, str] = {}
    for table, name in (("person", "full_name"), ("unit", "name")):
        query = sa.text(f"SELECT code, {name} FROM {table} WHERE code IN :codes") \
            .bindparams(sa.bindparam("codes", expanding=True))
        names.update({c: n for c, n in conn.execute(query, {"codes": codes}).all()})
    return names


def upgrade() -> None:
    conn = op.get_bind()
    rows = conn.execute(sa.text(
        "SELECT i.id, i.business_key, i.data FROM process_instance i WHERE EXISTS "
        "(SELECT 1 FROM human_task t WHERE t.instance_id = i.id AND t.state = 'ready')"))
    for instance_id, business_key, data in rows.all():
        data = json.loads(data) if isinstance(data, str) else (data or {})
        codes = subject_codes(data)
        names = _names(conn, codes)
        terms = [business_key] if business_key else []
        terms += [data[k] for k in ("nominee_name", "subject_name")
                  if isinstance(data.get(k), str)]
        for code in codes:
            terms += [code, names.get(code, "")]
        nominee = data.get("nominee")
        if isinstance(nominee, dict):
            terms += [nominee.get("name") or "", nominee.get("subject_name") or ""]
        folded = [fold(t) for t in dict.fromkeys(str(t).strip() for t in terms if t)]
        text = " | ".join(dict.fromkeys(f for f in folded if f))[:20_000]
        year = plain_year(data.get("year"))
        if year is None and isinstance(data.get("deed_date"), str):
            year = plain_year(data["deed_date"][:4])
        conn.execute(sa.text(
            "UPDATE human_task SET search_text = :t, period_year = :y "
            "WHERE instance_id = :i AND state = 'ready'"),
            {"t": text, "y": year, "i": instance_id})


def downgrade() -> None:
    pass
