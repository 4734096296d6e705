"""One transaction with the host, on SQLite and PostgreSQL: inside `engine.joined(connection)`
the engine writes through the host's own connection and never commits, so the host's rollback
leaves nothing of the case (events, clocks, timers, outbox rows) and its commit leaves all of
it; a refused call leaves the host's transaction usable; subscribers hear of it only when the
host says it committed, and a webhook goes out once after a commit, never after a rollback."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import (
    Column,
    Connection,
    Integer,
    MetaData,
    String,
    Table,
    create_engine,
    select,
    text,
)

from recovery import Engine, Event, InvalidInput, Notice, StorageError, TriggerNotAllowed
from recovery.store.writer import Tx
from tests.conftest import WORKFLOWS, Clock
from tests.receiver import Receiver
from tests.test_outbox import drain, hook, hooked, receiver  # noqa: F401 (a fixture)

HOST = MetaData()
TICKETS = Table("tickets", HOST, Column("id", Integer, primary_key=True),
                Column("subject", String(200)), Column("case_id", Integer))
OURS = ("recovery_cases", "recovery_events", "recovery_clocks", "recovery_timers",
        "recovery_outbox")

Host = Callable[[], AbstractContextManager[Any]]
"""Opens the host's connection in its transaction; the block's end commits it, an exception
rolls it back."""


@pytest.fixture
def hooked_engine(db_url: str, clock: Clock, tmp_path: Path,
                  receiver: Receiver) -> Iterator[Engine]:  # noqa: F811
    folder = hooked(tmp_path / "wf", hook(receiver.url, ", events: [opened, fired]"))
    host = create_engine(db_url)
    with host.begin() as conn:
        HOST.drop_all(conn)
        HOST.create_all(conn)
    host.dispose()
    made = Engine(db_url, workflows=folder, clock=clock)
    yield made
    made.close()
    host = create_engine(db_url)
    with host.begin() as conn:  # the PostgreSQL database is the session's
        HOST.drop_all(conn)
    host.dispose()


def _sqlalchemy(db_url: str) -> Host:
    @contextmanager
    def open_() -> Iterator[Any]:
        sa = create_engine(db_url)
        try:
            with sa.connect() as conn, conn.begin():
                yield conn
        finally:
            sa.dispose()
    return open_


def _dbapi(db_url: str) -> Host:
    @contextmanager
    def open_() -> Iterator[Any]:
        if db_url.startswith("sqlite"):
            raw: Any = sqlite3.connect(db_url.removeprefix("sqlite:///"))
        else:
            import psycopg

            raw = psycopg.connect(db_url.replace("postgresql+psycopg://", "postgresql://"))
        try:
            yield raw
            raw.commit()
        except BaseException:
            raw.rollback()
            raise
        finally:
            raw.close()
    return open_


def _ticket(connection: Any, subject: str) -> None:
    """The host's own write in its transaction."""
    if isinstance(connection, Connection):
        connection.execute(TICKETS.insert().values(subject=subject))
    else:
        marker = "?" if isinstance(connection, sqlite3.Connection) else "%s"
        connection.cursor().execute(f"INSERT INTO tickets (subject) VALUES ({marker})",
                                    (subject,))


def _counts(db_url: str) -> dict[str, int]:
    sa = create_engine(db_url)
    with sa.connect() as conn:
        found = {name: int(conn.execute(text(f"SELECT count(*) FROM {name}")).scalar() or 0)
                 for name in (*OURS, "tickets")}
    sa.dispose()
    return found


@pytest.mark.parametrize("kind", ["sqlalchemy", "dbapi"])
def test_a_rolled_back_host_leaves_nothing_and_a_committed_one_everything(
        hooked_engine: Engine, db_url: str, receiver: Receiver, kind: str) -> None:  # noqa: F811
    engine = hooked_engine
    host = (_sqlalchemy if kind == "sqlalchemy" else _dbapi)(db_url)
    heard: list[Event | Notice] = []
    engine.subscribe(heard.append)
    empty = _counts(db_url)
    with pytest.raises(RuntimeError), host() as conn, engine.joined(conn) as joined:
        _ticket(conn, "cold soup")
        case = engine.open_case("bistro", channel="twitter", author="@jana", text="Cold soup",
                                external_id="tk-1")
        engine.fire(case.id, "acknowledge", by="eva")
        assert engine.case(case.id).state == "acknowledged"  # the block reads its own writes
        raise RuntimeError("the helpdesk's view failed after opening the case")
    assert _counts(db_url) == empty and heard == [] and joined.told
    assert engine.case_for("bistro", "tk-1") is None and engine.audit().ok

    with host() as conn, engine.joined(conn) as joined:
        _ticket(conn, "cold soup")
        case = engine.open_case("bistro", channel="twitter", author="@ola", text="Cold soup",
                                external_id="tk-1")
        engine.fire(case.id, "acknowledge", by="eva")
        engine.fire(case.id, "investigate", by="eva")
        assert heard == []  # nothing told before the host commits
    joined.tell()
    joined.tell()  # once only
    assert [(e.trigger, e.seq) for e in heard if isinstance(e, Event)] == [
        ("open", 1), ("acknowledge", 2), ("investigate", 3)]
    counts = _counts(db_url)
    assert counts["tickets"] == 1 and counts["recovery_cases"] == 1
    assert counts["recovery_clocks"] == 2 and counts["recovery_events"] == 3
    assert engine.audit().ok
    assert drain(engine) == ["delivered"] * 3
    assert [got.body["event"]["trigger"] for got in receiver.got] == [
        "open", "acknowledge", "investigate"]


@pytest.mark.parametrize("kind", ["sqlalchemy", "dbapi"])
def test_a_refused_call_leaves_the_hosts_transaction_as_it_was(
        hooked_engine: Engine, db_url: str, kind: str,
        monkeypatch: pytest.MonkeyPatch) -> None:
    engine = hooked_engine
    host = (_sqlalchemy if kind == "sqlalchemy" else _dbapi)(db_url)
    with host() as conn, engine.joined(conn):
        _ticket(conn, "late parcel")
        case = engine.open_case("bistro", channel="twitter", author="@jana", text="Cold soup")
        with pytest.raises(TriggerNotAllowed):  # refused by the flow
            engine.fire(case.id, "resolve", by="eva")
        with monkeypatch.context() as patched:  # refused by the database, mid-call
            patched.setattr(Tx, "insert_reply",
                            lambda tx, values: tx._cursor.execute("SELECT * FROM no_such_table"))
            with pytest.raises(StorageError):
                engine.reply(case.id, text="So sorry, Jana: a fresh soup is on its way.",
                             by="eva")
        engine.fire(case.id, "acknowledge", by="eva")
        _ticket(conn, "after the refusals")
    counts = _counts(db_url)
    assert counts["tickets"] == 2 and counts["recovery_events"] == 2
    assert [e.trigger for e in engine.history(case.id)] == ["open", "acknowledge"]


@pytest.mark.parametrize("kind", ["sqlalchemy", "dbapi"])
def test_a_failed_read_leaves_the_hosts_transaction_usable(
        hooked_engine: Engine, db_url: str, kind: str, monkeypatch: pytest.MonkeyPatch) -> None:
    import recovery.reads

    engine = hooked_engine
    host = (_sqlalchemy if kind == "sqlalchemy" else _dbapi)(db_url)
    with host() as conn, engine.joined(conn):
        case = engine.open_case("bistro", channel="twitter", author="@jana", text="Cold soup")
        with monkeypatch.context() as patched:  # a read the database refuses
            patched.setattr(recovery.reads.queries, "get_case",
                            lambda c, _id: c.execute(text("SELECT * FROM no_such_table")))
            with pytest.raises(StorageError):
                engine.case(case.id)
        _ticket(conn, "after the failed read")  # on PostgreSQL, not an aborted transaction
        assert engine.case(case.id).author == "@jana"
    assert _counts(db_url)["tickets"] == 1 and engine.case(case.id).state == "new"


def test_a_connection_with_no_transaction_to_join_is_refused(engine: Engine,
                                                              db_url: str) -> None:
    sa = create_engine(db_url)
    with sa.connect() as conn:
        conn.commit()
        with pytest.raises(InvalidInput, match="begin it first"), engine.joined(conn):
            pass
    sa.dispose()
    if db_url.startswith("sqlite"):
        raw: Any = sqlite3.connect(db_url.removeprefix("sqlite:///"), isolation_level=None)
        with pytest.raises(InvalidInput, match="autocommit"), engine.joined(raw):
            pass
        raw.close()
        other = sqlite3.connect(":memory:")
        with pytest.raises(InvalidInput, match="not to the engine's"), engine.joined(other):
            pass
        other.close()
    else:
        import psycopg

        raw = psycopg.connect(db_url.replace("postgresql+psycopg://", "postgresql://"),
                              autocommit=True)
        with pytest.raises(InvalidInput, match="autocommit"), engine.joined(raw):
            pass
        raw.close()
    with pytest.raises(InvalidInput), engine.joined(object()):
        pass
    assert engine.cases() == []


def test_reads_outside_the_block_do_not_see_what_it_has_not_committed(
        engine: Engine, db_url: str) -> None:
    sa = create_engine(db_url)
    with sa.connect() as conn, conn.begin(), engine.joined(conn):
        case = engine.open_case("bistro", channel="twitter", author="@jana", text="Cold soup")
        seen_inside = engine.case(case.id).author
        outside = create_engine(db_url)
        with outside.connect() as other:
            assert other.execute(select(text("count(*)")).select_from(
                text("recovery_cases"))).scalar() == 0
        outside.dispose()
    sa.dispose()
    assert seen_inside == "@jana" and engine.case(case.id).author == "@jana"


def test_in_a_schema_of_its_own_the_hosts_search_path_stays_the_hosts(
        postgres_url: str, clock: Clock) -> None:
    import psycopg

    host = create_engine(postgres_url)
    with host.begin() as conn:
        conn.execute(text("DROP SCHEMA IF EXISTS care CASCADE"))
    engine = Engine(postgres_url, workflows=WORKFLOWS, clock=clock, schema="care")
    try:
        with psycopg.connect(postgres_url.replace("postgresql+psycopg://",
                                                  "postgresql://")) as raw:
            before = raw.execute("SHOW search_path").fetchone()
            with engine.joined(raw) as joined:
                case = engine.open_case("bistro", channel="twitter", author="@jana",
                                        text="Cold soup")
                assert raw.execute("SHOW search_path").fetchone() == before
                engine.fire(case.id, "acknowledge", by="eva")
                assert engine.case(case.id).state == "acknowledged"
                assert raw.execute("SHOW search_path").fetchone() == before
        assert len(joined.told) == 2 and engine.case(case.id).state == "acknowledged"
    finally:
        engine.close()
        with host.begin() as conn:
            conn.execute(text("DROP SCHEMA IF EXISTS care CASCADE"))
        host.dispose()
