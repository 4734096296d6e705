"""Persisted transitions per second through `Engine.fire` on SQLite, against a ceiling.

The ceiling is the same durable work done with bare `sqlite3` in the same run: per committed
transaction one versioned UPDATE of the case row and one INSERT of the event, same pragmas
(WAL, synchronous=NORMAL). The figure that matters is the ratio; the machines are shared and
noisy, so absolute numbers vary from run to run.

    python bench/fire_throughput.py [--fires 20000] [--cases 200]
"""

from __future__ import annotations

import argparse
import sqlite3
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

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


def through_engine(path: Path, fires: int, cases: int) -> float:
    """Transitions per second through Engine.fire (guards evaluated, events appended)."""
    engine = Engine(f"sqlite:///{path}", workflows=WORKFLOWS, clock=lambda: AT)
    ids = []
    for i in range(cases):
        case = engine.open_case("bistro", channel="facebook", author=f"@c{i}", text="Cold soup")
        engine.fire(case.id, "acknowledge", by="eva")
        engine.fire(case.id, "move_private", by="eva")
        ids.append(case.id)
    start = time.perf_counter()
    for n in range(fires):
        case_id = ids[n % cases]
        trigger = "call" if (n // cases) % 2 == 0 else "move_private"
        engine.fire(case_id, trigger, by="eva")
    return fires / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fires", type=int, default=20000)
    parser.add_argument("--cases", type=int, default=200)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        ceiling = bare_sqlite(Path(tmp) / "bare.db", args.fires, args.cases)
        engine = through_engine(Path(tmp) / "engine.db", args.fires, args.cases)
    print(f"bare sqlite3 (ceiling): {ceiling:10,.0f} transitions/s")
    print(f"Engine.fire:            {engine:10,.0f} transitions/s")
    print(f"ratio engine/ceiling:   {engine / ceiling:10.2f}  (goal >= 0.25)")


if __name__ == "__main__":
    main()
