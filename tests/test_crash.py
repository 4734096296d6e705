"""Crash safety kept as tests: a `tick` killed -9 at random moments loses nothing and doubles
nothing (SQLite and PostgreSQL), and the history still verifies afterwards."""

from __future__ import annotations

import random
import subprocess
import sys
from collections import Counter
from datetime import datetime, timedelta

from recovery import Engine

from .conftest import WORKFLOWS, Clock

TICKER = """
import sys
from datetime import datetime
from recovery import Engine
engine = Engine(sys.argv[1], workflows=sys.argv[2])
engine.subscribe(lambda event: print("event", flush=True))
print("ready", flush=True)
while engine.tick(datetime.fromisoformat(sys.argv[3])):
    pass
"""
"""Ticks until nothing is due, saying a line per event it committed."""


def test_a_tick_killed_at_random_moments_loses_and_doubles_nothing(db_url: str,
                                                                   clock: Clock) -> None:
    engine = Engine(db_url, workflows=WORKFLOWS, clock=clock)
    ids = []
    for n in range(80):
        case_id = engine.open_case("bistro", channel="instagram", author=f"@guest{n}",
                                   text="Cold soup again").id
        engine.fire(case_id, "acknowledge", by="eva")
        engine.fire(case_id, "investigate", by="eva")
        engine.record_finding(case_id, "founded", root_cause="slow pass", by="eva")
        if n % 2:
            engine.fire(case_id, "resolve", by="eva")  # the others breach their clock
        ids.append(case_id)
    later = (clock.now + timedelta(days=3)).isoformat()
    due = len([t for case_id in ids for t in engine.timers(case_id)
               if t.fired_at is None and t.cancelled_at is None
               and t.due_at <= datetime.fromisoformat(later)])
    rng = random.Random(7)
    progress = []
    while not progress or progress[-1] < due:  # kill tickers until they got through it all
        ticker = subprocess.Popen([sys.executable, "-c", TICKER, db_url, str(WORKFLOWS), later],
                                  stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        assert ticker.stdout is not None and ticker.stdout.readline() == b"ready\n"
        for _ in range(rng.randint(1, 40)):  # let it commit a few events, then kill it while
            if not ticker.stdout.readline():  # it is on to the next one
                break
        ticker.kill()  # SIGKILL: no cleanup, mid-transaction or not
        ticker.wait()
        progress.append(_fired(engine, ids))
        assert len(progress) < 60, progress
    assert any(0 < count < due for count in progress), progress  # the kills hit mid-run
    engine.tick(datetime.fromisoformat(later))  # nothing is left
    fired = [t for case_id in ids for t in engine.timers(case_id) if t.fired_at is not None]
    assert len(fired) == due and all(t.outcome == "fired" for t in fired)
    for case_id in ids:
        history = engine.history(case_id)
        assert [e.seq for e in history] == list(range(1, engine.case(case_id).version + 1))
        counted = Counter(e.trigger for e in history)
        assert all(count == 1 for trigger, count in counted.items()
                   if "." in trigger or trigger == "follow_up"), counted
    assert engine.audit().ok
    engine.close()


def _fired(engine: Engine, ids: list[int]) -> int:
    return len([t for case_id in ids for t in engine.timers(case_id) if t.fired_at])
