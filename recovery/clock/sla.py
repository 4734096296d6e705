"""SLA clocks: a target that counts working (or calendar) time, can pause, stop and resume.

A case has two: `first_response` (until the first public, human reply) and `resolution` (until
the case is resolved; paused while the brand waits on the customer; resumed on reopen). Each has
a warning point (a declared share of the target) and a breach. Pure: the calendar says which time
counts, and the store keeps the fields.

A clock is breached once it has counted its whole target (at the due time itself, as the breach
timer fires then), whether or not a timer noticed: the outcome follows from the time counted.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum

from recovery.clock.calendar import Calendar

CLOCKS = ("first_response", "resolution")
"""The SLA clocks every case has, in the order they are shown."""
OUTCOMES = ("met", "breached", "running")
"""What becomes of a clock: stopped before its target, past its target, still counting."""


class Point(StrEnum):
    """The two moments of a clock that fire through `tick`."""

    WARNING = "warning"
    BREACH = "breach"


@dataclass(frozen=True)
class SlaClock:
    """The state of one clock of one case.

    `consumed` is the counted time before `running_since`; a clock is running when
    `running_since` is set, stopped when `stopped_at` is, and paused otherwise.
    """

    name: str
    target: timedelta
    warn_at: float
    business: bool  # counts business hours (else calendar time); picks the calendar to pass
    started_at: datetime
    consumed: timedelta = timedelta(0)
    running_since: datetime | None = None
    stopped_at: datetime | None = None
    warned_at: datetime | None = None
    breached_at: datetime | None = None

    @classmethod
    def start(cls, name: str, target: timedelta, warn_at: float, calendar: Calendar,
              at: datetime) -> SlaClock:
        """A clock counting `calendar`'s time from `at` (from the next opening, if closed)."""
        begins = calendar.next_open(at)
        return cls(name, target, warn_at, not calendar.is_always_open, begins,
                   running_since=begins)

    @property
    def mode(self) -> str:
        """`running`, `paused` or `stopped`."""
        if self.stopped_at is not None:
            return "stopped"
        return "running" if self.running_since is not None else "paused"

    def counted(self, calendar: Calendar, now: datetime) -> timedelta:
        """Time counted against the target by `now`."""
        if self.running_since is None or now <= self.running_since:
            return self.consumed
        return self.consumed + calendar.elapsed(self.running_since, now)

    def left(self, calendar: Calendar, now: datetime) -> timedelta:
        """Time left before the breach (zero or less once breached)."""
        return self.target - self.counted(calendar, now)

    def breached(self, calendar: Calendar, now: datetime) -> bool:
        """True once the clock has counted its whole target by `now`, or a breach was
        recorded."""
        return self.breached_at is not None or self.counted(calendar, now) >= self.target

    def found_late(self) -> bool:
        """True for a clock that stands (paused or stopped) past its target with no breach
        recorded: no timer fired between its due time and the moment it stopped counting."""
        return (self.running_since is None and self.breached_at is None
                and self.consumed >= self.target)

    def due(self, calendar: Calendar, point: Point = Point.BREACH) -> datetime | None:
        """When the clock reaches `point`, if it is running; a passed point is due at once."""
        if self.running_since is None:
            return None
        share = 1.0 if point is Point.BREACH else self.warn_at
        left = self.target * share - self.consumed
        return calendar.add(self.running_since, max(left, timedelta(0)))

    def pending(self, calendar: Calendar) -> list[tuple[Point, datetime]]:
        """The points still to fire and when, for a running clock: none once it breached (a
        warning after the breach would say nothing)."""
        due: list[tuple[Point, datetime]] = []
        if self.breached_at is None:
            for point, reached in ((Point.WARNING, self.warned_at), (Point.BREACH, None)):
                when = self.due(calendar, point)
                if reached is None and when is not None:
                    due.append((point, when))
        return due

    def pause(self, calendar: Calendar, at: datetime) -> SlaClock:
        """Stop counting for now (waiting on the customer)."""
        if self.running_since is None:
            return self
        return replace(self, consumed=self.counted(calendar, at), running_since=None)

    def resume(self, calendar: Calendar, at: datetime) -> SlaClock:
        """Count again from `at` (the next opening, for a business clock)."""
        if self.running_since is not None:
            return self
        return replace(self, running_since=calendar.next_open(at),
                       stopped_at=None)

    def stop(self, calendar: Calendar, at: datetime) -> SlaClock:
        """Stop for good (until a reopen resumes it): the target was met or missed."""
        if self.stopped_at is not None:
            return self
        return replace(self.pause(calendar, at), stopped_at=at)

    def reached(self, point: Point, at: datetime) -> SlaClock:
        """Mark a point as fired."""
        if point is Point.WARNING:
            return replace(self, warned_at=at)
        return replace(self, breached_at=at)
