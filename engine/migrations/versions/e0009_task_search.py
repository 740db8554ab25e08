"""human_task.search_text and period_year (what the inbox searches and filters by),
process_instance.waiting_for (what a dossier with no step to do waits for)

The ready rows are filled with what the engine indexes by itself (engine/search.py): the
business key, the data's ``nominee_name`` / ``subject_name`` and ``year``. An application
that indexes more (the domain's subjects) refills them in its own revision. ``waiting_for``
needs the workflow's state: it is written by the next command on each instance (pages
say nothing special until then).

Revision ID: e0009
Revises: e0008
Create Date: 2026-11-26
"""
import json
import re
import unicodedata
from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "e0009"
down_revision = "e0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("human_task") as batch_op:
        batch_op.add_column(sa.Column("search_text", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("period_year", sa.Integer(), nullable=True))
    with op.batch_alter_table("process_instance") as batch_op:
        batch_op.add_column(sa.Column("waiting_for", sa.String(length=500), nullable=True))
    backfill(op.get_bind())


# A frozen copy of engine/search.py as it was at this revision (a migration must not
# change when the application's code does): fold, the year, the engine's own terms.
_SPACES = re.compile(r"\s+")
_FOLD = str.maketrans({"đ": "d", "Đ": "d", "ø": "o", "Ø": "o", "ł": "l", "Ł": "l"})


def fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", str(text).translate(_FOLD))
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return _SPACES.sub(" ", bare.casefold()).strip()


def search_text(terms: list[str]) -> str:
    parts = [fold(t) for t in terms]
    return " | ".join(dict.fromkeys(p for p in parts if p))[:20_000]


def plain_year(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    return value if isinstance(value, int) and 1900 <= value <= 9999 else None


def backfill(conn: sa.engine.Connection) -> None:
    """Index the ready rows of every instance that has some (one UPDATE per instance)."""
    rows = conn.execute(sa.text(
        "SELECT i.id, i.business_key, i.data FROM process_instance i WHERE EXISTS "
        "(SELECT 1 FROM human_task t WHERE t.instance_id = i.id AND t.state = 'ready')"))
    for instance_id, business_key, data in rows.all():
        data = json.loads(data) if isinstance(data, str) else (data or {})
        terms = [business_key] if business_key else []
        terms += [data[k] for k in ("nominee_name", "subject_name") if isinstance(data.get(k), str)]
        conn.execute(sa.text(
            "UPDATE human_task SET search_text = :t, period_year = :y "
            "WHERE instance_id = :i AND state = 'ready'"),
            {"t": search_text(terms), "y": plain_year(data.get("year")), "i": instance_id})


def downgrade() -> None:
    with op.batch_alter_table("process_instance") as batch_op:
        batch_op.drop_column("waiting_for")
    with op.batch_alter_table("human_task") as batch_op:
        batch_op.drop_column("period_year")
        batch_op.drop_column("search_text")
