"""Remedies issued per second through the ledger, against `Engine.fire` in the same run.

Each offer is a whole transaction: the idempotency key looked up, the customer's limit for the
period counted, the remedy row and its ledger entry written with an unguessable code, and the
flow's remedy trigger fired on the case (state, event, clocks). The baseline moves cases between
two states with `Engine.fire` on the same SQLite file settings. Also: offering again under a key
already used (which must return the first remedy and write nothing).

    python bench/remedy_throughput.py [--count 2000]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from recovery import Engine

WORKFLOWS = Path(__file__).resolve().parent.parent / "workflows"
AT = datetime(2026, 12, 1, 10, tzinfo=UTC)


def founded_cases(engine: Engine, count: int) -> list[int]:
    """`count` bikeshare cases investigated and found founded, each from its own rider."""
    ids = []
    for i in range(count):
        case = engine.open_case("bikeshare", channel="twitter", author=f"@rider{i}",
                                text="Your bike tore my jeans")
        engine.fire(case.id, "acknowledge", by="eva")
        engine.fire(case.id, "investigate", by="eva")
        engine.record_finding(case.id, "founded", root_cause="loose chain guard", by="eva")
        ids.append(case.id)
    return ids


def rate(count: int, work: Callable[[int], object]) -> float:
    """Calls per second of `work(n)` for n in range(count)."""
    start = time.perf_counter()
    for n in range(count):
        work(n)
    return count / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=2000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        engine = Engine(f"sqlite:///{Path(scratch) / 'bench.db'}", workflows=WORKFLOWS,
                        clock=lambda: AT)
        ids = founded_cases(engine, args.count)
        fired = rate(args.count, lambda n: engine.fire(ids[n], "wait_for_customer", by="eva"))
        for case_id in ids:
            engine.fire(case_id, "customer_replied", by="eva")
        issued = rate(args.count, lambda n: engine.offer_remedy(
            ids[n], "voucher", 100, by="eva", key=f"bench-{n}"))
        again = rate(args.count, lambda n: engine.offer_remedy(
            ids[n], "voucher", 100, by="eva", key=f"bench-{n}"))
        engine.close()
    print(f"baseline Engine.fire:                    {fired:>8,.0f}/s  1.00")
    print(f"remedies issued (key, limits, code, fire): {issued:>6,.0f}/s  {issued / fired:.2f}")
    print(f"the same key again (returns the first):  {again:>8,.0f}/s  {again / fired:.2f}")


if __name__ == "__main__":
    main()
