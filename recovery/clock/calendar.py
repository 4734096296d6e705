"""Business calendars: a brand's working week in its time zone, minus its days off.

Working-time arithmetic is exact to the microsecond and does not loop over minutes or days: each
UTC year is laid out once (lazily, then cached) as sorted open spans with the open time before
each, so "N working minutes after t" and "working time between a and b" are two binary searches
plus one step per year crossed. Spans are computed with `zoneinfo`, so a DST day is as long as it
really is (a 08:00-20:00 day is 12 hours on either side of a change; a 00:00-24:00 day is 23 or
25 hours on the days the clocks change).
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from zoneinfo import ZoneInfo

from recovery.clock import as_utc

Interval = tuple[int, int]
"""Minutes since local midnight: (480, 1200) is 08:00-20:00; 1440 is 24:00."""

Week = Mapping[int, Sequence[Interval]]
"""Open intervals per weekday (0 is Monday), sorted and not overlapping."""

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_US = timedelta(microseconds=1)
_HORIZON = 100
"""Years to search for the next opening before giving up (a calendar that never opens)."""


def _us(when: datetime) -> int:
    return (as_utc(when) - _EPOCH) // _US


def _instant(us: int) -> datetime:
    return _EPOCH + timedelta(microseconds=us)


def _year_start(year: int) -> int:
    return (datetime(year, 1, 1, tzinfo=UTC) - _EPOCH) // _US


@dataclass(frozen=True)
class DaysOff:
    """Days the team is off: a country's public holidays (`holidays` package) and extra dates."""

    country: str | None = None
    subdivision: str | None = None
    dates: frozenset[date] = frozenset()

    def in_year(self, year: int) -> dict[date, str]:
        """Every day off in `year`, with its name."""
        return _days_off(self, year)


@cache
def _days_off(days_off: DaysOff, year: int) -> dict[date, str]:
    found: dict[date, str] = {}
    if days_off.country:
        import holidays  # imported here: 65 ms that only a brand with a country needs

        found.update(holidays.country_holidays(
            days_off.country, subdiv=days_off.subdivision, years=year))
    found.update({day: "day off" for day in days_off.dates if day.year == year})
    return found


@dataclass(frozen=True)
class _Year:
    """One UTC year of open spans: starts, ends, open time before and up to each span."""

    starts: list[int]
    ends: list[int]
    before: list[int]
    upto: list[int]

    @property
    def total(self) -> int:
        return self.upto[-1] if self.upto else 0

    def position(self, us: int) -> int:
        """Open time in this year before `us`."""
        i = bisect_right(self.ends, us)
        if i == len(self.starts):
            return self.total
        return self.before[i] + max(0, us - self.starts[i])

    def at(self, position: int) -> int:
        """The instant where the open time reaches `position` (0 < position <= total)."""
        j = bisect_left(self.upto, position)
        return self.starts[j] + position - self.before[j]


class Calendar:
    """When a brand's care team is at work, and working-time arithmetic over it.

    Instants go in and come out as aware datetimes (naive ones are taken as UTC); results are in
    UTC. A span is open from its start up to, not including, its end.
    """

    def __init__(self, zone: ZoneInfo | str, week: Week, days_off: DaysOff = DaysOff()) -> None:
        self.zone = zone if isinstance(zone, ZoneInfo) else ZoneInfo(zone)
        self.week = {day: tuple(sorted(week.get(day, ()))) for day in range(7)}
        self.days_off = days_off
        self._years: dict[int, _Year] = {}
        if not any(end > start for spans in self.week.values() for start, end in spans):
            raise ValueError("a calendar needs some opening hours in its week")
        self.is_always_open = not (days_off.country or days_off.dates) and all(
            spans == ((0, 1440),) for spans in self.week.values())
        """True when every minute counts (no days off, every day 00:00-24:00)."""

    def __repr__(self) -> str:
        week = {day: spans for day, spans in self.week.items() if spans}
        return f"Calendar({str(self.zone)!r}, {week!r}, {self.days_off!r})"

    @classmethod
    def always_open(cls, zone: ZoneInfo | str = "UTC") -> Calendar:
        """Open round the clock every day: calendar time, for 24/7 channels and targets."""
        return cls(zone, {day: ((0, 1440),) for day in range(7)})

    # -- arithmetic --------------------------------------------------------------------------

    def add(self, start: datetime, duration: timedelta) -> datetime:
        """The instant `duration` of working time after `start`.

        A start outside hours counts from the next opening; a result landing exactly on a closing
        is that closing (due at 20:00, not at the next morning's 08:00).
        """
        if duration < timedelta(0):
            raise ValueError("working time cannot be added backwards")
        if self.is_always_open or duration == timedelta(0):
            return as_utc(start) + duration
        start = as_utc(start)
        us, left, year = (start - _EPOCH) // _US, duration // _US, start.year
        for _ in range(_HORIZON):
            table = self._year(year)
            target = table.position(us) + left
            if target <= table.total:
                return _instant(table.at(target))
            left = target - table.total
            year += 1
            us = _year_start(year)
        raise ValueError(f"no {duration} of opening hours within {_HORIZON} years")

    def elapsed(self, start: datetime, end: datetime) -> timedelta:
        """Working time between two instants (negative when `end` is before `start`)."""
        if self.is_always_open:
            return as_utc(end) - as_utc(start)
        start, end = as_utc(start), as_utc(end)
        if end < start:
            return -self.elapsed(end, start)
        a, b, first, last = (start - _EPOCH) // _US, (end - _EPOCH) // _US, start.year, end.year
        if first == last:
            table = self._year(first)
            return (table.position(b) - table.position(a)) * _US
        total = self._year(first).total - self._year(first).position(a)
        total += sum(self._year(year).total for year in range(first + 1, last))
        return (total + self._year(last).position(b)) * _US

    def add_days(self, start: datetime, days: int) -> datetime:
        """The same local time `days` working days after `start` (days with opening hours that
        are not days off), or the next opening when the team is away then: a Friday plus two
        working days, Monday to Friday, is Tuesday."""
        local = as_utc(start).astimezone(self.zone)
        day, skipped = local.date(), 0
        for _ in range(days):
            day += timedelta(days=1)
            while not self.hours_on(day):
                day, skipped = day + timedelta(days=1), skipped + 1
                if skipped > 366 * _HORIZON:
                    raise ValueError(f"no working day within {_HORIZON} years of {start}")
        return self.next_open(datetime.combine(day, local.time(), tzinfo=self.zone))

    def is_open(self, at: datetime) -> bool:
        """True when the team is at work at `at`."""
        us = _us(at)
        table = self._year(_instant(us).year)
        i = bisect_right(table.ends, us)
        return i < len(table.starts) and table.starts[i] <= us

    def next_open(self, at: datetime) -> datetime:
        """`at` itself when open, else the next opening."""
        if self.is_always_open:
            return as_utc(at)
        us = _us(at)
        year = _instant(us).year
        for _ in range(_HORIZON):
            table = self._year(year)
            i = bisect_right(table.ends, us)
            if i < len(table.starts):
                return _instant(max(us, table.starts[i]))
            year += 1
        raise ValueError(f"no opening hours within {_HORIZON} years of {at}")

    def next_close(self, at: datetime) -> datetime | None:
        """The end of the open span `at` is in (or of the next one); None if it never ends."""
        if self.is_always_open:
            return None
        spans = self._spans_from(self.next_open(at))
        _start, end = next(spans)
        for following, following_end in spans:
            if following != end:
                return _instant(end)
            end = following_end
        return None

    def last_change(self, at: datetime) -> datetime | None:
        """The latest opening (when open) or closing (when closed) at or before `at`; None when
        there is none within a year."""
        us = _us(at)
        year = _instant(us).year
        table = self._year(year)
        i = bisect_right(table.ends, us)
        if i < len(table.starts) and table.starts[i] <= us:  # open: when did this span begin?
            start = table.starts[i]
            if start == _year_start(year):
                previous = self._year(year - 1)
                if previous.ends and previous.ends[-1] == start:
                    return _instant(previous.starts[-1])
            return _instant(start)
        if i > 0:
            return _instant(table.ends[i - 1])
        previous = self._year(year - 1)
        return _instant(previous.ends[-1]) if previous.ends else None

    # -- what a person reads -----------------------------------------------------------------

    def hours_on(self, day: date) -> list[tuple[datetime, datetime]]:
        """The open spans of a local date, in the brand's zone (none on a day off)."""
        if day in self.days_off.in_year(day.year):
            return []
        return [(self._local(day, start), self._local(day, end))
                for start, end in self.week[day.weekday()] if end > start]

    def holidays(self, start: date, end: date) -> list[tuple[date, str]]:
        """The days off from `start` to `end` (inclusive), with their names, in order."""
        found: list[tuple[date, str]] = []
        for year in range(start.year, end.year + 1):
            found += [(day, name) for day, name in self.days_off.in_year(year).items()
                      if start <= day <= end]
        return sorted(found)

    # -- inside ------------------------------------------------------------------------------

    def _local(self, day: date, minute: int) -> datetime:
        midnight = datetime.combine(day, time(), tzinfo=self.zone)
        if minute == 1440:
            return datetime.combine(day + timedelta(days=1), time(), tzinfo=self.zone)
        return midnight.replace(hour=minute // 60, minute=minute % 60)

    def _spans_from(self, at: datetime) -> Iterator[tuple[int, int]]:
        us = _us(at)
        year = _instant(us).year
        for _ in range(2):
            table = self._year(year)
            i = bisect_right(table.ends, us)
            yield from zip(table.starts[i:], table.ends[i:], strict=True)
            year += 1
            us = _year_start(year)

    def _year(self, year: int) -> _Year:
        table = self._years.get(year)
        if table is None:
            table = self._years[year] = self._lay_out(year)
        return table

    def _lay_out(self, year: int) -> _Year:
        low, high = _year_start(year), _year_start(year + 1)
        spans: list[tuple[int, int]] = []
        day = date(year - 1, 12, 30)
        while day <= date(year + 1, 1, 2):
            spans += [(max(_us(opens), low), min(_us(closes), high))
                      for opens, closes in self.hours_on(day)]
            day += timedelta(days=1)
        starts: list[int] = []
        ends: list[int] = []
        # sorted and merged in UTC: a span written in a spring-forward gap (02:01 that never
        # was) reads as an instant inside the next span, and counts each minute once
        for start, end in sorted(spans):
            if end <= start or (ends and end <= ends[-1]):
                continue
            if ends and start <= ends[-1]:
                ends[-1] = end
            else:
                starts.append(start)
                ends.append(end)
        before, upto, total = [], [], 0
        for start, end in zip(starts, ends, strict=True):
            before.append(total)
            total += end - start
            upto.append(total)
        return _Year(starts, ends, before, upto)


ROUND_THE_CLOCK = Calendar.always_open()
"""Calendar time: every minute counts (24/7 channels and calendar-time targets)."""
