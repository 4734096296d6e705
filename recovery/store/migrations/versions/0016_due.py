"""The board leads with what it filters on: each case carries when it is due (`due_at`: the
earliest breach of its clocks still counting, kept by the writer), and each filter (none,
brand, state, channel) leads an index of priority, due time and id over the cases with a clock
counting; the channel, the state and the priority each lead an index with the id, for newest
first. The partial indexes the board walked before (breached clocks, breaches to come) go. And
the failed timers' index takes a condition the pending timers' index cannot serve, so that
SQLite, which gathers no statistics of its own, never walks every pending timer for
`timers --failed`: each of these statements has one index that fits it.

Revision ID: 0016
Revises: 0015
"""

import sqlalchemy as sa
from alembic import op

from recovery.store.migrations.names import renamed as n  # after 0013: always prefixed

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None

DUE = sa.text("due_at IS NOT NULL")
BREACHED = sa.text("breached_at IS NOT NULL AND stopped_at IS NULL")
BREACH_DUE = sa.text("clock IS NOT NULL AND \"trigger\" = 'breach' AND fired_at IS NULL "
                     "AND cancelled_at IS NULL")
FILL = (f"UPDATE {n('cases')} SET due_at = (SELECT min(at) FROM ("
        f"SELECT breached_at AS at FROM {n('clocks')} WHERE case_id = {n('cases')}.id AND "
        f"{BREACHED.text} UNION ALL SELECT due_at FROM {n('timers')} WHERE "
        f"case_id = {n('cases')}.id AND {BREACH_DUE.text}) AS counting)")
FAILED = sa.text("fired_at IS NULL AND cancelled_at IS NULL AND attempts > 0")
ONLY_FAILED = sa.text("attempts > 0 AND COALESCE(fired_at, cancelled_at) IS NULL")
LEADS = (("", ()), ("brand_", ("brand",)), ("state_", ("state",)), ("channel_", ("channel",)))


def upgrade() -> None:
    op.add_column(n("cases"), sa.Column("due_at", sa.DateTime(timezone=True), nullable=True))
    op.execute(FILL)
    op.drop_index(n("ix_cases_state"), n("cases"))
    op.create_index(n("ix_cases_state"), n("cases"), ["state", "id"])
    op.create_index(n("ix_cases_channel"), n("cases"), ["channel", "id"])
    op.create_index(n("ix_cases_priority"), n("cases"), ["priority", "id"])
    for lead, columns in LEADS:
        op.create_index(n(f"ix_cases_{lead}due"), n("cases"),
                        [*columns, "priority", "due_at", "id"],
                        sqlite_where=DUE, postgresql_where=DUE)
    op.drop_index(n("ix_clocks_breached"), n("clocks"))
    op.drop_index(n("ix_timers_breach"), n("timers"))
    _failed(ONLY_FAILED)


def _failed(condition: sa.TextClause) -> None:
    op.drop_index(n("ix_timers_failed"), n("timers"))
    op.create_index(n("ix_timers_failed"), n("timers"), ["due_at", "id"],
                    sqlite_where=condition, postgresql_where=condition)


def downgrade() -> None:
    _failed(FAILED)
    op.create_index(n("ix_timers_breach"), n("timers"), ["due_at", "case_id"],
                    sqlite_where=BREACH_DUE, postgresql_where=BREACH_DUE)
    op.create_index(n("ix_clocks_breached"), n("clocks"), ["breached_at", "case_id"],
                    sqlite_where=BREACHED, postgresql_where=BREACHED)
    for lead, _columns in LEADS:
        op.drop_index(n(f"ix_cases_{lead}due"), n("cases"))
    op.drop_index(n("ix_cases_priority"), n("cases"))
    op.drop_index(n("ix_cases_channel"), n("cases"))
    op.drop_index(n("ix_cases_state"), n("cases"))
    op.create_index(n("ix_cases_state"), n("cases"), ["state"])
    with op.batch_alter_table(n("cases")) as batch:
        batch.drop_column("due_at")
