"""How long the care report takes over many cases, against a plain `SELECT count(*)` scan of
the same cases in the same run.

Cases are written straight into the tables (opened, acknowledged and resolved at known
times, with their two clocks and a public reply each, a third of them with a warning and one
in fifty sent over a blocking finding) so that 100,000 of them take seconds to set up.

    python bench/report_speed.py [--cases 100000]
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import Engine as SAEngine
from sqlalchemy import create_engine, func, insert, select

from recovery import Engine
from recovery.store.tables import cases, clocks, events

WORKFLOWS = Path(__file__).resolve().parent.parent / "workflows"
START = datetime(2026, 11, 1, tzinfo=UTC)


def fill(db: SAEngine, count: int) -> None:
    """`count` bistro and eshop cases with their clocks, written in bulk."""
    rng = random.Random(1)
    rows, times, replies = [], [], []
    for n in range(count):
        opened = START + timedelta(minutes=n)
        brand, channel = (("bistro", "instagram"), ("eshop", "facebook"))[n % 2]
        rows.append({"id": n + 1, "brand": brand, "channel": channel, "author": f"@c{n}",
                     "text": "Cold soup", "state": "resolved", "version": 4,
                     "priority": "normal", "opened_at": opened, "updated_at": opened,
                     "finding": "founded", "root_cause": f"cause {n % 7}"})
        findings = ([{"code": "hollow", "severity": "warning", "message": "…"}]
                    if n % 3 == 0 else [])
        if n % 50 == 0:
            findings.append({"code": "blame", "severity": "blocking", "message": "…"})
        replies.append({"case_id": n + 1, "seq": 2, "at": opened + timedelta(minutes=5),
                        "by": "eva", "trigger": "reply", "source": "new", "dest": "new",
                        "payload": {"text": "Sorry about the soup.", "public": True,
                                    "findings": findings,
                                    "override": "the chef asked" if n % 50 == 0 else None}})
        for name, target in (("first_response", 3600), ("resolution", 86400)):
            spent = rng.randint(60, target * 2)
            times.append({"case_id": n + 1, "name": name, "business": True,
                          "target_us": target * 10**6, "warn_at": 0.8, "started_at": opened,
                          "consumed_us": spent * 10**6,
                          "stopped_at": opened + timedelta(seconds=spent),
                          "breached_at": opened + timedelta(seconds=target)
                          if spent > target else None})
    with db.begin() as conn:
        conn.execute(insert(cases), rows)
        conn.execute(insert(clocks), times)
        conn.execute(insert(events), replies)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=100_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        url = f"sqlite:///{Path(scratch) / 'bench.db'}"
        engine = Engine(url, workflows=WORKFLOWS)
        db = create_engine(url)
        fill(db, args.cases)
        since, until = START, START + timedelta(days=400)
        started = time.perf_counter()
        with db.connect() as conn:
            scanned = conn.execute(select(func.count()).select_from(cases)
                                   .where(cases.c.opened_at >= since)).scalar()
        scan = time.perf_counter() - started
        db.dispose()
        started = time.perf_counter()
        figures = engine.report(since=since, until=until)
        took = time.perf_counter() - started
        engine.close()
    counted = sum(channel["cases"] for brand in figures.values()
                  for channel in brand["channels"].values())
    assert counted == scanned == args.cases
    assert sum(brand["replies"]["overridden"] for brand in figures.values()) == len(
        range(0, args.cases, 50))
    print(f"{args.cases:,} cases: SELECT count(*) {scan:.3f} s; the report {took:.2f} s "
          f"({took / scan:.0f}x the scan)")


if __name__ == "__main__":
    main()
