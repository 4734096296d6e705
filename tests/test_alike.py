"""What a helpdesk meets when it drives one engine from many threads, or several workers share
a database: a page out of range is refused the same on SQLite and PostgreSQL, and a change made
at the engine's "now" that another worker overtook reads the clock again."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from recovery import Engine, InvalidInput, NotFound
from recovery.errors import OutOfOrder
from tests.conftest import WORKFLOWS, Clock


def _open(engine: Engine) -> int:
    return engine.open_case("bistro", channel="facebook", author="@jana", text="Cold soup").id


def test_a_page_out_of_range_is_refused_alike_on_both_databases(engine: Engine) -> None:
    # SQLite read LIMIT -1 as "no limit" and PostgreSQL refused it; a huge one overflowed
    _open(engine)
    for read, pages in [(engine.cases, [{"limit": -1}, {"limit": 0}, {"offset": -5},
                                         {"limit": 10**30}, {"offset": 2**31}]),
                        (engine.notices, [{"limit": -1}]), (engine.remedies, [{"limit": 0}]),
                        (engine.pending_timers, [{"limit": 10_001}])]:
        for page in pages:
            with pytest.raises(InvalidInput, match=f"{next(iter(page))} must be a whole number"):
                read(**page)
    with pytest.raises(NotFound, match="no case"):
        engine.remedies(case_id=10**30)
    with pytest.raises(InvalidInput, match="no remedy status 'lost'; one of pending_approval"):
        engine.remedies(status="lost")
    assert len(engine.cases(limit=10_000, offset=0)) == 1


def test_a_change_at_now_that_finds_the_case_moved_on_meanwhile_reads_now_again(
        engine: Engine, clock: Clock, db_url: str) -> None:
    # another worker commits between this engine reading "now" and reading the case: with
    # threads on PostgreSQL that came out as OutOfOrder for a call that gave no time at all
    case_id = _open(engine)
    readings: list[datetime] = []

    def racing() -> datetime:
        readings.append(clock.now + timedelta(minutes=len(readings) * 2 + 1))
        if len(readings) == 1:  # the other worker acknowledges a moment after this "now"
            engine.fire(case_id, "acknowledge", by="ola", at=clock.now + timedelta(minutes=2))
        return readings[-1]

    worker = Engine(db_url, workflows=WORKFLOWS, clock=racing)
    moved = worker.fire(case_id, "investigate", by="eva")
    assert (moved.at, moved.source, len(readings)) == (readings[1], "acknowledged", 2)
    with pytest.raises(OutOfOrder):  # a clock that stands still before the case is refused
        Engine(db_url, workflows=WORKFLOWS, clock=lambda: clock.now).fire(
            case_id, "record_finding", by="eva", payload={"finding": "founded"})
    worker.close()
