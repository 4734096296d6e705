"""Integrity: each case's events chained by hash, a redaction that keeps the chain, a
database that refuses to replace or truncate history, and timers that remember their failures.

Every event gets its chain hash (computed here for the events already written, in each case's
order); its content hash is recomputed from what it says, and stored only when a redaction
blanks its text. On SQLite a BEFORE INSERT trigger refuses an event whose id or
(case, seq) exists (INSERT OR REPLACE deletes without firing the DELETE trigger); on PostgreSQL
a TRUNCATE trigger refuses TRUNCATE. The only UPDATE of an event either database lets through
is a redaction: the text blanked, `redacted_at` set once, nothing else touched. The remedy
ledger's entries get the same refusals.

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

from recovery.store.chain import GENESIS, content_hash, link
from recovery.store.migrations.names import named as n

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

REFUSAL = "events are append-only: add an event instead of changing one"
LEDGER = "the remedy ledger is append-only: add an entry instead of changing one"
KEPT = ("id", "case_id", "seq", "at", "by", "trigger", "source", "dest", "chain_hash")
"""What a redaction may not change. It blanks the note and payload, sets `redacted_at` and
keeps the content hash they had (stored only then: otherwise it is recomputed)."""
REDACTING = ("OLD.redacted_at IS NULL AND NEW.redacted_at IS NOT NULL AND OLD.content_hash IS "
             "NULL AND NEW.content_hash IS NOT NULL")



def upgrade() -> None:
    postgres = op.get_context().dialect.name == "postgresql"
    op.add_column(n("events"), sa.Column("content_hash", sa.String(64), nullable=True))
    op.add_column(n("events"), sa.Column("chain_hash", sa.String(64), nullable=True))
    op.add_column(n("events"), sa.Column("redacted_at", sa.DateTime(timezone=True),
                                         nullable=True))
    op.add_column(n("timers"), sa.Column("attempts", sa.Integer, nullable=False,
                                         server_default="0"))
    op.add_column(n("timers"), sa.Column("last_error", sa.String, nullable=True))
    op.add_column(n("timers"), sa.Column("retry_at", sa.DateTime(timezone=True), nullable=True))
    if postgres:
        op.execute(f"ALTER TABLE {n('events')} DISABLE TRIGGER {n('events_append_only')}")
    else:
        op.execute(f"DROP TRIGGER {n('events_no_update')}")
    _chain_existing()
    if postgres:
        op.execute(f"ALTER TABLE {n('events')} ENABLE TRIGGER {n('events_append_only')}")
        _postgres_guards()
    else:
        _sqlite_guards()


def _chain_existing() -> None:
    """Give the events already written their hashes, case by case in order."""
    events = sa.table(n("events"), sa.column("id", sa.Integer), sa.column("case_id", sa.Integer),
                      sa.column("seq", sa.Integer), sa.column("at", sa.DateTime(timezone=True)),
                      sa.column("by", sa.String), sa.column("trigger", sa.String),
                      sa.column("source", sa.String), sa.column("dest", sa.String),
                      sa.column("note", sa.String), sa.column("payload", sa.JSON),
                      sa.column("chain_hash", sa.String))
    bind = op.get_bind()
    rows = bind.execute(sa.select(events).order_by(events.c.case_id, events.c.seq)).all()
    case_id, head = None, GENESIS
    for row in rows:
        if row.case_id != case_id:
            case_id, head = row.case_id, GENESIS
        content = content_hash(row.case_id, row.seq, row.at, row.by, row.trigger, row.source,
                               row.dest, row.note, row.payload)
        head = link(head, content)
        bind.execute(events.update().where(events.c.id == row.id).values(chain_hash=head))


def _sqlite_guards() -> None:
    same = " AND ".join(f'NEW."{name}" IS OLD."{name}"' for name in KEPT)
    events, entries = n("events"), n("remedy_entries")
    op.execute(f"CREATE TRIGGER {n('events_no_update')} BEFORE UPDATE ON {events} WHEN NOT ("
               f"{REDACTING} AND {same}) "
               f"BEGIN SELECT RAISE(ABORT, '{REFUSAL}'); END")
    op.execute(f"CREATE TRIGGER {n('events_no_replace')} BEFORE INSERT ON {events} WHEN EXISTS "
               f"(SELECT 1 FROM {events} WHERE id = NEW.id OR (case_id = NEW.case_id AND "
               f"seq = NEW.seq)) BEGIN SELECT RAISE(ABORT, '{REFUSAL}'); END")
    op.execute(f"CREATE TRIGGER {n('remedy_entries_no_replace')} BEFORE INSERT ON {entries} "
               f"WHEN EXISTS (SELECT 1 FROM {entries} WHERE id = NEW.id OR (remedy_id = "
               f"NEW.remedy_id AND seq = NEW.seq)) BEGIN SELECT RAISE(ABORT, '{LEDGER}'); END")


def _postgres_guards() -> None:
    old = ", ".join(f'OLD."{name}"' for name in KEPT)  # quoted: `by` and `trigger` are
    new = ", ".join(f'NEW."{name}"' for name in KEPT)  # key words in PostgreSQL
    op.execute(
        "CREATE OR REPLACE FUNCTION recovery_events_append_only() RETURNS trigger "
        "LANGUAGE plpgsql AS $$ BEGIN "
        "IF TG_OP = 'UPDATE' THEN "
        f"IF {REDACTING} AND ({new}) IS NOT DISTINCT FROM ({old}) THEN RETURN NEW; END IF; "
        "END IF; "
        f"RAISE EXCEPTION '{REFUSAL}'; END $$")
    op.execute(f"CREATE TRIGGER {n('events_no_truncate')} BEFORE TRUNCATE ON {n('events')} "
               "FOR EACH STATEMENT EXECUTE FUNCTION recovery_events_append_only()")
    op.execute(f"CREATE TRIGGER {n('remedy_entries_no_truncate')} BEFORE TRUNCATE ON "
               f"{n('remedy_entries')} FOR EACH STATEMENT EXECUTE FUNCTION "
               "recovery_ledger_append_only()")


def downgrade() -> None:
    if op.get_context().dialect.name == "postgresql":
        op.execute(f"DROP TRIGGER {n('events_no_truncate')} ON {n('events')}")
        op.execute(f"DROP TRIGGER {n('remedy_entries_no_truncate')} ON {n('remedy_entries')}")
        op.execute("CREATE OR REPLACE FUNCTION recovery_events_append_only() RETURNS trigger "
                   f"LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION '{REFUSAL}'; END $$")
    else:
        for name in ("events_no_update", "events_no_replace", "remedy_entries_no_replace"):
            op.execute(f"DROP TRIGGER {n(name)}")
        op.execute(f"CREATE TRIGGER {n('events_no_update')} BEFORE UPDATE ON {n('events')} "
                   f"BEGIN SELECT RAISE(ABORT, '{REFUSAL}'); END")
    with op.batch_alter_table(n("events")) as table:
        for name in ("redacted_at", "chain_hash", "content_hash"):
            table.drop_column(name)
    with op.batch_alter_table(n("timers")) as table:
        for name in ("retry_at", "last_error", "attempts"):
            table.drop_column(name)
