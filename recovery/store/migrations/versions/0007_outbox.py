"""The outbox: one row per event and webhook endpoint, written in the event's transaction, so
an event is delivered even when a process dies between the commit and the call
(`delivery/courier.py`).

Revision ID: 0007
Revises: 0006
"""

import sqlalchemy as sa
from alembic import op
from sqlmodel.sql.sqltypes import AutoString

from recovery.store.migrations.names import named as n

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

PENDING = sa.text("status = 'pending'")
DEAD = sa.text("status = 'dead'")


def upgrade() -> None:
    op.create_table(
        n("outbox"),
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("case_id", sa.Integer, sa.ForeignKey(f"{n('cases')}.id"), nullable=False),
        sa.Column("seq", sa.Integer, nullable=False),
        sa.Column("brand", AutoString(64), nullable=False),
        sa.Column("endpoint", AutoString(2000), nullable=False),
        sa.Column("delivery_id", AutoString(32), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("next_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("status", AutoString(16), nullable=False),
        sa.Column("last_error", AutoString, nullable=True),
        sa.Column("delivered_at", sa.DateTime(timezone=True), nullable=True),
        sa.UniqueConstraint("delivery_id", name="uq_outbox_delivery"),
    )
    op.create_index(n("ix_outbox_due"), n("outbox"), ["next_at", "id"], sqlite_where=PENDING,
                    postgresql_where=PENDING)
    op.create_index(n("ix_outbox_order"), n("outbox"), ["case_id", "endpoint", "id"],
                    sqlite_where=PENDING, postgresql_where=PENDING)
    op.create_index(n("ix_outbox_dead"), n("outbox"), ["id"], sqlite_where=DEAD,
                    postgresql_where=DEAD)


def downgrade() -> None:
    op.drop_table(n("outbox"))
