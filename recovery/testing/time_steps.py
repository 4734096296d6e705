"""Steps about time: SLA clocks, breaches and escalations, after-hours notices.

Times are the brand's local time, to the minute (`2026-12-02 11:00`); durations are written as
flows write them (`1h`, `23h`, `1d12h`). Clock names may be written with a space: `first response`.
"""

from __future__ import annotations

from pytest_bdd import parsers, then, when

from recovery.clock import parse_duration
from recovery.keeper import ClockStatus
from recovery.testing.steps import Spec

CLOCK = r"the (?P<name>first response|first_response|resolution) clock"


def clock_of(spec: Spec, name: str) -> ClockStatus:
    """The case's clock of that name (`first response` or `first_response`, `resolution`)."""
    wanted = name.replace(" ", "_")
    found = {status.name: status for status in spec.engine.clocks(spec.case.id)}
    assert wanted in found, f"the case has no {name} clock; it has {', '.join(found)}"
    return found[wanted]


@when(parsers.parse("the clock reaches {moment}"))
def when_clock_reaches(spec: Spec, moment: str) -> None:
    """Move the clock to a local time and fire the timers that came due."""
    spec.now = spec.local(moment)
    spec.attempt(spec.engine.tick)


@when(parsers.parse("the worker is down until {moment}"))
def when_worker_down(spec: Spec, moment: str) -> None:
    """Move the clock to a local time and fire nothing: no tick ran meanwhile (the worker was
    down, cron has not come round yet)."""
    spec.now = spec.local(moment)


@when(parsers.parse('"{agent}" replies publicly'))
def when_replies_publicly(spec: Spec, agent: str) -> None:
    """A person answers the customer in public: the flow's acknowledging trigger."""
    trigger = spec.flow.recorder.get("acknowledgement")
    assert trigger, f"{spec.flow.brand}'s flow has no trigger that records an acknowledgement"
    spec.attempt(spec.engine.fire, spec.case.id, trigger, by=agent)


@then(parsers.re(CLOCK + r" is due at (?P<moment>.+)$"))
def then_clock_due(spec: Spec, name: str, moment: str) -> None:
    """The clock's breach is due at a local time."""
    spec.succeeded()
    due = clock_of(spec, name).due_at
    assert due == spec.local(moment), f"due at {spec.shown(due)}" if due else "not running"


@then(parsers.re(CLOCK + r" (?:started|starts) at (?P<moment>.+)$"))
def then_clock_started(spec: Spec, name: str, moment: str) -> None:
    """The clock began counting at a local time (the opening, for an after-hours case)."""
    started = clock_of(spec, name).started_at
    assert started == spec.local(moment), f"started at {spec.shown(started)}"


@then(parsers.re(CLOCK + r" is (?P<negation>not )?breached$"))
def then_clock_breached(spec: Spec, name: str, negation: str | None) -> None:
    """The clock has (or has not) breached its target."""
    spec.succeeded()
    breached = clock_of(spec, name).breached
    assert breached != bool(negation), f"the {name} clock is {'' if breached else 'not '}breached"


@then(parsers.re(r"the care report counts (?P<count>\d+) (?P<outcome>met|breached|running) "
                 r"(?P<name>first response|first_response|resolution) clocks?$"))
def then_report_counts(spec: Spec, count: str, outcome: str, name: str) -> None:
    """The care report on the brand (the last 30 days) counts this many of its cases' clocks of
    that name with that outcome, over all its channels."""
    spec.succeeded()
    figures = spec.engine.report(brand=spec.flow.brand).get(spec.flow.brand, {})
    clock = name.replace(" ", "_")
    found = sum(channel.get(clock, {}).get(outcome, 0)
                for channel in figures.get("channels", {}).values())
    assert found == int(count), f"the care report counts {found} {outcome} {name} clock(s)"


@then(parsers.re(CLOCK + r" is (?P<mode>running|paused|stopped)$"))
def then_clock_mode(spec: Spec, name: str, mode: str) -> None:
    """The clock runs, is paused (waiting on the customer) or has stopped."""
    spec.succeeded()
    found = clock_of(spec, name).mode
    assert found == mode, f"the {name} clock is {found}"


@then(parsers.re(CLOCK + r" has (?P<left>\w+) left$"))
def then_clock_left(spec: Spec, name: str, left: str) -> None:
    """Exactly this much of the target is left, at the scenario's time."""
    found = clock_of(spec, name).left
    assert found == parse_duration(left), f"{found} left"


@then(parsers.parse('the case\'s priority is "{priority}"'))
def then_priority(spec: Spec, priority: str) -> None:
    """The case's priority (escalations raise it)."""
    assert spec.case.priority == priority, f"the priority is {spec.case.priority}"


@then(parsers.re(r'the customer got an after-hours notice(?: saying "(?P<text>[^"]*)")?$'))
def then_after_hours_notice(spec: Spec, text: str | None) -> None:
    """The engine answered by itself, saying when the team is back (in these words)."""
    notices = [e for e in spec.engine.history(spec.case.id) if e.trigger == "notice"]
    assert notices, "no after-hours notice was posted"
    payload = notices[0].payload or {}
    assert payload.get("public") and payload.get("kind") == "after_hours", payload
    assert (text or "") in payload.get("text", ""), f"the notice says: {payload.get('text')}"


@then(parsers.re(CLOCK + r" starts at the next opening$"))
def then_clock_starts_at_opening(spec: Spec, name: str) -> None:
    """The clock waits for the team: it begins at the first opening after the complaint."""
    case = spec.case
    opening = spec.flow.calendar.next_open(case.opened_at)
    assert opening > case.opened_at, "the team was in when the complaint came"
    then_clock_started(spec, name, f"{opening.astimezone(spec.flow.calendar.zone):%Y-%m-%d %H:%M}")


@then("no after-hours notice was posted")
def then_no_notice(spec: Spec) -> None:
    """The team was in: no automatic notice."""
    assert not [e for e in spec.engine.history(spec.case.id) if e.trigger == "notice"]
