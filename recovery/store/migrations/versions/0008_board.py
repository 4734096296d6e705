"""The board at a million cases: a brand's cases (and a brand's cases in a state) come newest
first straight from an index, and breached clocks and breaches coming due are found by partial
indexes instead of scanning every clock and timer (`queries.list_cases`).

Revision ID: 0008
Revises: 0007
"""

import sqlalchemy as sa
from alembic import op

from recovery.store.migrations.names import named as n

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

BREACHED = sa.text("breached_at IS NOT NULL AND stopped_at IS NULL")
BREACH_DUE = sa.text("clock IS NOT NULL AND \"trigger\" = 'breach' AND fired_at IS NULL "
                     "AND cancelled_at IS NULL")


def upgrade() -> None:
    op.drop_index(n("ix_cases_brand_state"), n("cases"))
    op.create_index(n("ix_cases_brand_state"), n("cases"), ["brand", "state", "id"])
    op.create_index(n("ix_cases_brand"), n("cases"), ["brand", "id"])
    op.create_index(n("ix_clocks_breached"), n("clocks"), ["breached_at", "case_id"],
                    sqlite_where=BREACHED, postgresql_where=BREACHED)
    op.create_index(n("ix_timers_breach"), n("timers"), ["due_at", "case_id"],
                    sqlite_where=BREACH_DUE, postgresql_where=BREACH_DUE)


def downgrade() -> None:
    op.drop_index(n("ix_timers_breach"), n("timers"))
    op.drop_index(n("ix_clocks_breached"), n("clocks"))
    op.drop_index(n("ix_cases_brand"), n("cases"))
    op.drop_index(n("ix_cases_brand_state"), n("cases"))
    op.create_index(n("ix_cases_brand_state"), n("cases"), ["brand", "state"])
