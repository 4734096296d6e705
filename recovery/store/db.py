"""Open the database: a SQLite file by default (WAL), or PostgreSQL; create the tables."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Engine as SAEngine
from sqlalchemy import create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError, SQLAlchemyError
from sqlmodel import SQLModel

from recovery.errors import StorageError
from recovery.store import tables  # noqa: F401  (registers the tables on SQLModel.metadata)

DEFAULT_URL = "sqlite:///recovery.db"


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
        SQLModel.metadata.create_all(engine)
    return engine


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")  # readers never block the writer
    cursor.execute("PRAGMA synchronous=NORMAL")  # durable across crashes of the process
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")  # wait for another writer instead of failing
    cursor.close()


@contextmanager
def storage_errors(what: str) -> Iterator[None]:
    """Turn a database driver's failure into a `StorageError` saying what we were doing."""
    try:
        yield
    except DBAPIError as exc:
        raise StorageError(f"{what}: {str(exc.orig).splitlines()[0]}") from exc
    except SQLAlchemyError as exc:
        raise StorageError(f"{what}: {exc}") from exc
