"""The hot path's statements store exactly what SQLAlchemy would: the same row written both ways
reads back byte for byte alike (times as the SQLite dialect writes them, payloads as the JSON
type encodes them, no payload as JSON `null`)."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import create_engine, insert

from recovery.store.compiled import Compiled
from recovery.store.tables import events

JSONISH = st.recursive(
    st.none() | st.booleans() | st.integers(-2**53, 2**53) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner,
                                                                 max_size=3),
    max_leaves=8)
EVENTS = st.fixed_dictionaries({
    "at": st.datetimes(datetime(1, 1, 1), datetime(9999, 12, 31), timezones=st.sampled_from(
        [UTC, timezone(timedelta(hours=5, minutes=30)), timezone(-timedelta(hours=11))])),
    "note": st.none() | st.text(max_size=40),
    "payload": st.none() | st.dictionaries(st.text(max_size=8), JSONISH, max_size=4)})
COLUMNS = ("case_id", "seq", "at", "by", "trigger", "source", "dest", "note", "payload",
           "chain_hash")


def _stored(path: Path) -> list[tuple[Any, ...]]:
    with sqlite3.connect(path) as conn:
        return conn.execute(f"SELECT {', '.join(COLUMNS)} FROM recovery_events "
                            "ORDER BY seq").fetchall()


@settings(max_examples=40, deadline=None)
@given(st.lists(EVENTS, min_size=1, max_size=5))
def test_compiled_statements_store_what_sqlalchemy_stores(tmp_path_factory: Any,
                                                          rows: list[dict[str, Any]]) -> None:
    folder = tmp_path_factory.mktemp("compiled")
    written = [{"case_id": 1, "seq": seq, "by": "eva", "trigger": "call", "source": "a",
                "dest": "b", "chain_hash": "0" * 64, **row}
               for seq, row in enumerate(rows, 1)]
    by_sqlalchemy = create_engine(f"sqlite:///{folder / 'a.db'}")
    events.create(by_sqlalchemy)
    with by_sqlalchemy.begin() as conn:
        for row in written:
            conn.execute(insert(events), row)
    hot = create_engine(f"sqlite:///{folder / 'b.db'}")
    events.create(hot)
    statement = Compiled(insert(events), hot.dialect, COLUMNS)
    raw = hot.raw_connection()
    cursor = raw.cursor()
    cursor.execute(statement.sql, statement.params(dict(written[0])))
    cursor.executemany(statement.sql, statement.rows([dict(row) for row in written[1:]]))
    raw.commit()
    raw.close()
    assert _stored(folder / "b.db") == _stored(folder / "a.db")
    by_sqlalchemy.dispose()
    hot.dispose()


def test_a_time_keeps_its_microseconds_and_loses_only_its_offset() -> None:
    from recovery.store.compiled import sqlite_time

    at = datetime(2026, 12, 1, 10, 0, 0, 7, tzinfo=UTC)
    assert sqlite_time(at) == "2026-12-01 10:00:00.000007"
    assert sqlite_time(at + timedelta(microseconds=999_993)) == "2026-12-01 10:00:01.000000"
    assert sqlite_time(None) is None
