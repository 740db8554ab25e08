"""Eligibility settings: the scope of the CSTĐ cơ sở quota in the catalogue

``award_type.rules["quota_scope"]`` of CSTD_CS: "office" (the quota is a share of the whole
office's Lao động tiên tiến, Decree 98/2023/NĐ-CP) or "unit" (of the person's unit). The
upgrade sets today's default where the key is missing (an admin's value is kept); the
downgrade removes the key.

Revision ID: w0005
Revises: w0004
Create Date: 2026-11-25
"""
import sqlalchemy as sa
from alembic import op

revision = "w0005"
down_revision = "w0004"
branch_labels = None
depends_on = None

DEFAULTS = {"CSTD_CS": {"quota_scope": "office"}}

award_type = sa.table("award_type", sa.column("code", sa.String()),
                      sa.column("rules", sa.JSON()))


def _rewrite(change) -> None:  # type: ignore[no-untyped-def]
    conn = op.get_bind()
    for code, values in DEFAULTS.items():
        rules = conn.execute(sa.select(award_type.c.rules)
                             .where(award_type.c.code == code)).scalar_one_or_none()
        if rules is None and not conn.execute(sa.select(award_type.c.code)
                                              .where(award_type.c.code == code)).first():
            continue  # the title was removed by an admin: nothing to update
        new = change(dict(rules or {}), values)
        conn.execute(award_type.update().where(award_type.c.code == code).values(rules=new))


def upgrade() -> None:
    _rewrite(lambda rules, values: {**rules, **{k: v for k, v in values.items()
                                                if rules.get(k) is None}})


def downgrade() -> None:
    _rewrite(lambda rules, values: {k: v for k, v in rules.items() if k not in values})
