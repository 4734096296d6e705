"""How fast `Engine.import_cases` brings cases over, against opening the same cases one by one
with `Engine.open_case` and firing their events with `Engine.fire` (what a script calling the
library would do), in the same run, each on a fresh SQLite file.

Each case has one or two earlier events (acknowledged; every other one investigated). Measured
twice: with the complaint's language detected (as `case open` does) and with the language
given in the line (the other helpdesk knew it), which skips detection. And against the
database's own speed: bare `sqlite3` writing the very rows the import wrote, one `executemany`
per table.

    python bench/import_speed.py [--cases 20000]
"""

from __future__ import annotations

import argparse
import json
import random
import sqlite3
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from recovery import Engine

WORKFLOWS = Path(__file__).resolve().parent.parent / "workflows"
START = datetime(2026, 9, 1, 8, 0, tzinfo=UTC)
WORDS = ["soup", "cold", "late", "rude", "waiter", "bill", "wrong", "order", "table", "dirty",
         "noise", "music", "wait", "hour", "salad", "burnt", "pizza", "delivery", "refund",
         "manager"]


def lines(count: int, language: bool) -> list[str]:
    """`count` cases as JSON lines, every text different."""
    rng = random.Random(1)
    found = []
    for n in range(count):
        at = START + timedelta(minutes=7 * n)
        events = [{"trigger": "acknowledge", "by": "eva",
                   "at": (at + timedelta(minutes=20)).isoformat()}]
        if n % 2:
            events.append({"trigger": "investigate", "by": "eva",
                           "at": (at + timedelta(hours=1)).isoformat()})
        case = {"external_id": f"zd-{n}", "brand": "bistro", "channel": "instagram",
                "opened_at": at.isoformat(), "author": f"@guest{n}",
                "text": " ".join(rng.choice(WORDS) for _ in range(12)) + f" #{n}",
                "events": events}
        if language:
            case["language"] = "en"
        found.append(json.dumps(case))
    return found


def engine(folder: Path, name: str) -> Engine:
    made = Engine(f"sqlite:///{folder / name}", workflows=WORKFLOWS)
    made.lint("bistro", "instagram", "warm up the detector")  # models load before timing
    return made


def one_by_one(made: Engine, cases: list[str]) -> float:
    began = time.perf_counter()
    for text in cases:
        case = json.loads(text)
        opened = made.open_case(case["brand"], channel=case["channel"], author=case["author"],
                                text=case["text"], external_id=case["external_id"],
                                at=datetime.fromisoformat(case["opened_at"]))
        for event in case["events"]:
            made.fire(opened.id, event["trigger"], by=event["by"],
                      at=datetime.fromisoformat(event["at"]))
    return time.perf_counter() - began


def imported(made: Engine, cases: list[str]) -> float:
    began = time.perf_counter()
    done = made.import_cases(cases)
    assert done.imported == len(cases) and not done.bad, done.bad[:3]
    return time.perf_counter() - began


TABLES = ("cases", "events", "clocks", "timers", "replies", "remedies", "outbox")


def bare_insert(folder: Path, written: Path) -> float:
    """Seconds for bare `sqlite3` to write the very rows the import wrote (every row of the
    engine's tables in `written`) into a fresh database of the same schema, one `executemany`
    per table in one transaction, with the engine's PRAGMAs: the database's own speed."""
    fresh = folder / "bare.db"
    Engine(f"sqlite:///{fresh}", workflows=WORKFLOWS).close()
    source = sqlite3.connect(written)
    rows = {table: source.execute(f"SELECT * FROM recovery_{table}").fetchall()
            for table in TABLES}
    source.close()
    target = sqlite3.connect(fresh, isolation_level=None)
    target.execute("PRAGMA journal_mode=WAL")
    target.execute("PRAGMA synchronous=NORMAL")
    began = time.perf_counter()
    target.execute("BEGIN")
    for table, many in rows.items():
        if many:
            marks = ", ".join("?" for _ in many[0])
            target.executemany(f"INSERT INTO recovery_{table} VALUES ({marks})", many)
    target.execute("COMMIT")
    took = time.perf_counter() - began
    target.close()
    return took


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cases", type=int, default=20_000)
    count = parser.parse_args().cases
    detected, given = lines(count, False), lines(count, True)
    with tempfile.TemporaryDirectory() as folder:
        base = one_by_one(engine(Path(folder), "base.db"), detected[: count // 4]) * 4
        runs = {"import, language detected": imported(engine(Path(folder), "a.db"), detected),
                "import, language given": imported(engine(Path(folder), "b.db"), given)}
        bare = bare_insert(Path(folder), Path(folder) / "b.db")
    print(f"{count:,} cases, {count * 3 // 2:,} earlier events")
    print(f"  open_case + fire, one by one (baseline, a quarter timed): {count / base:8,.0f} "
          "cases/s  1.00")
    for name, took in runs.items():
        print(f"  {name:<56} {count / took:8,.0f} cases/s  {base / took:.2f}")
    print(f"  bare sqlite3 writing the same rows (executemany, one transaction) "
          f"{count / bare:8,.0f} cases/s")
    for name, took in runs.items():
        print(f"  {name}: {bare / took:.3f} of the bare insert (aim 0.25)")


if __name__ == "__main__":
    main()
