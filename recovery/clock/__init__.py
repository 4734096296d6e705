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
_CLOCK_WORD = re.compile(r"\b(business|working|calendar)\b")
_UNIT_WORDS = (("weeks?", "w"), ("days?", "d"), ("hours?", "h"), ("hrs?", "h"),
               ("minutes?", "m"), ("mins?", "m"))
_UNITS = (("w", timedelta(weeks=1)), ("d", timedelta(days=1)), ("h", timedelta(hours=1)),
          ("m", timedelta(minutes=1)))


def parse_duration(text: str) -> timedelta:
    """Parse a brand-written duration such as ``90m``, ``6h``, ``3d``, ``1d12h`` or in words,
    ``24h business``, ``24 business hours``, ``3 working days`` (the clock it names is
    `written_clock`'s to check).

    >>> parse_duration("1d12h")
    datetime.timedelta(days=1, seconds=43200)
    >>> parse_duration("24 business hours")
    datetime.timedelta(days=1)
    """
    match = _DURATION.fullmatch(_lettered(text).strip().replace(" ", ""))
    if not text.strip() or match is None or not any(match.groups()):
        raise ValueError(f"'{text}' is not a duration; write it like 30m, 6h, 3d, 1d12h or "
                         "24h business")
    weeks, days, hours, minutes = (int(g) if g else 0 for g in match.groups())
    try:
        found = timedelta(weeks=weeks, days=days, hours=hours, minutes=minutes)
    except OverflowError:
        found = LONGEST * 2
    if found > LONGEST:
        raise ValueError(f"'{text}' is longer than {LONGEST.days:,} days")
    return found


def written_clock(text: str) -> str | None:
    """The clock a written duration names: "business" (``24h business``, ``3 working
    days``), "calendar" (``2 calendar days``) or None (``1d``: the clock where it is used)."""
    found = _CLOCK_WORD.search(text.lower())
    if found is None:
        return None
    return "calendar" if found[1] == "calendar" else "business"


def in_days(text: str) -> bool:
    """True when a written duration counts days or weeks (``1d``, ``3 working days``)."""
    return re.search(r"\d\s*[dw]", _lettered(text)) is not None


def _lettered(text: str) -> str:
    """A written duration with its clock word dropped and its units as letters:
    "24 business hours" reads " 24h"."""
    spoken = _CLOCK_WORD.sub(" ", text.lower())
    for word, letter in _UNIT_WORDS:
        spoken = re.sub(rf"(?<=\d)\s*{word}\b", letter, spoken)
    return spoken


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
