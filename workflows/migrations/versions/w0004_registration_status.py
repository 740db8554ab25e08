"""emulation_registration.status: submitted | accepted | rejected

Rows that exist before this revision were recorded as accepted registrations, hence the
server default; the registration procedure writes "submitted" itself.

Revision ID: w0004
Revises: w0003
Create Date: 2026-11-25
"""
import sqlalchemy as sa
from alembic import op

revision = "w0004"
down_revision = "w0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("emulation_registration") as batch_op:
        batch_op.add_column(sa.Column("status", sa.String(length=16), nullable=False,
                                      server_default="accepted"))


def downgrade() -> None:
    with op.batch_alter_table("emulation_registration") as batch_op:
        batch_op.drop_column("status")
