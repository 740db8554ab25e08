"""process_draft: diagrams being edited in the browser, not yet deployed

Revision ID: e0004
Revises: e0003
Create Date: 2026-11-25
"""
from alembic import op
import sqlalchemy as sa

revision = "e0004"
down_revision = "e0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "process_draft",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("process_key", sa.String(length=128), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("xml", sa.Text(), nullable=False),
        sa.Column("base_version_id", sa.Integer(), nullable=True),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("updated_by", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("deployed_version", sa.Integer(), nullable=True),
        sa.Column("sha256", sa.String(length=64), nullable=True),
        sa.Column("deployed_at", sa.DateTime(), nullable=True),
        sa.Column("notes", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["base_version_id"], ["process_model_version.id"],
                                name=op.f("fk_process_draft_base_version_id_process_model_version")),
        sa.ForeignKeyConstraint(["created_by"], ["app_user.id"],
                                name=op.f("fk_process_draft_created_by_app_user")),
        sa.ForeignKeyConstraint(["updated_by"], ["app_user.id"],
                                name=op.f("fk_process_draft_updated_by_app_user")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_process_draft")),
    )
    op.create_index(op.f("ix_process_draft_process_key"), "process_draft", ["process_key"])


def downgrade() -> None:
    op.drop_index(op.f("ix_process_draft_process_key"), table_name="process_draft")
    op.drop_table("process_draft")
