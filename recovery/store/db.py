"""Open the database: a SQLite file by default (WAL), or PostgreSQL; migrate it to the head.

The schema is kept by Alembic migrations (`store/migrations`), whose history lives in the
engine's own version table (`recovery_version`), beside a host's own Alembic history if the
database has one. A database already at the head costs one small query to open; Alembic is only
imported when there is something to migrate. A database made before revision 0013 keeps its
history in `alembic_version` under the engine's old table names: it is recognised, its history
moved to `recovery_version`, and 0013 renames its tables. One made before migrations existed
(by `create_all`, release 0.1) is recognised by its tables and stamped at the first revision,
then upgraded. Whatever a migration raises becomes a `StorageError` saying what to do.
"""

from __future__ import annotations

import re
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, create_engine, event, inspect, text
from sqlalchemy import Engine as SAEngine
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError, SQLAlchemyError

from recovery import limits
from recovery.errors import InvalidInput, NotFound, StorageError

DEFAULT_URL = "sqlite:///recovery.db"
HEAD = "0017"
"""The newest schema revision (the last module in `store/migrations/versions`)."""
VERSIONS = "recovery_version"
"""The engine's own Alembic version table."""
LEGACY = ("alembic_version", frozenset(f"{n:04d}" for n in range(1, 13)))
"""Where an engine before revision 0013 kept its history, and the revisions it could hold."""
FUNCTIONS = ("recovery_events_append_only", "recovery_ledger_append_only",
             "recovery_outbox_notify", "recovery_incidents_kept")
"""The PostgreSQL functions the migrations create (their triggers go with the tables)."""
SCHEMA = re.compile(r"^[a-z][a-z0-9_]{0,62}$")
"""A name the engine takes for its own PostgreSQL schema."""
OLD_LAYOUT = {"cases": {"brand", "external_id", "state", "version", "remedy_kind"},
              "events": {"case_id", "seq", "trigger", "dest"},
              "timers": {"case_id", "trigger", "due_at", "fired_at"}}
"""The engine's first tables under their names before 0013, and columns only they have."""
MIGRATIONS = Path(__file__).resolve().parent / "migrations"
MIGRATION_LOCK = 0x7265636F76  # "recov": the advisory lock PostgreSQL migrations hold


def connect(db: str | SAEngine, schema: str | None = None) -> SAEngine:
    """A SQLAlchemy engine for `db` (a URL, or an engine the host made, whose connections keep
    the host's settings), tables created (on PostgreSQL in `schema`, made if missing)."""
    if isinstance(db, SAEngine):
        engine = db
    else:
        try:
            url = make_url(db)
            engine = create_engine(url)
        except (ArgumentError, NoSuchModuleError, ImportError, ValueError) as exc:
            raise StorageError(f"cannot use database '{db}': {exc}; give a URL like "
                               "sqlite:///care.db or postgresql+psycopg://user@host/db") from exc
        if engine.dialect.name == "sqlite":
            event.listen(engine, "connect", _sqlite_pragmas)
    if schema is not None:
        if engine.dialect.name != "postgresql":
            raise InvalidInput("schema= is PostgreSQL's; on SQLite the engine's tables keep to "
                               "their recovery_ names beside the host's")
        if not SCHEMA.match(str(schema)):
            raise InvalidInput(f"schema= {limits.shown(schema)} is no schema name: lower-case "
                               "letters, digits and _, starting with a letter, at most 63")
        if engine is not db:  # the engine's own connections look in its schema from the start
            event.listen(engine, "connect", _search_path(schema))
    with storage_errors(f"cannot open database {engine.url.render_as_string()}"):
        migrate(engine, schema=schema)
    return engine


def in_schema(schema: str | None) -> str | None:
    """The statement that makes the rest of a transaction find the engine's tables in
    `schema` (None without one): run first in each transaction on a connection the engine did
    not set to it as it connected (a host's engine's)."""
    return None if schema is None else f'SET LOCAL search_path TO "{schema}"'


def empty(url: str) -> None:
    """Drop every table and function the migrations made: a throw-away database (the tests',
    a bench's) starts afresh. Everything in it is lost."""
    from sqlmodel import SQLModel

    from recovery.store import tables  # noqa: F401 (the tables SQLModel drops)

    db = create_engine(url)
    with db.begin() as conn:
        conn.execute(text(f"DROP TABLE IF EXISTS {VERSIONS}"))
        SQLModel.metadata.drop_all(conn)
        if db.dialect.name == "postgresql":
            for name in FUNCTIONS:
                conn.execute(text(f"DROP FUNCTION IF EXISTS {name}() CASCADE"))
    db.dispose()


def copy(db: str, target: Path) -> None:
    """Copy the SQLite database `db` to a new file `target`, consistently while it is in use
    (SQLite's backup API): a copy to drill on."""
    source = database_file(db)
    if source is None:
        raise InvalidInput("only a SQLite file is copied here; on PostgreSQL make the copy with "
                           "`createdb -T LIVE DRILL` (nobody connected to LIVE meanwhile)")
    if not source.exists():
        raise NotFound(f"no database at {source}")
    if target.exists():
        raise InvalidInput(f"{target} is there already; name a new file")
    try:
        with storage_errors(f"cannot copy {source} to {target}"):
            live, drill = sqlite3.connect(source), sqlite3.connect(target)
            try:
                live.backup(drill)
            except sqlite3.Error as exc:
                raise StorageError(f"cannot copy {source} to {target}: {exc}") from exc
            finally:
                drill.close()
                live.close()
    except BaseException:
        target.unlink(missing_ok=True)  # no half-made copy left to drill on by mistake
        raise


def database_file(db: str) -> Path | None:
    """The file a SQLite URL names; None for an in-memory database, another kind of database
    or a URL that is not one."""
    try:
        url = make_url(db)
    except ArgumentError:
        return None
    name = url.database
    if not url.drivername.startswith("sqlite") or not name or name == ":memory:" \
            or name.startswith("file:"):
        return None
    return Path(name)


def missing_file(db: str) -> Path | None:
    """The file a SQLite URL names, when it does not exist yet."""
    path = database_file(db)
    return None if path is None or path.exists() else path


def revision(conn: Connection, schema: str | None = None) -> str | None:
    """The engine's schema revision of the database (in `schema`); None when the engine never
    made it."""
    if inspect(conn).has_table(VERSIONS, schema=schema):
        table = VERSIONS if schema is None else f'"{schema}".{VERSIONS}'
        return conn.execute(text(f"SELECT version_num FROM {table}")).scalar()
    return None if schema is not None else _legacy(conn)


def _legacy(conn: Connection) -> str | None:
    """The revision an engine before 0013 kept in `alembic_version` (a table a host may have
    for its own history: only one of the engine's revisions, beside its old tables, counts)."""
    table, known = LEGACY
    if not (inspect(conn).has_table(table) and _old_layout(conn)):
        return None
    rows = conn.execute(text(f"SELECT version_num FROM {table}")).scalars()
    return next((found for found in rows if found in known), None)


def _old_layout(conn: Connection) -> bool:
    """True when the engine's three first tables are there under their names before 0013,
    with the columns only the engine's have (a host's own `cases` table is not mistaken)."""
    inspector = inspect(conn)
    if not all(inspector.has_table(name) for name in OLD_LAYOUT):
        return False
    return all(columns <= {column["name"] for column in inspector.get_columns(name)}
               for name, columns in OLD_LAYOUT.items())


def migrate(engine: SAEngine, target: str = "head", schema: str | None = None) -> None:
    """Bring the schema up to `target` (the head by default), in one transaction; on
    PostgreSQL in `schema`, made if missing."""
    with engine.connect() as conn:
        current = revision(conn, schema) if _schema_there(conn, schema) else None
    if current == HEAD and target == "head":
        return
    from alembic import command  # imported here: only a database to migrate needs it
    from alembic.config import Config
    from alembic.util import CommandError

    from recovery.store.migrations.names import FRESH

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as conn:
        _lock(conn)  # two processes opening a new database at once: one migrates, one waits
        if schema is not None:
            conn.execute(text(f'CREATE SCHEMA IF NOT EXISTS "{schema}"'))
            conn.execute(text(str(in_schema(schema))))
        current = revision(conn, schema)
        if current == HEAD and target == "head":
            return  # the other one did it meanwhile
        config.attributes.update(connection=conn, version_table_schema=schema)
        try:
            if current is None and schema is None and _old_layout(conn):
                command.stamp(config, "0001")  # made by create_all before there were migrations
            elif current is not None and not inspect(conn).has_table(VERSIONS, schema=schema):
                command.stamp(config, current)  # its history moves to the engine's own table
                _forget_legacy(conn, current)
            else:  # new, or made since 0013: its names are the engine's own from the start
                config.attributes[FRESH] = True
            command.upgrade(config, target)
        except CommandError as exc:
            raise StorageError(f"cannot migrate the database: {exc} (it was made by another "
                               "release of recovery: open it with that release, or give a new "
                               "database)") from exc


def _forget_legacy(conn: Connection, current: str) -> None:
    """Take the engine's row out of `alembic_version`; the table goes only when nothing of a
    host's own history is left in it."""
    table = LEGACY[0]
    conn.execute(text(f"DELETE FROM {table} WHERE version_num = :v"), {"v": current})
    if conn.execute(text(f"SELECT count(*) FROM {table}")).scalar() == 0:
        conn.execute(text(f"DROP TABLE {table}"))


def _schema_there(conn: Connection, schema: str | None) -> bool:
    """Whether the engine's schema is in the database (always, without one)."""
    return schema is None or schema in inspect(conn).get_schema_names()


def _lock(conn: Connection) -> None:
    """Hold the database's migration lock until the transaction ends: SQLite's write lock
    (taken at once, not at the first write), a PostgreSQL advisory lock."""
    if conn.dialect.name == "sqlite":
        conn.exec_driver_sql("BEGIN IMMEDIATE")
    elif conn.dialect.name == "postgresql":
        conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK})


def _search_path(schema: str) -> Any:
    """A connect hook setting a new PostgreSQL connection's search path to `schema`."""
    def hook(dbapi_connection: Any, _record: Any) -> None:
        with dbapi_connection.cursor() as cursor:
            cursor.execute(f'SET search_path TO "{schema}"')
        dbapi_connection.commit()
    return hook


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA busy_timeout=10000")  # wait for another writer instead of failing
    _wal(cursor)  # readers never block the writer
    cursor.execute("PRAGMA synchronous=NORMAL")  # durable across crashes of the process
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def _wal(cursor: Any) -> None:
    """Switch the database to WAL. The switch needs the file to itself and does not wait on the
    busy timeout, so while another connection is creating the database it is tried again, for
    up to the same 10 s."""
    deadline = time.monotonic() + 10
    while True:
        try:
            cursor.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(0.02)


@contextmanager
def storage_errors(what: str) -> Iterator[None]:
    """Turn a database driver's failure into a `StorageError` saying what we were doing."""
    try:
        yield
    except DBAPIError as exc:
        raise StorageError(f"{what}: {str(exc.orig).splitlines()[0]}") from exc
    except SQLAlchemyError as exc:
        raise StorageError(f"{what}: {exc}") from exc
