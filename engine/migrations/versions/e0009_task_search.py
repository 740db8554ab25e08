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

import sqlalchemy as sa
from alembic import op

from engine.search import IndexFacts, default_terms, plain_year

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


def backfill(conn: sa.engine.Connection) -> None:
    """Index the ready rows of every instance that has some (one UPDATE per instance)."""
    rows = conn.execute(sa.text(
        "SELECT i.id, i.business_key, i.data FROM process_instance i WHERE EXISTS "
        "(SELECT 1 FROM human_task t WHERE t.instance_id = i.id AND t.state = 'ready')"))
    for instance_id, business_key, data in rows.all():
        data = json.loads(data) if isinstance(data, str) else (data or {})
        facts = IndexFacts(tuple(default_terms(business_key, data)), plain_year(data.get("year")))
        conn.execute(sa.text(
            "UPDATE human_task SET search_text = :t, period_year = :y "
            "WHERE instance_id = :i AND state = 'ready'"),
            {"t": facts.text, "y": facts.year, "i": instance_id})


def downgrade() -> None:
    with op.batch_alter_table("process_instance") as batch_op:
        batch_op.drop_column("waiting_for")
    with op.batch_alter_table("human_task") as batch_op:
        batch_op.drop_column("period_year")
        batch_op.drop_column("search_text")
