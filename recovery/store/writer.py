"""The engine's hot path: the few statements every firing runs, on one raw DB-API transaction.

Each statement is built with SQLAlchemy Core and compiled once for the engine's dialect; a call
then only converts its values with the columns' own type processors (so rows are stored exactly
as SQLAlchemy stores them) and hands them to the driver. This skips SQLAlchemy's per-execution
machinery, which costs more than the SQL itself on SQLite (see bench/fire_throughput.py).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime
from typing import Any, NamedTuple
from uuid import uuid4

from sqlalchemy import Engine as SAEngine
from sqlalchemy import Insert, bindparam, insert, select, update
from sqlalchemy.sql.expression import ClauseElement

from recovery.clock import as_utc
from recovery.errors import ConcurrentUpdate, StorageError
from recovery.store.case_sql import CaseStatements, CaseTx
from recovery.store.chain import GENESIS, content_hash, link
from recovery.store.clock_sql import ClockStatements, ClockTx
from recovery.store.compiled import Compiled, read_json
from recovery.store.joined import Joined
from recovery.store.records import Event, Notice
from recovery.store.redaction_sql import RedactionStatements, RedactionTx
from recovery.store.remedy_sql import RemedyStatements, RemedyTx
from recovery.store.tables import (
    cases,
    events,
    notices,
    outbox,
    replies,
)
from recovery.store.timer_sql import TimerStatements, TimerTx

Route = Callable[[str, Event], Sequence[str]]
"""The webhook endpoints of a brand that want an event (`delivery/routes.py`)."""
Tell = Callable[[Event | Notice], None]
"""Tell the subscribers of an event or notice a transaction committed."""

CASE_COLUMNS = ("brand", "channel", "author", "text", "external_id", "state", "version",
                "priority", "opened_at", "updated_at", "name", "language", "register",
                "emotion", "flags", "reach", "flow_version")
REPLY_COLUMNS = ("case_id", "brand", "customer", "at", "public", "skeleton")
NOTICE_COLUMNS = ("brand", "channel", "kind", "due_at", "posted_at", "language", "text")
EVENT_COLUMNS = ("case_id", "seq", "at", "by", "trigger", "source", "dest", "note", "payload",
                 "chain_hash")
OUTBOX_COLUMNS = ("case_id", "seq", "brand", "endpoint", "delivery_id", "created_at", "next_at",
                  "attempts", "status")


class Known(NamedTuple):
    """The case already opened for an external post, and what that complaint said."""

    id: int
    channel: str
    author: str
    text: str


@dataclass(frozen=True)
class Facts:
    """What the engine reads of a case before firing a trigger on it."""

    brand: str
    state: str
    version: int
    priority: str
    acknowledged_at: datetime | None
    finding: str | None
    remedy_kind: str | None
    updated_at: datetime
    """When the case's last event happened: a new one may not be dated before it."""
    flow_version: str | None
    """The version of its brand's flow the case runs under (None: the flow as it is)."""


class Writer(TimerStatements, ClockStatements, RemedyStatements, RedactionStatements,
             CaseStatements):
    """Compiles the hot statements for one database and opens transactions that run them."""

    def __init__(self, engine: SAEngine, route: Route | None = None,
                 tell: Tell | None = None, in_schema: str | None = None) -> None:
        self._engine = engine
        self.route = route
        self._tell = tell
        self._in_schema = in_schema
        self.joined: ContextVar[Joined | None] = ContextVar("recovery_joined", default=None)
        """The host's transaction the engine's calls join in this context, if any."""
        self._kept: Any = None
        """A connection kept from one transaction to the next (checking one out of the pool
        costs more than a small transaction), by one thread at a time."""
        self._keeping = threading.Lock()
        self.kept_flows: set[tuple[str, str]] = set()
        """The flow versions a committed transaction of this writer made sure are kept: none
        is written again (a host's transaction, whose commit the writer does not see, adds
        none)."""
        self._dialect = engine.dialect
        self._dbapi = engine.dialect.loaded_dbapi
        compile_ = self._compile
        head = (select(events.c.chain_hash)  # the last event's, read in the same statement
                .where(events.c.case_id == cases.c.id, events.c.seq == cases.c.version)
                .scalar_subquery())
        self.facts = compile_(select(cases.c.brand, cases.c.state, cases.c.version,
                                     cases.c.priority, cases.c.acknowledged_at, cases.c.finding,
                                     cases.c.remedy_kind, cases.c.updated_at,
                                     cases.c.flow_version, head)
                              .where(cases.c.id == bindparam("case_id")))
        self.insert_case = compile_(insert(cases).returning(cases.c.id), CASE_COLUMNS)
        self.find_external = compile_(select(cases.c.id, cases.c.channel, cases.c.author,
                                             cases.c.text).where(
            cases.c.brand == bindparam("brand"), cases.c.external_id == bindparam("external_id")))
        self.append_event = compile_(insert(events), EVENT_COLUMNS)
        self.post = compile_(insert(outbox), OUTBOX_COLUMNS)
        self.brand = compile_(select(cases.c.brand).where(cases.c.id == bindparam("case_id")))
        self.reach_of = compile_(select(cases.c.channel, cases.c.emotion, cases.c.reach)
                                 .where(cases.c.id == bindparam("case_id")))
        self.head = compile_(select(events.c.chain_hash).where(
            events.c.case_id == bindparam("of_case"), events.c.seq == bindparam("of_seq")))
        self.insert_notice = compile_(insert(notices), NOTICE_COLUMNS)
        self.insert_reply = compile_(insert(replies), REPLY_COLUMNS)
        self.read_time = (cases.c.acknowledged_at.type.dialect_impl(self._dialect)
                          .result_processor(self._dialect, None))
        self.read_json = (events.c.payload.type.dialect_impl(self._dialect)
                          .result_processor(self._dialect, None))
        self._timer_statements()
        self._clock_statements()
        self._remedy_statements()
        self._redaction_statements()
        self._case_statements()
        self._advance: dict[frozenset[str], Compiled] = {}
        self._others: dict[tuple[int, tuple[str, ...]], tuple[ClauseElement, Compiled]] = {}

    def compiled(self, statement: ClauseElement, keys: tuple[str, ...]) -> Compiled:
        """A room's own statement (a module constant; an INSERT's column `keys`), compiled
        once for this database and kept beside it, so its id stays its own."""
        known = self._others.get((id(statement), keys))
        if known is None:
            known = self._others[id(statement), keys] = (
                statement, self._compile(statement, keys if keys else None))
        return known[1]

    def _compile(self, statement: ClauseElement, keys: Iterable[str] | None = None) -> Compiled:
        return Compiled(statement, self._dialect, keys)

    def advance_statement(self, columns: frozenset[str]) -> Compiled:
        """UPDATE of a case's version and `columns` (its state among them when it moves),
        checked against the old version."""
        known = self._advance.get(columns)
        if known is not None:
            return known
        values: dict[str, Any] = {"version": bindparam("new_version"),
                                  "updated_at": bindparam("at")}
        values.update({column: bindparam(f"set_{column}") for column in columns})
        compiled = self._compile(
            update(cases)
            .where(cases.c.id == bindparam("case_id"), cases.c.version == bindparam("old_version"))
            .values(**values))
        self._advance[columns] = compiled
        return compiled

    @contextmanager
    def transaction(self, case_id: int = 0, deliver: bool = True) -> Iterator[Tx]:
        """A transaction on a pooled connection: committed on success, rolled back otherwise;
        once committed, the subscribers are told of each event and notice it wrote. Joined to
        a host's transaction (`joined.py`), a savepoint in it instead: never committed, and
        what it wrote is told once the host says it committed. Without `deliver`, its events
        go in no outbox and reach no subscriber (history brought over from elsewhere).

        A uniqueness violation means another writer got there first: `ConcurrentUpdate`.
        """
        joined = self.joined.get()
        if joined is not None:
            with self._hosted(joined, case_id, deliver) as tx:
                yield tx
            return
        mine = self._keeping.acquire(blocking=False)  # another thread has it: use the pool
        raw = None
        if mine:
            raw, self._kept = self._kept, None
        try:
            if raw is None:
                raw = self._engine.raw_connection()
        except Exception as exc:
            if mine:
                self._keeping.release()
            raise StorageError(f"cannot connect to the database: {exc}") from exc
        healthy = False
        try:
            tx = Tx(self, raw.cursor(), deliver)
            if self._in_schema is not None:
                tx._cursor.execute(self._in_schema)
            yield tx
            tx.keep_due()
            raw.commit()
            healthy = True
            self.kept_flows |= tx._kept_flows
        except self._dbapi.IntegrityError as exc:
            raw.rollback()
            healthy = True
            raise ConcurrentUpdate(case_id) from exc
        except self._dbapi.Error as exc:
            raw.rollback()
            raise StorageError(f"database error: {str(exc).splitlines()[0]}") from exc
        except BaseException:
            raw.rollback()
            healthy = True
            raise
        finally:
            if mine and healthy:
                self._kept = raw
            else:
                raw.close()
            if mine:
                self._keeping.release()
        if self._tell is not None:  # committed, and the connection given back first
            for told in tx.told:
                self._tell(told)

    @contextmanager
    def _hosted(self, joined: Joined, case_id: int, deliver: bool) -> Iterator[Tx]:
        """A savepoint in the host's transaction; what it wrote waits to be told."""
        try:
            with joined.savepoint() as cursor:
                tx = Tx(self, cursor, deliver)
                yield tx
                tx.keep_due()
        except self._dbapi.IntegrityError as exc:
            raise ConcurrentUpdate(case_id) from exc
        except self._dbapi.Error as exc:
            raise StorageError(f"database error: {str(exc).splitlines()[0]}") from exc
        joined.told.extend(tx.told)

    def close(self) -> None:
        """Give back the connection kept between transactions."""
        with self._keeping:
            if self._kept is not None:
                self._kept.close()
                self._kept = None


class Tx(TimerTx, ClockTx, RemedyTx, RedactionTx, CaseTx):
    """The hot reads and writes, inside one transaction."""

    def __init__(self, writer: Writer, cursor: Any, deliver: bool = True) -> None:
        self._w = writer
        self._cursor = cursor
        self._route = writer.route if deliver else None
        self._deliver = deliver
        self.told: list[Event | Notice] = []
        """The events and notices to tell the subscribers of once this transaction commits."""
        self._heads: dict[int, tuple[int, str]] = {}
        """The chain hash of the last event appended per case in this transaction."""
        self._brands: dict[int, str] = {}
        """The brand of each case read or opened in this transaction."""
        self._clocked: set[int] = set()
        """The cases whose clocks changed in this transaction (`ClockTx.keep_due`)."""
        self._kept_flows: set[tuple[str, str]] = set()
        """The flow versions this transaction made sure are kept (`CaseTx.keep_flow`)."""

    def _run(self, statement: Compiled, values: dict[str, Any]) -> Any:
        self._cursor.execute(statement.sql, statement.params(values))
        return self._cursor

    def _run_many(self, statement: Compiled, many: list[dict[str, Any]]) -> None:
        if many:
            self._cursor.executemany(statement.sql, statement.rows(many))

    def facts(self, case_id: int) -> Facts | None:
        """The case's brand, state, version and what guards read; None if there is no case."""
        row = self._run(self._w.facts, {"case_id": case_id}).fetchone()
        if row is None:
            return None
        (brand, state, version, priority, acknowledged_at, finding, remedy_kind, updated,
         flow_version, head) = row
        self._brands[case_id] = brand
        if head is not None:
            self._heads[case_id] = (version, head)
        last = self._time(updated)
        assert last is not None  # NOT NULL
        return Facts(brand, state, version, priority, self._time(acknowledged_at), finding,
                     remedy_kind, last, flow_version)

    def _time(self, value: Any) -> datetime | None:
        if isinstance(value, datetime):  # PostgreSQL, or a host's sqlite3 that parses types
            return as_utc(value)
        if isinstance(value, str):  # SQLite: as `sqlite_time` wrote it
            value = datetime.fromisoformat(value)
        elif value is not None and self._w.read_time is not None:
            value = self._w.read_time(value)
        return as_utc(value) if value is not None else None

    def insert_case(self, values: dict[str, Any]) -> int:
        """Insert a case row; returns its id."""
        row = self._run(self._w.insert_case, dict(values)).fetchone()
        self._brands[int(row[0])] = values["brand"]
        return int(row[0])

    def find_external(self, brand: str, external_id: str) -> Known | None:
        """The brand's case opened for that external post, if any."""
        row = self._run(self._w.find_external,
                        {"brand": brand, "external_id": external_id}).fetchone()
        return None if row is None else Known(int(row[0]), *row[1:])

    def run(self, statement: ClauseElement, values: dict[str, Any]) -> Any:
        """Run a room's own statement (a module constant) in this transaction; the cursor."""
        keys = tuple(values) if isinstance(statement, Insert) else ()
        return self._run(self._w.compiled(statement, keys), values)

    def reach_of(self, case_id: int) -> tuple[str, str | None, dict[str, int]]:
        """The case's channel, the complaint's emotion and its reach as last given."""
        channel, emotion, reach = self._run(self._w.reach_of, {"case_id": case_id}).fetchone()
        return channel, emotion, dict(read_json(reach) or {})

    def advance(self, case_id: int, old_version: int, state: str | None, at: datetime,
                changes: dict[str, Any]) -> bool:
        """Count an event on the case (and move it to `state`; None: it stays, and its state's
        indexes are not rewritten) unless someone changed it since `old_version`."""
        if state is not None:
            changes = {**changes, "state": state}
        values = {"case_id": case_id, "old_version": old_version,
                  "new_version": old_version + 1, "at": at}
        values.update({f"set_{column}": value for column, value in changes.items()})
        return bool(self._run(self._w.advance_statement(frozenset(changes)), values).rowcount == 1)

    def append_event(self, event: Event) -> None:
        """Append an event, chained by hash to the case's previous one; the (case, seq) key
        and the database's own trigger refuse a duplicate or a replacement."""
        content = content_hash(event.case_id, event.seq, event.at, event.by, event.trigger,
                               event.source, event.dest, event.note, event.payload)
        chained = link(self._head(event.case_id, event.seq - 1), content)
        self._run(self._w.append_event, {
            "case_id": event.case_id, "seq": event.seq, "at": event.at, "by": event.by,
            "trigger": event.trigger, "source": event.source, "dest": event.dest,
            "note": event.note, "payload": event.payload, "chain_hash": chained})
        self._heads[event.case_id] = (event.seq, chained)
        if self._deliver:
            self.told.append(event)
        if self._route is not None:
            self._post(event, self._route)

    def _post(self, event: Event, route: Route) -> None:
        """Put the event in the outbox for each of its brand's endpoints that want it: it is
        delivered after this transaction commits, and not at all if it rolls back."""
        brand = self._brands.get(event.case_id)
        if brand is None:
            brand = self._brands[event.case_id] = str(
                self._run(self._w.brand, {"case_id": event.case_id}).fetchone()[0])
        for endpoint in route(brand, event):
            self._run(self._w.post, {
                "case_id": event.case_id, "seq": event.seq, "brand": brand,
                "endpoint": endpoint, "delivery_id": uuid4().hex, "created_at": event.at,
                "next_at": event.at, "attempts": 0, "status": "pending"})

    def _head(self, case_id: int, seq: int) -> str:
        """The chain hash of event `seq` of a case (nothing before the first)."""
        if seq == 0:
            return GENESIS
        known = self._heads.get(case_id)
        if known is not None and known[0] == seq:
            return known[1]
        row = self._run(self._w.head, {"of_case": case_id, "of_seq": seq}).fetchone()
        return str(row[0]) if row is not None and row[0] is not None else GENESIS

    def insert_notice(self, notice: Notice) -> None:
        """Record a brand-wide notice; a second one for the same moment is refused as a
        uniqueness violation (so only one worker ever posts it)."""
        self._run(self._w.insert_notice, {name: getattr(notice, name) for name in NOTICE_COLUMNS})
        self.tell(notice)

    def tell(self, notice: Notice) -> None:
        """Tell the subscribers of `notice` once this transaction commits."""
        self.told.append(notice)

    def insert_reply(self, values: dict[str, Any]) -> None:
        """Keep a sent reply's skeleton for the copy-paste check."""
        self._run(self._w.insert_reply, dict(values))
