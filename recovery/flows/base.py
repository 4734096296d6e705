"""What every section of a flow file is built from: strict models and durations as brands
write them (`90m`, `3d`)."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from pydantic import BeforeValidator, ConfigDict

from recovery.clock import parse_duration


def _duration(value: object) -> object:
    return parse_duration(value) if isinstance(value, str) else value


Duration = Annotated[timedelta, BeforeValidator(_duration)]
Names = Annotated[list[str], BeforeValidator(lambda v: [v] if isinstance(v, str) else v)]


STRICT = ConfigDict(extra="forbid", frozen=True)
"""Every section's settings: unknown keys are errors (they are usually typos)."""
