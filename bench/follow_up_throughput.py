"""Follow-up questions asked per second by `tick`, and answers recorded per second, against
`Engine.fire` in the same run.

Asking is one claimed timer per case: the case, its history and any remedy waiting for a lead
read, the skips decided, the brand's template rendered in the customer's language, and the
`follow_up` trigger fired (state, event, the reminder and quiet close armed). An answer is two
events in one transaction (the answer, then the close or reopen). The baseline moves cases
between two states with `Engine.fire` on the same SQLite file settings.

    python bench/follow_up_throughput.py [--count 2000]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from recovery import Engine

WORKFLOWS = Path(__file__).resolve().parent.parent / "workflows"
AT = datetime(2026, 12, 1, 10, tzinfo=UTC)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=2000)
    args = parser.parse_args()
    now = [AT]
    with tempfile.TemporaryDirectory() as scratch:
        engine = Engine(f"sqlite:///{Path(scratch) / 'bench.db'}", workflows=WORKFLOWS,
                        clock=lambda: now[0])
        ids = []
        for i in range(args.count):
            case_id = engine.open_case("bistro", channel="instagram", author=f"@guest{i}",
                                       text="Cold soup again, second time this month").id
            engine.fire(case_id, "acknowledge", by="eva")
            engine.fire(case_id, "investigate", by="eva")
            engine.record_finding(case_id, "founded", root_cause="soup waits", by="eva")
            ids.append(case_id)
        start = time.perf_counter()
        for case_id in ids:
            engine.fire(case_id, "wait_for_customer", by="eva")
        fired = args.count / (time.perf_counter() - start)
        for case_id in ids:
            engine.fire(case_id, "customer_replied", by="eva")
            engine.fire(case_id, "resolve", by="eva")
        now[0] = AT + timedelta(days=3)
        start = time.perf_counter()
        asked = len(engine.tick())
        asking = asked / (time.perf_counter() - start)
        now[0] += timedelta(hours=1)
        start = time.perf_counter()
        for n, case_id in enumerate(ids):
            engine.record_answer(case_id, 1 + n % 5)
        answering = args.count / (time.perf_counter() - start)
        engine.close()
    assert asked == args.count, f"{asked} of {args.count} asked"
    print(f"baseline Engine.fire:                      {fired:>8,.0f}/s  1.00")
    print(f"follow-ups asked by tick (read, render):   {asking:>8,.0f}/s  {asking / fired:.2f}")
    print(f"answers recorded (answer + close/reopen):  {answering:>8,.0f}/s  "
          f"{answering / fired:.2f}")


if __name__ == "__main__":
    main()
