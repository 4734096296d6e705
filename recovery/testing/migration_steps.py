"""Steps about a brand's flow changing under cases in flight, and moving them to it on purpose.

A new flow goes live as the brand's resolved flow file (its own merged over its base) with one
change, standing alone (its bases' templates copied under its own) in a workflows folder of its
own beside the scenario's database; the engine is built again over it, on the same database, as
a restarted worker would be.
"""

from __future__ import annotations

import copy
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml
from pytest_bdd import parsers, then, when

from recovery.clock import format_duration, parse_duration
from recovery.flows import Flow
from recovery.flows.versions import MIGRATE
from recovery.testing.steps import Spec


def standalone(flow: Flow, workflows: Path, folder: Path,
               change: Callable[[dict[str, Any]], None]) -> Path:
    """A copy of `workflows` at `folder` in which `flow`'s brand stands alone: its resolved
    flow with `change` made to it (a copy), its bases' templates copied under its own."""
    written = copy.deepcopy(flow.resolved)
    written.pop("extends", None)
    change(written)
    shutil.copytree(workflows, folder)
    own = folder / flow.brand
    for lineage in reversed(flow.folders):  # the bases' files first, then its own over them
        shutil.copytree(lineage, own, dirs_exist_ok=True)
    (own / "flow.yaml").write_text(yaml.safe_dump(written, allow_unicode=True, sort_keys=False),
                                   encoding="utf-8")
    return folder


def _goes_live(spec: Spec, change: Callable[[dict[str, Any]], None]) -> None:
    """Put live the brand's flow with `change` made to it: the engine is built again over it;
    the case at hand keeps the version it opened with."""
    flow = spec.flow
    spec.opened_under = flow.version  # type: ignore[attr-defined]
    folder = standalone(flow, spec.workflows, Path(spec.db.removeprefix("sqlite:///")).parent
                        / f"live-{flow.version}", change)
    spec.engine.close()
    spec._engine = None
    spec.workflows = folder
    assert spec.flow.version != spec.opened_under  # type: ignore[attr-defined]


def without_state(state: str) -> Callable[[dict[str, Any]], None]:
    """A change to a resolved flow: one state less, the triggers into it gone, and it left out
    of the others' sources, its timers gone."""
    def drop(written: dict[str, Any]) -> None:
        declared = written["flow"]
        declared["states"].pop(state)
        for name, trigger in list(declared["triggers"].items()):
            sources = trigger.get("from")
            sources = [sources] if isinstance(sources, str) else list(sources or [])
            if trigger.get("to") == state or sources == [state]:
                del declared["triggers"][name]
            elif state in sources:
                trigger["from"] = [source for source in sources if source != state]
        declared["timers"] = {name: timer for name, timer in declared.get("timers", {}).items()
                              if timer.get("state") != state}
    return drop


@when(parsers.parse('the brand\'s flow goes live without the state "{state}"'))
def when_live_without_state(spec: Spec, state: str) -> None:
    """The brand's flow as it is, less one state (`without_state`)."""
    _goes_live(spec, without_state(state))


@when(parsers.parse("the brand's flow goes live with {channel} answering complaints within "
                    "{target}"))
def when_live_with_target(spec: Spec, channel: str, target: str) -> None:
    """The brand's flow as it is, with one channel's first-response target (every priority)
    changed."""
    parse_duration(target)

    def retarget(written: dict[str, Any]) -> None:
        written["channels"][channel]["first_response"] = target
    _goes_live(spec, retarget)


@when(parsers.re(r'"(?P<lead>[^"]+)" moves the brand\'s cases in flight to the new flow'
                 r'(?:, mapping "(?P<old>[^"]+)" to "(?P<new>[^"]+)")?$'))
def when_moves(spec: Spec, lead: str, old: str | None, new: str | None) -> None:
    """A lead moves the brand's open cases under older versions of its flow to the one live
    now (placing the cases of state `old` in `new`)."""
    spec.attempt(spec.engine.migrate_flow, spec.flow.brand, by=lead,
                 mapping={old: new} if old and new else None)


@then("the case still runs under the flow it opened with")
def then_runs_under_old(spec: Spec) -> None:
    """The case keeps the version of the flow it opened under."""
    assert spec.case.flow_version == spec.opened_under, (  # type: ignore[attr-defined]
        f"it runs under {spec.case.flow_version}")


@then("the case runs under the new flow")
def then_runs_under_new(spec: Spec) -> None:
    """The case runs under the version of the flow live now."""
    spec.succeeded()
    assert spec.case.flow_version == spec.flow.version, (
        f"it runs under {spec.case.flow_version}, not {spec.flow.version}")


@then(parsers.parse("the history says the {clock} target went from {before} to {after}"))
def then_history_target(spec: Spec, clock: str, before: str, after: str) -> None:
    """The case's move to the new flow names its SLA clock's target before and after."""
    spec.succeeded()
    moves = [event for event in spec.engine.history(spec.case.id) if event.trigger == MIGRATE]
    assert moves, "the case was not moved"
    targets = (moves[-1].payload or {}).get("targets", {})
    found = targets.get(clock.replace(" ", "_"))
    wanted = [int(parse_duration(when).total_seconds()) for when in (before, after)]
    assert found == wanted, (f"the move says {targets or 'no target changed'}; wanted "
                             f"{format_duration(parse_duration(before))} → "
                             f"{format_duration(parse_duration(after))}")
