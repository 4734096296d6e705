"""A late answer is late, however the engine found out: an SLA clock that stops past its target
is breached whether or not its breach timer fired first. The three ways a timer misses it (the
worker down, cron late, an imported history) on SQLite and PostgreSQL, and a property test that
holds the report, `case show` and the board to an outcome computed independently from the
calendar and the targets over generated histories."""

from __future__ import annotations

import json
import tempfile
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from recovery import Engine, Event, Notice
from tests.conftest import WORKFLOWS, Clock, workflows_with
from tests.receiver import Receiver
from tests.test_calendar import reference_elapsed
from tests.test_outbox import drain, hook, hooked, receiver  # noqa: F401 (a fixture)

PRAGUE = ZoneInfo("Europe/Prague")
TUESDAY = datetime(2026, 11, 24, 10, 0, tzinfo=PRAGUE)
"""bistro is in 10:00-22:00 on weekdays; a twitter complaint's first response is due in 1h."""


def _open(engine: Engine, at: datetime = TUESDAY) -> int:
    return engine.open_case("bistro", channel="twitter", author="@jana", text="Cold soup again",
                            at=at).id


def _first_response(engine: Engine, case_id: int) -> tuple[bool, str]:
    status = {clock.name: clock for clock in engine.clocks(case_id)}["first_response"]
    return status.breached, status.mode


def _breaches(engine: Engine, case_id: int) -> list[Event]:
    return [e for e in engine.history(case_id) if e.trigger == "first_response.breach"]


def _counted(engine: Engine, clock: str = "first_response") -> tuple[int, int, int]:
    figures = engine.report(brand="bistro", since=TUESDAY - timedelta(days=30),
                            until=TUESDAY + timedelta(days=30))["bistro"]
    found = figures["channels"]["twitter"][clock]
    return found["met"], found["breached"], found["running"]


def test_the_worker_down_a_late_answer_is_breached_escalated_and_told_once(
        db_url: str, clock: Clock, tmp_path: Path, receiver: Receiver) -> None:  # noqa: F811
    folder = hooked(tmp_path / "wf", hook(receiver.url, ", events: [breached]"))
    engine = Engine(db_url, workflows=folder, clock=clock)
    heard: list[Event | Notice] = []
    engine.subscribe(heard.append)
    clock.now = TUESDAY
    case_id = _open(engine)
    assert _counted(engine) == (0, 0, 1)
    clock.now = TUESDAY + timedelta(hours=2)  # no tick ran: the timer has not noticed
    assert _counted(engine) == (0, 1, 0)  # due at 11:00: breached, though still running
    assert [c.id for c in engine.cases(breached=True)] == [case_id]
    clock.now = TUESDAY + timedelta(hours=3)
    engine.fire(case_id, "acknowledge", by="eva")
    [breach] = _breaches(engine, case_id)
    assert (breach.by, breach.at, breach.seq) == ("recovery", clock.now, 3)
    assert breach.payload == {"clock": "first_response", "point": "breach", "found_late": True,
                              "due_at": (TUESDAY + timedelta(hours=1)).astimezone(UTC)
                              .isoformat(), "notify": ["lead"], "priority": "high"}
    assert engine.case(case_id).priority == "high"  # the escalation still happens
    assert _first_response(engine, case_id) == (True, "stopped")
    assert _counted(engine) == (0, 1, 0)
    assert engine.cases(breached=True) == []  # answered: nothing needs the team now
    assert [e.trigger for e in heard if isinstance(e, Event)][-2:] == [
        "acknowledge", "first_response.breach"]
    drain(engine)
    assert [got.body["event"]["trigger"] for got in receiver.got] == ["first_response.breach"]
    engine.tick(TUESDAY + timedelta(days=1))  # the timer was cancelled: no second breach
    assert len(_breaches(engine, case_id)) == 1 and engine.audit().ok
    engine.close()


def test_cron_late_an_answer_between_the_due_time_and_the_next_tick_is_breached(
        engine: Engine) -> None:
    case_id = _open(engine)
    for minutes in range(0, 60, 10):  # cron every ten minutes: the last run before 11:00
        engine.tick(TUESDAY + timedelta(minutes=minutes, seconds=30))
    assert _breaches(engine, case_id) == []
    engine.fire(case_id, "acknowledge", by="eva", at=TUESDAY + timedelta(minutes=62))
    engine.tick(TUESDAY + timedelta(minutes=70, seconds=30))
    [breach] = _breaches(engine, case_id)
    assert breach.by == "recovery" and breach.payload and breach.payload["found_late"]
    assert _counted(engine) == (0, 1, 0)
    on_time = _open(engine, TUESDAY + timedelta(hours=2))  # answered at 59 minutes: met
    engine.fire(on_time, "acknowledge", by="eva", at=TUESDAY + timedelta(hours=2, minutes=59))
    engine.tick(TUESDAY + timedelta(hours=4))
    assert _breaches(engine, on_time) == [] and _first_response(engine, on_time)[0] is False
    assert _counted(engine) == (1, 1, 0)


def test_an_imported_history_that_answered_late_is_breached_as_if_it_had_been_here(
        engine: Engine, clock: Clock) -> None:
    heard: list[Event | Notice] = []
    engine.subscribe(heard.append)

    def line(n: int, answered_after: timedelta | None) -> str:
        events = [] if answered_after is None else [
            {"trigger": "acknowledge", "by": "eva",
             "at": (TUESDAY + answered_after).isoformat()}]
        return json.dumps({"external_id": f"zd-{n}", "brand": "bistro", "channel": "twitter",
                           "opened_at": TUESDAY.isoformat(), "author": f"@guest{n}",
                           "text": "The soup was cold.", "language": "en", "events": events})

    clock.now = TUESDAY + timedelta(days=1)
    done = engine.import_cases([line(1, timedelta(hours=3)), line(2, timedelta(minutes=30)),
                                line(3, None)])
    assert done.imported == 3
    late, on_time, silent = (engine.case_for("bistro", f"zd-{n}") for n in (1, 2, 3))
    assert late and on_time and silent
    [breach] = _breaches(engine, late.id)
    assert breach.by == "recovery" and breach.at == TUESDAY + timedelta(hours=3)
    assert breach.payload and breach.payload["found_late"] and late.priority == "high"
    assert _breaches(engine, on_time.id) == []
    assert _first_response(engine, silent.id) == (True, "running")  # due long ago, no tick
    assert _counted(engine) == (1, 2, 0)
    assert [c.id for c in engine.cases(breached=True)] == [silent.id]
    assert heard == [] and engine.outbox.stats().pending == 0  # it happened elsewhere
    engine.tick()  # now a timer notices the one still running, once
    assert [e.by for e in _breaches(engine, silent.id)] == ["timer"]
    assert len(_breaches(engine, late.id)) == 1 and _counted(engine) == (1, 2, 0)


def test_a_case_closed_past_its_target_is_breached_without_escalation(
        tmp_path: Path, clock: Clock) -> None:
    folder = workflows_with(tmp_path, diner="""
extends: default
name: Diner
flow:
  triggers:
    close: {from: [new, resolved, followed_up]}
""")
    engine = Engine(f"sqlite:///{tmp_path / 'care.db'}", workflows=folder, clock=clock)
    case_id = engine.open_case("diner", channel="twitter", author="@jana", text="Spam, spam",
                               at=TUESDAY).id
    engine.fire(case_id, "close", by="eva", at=TUESDAY + timedelta(days=3))
    breaches = [e for e in engine.history(case_id) if e.trigger.endswith(".breach")]
    assert [(e.trigger, e.by) for e in breaches] == [("first_response.breach", "recovery"),
                                                     ("resolution.breach", "recovery")]
    assert all("notify" not in (e.payload or {}) for e in breaches)
    assert engine.case(case_id).priority == "normal"
    engine.close()


# -- the property ---------------------------------------------------------------------------

BASE = datetime(2026, 12, 18, 8, 0, tzinfo=PRAGUE)
"""A Friday before Christmas: weekends, bistro's days off (24-26 December, 1 January), nights."""
TARGETS = {"twitter": {"first_response": timedelta(hours=1), "resolution": timedelta(days=1)},
           "reviews": {"first_response": timedelta(days=1), "resolution": timedelta(days=3)}}
"""bistro's targets as its flow file declares them: twitter counts its hours, reviews every
minute."""
MINUTES = 60
cases = st.lists(st.tuples(
    st.sampled_from(sorted(TARGETS)), st.integers(0, 14 * 24 * MINUTES),
    st.none() | st.integers(0, 3 * 24 * MINUTES), st.none() | st.integers(0, 4 * 24 * MINUTES),
    st.booleans()), min_size=1, max_size=6)
"""(channel, opened, answered after, resolved after the answer, imported) in minutes."""


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cases, st.lists(st.integers(0, 20 * 24 * MINUTES), max_size=8),
       st.integers(0, 21 * 24 * MINUTES))
@example(made=[("twitter", 120, 180, 60, False), ("twitter", 150, 200, None, True),
               ("twitter", 130, 59, 600, False)], ticks=[140, 170, 400], until=0)
def test_outcomes_follow_the_time_counted_however_the_timers_ran(made, ticks, until) -> None:  # type: ignore[no-untyped-def]
    minute = timedelta(minutes=1)
    with tempfile.TemporaryDirectory() as folder:
        clock = Clock(BASE + (until + 30 * 24 * MINUTES) * minute)  # after everything
        engine = Engine(f"sqlite:///{folder}/care.db", workflows=WORKFLOWS, clock=clock)
        calendar = engine.flow("bistro").calendar
        steps: list[tuple[datetime, int, int]] = [(BASE + at * minute, 9, -1) for at in ticks]
        lines, expected, stops, outcomes = [], Counter[tuple[str, str, str]](), {}, {}
        for index, (channel, opened, answer, resolve, imported) in enumerate(made):
            at = BASE + opened * minute
            answered = None if answer is None else at + answer * minute
            resolved = None if answered is None or resolve is None else (
                answered + resolve * minute)
            stops[index] = {"first_response": answered, "resolution": resolved}
            if imported:
                lines.append(_line(index, channel, at, answered, resolved))
            else:
                steps += [(at, 0, index)] + ([(answered, 1, index)] if answered else []) + (
                    [(resolved, 2, index)] if resolved else [])
            for name, stopped in stops[index].items():
                counted = (reference_elapsed(calendar, at, stopped or clock.now)
                           if channel == "twitter" else (stopped or clock.now) - at)
                outcome = ("breached" if counted >= TARGETS[channel][name]
                           else "running" if stopped is None else "met")
                expected[channel, name, outcome] += 1
                outcomes[index, name] = outcome
        ids: dict[int, int] = {}
        for when, kind, index in sorted(steps, key=lambda step: step[:2]):
            if kind == 9:
                engine.tick(when)
            elif kind == 0:
                channel = made[index][0]
                ids[index] = engine.open_case("bistro", channel=channel, author=f"@c{index}",
                                              text="Cold soup again", at=when,
                                              external_id=f"x{index}").id
            elif kind == 1:
                engine.fire(ids[index], "acknowledge", by="eva", at=when)
            else:
                _resolve(engine, ids[index], when)
        engine.import_cases(lines)
        for index in range(len(made)):
            found = engine.case_for("bistro", f"x{index}")
            assert found is not None
            ids[index] = found.id

        figures = engine.report(brand="bistro", since=BASE - timedelta(days=1),
                                until=BASE + timedelta(days=60))["bistro"]["channels"]
        reported = Counter({(channel, name, outcome): count
                            for channel, clocks in figures.items()
                            for name in ("first_response", "resolution")
                            for outcome in ("met", "breached", "running")
                            if (count := clocks[name][outcome])})
        assert reported == expected
        needing: set[int] = set()
        for index, case_id in ids.items():
            statuses = {status.name: status for status in engine.clocks(case_id)}
            history = engine.history(case_id)
            for name, status in statuses.items():
                stopped = stops[index][name]
                assert (status.mode == "stopped") == (stopped is not None), (index, name)
                assert status.breached == (outcomes[index, name] == "breached"), (index, name)
                recorded = [e for e in history if e.trigger == f"{name}.breach"]
                assert len(recorded) <= 1  # never twice
                if stopped is not None:  # a stopped clock's breach is on record
                    assert len(recorded) == int(status.breached), (index, name)
                elif status.breached:
                    needing.add(case_id)
            assert all(not e.trigger.endswith(".breach") or e.payload for e in history)
        assert {case.id for case in engine.cases(breached=True)} == needing
        engine.close()


def _line(index: int, channel: str, at: datetime, answered: datetime | None,
          resolved: datetime | None) -> str:
    """A case brought over from elsewhere with the same history."""
    events = []
    if answered is not None:
        events.append({"trigger": "acknowledge", "by": "eva", "at": answered.isoformat()})
    if resolved is not None:
        events += [{"trigger": trigger, "by": "eva", "at": resolved.isoformat(), **extra}
                   for trigger, extra in (("investigate", {}), ("record_finding", {
                       "payload": {"finding": "founded", "root_cause": "slow pass"}}),
                       ("resolve", {}))]
    return json.dumps({"external_id": f"x{index}", "brand": "bistro", "channel": channel,
                       "opened_at": at.isoformat(), "author": f"@c{index}",
                       "text": "Cold soup again", "language": "en", "events": events})


def _resolve(engine: Engine, case_id: int, at: datetime) -> None:
    engine.fire(case_id, "investigate", by="eva", at=at)
    engine.record_finding(case_id, "founded", root_cause="slow pass", by="eva", at=at)
    engine.fire(case_id, "resolve", by="eva", at=at)
