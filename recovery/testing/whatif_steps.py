"""Steps about a policy what-if: the scenario's history replayed through a proposed flow.

The proposed flow is the brand's resolved flow with one change, standing alone in a workflows
folder of its own beside the scenario's database; the scenario's live cases are only read.
"""

from __future__ import annotations

import shutil
from datetime import timedelta
from pathlib import Path
from typing import Any

from pytest_bdd import parsers, then, when

from recovery.clock import format_duration
from recovery.testing.migration_steps import standalone
from recovery.testing.steps import Spec

LEVELS = {"urgent": "urgent", "high": "high", "normal": "default"}
"""A priority as a step says it, and as a flow file writes its target."""


def _proposed(spec: Spec, change: dict[str, Any]) -> Path:
    """The scenario's workflows with the brand's flow standing alone, `change` laid over it
    (`migration_steps.standalone`)."""
    folder = Path(spec.db.removeprefix("sqlite:///")).parent / "proposed"  # the scenario's
    if folder.exists():
        shutil.rmtree(folder)
    return standalone(spec.flow, spec.workflows, folder,
                      lambda written: written.update(_merged(written, change)))


def _merged(written: dict[str, Any], change: dict[str, Any]) -> dict[str, Any]:
    """`written` with `change` laid over it, mapping by mapping."""
    merged = dict(written)
    for key, value in change.items():
        kept = merged.get(key)
        merged[key] = (_merged(kept, value) if isinstance(value, dict) and isinstance(kept, dict)
                       else value)
    return merged


def _replay(spec: Spec, folder: Path, days: int) -> None:
    spec.before = [(case.id, case.state, case.version)  # type: ignore[attr-defined]
                   for case in spec.engine.cases(brand=spec.flow.brand)]
    spec.what_if = spec.attempt(spec.engine.what_if, folder,  # type: ignore[attr-defined]
                                brand=spec.flow.brand, since=spec.now - timedelta(days=days))


@when(parsers.parse("the care manager replays the last {days:d} days under a flow where "
                    "{channel} answers {priority} complaints within {target}"))
def when_replays_target(spec: Spec, days: int, channel: str, priority: str,
                        target: str) -> None:
    """Replay the brand's cases of the last days under its flow with one first-response
    target changed (the other priorities keep theirs)."""
    policy = spec.flow.settings.channels[channel]
    written = {name: {LEVELS[level]: format_duration(getattr(policy, name).of(level))
                      for level in LEVELS} for name in ("first_response", "resolution")}
    written["first_response"][LEVELS[priority]] = target
    _replay(spec, _proposed(spec, {"channels": {channel: written}}), days)


@when(parsers.parse("the care manager replays the last {days:d} days under a flow where an "
                    "agent may give a {kind} worth at most {value}"))
def when_replays_limit(spec: Spec, days: int, kind: str, value: str) -> None:
    """Replay the brand's cases of the last days under its flow with one remedy's agent limit
    changed."""
    limit = spec.flow.settings.remedies[kind]
    remedy = {"max": float(value), "unit": limit.unit}
    _replay(spec, _proposed(spec, {"remedies": {kind: remedy}}), days)


@then(parsers.re(r"under that flow (?P<proposed>\d+) (?P<priority>urgent|high|normal) cases? "
                 r"breach(?:es)? the first response target, against (?P<recorded>\d+) "
                 r"recorded$"))
def then_breaches(spec: Spec, proposed: str, priority: str, recorded: str) -> None:
    """How many cases of that (highest) priority breach their first-response target, under
    the proposed flow and as it happened."""
    spec.succeeded()
    found = spec.what_if  # type: ignore[attr-defined]
    counted = [side.get(spec.flow.brand, {}).get("priorities", {}).get(priority, {})
               .get("first_response", {}).get("breached", 0)
               for side in (found.proposed, found.recorded)]
    assert counted == [int(proposed), int(recorded)], (
        f"{counted[0]} breach under the proposed flow, {counted[1]} as recorded")


@then(parsers.re(r"under that flow (?P<count>\d+) (?P<kind>\w+?)s? worth (?P<value>[\d.]+) "
                 r"would not be given$"))
def then_not_given(spec: Spec, count: str, kind: str, value: str) -> None:
    """The remedies given as recorded that the proposed limits would not give."""
    spec.succeeded()
    found = [item for item in spec.what_if.not_given  # type: ignore[attr-defined]
             if item["kind"] == kind]
    assert [(item["count"], float(item["value"])) for item in found] == [
        (int(count), float(value))], found


@then("the refused act is named with its case and why")
def then_refused_named(spec: Spec) -> None:
    """The what-if names the act the proposed flow refuses: case, event, why."""
    refused = spec.what_if.refused  # type: ignore[attr-defined]
    assert refused, "no act was refused"
    assert refused[0]["case"] == spec.case.id and refused[0]["why"], refused[0]


@then("nothing live changed")
def then_nothing_live_changed(spec: Spec) -> None:
    """The brand's cases are where they were before the replay, at the same version."""
    now = [(case.id, case.state, case.version)
           for case in spec.engine.cases(brand=spec.flow.brand)]
    assert now == spec.before, "a live case changed"  # type: ignore[attr-defined]
