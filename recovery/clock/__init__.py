"""Time primitives shared by every layer: durations as brands write them, and UTC instants.

Pure functions, no I/O. `calendar` (business hours, holidays, zones) and `sla` (SLA clocks)
live beside these.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

Clock = Callable[[], datetime]
"""A source of "now" as an aware datetime; the engine takes one so tests can set time."""

LONGEST = timedelta(days=36_500)
"""The longest duration anything takes: a century."""
_DURATION = re.compile(r"(?:(\d+)w)?(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?")
_UNITS = (("w", timedelta(weeks=1)), ("d", timedelta(days=1)), ("h", timedelta(hours=1)),
          ("m", timedelta(minutes=1)))


def parse_duration(text: str) -> timedelta:
    """Parse a brand-written duration such as ``90m``, ``6h``, ``3d`` or ``1d12h``.

    >>> parse_duration("1d12h")
    datetime.timedelta(days=1, seconds=43200)
    """
    match = _DURATION.fullmatch(text.strip().replace(" ", ""))
    if not text.strip() or match is None or not any(match.groups()):
        raise ValueError(f"'{text}' is not a duration; write it like 30m, 6h, 3d or 1d12h")
    weeks, days, hours, minutes = (int(g) if g else 0 for g in match.groups())
    try:
        found = timedelta(weeks=weeks, days=days, hours=hours, minutes=minutes)
    except OverflowError:
        found = LONGEST * 2
    if found > LONGEST:
        raise ValueError(f"'{text}' is longer than {LONGEST.days:,} days")
    return found


def format_duration(delta: timedelta) -> str:
    """Write a duration the way `parse_duration` reads it (whole minutes).

    >>> format_duration(timedelta(days=1, hours=12))
    '1d12h'
    """
    minutes = int(delta.total_seconds() // 60)
    if minutes <= 0:
        return "0m"
    parts = []
    for unit, size in _UNITS:
        count, minutes = divmod(minutes, int(size.total_seconds() // 60))
        if count:
            parts.append(f"{count}{unit}")
    return "".join(parts)


def system_clock() -> datetime:
    """The wall clock, in UTC. Only the engine's default; tests inject their own."""
    return datetime.now(UTC)


def as_utc(when: datetime) -> datetime:
    """Return `when` as an aware UTC datetime; a naive one is taken to be UTC already."""
    if when.tzinfo is UTC:  # most times: already so
        return when
    if when.tzinfo is None:
        return when.replace(tzinfo=UTC)
    return when.astimezone(UTC)
