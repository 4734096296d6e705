"""The sample complaints of `recovery demo`: read from each brand's `samples.yaml` and replayed.

Imported only by the demo: its pydantic models and YAML reading cost the other commands nothing.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError

from recovery.clock import as_utc
from recovery.engine import Engine
from recovery.errors import InvalidInput

SAMPLES = "samples.yaml"
STEP_GAP = timedelta(minutes=20)
WEEK = timedelta(weeks=1)


class Step(BaseModel):
    """One thing the care team did on a sample case."""

    model_config = ConfigDict(extra="forbid")
    fire: str | None = None
    finding: Literal["founded", "partly", "unfounded"] | None = None
    root_cause: str | None = None
    remedy: str | None = None
    value: str = "1"
    by: str = "eva"
    note: str | None = None


class Sample(BaseModel):
    """A sample complaint and what the team did about it."""

    model_config = ConfigDict(extra="forbid")
    id: str
    channel: str
    author: str
    text: str
    at: datetime
    reach: dict[str, int] = {}
    steps: list[Step] = []


def samples(file: Path) -> list[Sample]:
    """The sample complaints in `file` (none if there is no such file)."""
    if not file.is_file():
        return []
    try:
        return [Sample.model_validate(item) for item in yaml.safe_load(file.read_text()) or []]
    except (yaml.YAMLError, ValidationError, TypeError) as exc:
        reason = str(exc).splitlines()[0]
        raise InvalidInput(f"{file}: not a list of sample complaints ({reason})") from exc


def shift(played: list[Sample], now: datetime) -> timedelta:
    """How far to move the samples, in whole weeks (weekdays and hours stay as written), so
    their last step falls in the week before `now`: what a care team does next comes after."""
    if not played:
        return timedelta(0)
    last = max(as_utc(sample.at) + STEP_GAP * len(sample.steps) for sample in played)
    return WEEK * ((now - last) // WEEK)


def play(engine: Engine, brand: str, sample: Sample, moved: timedelta = timedelta(0)) -> int:
    """Open the sample `moved` from its written time and replay its steps; 0 if it was opened
    by an earlier run."""
    external_id = f"sample:{sample.id}"
    if engine.case_for(brand, external_id) is not None:
        return 0
    when = as_utc(sample.at) + moved
    case = engine.open_case(brand, channel=sample.channel, author=sample.author,
                            text=sample.text, at=when, external_id=external_id,
                            reach=sample.reach or None)
    for step in sample.steps:
        when += STEP_GAP
        if step.fire:
            engine.fire(case.id, step.fire, by=step.by, note=step.note, at=when)
        if step.finding:
            engine.record_finding(case.id, step.finding, root_cause=step.root_cause,
                                  by=step.by, note=step.note, at=when)
        if step.remedy:
            engine.offer_remedy(case.id, step.remedy, step.value, by=step.by, note=step.note,
                                at=when)
    return 1
