"""One transaction with the host: while a helpdesk's request runs inside its own database
transaction, the engine's calls write through the host's connection and never commit.

Each call of the engine is a savepoint in the host's transaction: released when the call
succeeds (nothing is committed: the host commits or rolls back everything at once), rolled
back to when it fails, so a refused call leaves the host's transaction as it was and usable.
The engine's reads in the block go through the same connection, so they see what the block
wrote. What the block wrote is told to the engine's subscribers only when the host says its
transaction committed (`Joined.tell`); the outbox rows written with it are delivered after the
commit, and not at all after a rollback.

The host's connection is a SQLAlchemy `Connection` in a transaction, or a DB-API connection
(sqlite3, psycopg 3) on the engine's database; the engine's reads need a SQLAlchemy connection,
so a DB-API one is wrapped in one whose commit, rollback and close do nothing (`Guests`: made
once per engine, at the first read). Reads are a savepoint too, so a failed one leaves the
host's transaction usable and the search path as it was.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager
from contextvars import ContextVar
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, create_engine, text
from sqlalchemy import Engine as SAEngine
from sqlalchemy.pool import NullPool

from recovery.errors import InvalidInput
from recovery.store.db import database_file
from recovery.store.records import Event, Notice

_NAMES = itertools.count(1)


class Joined:
    """The host's open transaction that the engine's calls join: what they wrote waits here to
    be told to the subscribers once the host has committed (`tell`)."""

    def __init__(self, connection: Connection | Any, own: SAEngine, guests: Guests,
                 schema: str | None, tell: Callable[[Event | Notice], None]) -> None:
        self.told: list[Event | Notice] = []
        """The events and notices the block wrote, in order, not told yet."""
        self._tell = tell
        self._schema = schema
        self._guests = guests
        self._host: Connection | None = None
        if isinstance(connection, Connection):
            if not connection.in_transaction():
                raise InvalidInput("join the host's transaction: begin it first "
                                   "(with connection.begin(): …)")
            self.raw: Any = connection.connection.dbapi_connection
            self._check(own)
            self._host = connection
        else:
            self.raw = connection
            self._check(own)

    def tell(self) -> None:
        """Tell the engine's subscribers what the block wrote: call it once the host's
        transaction has committed (Django: `transaction.on_commit(joined.tell)`; SQLAlchemy:
        after `commit()`), never after a rollback. Each is told once."""
        told, self.told = self.told, []
        for item in told:
            self._tell(item)

    @contextmanager
    def savepoint(self) -> Iterator[Any]:
        """A cursor inside a savepoint of the host's transaction: released when the block ends,
        rolled back to when it raises."""
        name = f"recovery_{next(_NAMES)}"
        with closing(self.raw.cursor()) as cursor:
            cursor.execute(f"SAVEPOINT {name}")
            try:
                before = self._enter(cursor)
                yield cursor
                self._leave(cursor, before)
                cursor.execute(f"RELEASE SAVEPOINT {name}")
            except BaseException:
                try:
                    cursor.execute(f"ROLLBACK TO SAVEPOINT {name}")  # the path goes back too
                    cursor.execute(f"RELEASE SAVEPOINT {name}")
                except Exception:
                    pass
                raise

    @contextmanager
    def reading(self) -> Iterator[Connection]:
        """The host's connection for the engine's reads, inside a savepoint (in the engine's
        schema until it ends)."""
        with self._connection() as conn, conn.begin_nested():
            if self._schema is None:
                yield conn
                return
            before = conn.execute(text(
                "SELECT current_setting('search_path'), set_config('search_path', :to, true)"),
                {"to": f'"{self._schema}"'}).scalar()
            yield conn
            conn.execute(text("SELECT set_config('search_path', :to, true)"), {"to": before})

    # -- inside ----------------------------------------------------------------------------

    @contextmanager
    def _connection(self) -> Iterator[Connection]:
        """The host's SQLAlchemy connection, or its DB-API one wrapped in one."""
        if self._host is not None:
            yield self._host
        else:
            with self._guests.wrapped(self.raw) as conn:
                yield conn

    def _enter(self, cursor: Any) -> str | None:
        """Find the engine's tables in its schema for a while; what the path was before."""
        if self._schema is None:
            return None
        cursor.execute("SELECT current_setting('search_path'), "
                       "set_config('search_path', %s, true)", (f'"{self._schema}"',))
        return str(cursor.fetchone()[0])

    def _leave(self, cursor: Any, before: str | None) -> None:
        if before is not None:
            cursor.execute("SELECT set_config('search_path', %s, true)", (before,))

    def _check(self, own: SAEngine) -> None:
        """Refuse a connection with no transaction to join, or one to another database."""
        kind = own.dialect.name
        if kind == "sqlite":
            if not hasattr(self.raw, "in_transaction") or not hasattr(self.raw, "isolation_level"):
                raise InvalidInput("the engine's database is SQLite: join a sqlite3 connection "
                                   "(or a SQLAlchemy one) to it")
            file = database_file(str(own.url))
            listed = self.raw.execute("PRAGMA database_list").fetchall()
            main = next((row[2] for row in listed if row[1] == "main"), "")
            if file is not None and Path(main or ".").resolve() != file.resolve():
                raise InvalidInput(f"the host's connection is to {main or 'another database'}, "
                                   f"not to the engine's {file}")
            if not self.raw.in_transaction:
                autocommit = getattr(self.raw, "autocommit", None) is True
                if autocommit or self.raw.isolation_level is None:
                    raise InvalidInput("the host's sqlite3 connection commits every statement "
                                       "(autocommit): there is no transaction to join")
                self.raw.execute("BEGIN")  # what the driver does at the host's next write
        else:
            info = getattr(self.raw, "info", None)
            if info is None or not hasattr(info, "transaction_status"):
                raise InvalidInput("the engine's database is PostgreSQL: join a psycopg 3 "
                                   "connection (or a SQLAlchemy one) to it")
            if self.raw.autocommit and info.transaction_status.name == "IDLE":
                raise InvalidInput("the host's psycopg connection is in autocommit: begin its "
                                   "transaction first (with conn.transaction(): …)")
            database = own.url.database
            if database and info.dbname != database:
                raise InvalidInput(f"the host's connection is to database {info.dbname}, not "
                                   f"to the engine's {database}")


class _Guest:
    """A host's DB-API connection as SQLAlchemy's pool sees it: everything passes through but
    ending its transaction or closing it, which stay the host's to do."""

    def __init__(self, connection: Any) -> None:
        self._connection = connection

    def __getattr__(self, name: str) -> Any:
        return getattr(self._connection, name)

    def commit(self) -> None:
        """The host commits."""

    def rollback(self) -> None:
        """The host rolls back."""

    def close(self) -> None:
        """The host closes its connection."""

    def add_notice_handler(self, handler: Any) -> None:
        """The host's connection keeps its own notice handlers."""


class Guests:
    """Makes a host's DB-API connection a SQLAlchemy one for the engine's reads: one wrapping
    engine for the engine's database, made at the first read (its dialect learns the server
    once), handing out whichever host connection the current context gives it."""

    def __init__(self, own: SAEngine) -> None:
        self._own = own
        self._made: SAEngine | None = None
        self._current: ContextVar[Any] = ContextVar("recovery_guest")

    @contextmanager
    def wrapped(self, raw: Any) -> Iterator[Connection]:
        """`raw` as a SQLAlchemy connection while the block runs."""
        if self._made is None:
            options = {"use_native_hstore": False} if self._own.dialect.name == "postgresql" \
                else {}  # (no adapter registered on the host's connection)
            self._made = create_engine(self._own.url, poolclass=NullPool,
                                       creator=lambda: _Guest(self._current.get()), **options)
        token = self._current.set(raw)
        try:
            with self._made.connect() as conn:
                yield conn
        finally:
            self._current.reset(token)

    def close(self) -> None:
        """Let go of the wrapping engine (the hosts' connections stay theirs)."""
        if self._made is not None:
            self._made.dispose()
            self._made = None
