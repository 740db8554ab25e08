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

import sqlalchemy as sa
from alembic import op
from sqlalchemy.orm import Session

from workflows.search_index import instance_index

revision = "w0008"
down_revision = "w0007"
branch_labels = None
depends_on = "e0009"


def upgrade() -> None:
    conn = op.get_bind()
    session = Session(bind=conn)
    rows = conn.execute(sa.text(
        "SELECT i.id, i.business_key, i.data FROM process_instance i WHERE EXISTS "
        "(SELECT 1 FROM human_task t WHERE t.instance_id = i.id AND t.state = 'ready')"))
    for instance_id, business_key, data in rows.all():
        data = json.loads(data) if isinstance(data, str) else (data or {})
        facts = instance_index(session, business_key, data)
        conn.execute(sa.text(
            "UPDATE human_task SET search_text = :t, period_year = :y "
            "WHERE instance_id = :i AND state = 'ready'"),
            {"t": facts.text, "y": facts.year, "i": instance_id})


def downgrade() -> None:
    pass
