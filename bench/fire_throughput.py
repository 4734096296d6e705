"""Persisted transitions per second through `Engine.fire` on SQLite, against two baselines
measured in the same run:

- the ceiling: bare `sqlite3` doing the least durable work, per committed transaction one
  versioned UPDATE of a case row and one INSERT of an event in a stripped schema;
- like for like: bare `sqlite3` replaying the very statements the engine ran, bound as the
  engine binds them (`tracing.py`), on the engine's schema (its indexes and triggers) with its
  PRAGMAs and transactions: what the engine adds on top of its own SQL.

The figures that matter are the ratios; the machines are shared and noisy, so absolute numbers
vary from run to run.

    python bench/fire_throughput.py [--fires 20000] [--cases 200]
"""

from __future__ import annotations

import argparse
import shutil
import sqlite3
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import tracing

from recovery import Engine

WORKFLOWS = Path(__file__).resolve().parent.parent / "workflows"
AT = datetime(2026, 12, 1, 10, tzinfo=UTC)


def bare_sqlite(path: Path, fires: int, cases: int) -> float:
    """Transitions per second with bare sqlite3: versioned UPDATE + INSERT, one commit each."""
    db = sqlite3.connect(path)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=NORMAL")
    db.execute("CREATE TABLE cases (id INTEGER PRIMARY KEY, state TEXT, version INTEGER,"
               " updated_at TEXT)")
    db.execute("CREATE TABLE events (id INTEGER PRIMARY KEY, case_id INTEGER, seq INTEGER,"
               " at TEXT, by TEXT, trigger TEXT, source TEXT, dest TEXT, note TEXT,"
               " payload TEXT, UNIQUE (case_id, seq))")
    db.executemany("INSERT INTO cases VALUES (?, 'private', 1, ?)",
                   [(i, AT.isoformat()) for i in range(1, cases + 1)])
    db.commit()
    versions = dict.fromkeys(range(1, cases + 1), 1)
    start = time.perf_counter()
    for n in range(fires):
        case_id = n % cases + 1
        version = versions[case_id]
        state = "phone" if version % 2 else "private"
        db.execute("UPDATE cases SET state=?, version=?, updated_at=? WHERE id=? AND version=?",
                   (state, version + 1, AT.isoformat(), case_id, version))
        db.execute("INSERT INTO events (case_id, seq, at, by, trigger, source, dest)"
                   " VALUES (?, ?, ?, 'eva', 'call', 'private', ?)",
                   (case_id, version + 1, AT.isoformat(), state))
        db.commit()
        versions[case_id] = version + 1
    elapsed = time.perf_counter() - start
    db.close()
    return fires / elapsed


def cases_to_move(path: Path, cases: int) -> list[int]:
    """Open the cases and take them to a private conversation, where they go back and forth."""
    engine = Engine(f"sqlite:///{path}", workflows=WORKFLOWS, clock=lambda: AT)
    ids = []
    for i in range(cases):
        case = engine.open_case("bistro", channel="facebook", author=f"@c{i}", text="Cold soup")
        engine.fire(case.id, "acknowledge", by="eva")
        engine.fire(case.id, "move_private", by="eva")
        ids.append(case.id)
    engine.close()
    return ids


def through_engine(path: Path, ids: list[int], fires: int,
                   log: list[tuple[str, Any]] | None = None) -> float:
    """Transitions per second through Engine.fire (guards evaluated, events appended); with
    `log`, every statement the engine runs is kept there."""
    db = tracing.traced(path, log) if log is not None else f"sqlite:///{path}"
    engine = Engine(db, workflows=WORKFLOWS, clock=lambda: AT)
    engine.fire(ids[0], "call", by="eva")  # connections open, Machines warm
    engine.fire(ids[0], "move_private", by="eva")
    if log is not None:
        log.clear()
    start = time.perf_counter()
    for n in range(fires):
        case_id = ids[n % len(ids)]
        trigger = "call" if (n // len(ids)) % 2 == 0 else "move_private"
        engine.fire(case_id, trigger, by="eva")
    took = time.perf_counter() - start
    engine.close()
    return fires / took


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fires", type=int, default=20000)
    parser.add_argument("--cases", type=int, default=200)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        ceiling = bare_sqlite(folder / "bare.db", args.fires, args.cases)
        ids = cases_to_move(folder / "engine.db", args.cases)
        for copy in ("traced.db", "replayed.db"):
            shutil.copy(folder / "engine.db", folder / copy)
        engine = through_engine(folder / "engine.db", ids, args.fires)
        log: list[tuple[str, Any]] = []
        through_engine(folder / "traced.db", ids, args.fires, log)
        through_engine(folder / "replayed.db", ids, 0)  # the same two warm-up fires
        same = args.fires / tracing.replay(folder / "replayed.db", log)
    print(f"bare sqlite3, stripped (ceiling):    {ceiling:10,.0f} transitions/s")
    print(f"bare sqlite3, the engine's SQL:      {same:10,.0f} transitions/s")
    print(f"Engine.fire:                         {engine:10,.0f} transitions/s")
    print(f"ratio engine/ceiling:                {engine / ceiling:10.2f}  (goal >= 0.25)")
    print(f"ratio engine/its own SQL replayed:   {engine / same:10.2f}  (goal >= 0.5)")


if __name__ == "__main__":
    main()
