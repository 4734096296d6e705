"""The board at a million cases: `case list --brand B --state S`, `--brand B`, `--breached`,
`--due-within 2h`, what `case show` reads and `timers --failed`, through the library on a SQLite
file, against a primary-key lookup in bare `sqlite3` in the same run; each with the query plans
SQLite chose.

    python bench/board_scale.py [--cases 1000000] [--db FILE]

The database is written in bulk with `sqlite3` (cases opened a second apart over three brands
and five states, each with an event and two SLA clocks of 2 and 48 hours; a tenth breached and
still running, the others with their breaches pending, a backlog of them overdue; one case in a
hundred high, one in a thousand urgent). With
`--db`, an existing file built by this bench is reused.
"""

from __future__ import annotations

import argparse
import sqlite3
import statistics
import tempfile
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, event

from recovery import Engine
from recovery.store.db import migrate

WORKFLOWS = Path(__file__).resolve().parent.parent / "workflows"
T0 = datetime(2026, 11, 1, 8, 0, tzinfo=UTC)
NOW = T0 + timedelta(seconds=600_000)
BRANDS = (("bistro", "instagram"), ("eshop", "facebook"), ("bikeshare", "twitter"))
STATES = ("new", "acknowledged", "investigating", "remedy_offered", "resolved")
CHUNK = 50_000


def stamp(when: datetime) -> str:
    return when.strftime("%Y-%m-%d %H:%M:%S.%f")


def rows(count: int) -> Iterator[tuple[list[Any], list[Any], list[Any], list[Any]]]:
    """Cases, events, clocks and timers, a chunk at a time."""
    for start in range(1, count + 1, CHUNK):
        cases, events, clocks, timers = [], [], [], []
        for n in range(start, min(start + CHUNK, count + 1)):
            brand, channel = BRANDS[n % 3]
            opened = T0 + timedelta(seconds=n)  # spread over the weeks before NOW
            state = STATES[n % 5]
            priority = "urgent" if n % 1000 == 7 else "high" if n % 100 == 3 else "normal"
            cases.append((n, brand, channel, f"@c{n}", "Cold soup", state, 1, priority,
                          stamp(opened), stamp(opened)))
            events.append((n, 1, stamp(opened), f"@c{n}", "open", None, "new"))
            breached = n % 10 == 0
            for name, hours in (("first_response", 2), ("resolution", 48)):
                due = opened + timedelta(hours=hours)  # breaches come due as cases came in
                clocks.append((n, name, 0, hours * 3_600_000_000, 0.8, stamp(opened), 0,
                               stamp(opened), stamp(due) if breached else None))
                if not breached:
                    timers.append((n, "breach", state, stamp(due), name, 0))
        yield cases, events, clocks, timers


def build(path: Path, count: int) -> None:
    db = create_engine(f"sqlite:///{path}")
    migrate(db)
    db.dispose()
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=OFF")
    for cases, events, clocks, timers in rows(count):
        conn.executemany("INSERT INTO recovery_cases (id, brand, channel, author, text, state, "
                         "version, priority, opened_at, updated_at) "
                         "VALUES (?,?,?,?,?,?,?,?,?,?)", cases)
        conn.executemany('INSERT INTO recovery_events (case_id, seq, at, by, "trigger", source, '
                         "dest) VALUES (?,?,?,?,?,?,?)", events)
        conn.executemany("INSERT INTO recovery_clocks (case_id, name, business, target_us, "
                         "warn_at, started_at, consumed_us, running_since, breached_at) "
                         "VALUES (?,?,?,?,?,?,?,?,?)", clocks)
        conn.executemany('INSERT INTO recovery_timers (case_id, "trigger", state, due_at, clock, '
                         "attempts) VALUES (?,?,?,?,?,?)", timers)
        conn.commit()
    conn.execute("ANALYZE")
    conn.commit()
    conn.close()


def timed(action: Callable[[], object], repeat: int = 7) -> float:
    """The median of `repeat` runs, in milliseconds."""
    action()
    times = []
    for _ in range(repeat):
        began = time.perf_counter()
        action()
        times.append((time.perf_counter() - began) * 1000)
    return statistics.median(times)


def options(description: str | None) -> argparse.Namespace:
    """`--cases N` and `--db FILE`, as this bench and `tick_scale.py` take them."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--db", type=Path)
    return parser.parse_args()


def database(args: argparse.Namespace, scratch: str) -> Path:
    """`--db` if that file exists; else a database of `--cases` cases, built there (or in
    `scratch`)."""
    path: Path = args.db or Path(scratch) / "board.db"
    if not path.exists():
        began = time.perf_counter()
        build(path, args.cases)
        print(f"built {args.cases:,} cases in {time.perf_counter() - began:.0f} s")
    return path


def main() -> None:
    args = options(__doc__)
    with tempfile.TemporaryDirectory() as scratch:
        path = database(args, scratch)
        sa = create_engine(f"sqlite:///{path}")
        seen: list[tuple[str, Any]] = []
        event.listen(sa, "before_cursor_execute",
                     lambda _c, _cur, sql, params, _ctx, _many: seen.append((sql, params)))
        engine = Engine(sa, workflows=WORKFLOWS, clock=lambda: NOW)
        middle = engine.cases(brand="bistro", limit=1)[0].id // 2
        raw = sqlite3.connect(path)
        base = timed(lambda: raw.execute("SELECT * FROM recovery_cases WHERE id = ?",
                                         (middle,)).fetchall())

        def show() -> None:  # what `case show` reads
            engine.case(middle)
            engine.history(middle)
            engine.clocks(middle)
            engine.triggers(middle)
            engine.timers(middle)
            engine.remedies(case_id=middle)

        board: dict[str, Callable[[], object]] = {
            "case list --brand bistro --state investigating":
                lambda: engine.cases(brand="bistro", state="investigating", limit=50),
            "case list --brand bistro --newest": lambda: engine.cases(brand="bistro", limit=50),
            "case list --brand bistro (most urgent first)":
                lambda: engine.cases(brand="bistro", limit=50, urgent_first=True),
            "case list (most urgent first, every brand)":
                lambda: engine.cases(limit=50, urgent_first=True),
            "case list --brand bistro --priority urgent":
                lambda: engine.cases(brand="bistro", priority="urgent", limit=50,
                                     urgent_first=True),
            "case list --breached": lambda: engine.cases(breached=True, limit=50),
            "case list --due-within 2h":
                lambda: engine.cases(due_within=timedelta(hours=2), limit=50),
            "case show (case, history, clocks, triggers, timers, remedies)": show,
            "timers --failed": lambda: engine.pending_timers(failed=True, limit=50),
        }
        print(f"{engine.cases(limit=1)[0].id:,} cases; times are medians of 7 runs")
        print(f"  bare sqlite3 primary-key lookup (baseline)  {base:7.2f} ms   1")
        plans = {}
        for name, action in board.items():
            took = timed(action)
            print(f"  {name:<62} {took:7.2f} ms   {took / base:,.0f}")
            seen.clear()
            action()
            plans[name] = [(sql, params) for sql, params in seen
                           if sql.lstrip().upper().startswith("SELECT")]
        print("query plans:")
        for name, statements in plans.items():
            print(f"  {name}")
            for sql, params in statements:
                for row in raw.execute("EXPLAIN QUERY PLAN " + sql, params):
                    print(f"    {row[3]}")
        raw.close()
        engine.close()


if __name__ == "__main__":
    main()
