"""unit.active: a unit can be deactivated (ngừng hoạt động) once nobody active belongs to it

Revision ID: e0006
Revises: e0005
Create Date: 2026-11-25
"""
from alembic import op
import sqlalchemy as sa

revision = "e0006"
down_revision = "e0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("unit") as batch_op:
        batch_op.add_column(sa.Column("active", sa.Boolean(), nullable=False,
                                      server_default=sa.true()))


def downgrade() -> None:
    with op.batch_alter_table("unit") as batch_op:
        batch_op.drop_column("active")
