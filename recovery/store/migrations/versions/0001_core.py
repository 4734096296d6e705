"""The core: cases, their append-only events, and timers.

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op
from sqlmodel.sql.sqltypes import AutoString

from recovery.store.migrations.names import named as n

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

PENDING = "fired_at IS NULL AND cancelled_at IS NULL"


def _when(name: str, nullable: bool = False) -> sa.Column:  # type: ignore[type-arg]
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        n("cases"),
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("brand", AutoString(length=64), nullable=False),
        sa.Column("channel", AutoString(length=32), nullable=False),
        sa.Column("author", AutoString(length=200), nullable=False),
        sa.Column("text", AutoString, nullable=False),
        sa.Column("external_id", AutoString(length=200), nullable=True),
        sa.Column("state", AutoString(length=64), nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        _when("opened_at"),
        _when("updated_at"),
        _when("acknowledged_at", nullable=True),
        sa.Column("finding", AutoString(length=16), nullable=True),
        sa.Column("root_cause", AutoString, nullable=True),
        sa.Column("remedy_kind", AutoString(length=32), nullable=True),
        sa.Column("remedy_value", sa.Numeric(12, 2), nullable=True),
        sa.Column("remedy_unit", AutoString(length=32), nullable=True),
        sa.UniqueConstraint("brand", "external_id", name="uq_cases_brand_external_id"),
    )
    op.create_index(n("ix_cases_brand_state"), n("cases"), ["brand", "state"])
    op.create_index(n("ix_cases_state"), n("cases"), ["state"])
    op.create_table(
        n("events"),
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("case_id", sa.Integer, sa.ForeignKey(f"{n('cases')}.id"), nullable=False),
        sa.Column("seq", sa.Integer, nullable=False),
        _when("at"),
        sa.Column("by", AutoString(length=200), nullable=False),
        sa.Column("trigger", AutoString(length=64), nullable=False),
        sa.Column("source", AutoString(length=64), nullable=True),
        sa.Column("dest", AutoString(length=64), nullable=False),
        sa.Column("note", AutoString, nullable=True),
        sa.Column("payload", sa.JSON, nullable=True),
        sa.UniqueConstraint("case_id", "seq", name="uq_events_case_seq"),
    )
    op.create_table(
        n("timers"),
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("case_id", sa.Integer, sa.ForeignKey(f"{n('cases')}.id"), nullable=False),
        sa.Column("trigger", AutoString(length=64), nullable=False),
        sa.Column("state", AutoString(length=64), nullable=False),
        _when("due_at"),
        _when("fired_at", nullable=True),
        _when("cancelled_at", nullable=True),
        sa.Column("outcome", AutoString, nullable=True),
    )
    op.create_index(n("ix_timers_case_id"), n("timers"), ["case_id"])
    op.create_index(n("ix_timers_pending"), n("timers"), ["due_at"], sqlite_where=sa.text(PENDING),
                    postgresql_where=sa.text(PENDING))


def downgrade() -> None:
    op.drop_table(n("timers"))
    op.drop_table(n("events"))
    op.drop_table(n("cases"))
