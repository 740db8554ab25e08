"""timer, scheduler_lease, human_task reminders: timer events and the scheduler

Revision ID: e0008
Revises: e0007
Create Date: 2026-11-26
"""
from alembic import op
import sqlalchemy as sa

revision = "e0008"
down_revision = "e0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "timer",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("instance_id", sa.Integer(), nullable=False),
        sa.Column("task_id", sa.String(length=36), nullable=False),
        sa.Column("element_id", sa.String(length=255), nullable=False),
        sa.Column("title", sa.String(length=255), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("attached_to", sa.String(length=255), nullable=True),
        sa.Column("interrupting", sa.Boolean(), nullable=True),
        sa.Column("due_at", sa.DateTime(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["instance_id"], ["process_instance.id"],
                                name=op.f("fk_timer_instance_id_process_instance")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_timer")),
        sa.UniqueConstraint("instance_id", "task_id", "element_id",
                            name="uq_timer_instance_task_element"),
    )
    op.create_index("ix_timer_due", "timer", ["due_at"])
    op.create_index(op.f("ix_timer_instance_id"), "timer", ["instance_id"])
    op.create_table(
        "scheduler_lease",
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("holder", sa.String(length=128), nullable=True),
        sa.Column("acquired_at", sa.DateTime(), nullable=True),
        sa.Column("heartbeat_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_scheduler_lease")),
    )
    with op.batch_alter_table("human_task") as batch_op:
        batch_op.add_column(sa.Column("reminded_for", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("overdue_for", sa.DateTime(), nullable=True))
    op.create_index("ix_human_task_due", "human_task", ["state", "due_at"])


def downgrade() -> None:
    op.drop_index("ix_human_task_due", table_name="human_task")
    with op.batch_alter_table("human_task") as batch_op:
        batch_op.drop_column("overdue_for")
        batch_op.drop_column("reminded_for")
    op.drop_table("scheduler_lease")
    op.drop_index(op.f("ix_timer_instance_id"), table_name="timer")
    op.drop_index("ix_timer_due", table_name="timer")
    op.drop_table("timer")
