"""Peak memory of an engine working over many open cases must not grow with their number.

Fills two SQLite databases, with 1,000 and with 100,000 open cases, then measures (tracemalloc)
the peak Python memory of a fresh engine that fires triggers on cases spread over the whole
database, runs `tick` and reads the board. Prints both peaks and their ratio (goal: about 1).

    python bench/memory.py [--cases 100000]
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
import tracemalloc
from datetime import UTC, datetime
from pathlib import Path

from recovery import Engine

WORKFLOWS = Path(__file__).resolve().parent.parent / "workflows"
AT = datetime(2026, 12, 1, 10, tzinfo=UTC)


def fill(url: str, count: int) -> None:
    """Open `count` cases through the engine."""
    engine = Engine(url, workflows=WORKFLOWS, clock=lambda: AT)
    for i in range(count):
        engine.open_case("bistro", channel="facebook", author=f"@c{i}", text="Cold soup again")


def peak(url: str, count: int, fires: int = 1000) -> int:
    """Peak bytes allocated by a fresh engine doing a day's work over `count` cases."""
    rng = random.Random(7)
    tracemalloc.start()
    engine = Engine(url, workflows=WORKFLOWS, clock=lambda: AT)
    for case_id in rng.sample(range(1, count + 1), fires):
        engine.fire(case_id, "acknowledge", by="eva")
    engine.tick()
    engine.cases(limit=50)
    _current, top = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return top


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=100_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        small, large = f"sqlite:///{tmp}/small.db", f"sqlite:///{tmp}/large.db"
        start = time.perf_counter()
        fill(small, 1000)
        fill(large, args.cases)
        print(f"filled in {time.perf_counter() - start:.0f}s")
        base, big = peak(small, 1000), peak(large, args.cases)
    print(f"peak with {1000:>9,} open cases: {base / 1e6:6.1f} MB")
    print(f"peak with {args.cases:>9,} open cases: {big / 1e6:6.1f} MB")
    print(f"ratio: {big / base:.2f}  (goal: about 1; memory does not grow with cases)")


if __name__ == "__main__":
    main()
