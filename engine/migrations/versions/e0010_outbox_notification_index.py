"""email_outbox.notification_id indexed: a settled task cancels its notifications' queued
e-mails on every command, and the outbox can grow long while SMTP is not configured.

Revision ID: e0010
Revises: e0009
Create Date: 2026-12-06
"""
from alembic import op

revision = "e0010"
down_revision = "e0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_email_outbox_notification_id", "email_outbox", ["notification_id"])


def downgrade() -> None:
    op.drop_index("ix_email_outbox_notification_id", table_name="email_outbox")
