"""The timers that failed to fire are found by a partial index, not by walking every pending
timer (`recovery timers --failed` took half a second at a million cases).

Revision ID: 0012
Revises: 0011
"""

import sqlalchemy as sa
from alembic import op

from recovery.store.migrations.names import named as n

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

FAILED = sa.text("fired_at IS NULL AND cancelled_at IS NULL AND attempts > 0")


def upgrade() -> None:
    op.create_index(n("ix_timers_failed"), n("timers"), ["due_at", "id"],
                    sqlite_where=FAILED, postgresql_where=FAILED)


def downgrade() -> None:
    op.drop_index(n("ix_timers_failed"), n("timers"))
