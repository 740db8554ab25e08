"""migration_job and migration_item: moving running instances between versions

Revision ID: e0005
Revises: e0004
Create Date: 2026-11-25
"""
from alembic import op
import sqlalchemy as sa

revision = "e0005"
down_revision = "e0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "migration_job",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("process_key", sa.String(length=128), nullable=False),
        sa.Column("from_version_id", sa.Integer(), nullable=False),
        sa.Column("to_version_id", sa.Integer(), nullable=False),
        sa.Column("rollback_of_id", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("batch_size", sa.Integer(), nullable=False),
        sa.Column("total", sa.Integer(), nullable=False),
        sa.Column("moved", sa.Integer(), nullable=False),
        sa.Column("refused", sa.Integer(), nullable=False),
        sa.Column("filters", sa.JSON(), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("started_at", sa.DateTime(), nullable=True),
        sa.Column("finished_at", sa.DateTime(), nullable=True),
        sa.Column("worker", sa.String(length=128), nullable=True),
        sa.Column("heartbeat_at", sa.DateTime(), nullable=True),
        sa.Column("error_message", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["rollback_of_id"], ["migration_job.id"],
                                name=op.f("fk_migration_job_rollback_of_id_migration_job")),
        sa.ForeignKeyConstraint(["from_version_id"], ["process_model_version.id"],
                                name=op.f("fk_migration_job_from_version_id_process_model_version")),
        sa.ForeignKeyConstraint(["to_version_id"], ["process_model_version.id"],
                                name=op.f("fk_migration_job_to_version_id_process_model_version")),
        sa.ForeignKeyConstraint(["created_by"], ["app_user.id"],
                                name=op.f("fk_migration_job_created_by_app_user")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_migration_job")),
    )
    op.create_table(
        "migration_item",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("job_id", sa.Integer(), nullable=False),
        sa.Column("instance_id", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("reasons", sa.JSON(), nullable=False),
        sa.Column("changes", sa.JSON(), nullable=False),
        sa.Column("previous_version_id", sa.Integer(), nullable=True),
        sa.Column("done_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(["job_id"], ["migration_job.id"],
                                name=op.f("fk_migration_item_job_id_migration_job")),
        sa.ForeignKeyConstraint(["instance_id"], ["process_instance.id"],
                                name=op.f("fk_migration_item_instance_id_process_instance")),
        sa.ForeignKeyConstraint(["previous_version_id"], ["process_model_version.id"],
                                name=op.f("fk_migration_item_previous_version_id_process_model_version")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_migration_item")),
    )
    op.create_index("ix_migration_item_job", "migration_item", ["job_id", "state"])
    op.create_index(op.f("ix_migration_item_instance_id"), "migration_item", ["instance_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_migration_item_instance_id"), table_name="migration_item")
    op.drop_index("ix_migration_item_job", table_name="migration_item")
    op.drop_table("migration_item")
    op.drop_table("migration_job")
