"""human_task.not_before: the earliest moment a task may be completed

Revision ID: e0002
Revises: e0001
Create Date: 2026-11-25
"""
from alembic import op
import sqlalchemy as sa

revision = "e0002"
down_revision = "e0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("human_task") as batch_op:
        batch_op.add_column(sa.Column("not_before", sa.DateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("human_task") as batch_op:
        batch_op.drop_column("not_before")
