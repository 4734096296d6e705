"""What every section of a flow file is built from: strict models and durations as brands
write them (`90m`, `3d`)."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from pydantic import AfterValidator, BeforeValidator, ConfigDict

from recovery.clock import parse_duration


def _duration(value: object) -> object:
    return parse_duration(value) if isinstance(value, str) else value


def _within_a_year(value: timedelta) -> timedelta:
    if value > YEAR:
        raise ValueError(f"{value.days:,} days is longer than a year; SLA targets and timers "
                         "count at most 365 days")
    return value


YEAR = timedelta(days=365)
Duration = Annotated[timedelta, BeforeValidator(_duration)]
Within = Annotated[timedelta, BeforeValidator(_duration), AfterValidator(_within_a_year)]
"""A duration of at most a year: an SLA target, a timer, a follow-up's wait (a year of business
hours still comes due within the calendar's century)."""
Names = Annotated[list[str], BeforeValidator(lambda v: [v] if isinstance(v, str) else v)]


STRICT = ConfigDict(extra="forbid", frozen=True)
"""Every section's settings: unknown keys are errors (they are usually typos)."""
