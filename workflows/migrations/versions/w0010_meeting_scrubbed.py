"""council_meeting.scrubbed_at: when a secret ballot's earlier counter versions were wiped

Set by ``workflows.council.scrub`` when the wipe succeeds; the scheduler tries again the
closed secret meetings that still have none (a reader blocked the SQLite checkpoint, an
old PostgreSQL snapshot held the versions). Meetings closed before this revision are
left to the scheduler too: wiping again is harmless.

Revision ID: w0010
Revises: w0009
Create Date: 2026-12-06
"""
import sqlalchemy as sa
from alembic import op

revision = "w0010"
down_revision = "w0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("council_meeting") as batch_op:
        batch_op.add_column(sa.Column("scrubbed_at", sa.DateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("council_meeting") as batch_op:
        batch_op.drop_column("scrubbed_at")
