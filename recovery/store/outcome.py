"""What became of each SLA clock, in SQL, for the reads that count clocks in the database (the
care report) rather than one by one: breached by `SlaClock.breached`'s rule, else met once
stopped, else still running.

A clock is breached once a breach was recorded or it has counted its whole target. A standing
clock (stopped or paused) keeps its count in `consumed_us`; a running one's count passes its
target at its pending breach timer's due time, so a running clock is breached once that is due,
whether or not a tick has fired it yet.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import and_, case, or_, select
from sqlalchemy.sql.elements import ColumnElement

from recovery.clock.sla import Point
from recovery.store.tables import clocks, timers


def outcome(now: datetime) -> ColumnElement[str]:
    """`met`, `breached` or `running` for the row of `clocks` in the query, at `now`."""
    due = select(timers.c.id).where(
        timers.c.case_id == clocks.c.case_id, timers.c.clock == clocks.c.name,
        timers.c.trigger == Point.BREACH.value, timers.c.fired_at.is_(None),
        timers.c.cancelled_at.is_(None), timers.c.due_at <= now).exists()
    return case(
        (or_(clocks.c.breached_at.is_not(None), clocks.c.consumed_us >= clocks.c.target_us),
         "breached"),
        (clocks.c.stopped_at.is_not(None), "met"),
        (and_(clocks.c.running_since.is_not(None), due), "breached"),
        else_="running")
