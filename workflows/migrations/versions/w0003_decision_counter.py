"""decision number register

Revision ID: w0003
Revises: w0002
Create Date: 2026-11-25
"""
from alembic import op
import sqlalchemy as sa

revision = "w0003"
down_revision = "w0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "decision_counter",
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("series", sa.String(length=32), nullable=False),
        sa.Column("last_number", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("year", "series", name=op.f("pk_decision_counter")),
    )


def downgrade() -> None:
    op.drop_table("decision_counter")
