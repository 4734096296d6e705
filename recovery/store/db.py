"""Open the database: a SQLite file by default (WAL), or PostgreSQL; migrate it to the head.

The schema is kept by Alembic migrations (`store/migrations`). A database already at the head
costs one small query to open; Alembic is only imported when there is something to migrate. A
database made before migrations existed (by `create_all`, release 0.1) is recognised and stamped
at the first revision, then upgraded.
"""

from __future__ import annotations

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

from recovery.errors import StorageError

DEFAULT_URL = "sqlite:///recovery.db"
HEAD = "0012"
"""The newest schema revision (the last module in `store/migrations/versions`)."""
FUNCTIONS = ("recovery_events_append_only", "recovery_ledger_append_only",
             "recovery_outbox_notify", "recovery_incidents_kept")
"""The PostgreSQL functions the migrations create (their triggers go with the tables)."""
MIGRATIONS = Path(__file__).resolve().parent / "migrations"
MIGRATION_LOCK = 0x7265636F76  # "recov": the advisory lock PostgreSQL migrations hold


def connect(db: str | SAEngine) -> SAEngine:
    """A SQLAlchemy engine for `db` (a URL or an engine the caller made), tables created."""
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
    with storage_errors(f"cannot open database {engine.url.render_as_string()}"):
        migrate(engine)
    return engine


def empty(url: str) -> None:
    """Drop every table and function the migrations made: a throw-away database (the tests',
    a bench's) starts afresh. Everything in it is lost."""
    from sqlmodel import SQLModel

    from recovery.store import tables  # noqa: F401 (the tables SQLModel drops)

    db = create_engine(url)
    with db.begin() as conn:
        conn.execute(text("DROP TABLE IF EXISTS alembic_version"))
        SQLModel.metadata.drop_all(conn)
        if db.dialect.name == "postgresql":
            for name in FUNCTIONS:
                conn.execute(text(f"DROP FUNCTION IF EXISTS {name}() CASCADE"))
    db.dispose()


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


def revision(conn: Connection) -> str | None:
    """The schema revision of the database; None when it has never been migrated."""
    if not inspect(conn).has_table("alembic_version"):
        return None
    return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()


def migrate(engine: SAEngine, target: str = "head") -> None:
    """Bring the schema up to `target` (the head by default), in one transaction."""
    with engine.connect() as conn:
        current = revision(conn)
    if current == HEAD and target == "head":
        return
    from alembic import command  # imported here: only a database to migrate needs it
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as conn:
        _lock(conn)  # two processes opening a new database at once: one migrates, one waits
        current = revision(conn)
        if current == HEAD and target == "head":
            return  # the other one did it meanwhile
        config.attributes["connection"] = conn
        if current is None and inspect(conn).has_table("cases"):
            command.stamp(config, "0001")  # made by create_all before there were migrations
        command.upgrade(config, target)


def _lock(conn: Connection) -> None:
    """Hold the database's migration lock until the transaction ends: SQLite's write lock
    (taken at once, not at the first write), a PostgreSQL advisory lock."""
    if conn.dialect.name == "sqlite":
        conn.exec_driver_sql("BEGIN IMMEDIATE")
    elif conn.dialect.name == "postgresql":
        conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK})


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
