"""What keeping the feed's commit order costs `Engine.fire` on PostgreSQL: each event's
transaction id (a column default) and the `(tx, id)` index, against the same database with
both taken away, alternated in one run.

    python bench/feed_cost.py --db postgresql+psycopg://user@host/db [--fires 2000]

The database is emptied first (a throw-away one).
"""

from __future__ import annotations

import argparse
import time
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import create_engine, text

from recovery import Engine
from recovery.store.db import empty

WORKFLOWS = Path(__file__).resolve().parent.parent / "workflows"
AT = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
KEPT = ("ALTER TABLE recovery_events ALTER COLUMN tx SET DEFAULT "
        "(pg_current_xact_id()::text::bigint)",
        "CREATE INDEX ix_recovery_events_feed ON recovery_events ((COALESCE(tx, 0)), id)")
TAKEN = ("ALTER TABLE recovery_events ALTER COLUMN tx DROP DEFAULT",
         "DROP INDEX ix_recovery_events_feed")


def fires_per_second(url: str, fires: int) -> float:
    """Open cases and move each back and forth (record a finding) `fires` times."""
    engine = Engine(url, workflows=WORKFLOWS, clock=lambda: AT)
    cases = [engine.open_case("bistro", channel="facebook", author=f"@c{n}", text="Cold soup").id
             for n in range(20)]
    for case in cases:
        engine.fire(case, "acknowledge", by="eva")
        engine.fire(case, "investigate", by="eva")
    started = time.perf_counter()
    for n in range(fires):
        engine.record_finding(cases[n % len(cases)], "founded", root_cause=f"cause {n}",
                              by="eva")
    took = time.perf_counter() - started
    engine.close()
    return fires / took


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", required=True)
    parser.add_argument("--fires", type=int, default=2000)
    args = parser.parse_args()
    empty(args.db)
    raw = create_engine(args.db)
    Engine(args.db, workflows=WORKFLOWS).close()  # migrate
    figures: dict[str, list[float]] = {"with": [], "without": []}
    for _round in range(2):
        for name, statements in (("without", TAKEN), ("with", KEPT)):
            with raw.begin() as conn:
                for statement in statements:
                    conn.execute(text(statement))
            figures[name].append(fires_per_second(args.db, args.fires))
    raw.dispose()
    best = {name: max(found) for name, found in figures.items()}
    print(f"Engine.fire on PostgreSQL: {best['without']:,.0f}/s without the feed's order, "
          f"{best['with']:,.0f}/s with it: ratio {best['with'] / best['without']:.2f}")


if __name__ == "__main__":
    main()
