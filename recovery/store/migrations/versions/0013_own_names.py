"""Names of its own: every table, index and trigger of the engine takes the `recovery_` prefix
(`recovery_events`, `ix_recovery_events_feed`, `recovery_events_no_update`; on PostgreSQL also
each table's primary key and id sequence), so a host sharing the database keeps its own
`events` or `cases`. A database made since this revision has these names from the first one
(`names.py`); an older one is renamed here, in place: nothing is copied.

SQLite renames a table and rewrites what refers to it (foreign keys, trigger bodies, index
definitions); an index or trigger cannot be renamed there, so each is made again under its
new name from its own definition. PostgreSQL renames each in place.

Revision ID: 0013
Revises: 0012
"""

from alembic import context, op
from sqlalchemy import text

from recovery.store.migrations.names import FRESH, TABLES, renamed

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if context.config.attributes.get(FRESH):
        return  # made under these names from the start
    for table in TABLES:
        op.execute(f"ALTER TABLE {table} RENAME TO {renamed(table)}")
    if op.get_context().dialect.name == "postgresql":
        _postgresql()
    else:
        _sqlite()


def _sqlite() -> None:
    ours = ", ".join(f"'{renamed(table)}'" for table in TABLES)
    made = op.get_bind().execute(text(
        "SELECT type, name, sql FROM sqlite_master WHERE type IN ('index', 'trigger') AND "
        f"tbl_name IN ({ours}) AND sql IS NOT NULL")).all()  # not the automatic indexes
    for kind, name, sql in made:
        new = renamed(name)
        op.execute(f"DROP {kind.upper()} {name}")
        op.execute(sql.replace(name, new, 1))


def _postgresql() -> None:
    bind = op.get_bind()
    ours = ", ".join(f"'{renamed(table)}'" for table in TABLES)
    for (name,) in bind.execute(text(
            "SELECT indexname FROM pg_indexes WHERE schemaname = current_schema() AND "
            f"tablename IN ({ours}) AND indexname LIKE 'ix\\_%'")):
        op.execute(f"ALTER INDEX {name} RENAME TO {renamed(name)}")
    for table, name in bind.execute(text(
            "SELECT c.relname, t.tgname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
            f"WHERE NOT t.tgisinternal AND c.relname IN ({ours}) AND "
            "c.relnamespace = current_schema()::regnamespace")):
        op.execute(f"ALTER TRIGGER {name} ON {table} RENAME TO {renamed(name)}")
    for table in TABLES:
        for old, what in ((f"{table}_pkey", "CONSTRAINT"), (f"{table}_id_seq", "SEQUENCE")):
            found = bind.execute(text("SELECT to_regclass(:name)"), {"name": old}).scalar()
            if found is None:
                continue  # no id of its own (clocks, incident_cases)
            if what == "CONSTRAINT":
                op.execute(f"ALTER TABLE {renamed(table)} RENAME CONSTRAINT {old} "
                           f"TO {renamed(old)}")
            else:
                op.execute(f"ALTER SEQUENCE {old} RENAME TO {renamed(old)}")


def downgrade() -> None:
    raise NotImplementedError("the engine's names stay its own")
