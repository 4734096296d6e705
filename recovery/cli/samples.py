"""The sample complaints of `recovery demo`: read from each brand's `samples.yaml` and replayed.

Imported only by the demo: its pydantic models and YAML reading cost the other commands nothing.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError

from recovery.engine import Engine
from recovery.errors import InvalidInput

SAMPLES = "samples.yaml"
STEP_GAP = timedelta(minutes=20)


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


def play(engine: Engine, brand: str, sample: Sample) -> int:
    """Open the sample and replay its steps; 0 if it was opened by an earlier run."""
    external_id = f"sample:{sample.id}"
    if engine.case_for(brand, external_id) is not None:
        return 0
    case = engine.open_case(brand, channel=sample.channel, author=sample.author,
                            text=sample.text, at=sample.at, external_id=external_id)
    when = sample.at
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
