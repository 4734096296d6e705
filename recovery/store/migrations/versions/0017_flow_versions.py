"""Flows have versions: each case records the version of its brand's flow it runs under
(`flow_version`, a content hash of the parts of the flow that govern a case), and each version's
text is kept (`flow_versions`), so a case keeps its version's states, timers and targets until
it is moved to a newer one on purpose (`recovery flow migrate`). A case opened before this
revision has no version: it runs under its brand's flow as it is now, as every case did.

Revision ID: 0017
Revises: 0016
"""

import sqlalchemy as sa
from alembic import op

from recovery.store.migrations.names import renamed as n  # after 0013: always prefixed

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        n("flow_versions"),
        sa.Column("brand", sa.String(64), primary_key=True),
        sa.Column("version", sa.String(16), primary_key=True),
        sa.Column("text", sa.String(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.add_column(n("cases"), sa.Column("flow_version", sa.String(16), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table(n("cases")) as batch:
        batch.drop_column("flow_version")
    op.drop_table(n("flow_versions"))
