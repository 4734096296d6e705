"""Reach: a case keeps the author's audience and the post's engagement (followers, likes,
shares, replies), from which its priority follows (`flows/priority.py`); `case list --priority`
comes from an index.

Revision ID: 0010
Revises: 0009
"""

import sqlalchemy as sa
from alembic import op

from recovery.store.migrations.names import named as n

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table(n("cases")) as cases:
        cases.add_column(sa.Column("reach", sa.JSON, nullable=True))
    op.create_index(n("ix_cases_brand_priority"), n("cases"), ["brand", "priority", "id"])


def downgrade() -> None:
    op.drop_index(n("ix_cases_brand_priority"), n("cases"))
    with op.batch_alter_table(n("cases")) as cases:
        cases.drop_column("reach")
