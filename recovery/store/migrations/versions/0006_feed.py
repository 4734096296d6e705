"""The event feed: on PostgreSQL each event keeps the id of the transaction that wrote it, so
a helpdesk pulling events with a cursor gets them in commit order and never skips one that a
slower transaction commits later (`store/feed.py`). SQLite commits one writer at a time, so
its event ids are already in commit order.

Revision ID: 0006
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op

from recovery.store.migrations.names import named as n

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(n("events"), sa.Column("tx", sa.BigInteger, nullable=True))
    if op.get_context().dialect.name == "postgresql":
        op.execute(f"ALTER TABLE {n('events')} ALTER COLUMN tx SET DEFAULT "
                   "(pg_current_xact_id()::text::bigint)")
        op.execute(f"CREATE INDEX {n('ix_events_feed')} ON {n('events')} "
                   "((COALESCE(tx, 0)), id)")


def downgrade() -> None:
    if op.get_context().dialect.name == "postgresql":
        op.execute(f"DROP INDEX {n('ix_events_feed')}")
    op.drop_column(n("events"), "tx")
