"""PostgreSQL: a new outbox row wakes the workers (NOTIFY `recovery_outbox`), so a webhook goes
out at once instead of at the next poll (`worker.py`). SQLite has no such thing: its worker
polls.

Revision ID: 0009
Revises: 0008
"""

from alembic import op

from recovery.store.migrations.names import named as n

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_context().dialect.name != "postgresql":
        return
    op.execute("CREATE OR REPLACE FUNCTION recovery_outbox_notify() RETURNS trigger "
               "LANGUAGE plpgsql AS "
               "$$ BEGIN PERFORM pg_notify('recovery_outbox', ''); RETURN NULL; END $$")
    op.execute(f"CREATE TRIGGER {n('outbox_wakes_workers')} AFTER INSERT ON {n('outbox')} "
               "FOR EACH STATEMENT EXECUTE FUNCTION recovery_outbox_notify()")


def downgrade() -> None:
    if op.get_context().dialect.name != "postgresql":
        return
    op.execute(f"DROP TRIGGER {n('outbox_wakes_workers')} ON {n('outbox')}")
    op.execute("DROP FUNCTION recovery_outbox_notify()")
