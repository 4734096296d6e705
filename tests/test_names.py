"""Names of its own: the engine keeps every table, index, trigger (and on PostgreSQL each
primary key and sequence) under its `recovery_` prefix and its migration history in its own
version table, so a host sharing the database keeps its own `events`, `cases` and Alembic
history; a database of an earlier release is renamed in place; on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Column, Integer, MetaData, String, Table, create_engine, inspect, text
from sqlmodel import SQLModel

from recovery import Engine, InvalidInput, StorageError
from recovery.store.db import HEAD, VERSIONS
from recovery.store.migrations.names import TABLES
from tests.conftest import WORKFLOWS, Clock, old_database

HOST = MetaData()
for name in ("cases", "events", "timers", "outbox"):  # a helpdesk's own, named as it likes
    Table(name, HOST, Column("id", Integer, primary_key=True), Column("title", String(80)),
          Column("case_id", Integer, index=True))
HOST_HISTORY = ("CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL PRIMARY KEY)",
                "INSERT INTO alembic_version VALUES ('ae1027a6acf')")


@pytest.fixture
def no_host_left(db_url: str) -> Iterator[None]:
    """The host's tables and history, and an earlier release's names, gone before and after
    (the PostgreSQL database is the session's)."""
    def clear() -> None:
        sa = create_engine(db_url)
        with sa.begin() as conn:
            HOST.drop_all(conn)
            conn.execute(text("DROP TABLE IF EXISTS alembic_version"))
        sa.dispose()

    clear()
    yield
    clear()


def _ours_only(url: str) -> None:
    """The engine's tables are its models exactly, each under its own name."""
    sa = create_engine(url)
    with sa.connect() as conn:
        names = set(inspect(conn).get_table_names())
        diff = compare_metadata(MigrationContext.configure(conn, opts={
            "version_table": VERSIONS, "include_object": _ours}), SQLModel.metadata)
        assert conn.execute(text(f"SELECT version_num FROM {VERSIONS}")).scalar() == HEAD
        if sa.dialect.name == "postgresql":  # its primary keys and sequences are its own too
            for table in TABLES:
                key = inspect(conn).get_pk_constraint(f"recovery_{table}")["name"]
                assert key == f"recovery_{table}_pkey"
            sequence = conn.execute(text("SELECT pg_get_serial_sequence('recovery_events', "
                                         "'id')")).scalar()
            assert str(sequence).endswith(".recovery_events_id_seq")
    sa.dispose()
    assert diff == []
    assert {f"recovery_{table}" for table in TABLES} <= names


def _ours(thing: object, name: str | None, kind: str, reflected: bool, other: object) -> bool:
    """Whether a table or one of its parts is the engine's (the host's are left out)."""
    table = name if kind == "table" else getattr(getattr(thing, "table", None), "name", "")
    return str(table).startswith("recovery_")


@pytest.mark.usefixtures("no_host_left")
def test_a_hosts_own_tables_and_alembic_history_do_not_matter(db_url: str,
                                                              clock: Clock) -> None:
    host = create_engine(db_url)
    with host.begin() as conn:
        HOST.create_all(conn)
        conn.execute(HOST.tables["events"].insert(), [{"title": "invoice sent", "case_id": 7}])
        for statement in HOST_HISTORY:
            conn.execute(text(statement))
    engine = Engine(db_url, workflows=WORKFLOWS, clock=clock)
    case = engine.open_case("bistro", channel="twitter", author="@jana", text="Cold soup")
    engine.fire(case.id, "acknowledge", by="eva")
    clock.advance(days=3)
    engine.tick()
    assert engine.audit().ok
    engine.close()
    with host.connect() as conn:
        assert conn.execute(text("SELECT title FROM events")).scalars().all() == ["invoice sent"]
        assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar() == \
            "ae1027a6acf"
    host.dispose()
    _ours_only(db_url)


@pytest.mark.usefixtures("no_host_left")
def test_a_database_of_an_earlier_release_is_renamed_in_place(db_url: str,
                                                              clock: Clock) -> None:
    url = old_database(db_url, "0012",
                       "INSERT INTO cases (id, brand, channel, author, text, state, version, "
                       "priority, opened_at, updated_at) VALUES (1, 'bistro', 'twitter', "
                       "'@jana', 'Cold soup', 'new', 1, 'normal', '2026-12-01 09:00:00', "
                       "'2026-12-01 09:00:00')",
                       "INSERT INTO events (case_id, seq, at, by, \"trigger\", dest, "
                       "chain_hash) VALUES (1, 1, '2026-12-01 09:00:00', '@jana', 'open', "
                       "'new', NULL)")
    engine = Engine(url, workflows=WORKFLOWS, clock=clock)
    assert engine.fire(1, "acknowledge", by="eva").seq == 2
    engine.close()
    _ours_only(url)
    host = create_engine(url)
    with host.begin() as conn:  # the host may now call its own tables what it likes
        HOST.create_all(conn)
        for statement in HOST_HISTORY:
            conn.execute(text(statement))
    host.dispose()
    reopened = Engine(url, workflows=WORKFLOWS, clock=clock)
    assert reopened.case(1).state == "acknowledged"
    reopened.close()


@pytest.mark.usefixtures("no_host_left")
def test_an_earlier_release_sharing_alembic_version_leaves_the_hosts_row(
        db_url: str, clock: Clock) -> None:
    url = old_database(db_url, "0012", HOST_HISTORY[1])
    Engine(url, workflows=WORKFLOWS, clock=clock).close()
    _ours_only(url)
    host = create_engine(url)
    with host.connect() as conn:
        kept = conn.execute(text("SELECT version_num FROM alembic_version")).scalars().all()
    host.dispose()
    assert kept == ["ae1027a6acf"]


def test_a_database_of_another_release_says_what_to_do(tmp_path, clock: Clock) -> None:  # type: ignore[no-untyped-def]
    url = f"sqlite:///{tmp_path / 'care.db'}"
    Engine(url, workflows=WORKFLOWS, clock=clock).close()
    made = create_engine(url)
    with made.begin() as conn:
        conn.execute(text(f"UPDATE {VERSIONS} SET version_num = '0099'"))
    made.dispose()
    with pytest.raises(StorageError, match="made by another release of recovery"):
        Engine(url, workflows=WORKFLOWS, clock=clock)



@pytest.fixture
def bare_postgres(postgres_url: str) -> Iterator[str]:
    """A PostgreSQL database of its own with nothing of the engine's in `public`."""
    server = create_engine(postgres_url, isolation_level="AUTOCOMMIT")
    with server.connect() as conn:
        conn.execute(text("DROP DATABASE IF EXISTS recovery_bare"))
        conn.execute(text("CREATE DATABASE recovery_bare"))
    yield postgres_url.rsplit("/", 1)[0] + "/recovery_bare"
    with server.connect() as conn:
        conn.execute(text("DROP DATABASE IF EXISTS recovery_bare WITH (FORCE)"))
    server.dispose()


def test_on_postgresql_a_schema_of_its_own_holds_everything_of_the_engine(
        bare_postgres: str, clock: Clock, tmp_path) -> None:  # type: ignore[no-untyped-def]
    postgres_url = bare_postgres
    host = create_engine(postgres_url)
    try:
        engine = Engine(postgres_url, workflows=WORKFLOWS, clock=clock, schema="care")
        engine.close()  # opened again, it finds its history in its schema, nothing in public
        engine = Engine(postgres_url, workflows=WORKFLOWS, clock=clock, schema="care")
        case = engine.open_case("bistro", channel="twitter", author="@jana", text="Cold soup")
        engine.fire(case.id, "acknowledge", by="eva")
        clock.advance(days=3)
        assert engine.tick() and engine.audit().ok
        assert engine.report(brand="bistro")["bistro"]["channels"]["twitter"]["cases"] == 1
        other = Engine(postgres_url, workflows=WORKFLOWS, clock=clock, schema="other")
        assert other.cases() == [] and [c.id for c in engine.cases()] == [case.id]
        other.close()
        engine.close()
        with host.connect() as conn:
            placed = conn.execute(text(
                "SELECT table_schema, count(*) FROM information_schema.tables WHERE table_name "
                "LIKE 'recovery%' AND table_schema IN ('care', 'other') GROUP BY table_schema "
                "ORDER BY 1")).all()
            functions = set(conn.execute(text(
                "SELECT n.nspname FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace "
                "WHERE p.proname = 'recovery_events_append_only'")).scalars())
            refused = conn.begin_nested()
            with pytest.raises(Exception, match="append-only"):
                conn.execute(text("DELETE FROM care.recovery_events"))
            refused.rollback()
            public = conn.execute(text(
                "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'"
            )).scalar()
        made_since = 2  # the Alembic history's table, and the flows' versions (0017)
        assert placed == [("care", len(TABLES) + made_since), ("other", len(TABLES) + made_since)]
        assert public == 0
        assert {"care", "other"} <= functions
        from typer.testing import CliRunner

        from recovery.cli import app
        shown = CliRunner().invoke(app, ["--db", postgres_url, "--schema", "care",
                                         "--workflows", str(WORKFLOWS), "case", "list",
                                         "--json"])
        assert shown.exit_code == 0 and '"author": "@jana"' in shown.stdout
        with pytest.raises(InvalidInput, match="schema= 'Care; DROP' is no schema name"):
            Engine(postgres_url, workflows=WORKFLOWS, schema="Care; DROP")
        with pytest.raises(InvalidInput, match="schema= is PostgreSQL's"):
            Engine(f"sqlite:///{tmp_path / 'care.db'}", workflows=WORKFLOWS, schema="care")
    finally:
        host.dispose()
