"""`tick` with several workers on PostgreSQL: the same due SLA breaches fired by 1 worker and by
4 (separate processes, each running `Engine.tick` until nothing is due), on the same data
refilled between the runs. Workers claim timers with `FOR UPDATE SKIP LOCKED`, so they share
the work instead of queueing behind each other's locks.

    python bench/tick_workers.py --db postgresql+psycopg://user@host/db [--due 20000]

The database is emptied first (a throw-away one).
"""

from __future__ import annotations

import argparse
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import create_engine, func, insert, select, text
from together import released_together

from recovery import Engine
from recovery.store.db import empty
from recovery.store.tables import cases, clocks, events, timers

WORKFLOWS = Path(__file__).resolve().parent.parent / "workflows"
T0 = datetime(2026, 11, 2, 8, 0, tzinfo=UTC)
BRANDS = (("bistro", "instagram"), ("eshop", "facebook"), ("bikeshare", "twitter"))
WORKER = """
import sys
from datetime import datetime
from recovery import Engine
engine = Engine(sys.argv[1], workflows=sys.argv[2])
print("ready", flush=True)
sys.stdin.readline()
while engine.tick(datetime.fromisoformat(sys.argv[3])):
    pass
"""


def fill(url: str, due: int) -> datetime:
    """`due` cases whose first response breaches by the returned time; the database emptied
    first."""
    empty(url)
    Engine(url, workflows=WORKFLOWS).close()  # the schema, migrated
    db = create_engine(url)
    with db.begin() as conn:
        for start in range(1, due + 1, 5000):
            numbers = range(start, min(start + 5000, due + 1))
            conn.execute(insert(cases), [
                {"id": n, "brand": BRANDS[n % 3][0], "channel": BRANDS[n % 3][1],
                 "author": f"@c{n}", "text": "Cold soup", "state": "new", "version": 1,
                 "priority": "normal", "opened_at": T0 + timedelta(seconds=n),
                 "updated_at": T0 + timedelta(seconds=n)} for n in numbers])
            conn.execute(insert(events), [
                {"case_id": n, "seq": 1, "at": T0 + timedelta(seconds=n), "by": f"@c{n}",
                 "trigger": "open", "dest": "new"} for n in numbers])
            conn.execute(insert(clocks), [
                {"case_id": n, "name": "first_response", "business": False,
                 "target_us": 7_200_000_000, "warn_at": 0.8,
                 "started_at": T0 + timedelta(seconds=n), "consumed_us": 0,
                 "running_since": T0 + timedelta(seconds=n)} for n in numbers])
            conn.execute(insert(timers), [
                {"case_id": n, "trigger": "breach", "state": "new",
                 "due_at": T0 + timedelta(seconds=n, hours=2), "clock": "first_response",
                 "attempts": 0} for n in numbers])
        conn.execute(text("SELECT setval(pg_get_serial_sequence('cases', 'id'), :n)"),
                     {"n": due})
    with db.begin() as conn:
        conn.execute(text("ANALYZE"))
    db.dispose()
    return T0 + timedelta(seconds=due, hours=3)


def run(url: str, workers: int, at: datetime) -> float:
    """Seconds for `workers` processes to fire everything due by `at`."""
    return released_together(WORKER, [url, str(WORKFLOWS), at.isoformat()], workers)


def fired(url: str) -> tuple[int, int]:
    """Timers fired, and events written by the tick (each once)."""
    db = create_engine(url)
    with db.connect() as conn:
        done = conn.execute(select(func.count()).select_from(timers)
                            .where(timers.c.fired_at.is_not(None))).scalar_one()
        written = conn.execute(select(func.count()).select_from(events)
                               .where(events.c.seq > 1)).scalar_one()
    db.dispose()
    return int(done), int(written)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--db", required=True, help="a throw-away PostgreSQL database")
    parser.add_argument("--due", type=int, default=20_000)
    args = parser.parse_args()
    took = {}
    for workers in (1, 4):
        at = fill(args.db, args.due)
        took[workers] = run(args.db, workers, at)
        assert fired(args.db) == (args.due, args.due), fired(args.db)
    print(f"tick firing {args.due:,} due breaches on PostgreSQL (each fired once: checked)")
    print(f"  1 worker (baseline)  {took[1]:6.1f} s  {args.due / took[1]:7,.0f}/s  1.00")
    print(f"  4 workers            {took[4]:6.1f} s  {args.due / took[4]:7,.0f}/s  "
          f"{took[1] / took[4]:.2f}x")


if __name__ == "__main__":
    main()
