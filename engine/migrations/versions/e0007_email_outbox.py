"""app_user.email and email_notifications; email_outbox: notifications sent by e-mail

Revision ID: e0007
Revises: e0006
Create Date: 2026-11-26
"""
from alembic import op
import sqlalchemy as sa

revision = "e0007"
down_revision = "e0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("app_user") as batch_op:
        batch_op.add_column(sa.Column("email", sa.String(length=254), nullable=True))
        batch_op.add_column(sa.Column("email_notifications", sa.Boolean(), nullable=False,
                                      server_default=sa.true()))
    op.create_table(
        "email_outbox",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("notification_id", sa.Integer(), nullable=True),
        sa.Column("recipient", sa.String(length=254), nullable=False),
        sa.Column("subject", sa.String(length=300), nullable=False),
        sa.Column("body_text", sa.Text(), nullable=False),
        sa.Column("body_html", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("next_attempt_at", sa.DateTime(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("claim_token", sa.String(length=36), nullable=True),
        sa.Column("claimed_at", sa.DateTime(), nullable=True),
        sa.Column("sent_at", sa.DateTime(), nullable=True),
        sa.Column("message_id", sa.String(length=255), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["app_user.id"],
                                name=op.f("fk_email_outbox_user_id_app_user")),
        sa.ForeignKeyConstraint(["notification_id"], ["notification.id"],
                                name=op.f("fk_email_outbox_notification_id_notification")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_email_outbox")),
    )
    op.create_index("ix_email_outbox_due", "email_outbox", ["status", "next_attempt_at"])
    op.create_index(op.f("ix_email_outbox_user_id"), "email_outbox", ["user_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_email_outbox_user_id"), table_name="email_outbox")
    op.drop_index("ix_email_outbox_due", table_name="email_outbox")
    op.drop_table("email_outbox")
    with op.batch_alter_table("app_user") as batch_op:
        batch_op.drop_column("email_notifications")
        batch_op.drop_column("email")
