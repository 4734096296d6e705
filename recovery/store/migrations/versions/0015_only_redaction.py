"""Redaction that can only redact: the database lets an event change in one way only, its text
blanked to the marker. Before, a change that set `redacted_at` and kept the content hash could
write any note and payload (a rewrite dressed as a redaction); now the note may only become
`[redacted]` and the payload only its `text` field `[redacted]`, every other field as it was
(compared with IS, so writing NULL is no way round it).

Revision ID: 0015
Revises: 0014
"""

from alembic import op

from recovery.store.migrations.names import renamed as n  # after 0013: always prefixed

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None

REFUSAL = "events are append-only: add an event instead of changing one"
KEPT = ("id", "case_id", "seq", "at", "by", "trigger", "source", "dest", "chain_hash", "tx")
"""What a redaction may not change."""
BLANK = "[redacted]"
"""The marker a redaction blanks text to (`store/redaction_sql.py`)."""
REDACTING = ("OLD.redacted_at IS NULL AND NEW.redacted_at IS NOT NULL AND OLD.content_hash IS "
             "NULL AND NEW.content_hash IS NOT NULL")


def _sqlite(marked: bool) -> str:
    """The SQLite trigger refusing every change but a redaction (`marked`: to the marker)."""
    same = " AND ".join(f'NEW."{name}" IS OLD."{name}"' for name in KEPT)
    blanked = (f" AND (NEW.note IS OLD.note OR NEW.note IS '{BLANK}') AND (NEW.payload IS "
               "OLD.payload OR (json_type(OLD.payload, '$.text') IS NOT NULL AND "
               f"json(NEW.payload) IS json_set(OLD.payload, '$.text', '{BLANK}')))"
               if marked else "")
    return (f"CREATE TRIGGER {n('events_no_update')} BEFORE UPDATE ON {n('events')} WHEN NOT ("
            f"{REDACTING} AND {same}{blanked}) BEGIN SELECT RAISE(ABORT, '{REFUSAL}'); END")


def _postgresql(marked: bool) -> str:
    """The PostgreSQL function behind the append-only trigger (`marked`: to the marker)."""
    old = ", ".join(f'OLD."{name}"' for name in KEPT)
    new = ", ".join(f'NEW."{name}"' for name in KEPT)
    blanked = (f" AND (NEW.note IS NOT DISTINCT FROM OLD.note OR NEW.note = '{BLANK}') AND "
               "(NEW.payload::jsonb IS NOT DISTINCT FROM OLD.payload::jsonb OR "
               "(OLD.payload::jsonb ? 'text' AND NEW.payload::jsonb = "
               f"jsonb_set(OLD.payload::jsonb, '{{text}}', '\"{BLANK}\"')))"
               if marked else "")
    return ("CREATE OR REPLACE FUNCTION recovery_events_append_only() RETURNS trigger "
            "LANGUAGE plpgsql AS $$ BEGIN "
            "IF TG_OP = 'UPDATE' THEN "
            f"IF {REDACTING} AND ({new}) IS NOT DISTINCT FROM ({old}){blanked} THEN RETURN NEW; "
            "END IF; END IF; "
            f"RAISE EXCEPTION '{REFUSAL}'; END $$")


def _guard(marked: bool) -> None:
    if op.get_context().dialect.name == "postgresql":
        op.execute(_postgresql(marked))
    else:
        op.execute(f"DROP TRIGGER {n('events_no_update')}")
        op.execute(_sqlite(marked))


def upgrade() -> None:
    _guard(marked=True)


def downgrade() -> None:
    _guard(marked=False)
