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
from tests.conftest import WORKFLOWS, Clock, sqlite_copy, workflows_with
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
DAYS = 24 * MINUTES
cases = st.lists(st.tuples(
    st.sampled_from(sorted(TARGETS)), st.integers(0, 14 * DAYS),
    st.none() | st.integers(0, 3 * DAYS), st.none() | st.integers(0, 4 * DAYS),
    st.none() | st.tuples(st.integers(0, 2 * DAYS), st.none() | st.integers(0, 3 * DAYS)),
    st.booleans()), min_size=1, max_size=6)
"""(channel, opened, answered after, resolved after the answer (or the customer's reply),
waiting on the customer (from after the answer, replied after), imported) in minutes."""
OPEN, ANSWER, WAIT, REPLIED, RESOLVE, TICK = range(6)
"""What happens at a time, in the order things happening at the same minute are done."""


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cases, st.lists(st.integers(0, 20 * DAYS), max_size=8), st.integers(0, 21 * DAYS))
@example(made=[("twitter", 120, 180, 60, None, False), ("twitter", 150, 200, None, None, True),
               ("twitter", 130, 59, 600, None, False)], ticks=[140, 170, 400], until=0)
@example(made=[("twitter", 0, 10, 30, (20, 3 * DAYS), False),  # breached while waiting
               ("twitter", 0, 10, None, (20, None), True),  # still waiting, imported
               ("reviews", 0, 10, 60, (0, 2 * DAYS), False)], ticks=[2 * DAYS], until=0)
def test_outcomes_follow_the_time_counted_however_the_timers_ran(migrated_sqlite, made, ticks,  # type: ignore[no-untyped-def]
                                                               until) -> None:
    minute = timedelta(minutes=1)
    with tempfile.TemporaryDirectory() as folder:
        clock = Clock(BASE + (until + 30 * DAYS) * minute)  # after everything
        engine = Engine(sqlite_copy(migrated_sqlite, Path(folder) / "care.db"),
                        workflows=WORKFLOWS, clock=clock)
        calendar = engine.flow("bistro").calendar
        steps: list[tuple[datetime, int, int]] = [(BASE + at * minute, TICK, -1) for at in ticks]
        lines, expected, lives, outcomes = [], Counter[tuple[str, str, str]](), {}, {}
        for index, (channel, opened, answer, resolve, wait, imported) in enumerate(made):
            life = _life(BASE + opened * minute, answer, resolve, wait)
            lives[index] = life
            if imported:
                lines.append(_line(index, channel, life))
            else:
                steps += [(at, kind, index) for kind, at in enumerate(life) if at is not None]

            def elapsed(start: datetime, end: datetime | None, channel: str = channel
                        ) -> timedelta:
                end = end or clock.now
                return (reference_elapsed(calendar, start, end) if channel == "twitter"
                        else end - start)

            opened_at, answered, waited, replied, resolved = life
            counted = {"first_response": elapsed(opened_at, answered),
                       "resolution": elapsed(opened_at, resolved) if waited is None else (
                           elapsed(opened_at, waited) + (elapsed(replied, resolved)
                                                         if replied else timedelta()))}
            for name, stopped in (("first_response", answered), ("resolution", resolved)):
                outcome = ("breached" if counted[name] >= TARGETS[channel][name]
                           else "running" if stopped is None else "met")
                expected[channel, name, outcome] += 1
                outcomes[index, name] = outcome
        ids: dict[int, int] = {}
        for when, kind, index in sorted(steps, key=lambda step: step[:2]):
            if kind == TICK:
                engine.tick(when)
            elif kind == OPEN:
                channel = made[index][0]
                ids[index] = engine.open_case("bistro", channel=channel, author=f"@c{index}",
                                              text="Cold soup again", at=when,
                                              external_id=f"x{index}").id
            elif kind == ANSWER:
                engine.fire(ids[index], "acknowledge", by="eva", at=when)
            elif kind == WAIT:
                engine.fire(ids[index], "investigate", by="eva", at=when)
                engine.fire(ids[index], "wait_for_customer", by="eva", at=when)
            elif kind == REPLIED:
                engine.fire(ids[index], "customer_replied", by="@c", at=when)
            else:
                _resolve(engine, ids[index], when, investigating=lives[index][WAIT] is not None)
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
            _opened, answered, waited, replied, resolved = lives[index]
            modes = {"first_response": "stopped" if answered else "running",
                     "resolution": "stopped" if resolved else "paused" if waited and not replied
                     else "running"}
            for name, status in statuses.items():
                assert status.mode == modes[name], (index, name)
                assert status.breached == (outcomes[index, name] == "breached"), (index, name)
                recorded = [e for e in history if e.trigger == f"{name}.breach"]
                assert len(recorded) <= 1  # never twice
                if status.mode != "running":  # a standing clock's breach is on record
                    assert len(recorded) == int(status.breached), (index, name)
                if status.breached and status.mode != "stopped":
                    needing.add(case_id)
            for breach in (e for e in history if e.trigger.endswith(".breach")):
                assert breach.payload is not None
                if breach.by == "recovery":  # found late, as the case moved: the time it missed
                    assert breach.payload["found_late"] is True and breach.payload["due_at"]
                else:  # the timer fired it on time
                    assert breach.by == "timer" and "found_late" not in breach.payload
        assert {case.id for case in engine.cases(breached=True)} == needing
        engine.close()


Life = tuple[datetime, datetime | None, datetime | None, datetime | None, datetime | None]
"""When a case was opened, answered, left waiting on the customer, replied to, resolved."""


def _life(opened: datetime, answer: int | None, resolve: int | None,
          wait: tuple[int, int | None] | None) -> Life:
    """The times of a generated case (`cases`)."""
    minute = timedelta(minutes=1)
    answered = None if answer is None else opened + answer * minute
    waited = replied = None
    if answered is not None and wait is not None:
        waited = answered + wait[0] * minute
        replied = None if wait[1] is None else waited + wait[1] * minute
    since = replied or answered
    resolved = None if since is None or resolve is None or (waited and not replied) else (
        since + resolve * minute)
    return opened, answered, waited, replied, resolved


def _line(index: int, channel: str, life: Life) -> str:
    """A case brought over from elsewhere with the same history."""
    opened, answered, waited, replied, resolved = life
    events = []
    if answered is not None:
        events.append({"trigger": "acknowledge", "by": "eva", "at": answered.isoformat()})
    if waited is not None:
        events += [{"trigger": trigger, "by": "eva", "at": waited.isoformat()}
                   for trigger in ("investigate", "wait_for_customer")]
    if replied is not None:
        events.append({"trigger": "customer_replied", "by": "@c", "at": replied.isoformat()})
    if resolved is not None:
        steps = (("record_finding", {"payload": {"finding": "founded",
                                                 "root_cause": "slow pass"}}), ("resolve", {}))
        events += [{"trigger": trigger, "by": "eva", "at": resolved.isoformat(), **extra}
                   for trigger, extra in ((("investigate", {}),) if waited is None else ())
                   + steps]
    return json.dumps({"external_id": f"x{index}", "brand": "bistro", "channel": channel,
                       "opened_at": opened.isoformat(), "author": f"@c{index}",
                       "text": "Cold soup again", "language": "en", "events": events})


def _resolve(engine: Engine, case_id: int, at: datetime, investigating: bool = False) -> None:
    if not investigating:
        engine.fire(case_id, "investigate", by="eva", at=at)
    engine.record_finding(case_id, "founded", root_cause="slow pass", by="eva", at=at)
    engine.fire(case_id, "resolve", by="eva", at=at)
