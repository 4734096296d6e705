"""The listing tells the truth: on every state each sample brand's flow reaches (by every path
its listing offers), each trigger `allowed_triggers()` lists fires through `fire()`, and each
that `triggers()` marks `via` another call fires through that call. A helpdesk can build its
buttons from the listing."""

from __future__ import annotations

from collections import deque
from pathlib import Path

import pytest

from recovery import Engine, TriggerOption
from tests.conftest import WORKFLOWS, Clock

MOST_STEPS = 12


def _open(engine: Engine, brand: str, n: int) -> int:
    channel = next(iter(engine.flow(brand).settings.channels))
    return engine.open_case(brand, channel=channel, author=f"@rider{n}",
                            text="The bike chain broke and tore my jeans").id


def _take(engine: Engine, clock: Clock, case_id: int, option: TriggerOption) -> None:
    """Take a listed step the way the listing says: `fire`, or the call it names."""
    flow = engine.flow(engine.case(case_id).brand)
    if option.via is None:
        engine.fire(case_id, option.trigger, by="eva")
    elif option.via == "record_finding":
        engine.record_finding(case_id, "founded", root_cause="a worn chain", by="eva")
    elif option.via == "offer_remedy":
        kind, limit = next(iter(flow.settings.remedies.items()))
        engine.offer_remedy(case_id, kind, min(limit.agent_max, 1), order="EO-1", by="eva")
    else:
        assert option.via == "tick", option
        clock.advance(days=20)
        engine.tick()
    clock.advance(minutes=1)
    decl = flow.settings.flow.triggers[option.trigger]
    moved = engine.history(case_id)
    assert option.trigger in [event.trigger for event in moved], (option, moved[-1])
    assert engine.case(case_id).state == (decl.to or moved[-1].source)


@pytest.mark.parametrize("brand", ["bistro", "eshop", "bikeshare"])
def test_every_listed_trigger_fires_on_every_state_the_flow_reaches(brand: str,
                                                                    tmp_path: Path) -> None:
    clock = Clock()
    engine = Engine(f"sqlite:///{tmp_path / 'care.db'}", workflows=WORKFLOWS, clock=clock)
    opened = 0
    seen: set[tuple[object, ...]] = set()
    paths: deque[list[str]] = deque([[]])
    fired: set[tuple[str, str]] = set()
    while paths:
        path = paths.popleft()
        case_id = _open(engine, brand, opened := opened + 1)
        for trigger in path:
            _take(engine, clock, case_id, _option(engine, case_id, trigger))
        case = engine.case(case_id)
        here = (case.state, case.finding, case.remedy_kind, case.acknowledged_at is not None)
        if here in seen:
            continue
        seen.add(here)
        listed = [option for option in engine.triggers(case_id) if option.allowed]
        assert engine.allowed_triggers(case_id) == [
            option.trigger for option in listed if option.via is None]
        for option in listed:  # each on a case of its own, brought along the same path
            other = _open(engine, brand, opened := opened + 1)
            for trigger in path:
                _take(engine, clock, other, _option(engine, other, trigger))
            _take(engine, clock, other, option)
            fired.add((case.state, option.trigger))
            if len(path) < MOST_STEPS:
                paths.append([*path, option.trigger])
    flow = engine.flow(brand).settings.flow
    assert {state for state, _ in fired} >= set(flow.states) - {
        name for name, state in flow.states.items() if state.terminal}
    engine.close()


def _option(engine: Engine, case_id: int, trigger: str) -> TriggerOption:
    found = {option.trigger: option for option in engine.triggers(case_id)}[trigger]
    assert found.allowed, found
    return found
