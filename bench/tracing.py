"""Record the statements an engine runs on SQLite, with their parameters and commits, and
replay them with bare `sqlite3`: the like-for-like baseline of `fire_throughput.py` and
`tick_scale.py` (the same SQL, prepared once and bound, on the same schema, PRAGMAs and
transactions; only the engine's own Python is missing)."""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path
from typing import Any

from sqlalchemy import Engine as SAEngine
from sqlalchemy import create_engine

COMMIT = ("COMMIT", None)
PRAGMAS = ("busy_timeout=10000", "journal_mode=WAL", "synchronous=NORMAL", "foreign_keys=ON")


class _Cursor(sqlite3.Cursor):
    log: list[tuple[str, Any]]

    def execute(self, sql: str, parameters: Any = (), /) -> sqlite3.Cursor:  # type: ignore[override]
        self.log.append((sql, parameters))
        return super().execute(sql, parameters)


class _Connection(sqlite3.Connection):
    log: list[tuple[str, Any]]

    def cursor(self, factory: Any = None) -> sqlite3.Cursor:  # type: ignore[override]
        made = super().cursor(_Cursor)
        made.log = self.log  # type: ignore[attr-defined]
        return made

    def commit(self) -> None:
        self.log.append(COMMIT)
        super().commit()


def traced(path: Path, log: list[tuple[str, Any]]) -> SAEngine:
    """A SQLAlchemy engine on `path` whose connections write every statement to `log`."""
    def connect() -> sqlite3.Connection:
        conn = sqlite3.connect(path, factory=_Connection, check_same_thread=False)
        conn.log = log  # type: ignore[attr-defined]
        return conn

    return create_engine("sqlite://", creator=connect)


def replay(path: Path, log: list[tuple[str, Any]]) -> float:
    """Seconds for bare sqlite3 to run the logged statements and commits."""
    db = sqlite3.connect(path)
    for pragma in PRAGMAS:
        db.execute(f"PRAGMA {pragma}")
    start = time.perf_counter()
    for sql, parameters in log:
        if sql == "COMMIT":
            db.commit()
        else:
            db.execute(sql, parameters).fetchall()
    took = time.perf_counter() - start
    db.close()
    return took
