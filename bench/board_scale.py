"""The board at a million cases: every form of `case list` (most urgent first, newest first,
by brand, state, channel and priority, `--breached`, `--due-within 2h`), what `case show` reads
and `timers --failed`, through the library on a SQLite file, against a primary-key lookup in
bare `sqlite3` in the same run; each with the query plans SQLite chose.

    python bench/board_scale.py [--cases 1000000] [--db FILE]

With `--url postgresql+psycopg://…`, the same on PostgreSQL (an empty database is filled once).

The database is written in bulk (cases opened a second apart over three brands
and five states, each with an event and two SLA clocks of 2 and 48 hours; the resolved ones
with their clocks stopped, of the others a tenth breached and still running, the rest with
their breaches pending, a backlog of them overdue; one case in a hundred high, one in a
thousand urgent), then opened and closed once by an `Engine`: measured as the engine leaves
it, with no `ANALYZE` of the bench's own. With `--db`, an existing file built by this bench is
reused.
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
            closed = state == "resolved"
            breached = n % 10 == 0 and not closed
            due_at = None if closed else stamp(opened + timedelta(hours=2))
            cases.append((n, brand, channel, f"@c{n}", "Cold soup", state, 1, priority,
                          stamp(opened), stamp(opened), due_at))
            events.append((n, 1, stamp(opened), f"@c{n}", "open", None, "new"))
            for name, hours in (("first_response", 2), ("resolution", 48)):
                due = opened + timedelta(hours=hours)  # breaches come due as cases came in
                clocks.append((n, name, False, hours * 3_600_000_000, 0.8, stamp(opened), 0,
                               None if closed else stamp(opened),
                               stamp(opened + timedelta(hours=1)) if closed else None,
                               stamp(due) if breached else None))
                if not breached and not closed:
                    timers.append((n, "breach", state, stamp(due), name, 0))
        yield cases, events, clocks, timers


COLUMNS = {
    "recovery_cases": ("id", "brand", "channel", "author", "text", "state", "version",
                       "priority", "opened_at", "updated_at", "due_at"),
    "recovery_events": ("case_id", "seq", "at", "by", '"trigger"', "source", "dest"),
    "recovery_clocks": ("case_id", "name", "business", "target_us", "warn_at", "started_at",
                        "consumed_us", "running_since", "stopped_at", "breached_at"),
    "recovery_timers": ("case_id", '"trigger"', "state", "due_at", "clock", "attempts"),
}


def _inserts(marker: str) -> list[str]:
    return [f"INSERT INTO {table} ({', '.join(names)}) VALUES "
            f"({', '.join(marker for _ in names)})" for table, names in COLUMNS.items()]


def build(path: Path, count: int) -> None:
    """A SQLite file of `count` cases, written in bulk."""
    db = create_engine(f"sqlite:///{path}")
    migrate(db)
    db.dispose()
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=OFF")
    for chunk in rows(count):
        for statement, many in zip(_inserts("?"), chunk, strict=True):
            conn.executemany(statement, many)
        conn.commit()
    conn.close()
    Engine(f"sqlite:///{path}", workflows=WORKFLOWS, clock=lambda: NOW).close()


def build_postgresql(url: str, count: int) -> None:
    """The same cases written in bulk to an empty PostgreSQL database (left as it is when it
    already holds cases)."""
    db = create_engine(url)
    migrate(db)
    raw = db.raw_connection()
    cursor = raw.cursor()
    cursor.execute("SELECT count(*) FROM (SELECT 1 FROM recovery_cases LIMIT 1) AS one")
    if cursor.fetchone()[0] == 0:
        began = time.perf_counter()
        cursor.execute("SET TIME ZONE 'UTC'")
        for chunk in rows(count):
            for statement, many in zip(_inserts("%s"), chunk, strict=True):
                cursor.executemany(statement, many)
            raw.commit()
        cursor.execute("SELECT setval(pg_get_serial_sequence('recovery_cases', 'id'), "
                       "max(id)) FROM recovery_cases")
        raw.commit()
        print(f"built {count:,} cases in {time.perf_counter() - began:.0f} s")
    raw.close()
    db.dispose()
    Engine(url, workflows=WORKFLOWS, clock=lambda: NOW).close()


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
    parser.add_argument("--url", help="a PostgreSQL URL to measure instead of a SQLite file "
                        "(its database is filled once, when it holds no case)")
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
        if args.url:
            build_postgresql(args.url, args.cases)
            sa = create_engine(args.url)
        else:
            sa = create_engine(f"sqlite:///{database(args, scratch)}")
        seen: list[tuple[str, Any]] = []
        event.listen(sa, "before_cursor_execute",
                     lambda _c, _cur, sql, params, _ctx, _many: seen.append((sql, params)))
        engine = Engine(sa, workflows=WORKFLOWS, clock=lambda: NOW)
        middle = engine.cases(brand="bistro", limit=1)[0].id // 2
        raw = sa.raw_connection()
        cursor = raw.cursor()
        lookup = "SELECT * FROM recovery_cases WHERE id = " + ("%s" if args.url else "?")
        base = timed(lambda: cursor.execute(lookup, (middle,)).fetchall())

        def show() -> None:  # what `case show` reads
            engine.case(middle)
            engine.history(middle)
            engine.clocks(middle)
            engine.triggers(middle)
            engine.timers(middle)
            engine.remedies(case_id=middle)

        two = timedelta(hours=2)
        board: dict[str, Callable[[], object]] = {  # as `case list` asks, 50 to a page
            name: (lambda kw=kw: engine.cases(limit=50, **kw)) for name, kw in (
                ("case list", {"urgent_first": True}),
                ("case list --newest", {}),
                ("case list --brand bistro", {"brand": "bistro", "urgent_first": True}),
                ("case list --brand bistro --newest", {"brand": "bistro"}),
                ("case list --state investigating",
                 {"state": "investigating", "urgent_first": True}),
                ("case list --state investigating --newest", {"state": "investigating"}),
                ("case list --state resolved (no clock counts)",
                 {"state": "resolved", "urgent_first": True}),
                ("case list --brand bistro --state investigating",
                 {"brand": "bistro", "state": "investigating", "urgent_first": True}),
                ("case list --brand bistro --state investigating --newest",
                 {"brand": "bistro", "state": "investigating"}),
                ("case list --channel twitter", {"channel": "twitter", "urgent_first": True}),
                ("case list --channel twitter --newest", {"channel": "twitter"}),
                ("case list --priority urgent", {"priority": "urgent", "urgent_first": True}),
                ("case list --priority high --newest", {"priority": "high"}),
                ("case list --brand bistro --priority urgent",
                 {"brand": "bistro", "priority": "urgent", "urgent_first": True}),
                ("case list --breached", {"breached": True}),
                ("case list --brand bistro --breached", {"brand": "bistro", "breached": True}),
                ("case list --due-within 2h", {"due_within": two}),
                ("case list --channel twitter --due-within 2h",
                 {"channel": "twitter", "due_within": two}),
            )}
        board["case show (case, history, clocks, triggers, timers, remedies)"] = show
        board["timers --failed"] = lambda: engine.pending_timers(failed=True, limit=50)
        print(f"{engine.cases(limit=1)[0].id:,} cases; times are medians of 7 runs")
        print(f"  {sa.dialect.name} primary-key lookup on the driver (baseline) "
              f"{base:7.2f} ms   1")
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
                explain = "EXPLAIN " if args.url else "EXPLAIN QUERY PLAN "
                for row in cursor.execute(explain + sql, params).fetchall():
                    print(f"    {row[0] if args.url else row[3]}")
        raw.close()
        engine.close()


if __name__ == "__main__":
    main()
