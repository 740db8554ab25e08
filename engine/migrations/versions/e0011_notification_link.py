"""notification.link: the page a notification leads to when it is neither its task's nor
its instance's (an invitation to a council meeting leads to the meeting's page).

Revision ID: e0011
Revises: e0010
Create Date: 2026-12-06
"""
import sqlalchemy as sa
from alembic import op

revision = "e0011"
down_revision = "e0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("notification") as batch_op:
        batch_op.add_column(sa.Column("link", sa.String(length=255), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("notification") as batch_op:
        batch_op.drop_column("link")
