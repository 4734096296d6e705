"""Priority: how far a complaint travels and how its author feels decide how fast it is answered.

A brand declares rules per level in `flow.yaml`; a case meets a level when any one of the
level's conditions holds (at least so many followers, likes, shares or replies; or a mood):

```yaml
priority:
  urgent: {followers: 10000, shares: 50}
  high:   {followers: 1000, mood: angry, notify: [lead, manager]}
channels:
  twitter: {first_response: {urgent: 15m, high: 30m, default: 1h}, resolution: 1d}
```

The highest level met wins, whatever order the file lists them in; none met is `normal`. A
channel's target may be one duration or one per priority; a level without its own takes the
next lower one's, and a higher level may not wait longer than a lower one.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from itertools import pairwise
from typing import Any, Literal

from pydantic import BaseModel, Field, model_validator

from recovery.clock import format_duration
from recovery.errors import InvalidInput
from recovery.flows.base import STRICT, Names, Within

PRIORITIES = ("normal", "high", "urgent")
"""A case's priority, lowest first; it only ever rises."""
UPDATE = "reach"
"""The event a reach update is recorded as (reserved for the engine: no flow may declare it)."""
REACH = ("followers", "likes", "shares", "replies")
"""What a case's reach counts: the author's audience and the post's engagement."""
MOST = 10**12
"""The largest count accepted (more than any platform's audience)."""
MOODS = ("angry", "curious", "neutral")
"""The complaint's emotion as its reading says (`signals/tone.py`)."""

Raised = Literal["high", "urgent"]
_RAISED: tuple[Raised, ...] = ("urgent", "high")


class Targets(BaseModel):
    """One SLA target (`1h`), or one per priority (`{urgent: 15m, high: 30m, default: 1h}`)."""

    model_config = STRICT

    default: Within
    high: Within | None = None
    urgent: Within | None = None

    @model_validator(mode="before")
    @classmethod
    def _one(cls, value: Any) -> Any:
        return value if isinstance(value, Mapping) else {"default": value}

    @model_validator(mode="after")
    def _tighter(self) -> Targets:
        given = [(name, target) for name, target in (("default", self.default),
                                                     ("high", self.high),
                                                     ("urgent", self.urgent))
                 if target is not None]
        for (low, slow), (high, fast) in pairwise(given):
            if fast > slow:
                raise ValueError(f"{high} waits longer ({format_duration(fast)}) than {low} "
                                 f"({format_duration(slow)}); a higher priority needs the same "
                                 "target or a tighter one")
        return self

    def of(self, priority: str) -> timedelta:
        """The target for a case of `priority` (a level without its own: the next lower's)."""
        if priority == "urgent" and self.urgent is not None:
            return self.urgent
        if priority in ("high", "urgent") and self.high is not None:
            return self.high
        return self.default


class Rule(BaseModel):
    """When a case gets a level: any condition met (at least this many; or one of the moods),
    and who is told when a case rises to it after opening."""

    model_config = STRICT

    followers: int | None = Field(None, ge=0)
    likes: int | None = Field(None, ge=0)
    shares: int | None = Field(None, ge=0)
    replies: int | None = Field(None, ge=0)
    mood: Names = Field(default=[], description="the complaint's emotion: angry, curious")
    notify: Names = Field(default=["lead"], description="roles the helpdesk alerts when a case "
                          "rises to this level")

    @model_validator(mode="after")
    def _something(self) -> Rule:
        for mood in self.mood:
            if mood not in MOODS:
                raise ValueError(f"'{mood}' is not a mood the reading gives; one of "
                                 f"{', '.join(MOODS)}")
        if not self.mood and all(getattr(self, name) is None for name in REACH):
            raise ValueError(f"a level needs a condition: one of {', '.join(REACH)} or mood")
        return self

    def met(self, reach: Mapping[str, int], mood: str | None) -> bool:
        """Whether any condition holds for this reach and mood."""
        return bool(self.why(reach, mood))

    def why(self, reach: Mapping[str, int], mood: str | None) -> str:
        """The first condition met (`shares 60 ≥ 50`, `mood angry`); empty when none is."""
        for name in REACH:
            threshold = getattr(self, name)
            if threshold is not None and reach.get(name, 0) >= threshold:
                return f"{name} {reach.get(name, 0):,} ≥ {threshold:,}"
        return f"mood {mood}" if mood is not None and mood in self.mood else ""


def counts(given: Mapping[str, object]) -> dict[str, int]:
    """Reach as given (`{"followers": 20000}`), checked: known names, whole numbers from 0 to
    `MOST`; in `REACH` order."""
    if not isinstance(given, Mapping):
        raise InvalidInput(f"reach must map counts by name ({', '.join(REACH)})")
    for name, value in given.items():
        if name not in REACH:
            raise InvalidInput(f"unknown reach '{str(name)[:40]}'; give any of "
                               f"{', '.join(REACH)}")
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MOST:
            raise InvalidInput(f"{name} must be a whole number from 0 to {MOST:,}")
    return {name: int(given[name]) for name in REACH if name in given}  # type: ignore[call-overload]


def level(rules: Mapping[Raised, Rule], reach: Mapping[str, int], mood: str | None) -> str:
    """The highest level whose rule `reach` and `mood` meet; `normal` when none is."""
    for name in _RAISED:
        rule = rules.get(name)
        if rule is not None and rule.met(reach, mood):
            return name
    return "normal"


def higher(priority: str, than: str) -> bool:
    """Whether `priority` is above `than`."""
    return PRIORITIES.index(priority) > PRIORITIES.index(than)
