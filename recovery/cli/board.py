"""The case board as the command line shows it: each case with the clock that needs the team
first, when it is due (in the brand's time, with its offset) and how long is left or how
overdue it is, on the clock it counts (business or round the clock)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from recovery.cli.layout import short, table
from recovery.formats import stamp, time_left

if TYPE_CHECKING:
    from rich.console import RenderableType

    from recovery.engine import Engine
    from recovery.keeper import ClockStatus
    from recovery.store.records import Case

COLUMNS = ["id", "brand", "state", "author", "clock", "due", "left", "complaint"]


def board(engine: Engine, cases: list[Case], now: datetime, title: str) -> RenderableType:
    """The cases as rows of the board (an escalated case shows its priority beside its
    state)."""
    rows = []
    for case in cases:
        clock = most_urgent(engine.clocks(case.id))
        zone = engine.flow(case.brand).settings.timezone
        rows.append([case.id, case.brand, state_of(case), case.author,
                     *(_clock(clock, zone, now) if clock else ("", "", "")),
                     short(case.text, 60)])
    return table(title, COLUMNS, rows, empty=f"{title}: none")


def as_json(engine: Engine, cases: list[Case], now: datetime) -> list[dict[str, Any]]:
    """The board as data: each case with its most urgent clock."""
    found = []
    for case in cases:
        clock = most_urgent(engine.clocks(case.id))
        found.append({**case.as_dict(), "clock": None if clock is None else {
            "name": clock.name, "business": clock.business,
            "due_at": clock.due_at.isoformat() if clock.due_at else None,
            "left_seconds": int(clock.left.total_seconds()), "breached": clock.breached,
            "left": time_left(clock.left, clock.business, _late(clock, now))}})
    return found


def most_urgent(clocks: list[ClockStatus]) -> ClockStatus | None:
    """The clock that needs the team first: the earliest due of those still counting (a
    paused one that breached too)."""
    counting = [clock for clock in clocks
                if clock.mode != "stopped" and (clock.due_at or clock.breached)]
    return min(counting, key=lambda clock: clock.due_at or clock.breached_at or clock.started_at,
               default=None)


def state_of(case: Case) -> str:
    """The state, with the priority when it is raised: `new (high)`."""
    return case.state if case.priority == "normal" else f"{case.state} ({case.priority})"


def _clock(clock: ClockStatus, zone: str, now: datetime) -> tuple[str, str, str]:
    due = stamp(clock.due_at, zone) if clock.due_at else ""
    paused = " (paused)" if clock.mode == "paused" else ""
    return (clock.name.replace("_", " ") + paused, due,
            time_left(clock.left, clock.business, _late(clock, now)))


def _late(clock: ClockStatus, now: datetime) -> timedelta | None:
    """How long ago, round the clock, a clock was due."""
    return now - clock.due_at if clock.due_at and clock.due_at < now else None
