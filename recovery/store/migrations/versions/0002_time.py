"""Time: SLA clocks, a case's priority, clock timers, brand notices; events refuse change.

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op
from sqlmodel.sql.sqltypes import AutoString

from recovery.store.migrations.names import named as n

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

REFUSAL = "events are append-only: add an event instead of changing one"


def _when(name: str, nullable: bool = False) -> sa.Column:  # type: ignore[type-arg]
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    with op.batch_alter_table(n("cases")) as cases:
        cases.add_column(sa.Column("priority", AutoString(length=16), nullable=False,
                                   server_default="normal"))
    with op.batch_alter_table(n("timers")) as timers:
        timers.add_column(sa.Column("clock", AutoString(length=32), nullable=True))
    op.create_table(
        n("clocks"),
        sa.Column("case_id", sa.Integer, sa.ForeignKey(f"{n('cases')}.id"), primary_key=True),
        sa.Column("name", AutoString(length=32), primary_key=True),
        sa.Column("business", sa.Boolean, nullable=False),
        sa.Column("target_us", sa.BigInteger, nullable=False),
        sa.Column("warn_at", sa.Float, nullable=False),
        _when("started_at"),
        sa.Column("consumed_us", sa.BigInteger, nullable=False),
        _when("running_since", nullable=True),
        _when("stopped_at", nullable=True),
        _when("warned_at", nullable=True),
        _when("breached_at", nullable=True),
    )
    op.create_table(
        n("notices"),
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("brand", AutoString(length=64), nullable=False),
        sa.Column("channel", AutoString(length=32), nullable=False),
        sa.Column("kind", AutoString(length=16), nullable=False),
        _when("due_at"),
        _when("posted_at"),
        sa.Column("language", AutoString(length=8), nullable=False),
        sa.Column("text", AutoString, nullable=False),
        sa.UniqueConstraint("brand", "channel", "kind", "due_at", name="uq_notices_once"),
    )
    if op.get_context().dialect.name == "postgresql":
        op.execute("CREATE OR REPLACE FUNCTION recovery_events_append_only() RETURNS trigger "
                   f"LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION '{REFUSAL}'; END $$")
        op.execute(f"CREATE TRIGGER {n('events_append_only')} BEFORE UPDATE OR DELETE ON "
                   f"{n('events')} FOR EACH ROW EXECUTE FUNCTION recovery_events_append_only()")
    else:
        for change in ("UPDATE", "DELETE"):
            op.execute(f"CREATE TRIGGER {n('events_no_' + change.lower())} BEFORE {change} ON "
                       f"{n('events')} BEGIN SELECT RAISE(ABORT, '{REFUSAL}'); END")


def downgrade() -> None:
    if op.get_context().dialect.name == "postgresql":
        op.execute(f"DROP TRIGGER {n('events_append_only')} ON {n('events')}")
        op.execute("DROP FUNCTION recovery_events_append_only()")
    else:
        op.execute(f"DROP TRIGGER {n('events_no_update')}")
        op.execute(f"DROP TRIGGER {n('events_no_delete')}")
    op.drop_table(n("notices"))
    op.drop_table(n("clocks"))
    with op.batch_alter_table(n("timers")) as timers:
        timers.drop_column("clock")
    with op.batch_alter_table(n("cases")) as cases:
        cases.drop_column("priority")
