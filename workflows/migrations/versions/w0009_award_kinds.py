"""award_type.kinds: the procedures a title or form may be proposed in (annual, thematic, adhoc)

The proposal forms offer, and their validation accepts, the catalogue's active titles whose
``kinds`` name the procedure: titles (danh hiệu) are annual only; the Giấy khen and the
provincial Bằng khen are also given for a thematic movement or an exceptional deed (Law
Art. 85, simplified procedure). Admins change the list at /admin/catalogue.

Revision ID: w0009
Revises: w0008
Create Date: 2026-12-06
"""
import sqlalchemy as sa
from alembic import op

revision = "w0009"
down_revision = "w0008"
branch_labels = None
depends_on = None

EVERY_KIND = ("GK", "BK_TINH")


def upgrade() -> None:
    with op.batch_alter_table("award_type") as batch_op:
        batch_op.add_column(sa.Column("kinds", sa.JSON(), nullable=False,
                                      server_default=sa.text("'[\"annual\"]'")))
    award_type = sa.table("award_type", sa.column("code", sa.String),
                          sa.column("kinds", sa.JSON))
    op.execute(award_type.update().where(award_type.c.code.in_(EVERY_KIND))
               .values(kinds=["annual", "thematic", "adhoc"]))


def downgrade() -> None:
    with op.batch_alter_table("award_type") as batch_op:
        batch_op.drop_column("kinds")
