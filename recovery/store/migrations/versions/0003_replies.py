"""Replies: what was read of a complaint (name, language, tone, flags) and the replies sent.

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op
from sqlmodel.sql.sqltypes import AutoString

from recovery.store.migrations.names import named as n

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table(n("cases")) as cases:
        cases.add_column(sa.Column("name", AutoString(length=200), nullable=True))
        cases.add_column(sa.Column("language", AutoString(length=8), nullable=True))
        cases.add_column(sa.Column("register", AutoString(length=16), nullable=True))
        cases.add_column(sa.Column("emotion", AutoString(length=16), nullable=True))
        cases.add_column(sa.Column("flags", sa.JSON, nullable=True))
    op.create_table(
        n("replies"),
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("case_id", sa.Integer, sa.ForeignKey(f"{n('cases')}.id"), nullable=False),
        sa.Column("brand", AutoString(length=64), nullable=False),
        sa.Column("customer", AutoString(length=200), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("public", sa.Boolean, nullable=False),
        sa.Column("skeleton", AutoString, nullable=False),
    )
    op.create_index(n("ix_replies_brand_at"), n("replies"), ["brand", "at"])
    op.create_index(n("ix_replies_case_id"), n("replies"), ["case_id"])


def downgrade() -> None:
    op.drop_index(n("ix_replies_case_id"), n("replies"))
    op.drop_index(n("ix_replies_brand_at"), n("replies"))
    op.drop_table(n("replies"))
    with op.batch_alter_table(n("cases")) as cases:
        for column in ("flags", "emotion", "register", "language", "name"):
            cases.drop_column(column)
