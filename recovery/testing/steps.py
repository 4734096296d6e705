"""The shipped step library: plain-English Gherkin steps over a real engine.

Each scenario gets its own SQLite database and a clock the steps set ("Given it is …"). Times in
steps are the brand's local time. A step that the engine refuses does not fail by itself: the
refusal is kept for "Then it is refused …"; any other "Then" fails if something was refused.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from pytest_bdd import given, parsers, then, when

from recovery.engine import Engine
from recovery.errors import GuardRefused, RecoveryError
from recovery.flows import Flow
from recovery.store.records import Case
from recovery.testing.plugin import SpecError, workflows_dir


@dataclass
class Spec:
    """What one scenario works on: the engine, the clock, the brand and the case at hand."""

    workflows: Path
    db: str
    now: datetime = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)
    brand: str | None = None
    case_id: int | None = None
    error: RecoveryError | None = None
    problems: list[str] = field(default_factory=list)
    said: str | None = None
    """The text of the last reply an agent tried to send."""
    _engine: Engine | None = None

    @property
    def engine(self) -> Engine:
        """The engine, built on first use over this scenario's database."""
        if self._engine is None:
            self._engine = Engine(self.db, workflows=self.workflows, clock=lambda: self.now)
        return self._engine

    @property
    def flow(self) -> Flow:
        """The flow of the brand at hand."""
        assert self.brand, "say which brand first: Given the brand \"bistro\""
        return self.engine.flow(self.brand)

    @property
    def case(self) -> Case:
        """The case at hand."""
        assert self.case_id is not None, "open a complaint first: Given a complaint …"
        return self.engine.case(self.case_id)

    def attempt(self, action: Any, *args: Any, **kwargs: Any) -> Any:
        """Run an engine call; keep a refusal for a later "Then it is refused"."""
        self.error = None
        try:
            return action(*args, **kwargs)
        except RecoveryError as exc:
            self.error = exc
            return None

    def succeeded(self) -> None:
        """Fail the scenario if the last action was refused."""
        assert self.error is None, f"the last step was refused: {self.error}"

    @property
    def zone(self) -> ZoneInfo:
        """The brand's time zone (UTC before a brand is chosen)."""
        return ZoneInfo(self.flow.settings.timezone if self.brand else "UTC")

    def local(self, text: str) -> datetime:
        """A time as a step writes it, in the brand's local time: `2026-12-01 10:00`, with or
        without `(brand time)` after it."""
        written = text.strip().removesuffix("(brand time)").strip()
        try:
            return datetime.fromisoformat(written.replace(" ", "T", 1)).replace(tzinfo=self.zone)
        except ValueError:
            raise SpecError(f"'{text}' is not a time; write it like 2026-12-01 10:00 "
                            "(brand time)") from None

    def shown(self, when: datetime | None) -> str:
        """A time as the brand's team reads it: `2026-12-01 11:00 CET`."""
        return "never" if when is None else f"{when.astimezone(self.zone):%Y-%m-%d %H:%M %Z}"


@pytest.fixture
def recovery_brand(request: pytest.FixtureRequest) -> str | None:
    """The brand a "brand under test" scenario runs for (set by parametrisation)."""
    return getattr(request, "param", None)


@pytest.fixture
def spec(request: pytest.FixtureRequest, tmp_path: Path) -> Spec:
    """A fresh scenario: its own database over the configured workflows folder."""
    return Spec(workflows_dir(request.config), f"sqlite:///{tmp_path / 'spec.db'}")


# -- Given -------------------------------------------------------------------------------------


@given(parsers.parse('the brand "{brand}"'))
def given_brand(spec: Spec, brand: str) -> None:
    """Work with a named brand."""
    spec.engine.flow(brand)
    spec.brand = brand


@given("the brand under test")
def given_brand_under_test(spec: Spec, recovery_brand: str) -> None:
    """Work with each brand in turn (the scenario runs once per brand)."""
    given_brand(spec, recovery_brand)


@given(parsers.parse("it is {when}"))
def given_time(spec: Spec, when: str) -> None:
    """Set the clock, in the brand's local time: `it is 2026-12-01 10:00 (brand time)`."""
    spec.now = spec.local(when)


@given(parsers.parse('a complaint on {channel} from "{author}": "{text}"'))
def given_complaint_on(spec: Spec, channel: str, author: str, text: str) -> None:
    """Open a case for a public complaint on a named channel."""
    case = spec.engine.open_case(spec.flow.brand, channel=channel, author=author, text=text)
    spec.case_id = case.id


@given(parsers.parse('a complaint from "{author}": "{text}"'))
def given_complaint(spec: Spec, author: str, text: str) -> None:
    """Open a case on the brand's first declared channel."""
    given_complaint_on(spec, next(iter(spec.flow.settings.channels)), author, text)


@given(parsers.parse('the case has reached "{state}"'))
def given_case_reached(spec: Spec, state: str) -> None:
    """Drive the case along the shortest path of the flow to `state`, as an agent would."""
    for trigger in _path(spec.flow, spec.case.state, state):
        _fire_satisfying_guards(spec, trigger)
    assert spec.case.state == state


# -- When --------------------------------------------------------------------------------------


@when(parsers.re(r'"(?P<agent>[^"]+)" fires "(?P<trigger>[^"]+)"'
                 r'(?: with the note "(?P<note>[^"]*)")?$'))
def when_fires(spec: Spec, agent: str, trigger: str, note: str | None) -> None:
    """Fire a trigger on the case, optionally with a note for the history."""
    spec.attempt(spec.engine.fire, spec.case.id, trigger, by=agent, note=note)


@when(parsers.re(r'"(?P<agent>[^"]+)" records the finding "(?P<finding>[^"]+)"'
                 r'(?: with root cause "(?P<cause>[^"]*)")?$'))
def when_finding(spec: Spec, agent: str, finding: str, cause: str | None) -> None:
    """Record the finding of the investigation, optionally with its root cause."""
    spec.attempt(spec.engine.record_finding, spec.case.id, finding, root_cause=cause, by=agent)


@when(parsers.parse('"{agent}" offers a {kind} worth {value}'))
def when_offers(spec: Spec, agent: str, kind: str, value: str) -> None:
    """Offer a remedy: `"eva" offers a coupon worth 1`."""
    spec.attempt(spec.engine.offer_remedy, spec.case.id, kind, value.split()[0], by=agent,
                 order=_order(spec.flow, kind) if kind in spec.flow.settings.remedies else None)


@when(parsers.parse('"{agent}" offers a remedy {where} the limit'))
def when_offers_at_limit(spec: Spec, agent: str, where: str) -> None:
    """Offer the brand's first remedy `within` (exactly at) or `over` its limit."""
    kind, limit = next(iter(spec.flow.settings.remedies.items()))
    value = limit.agent_max + (1 if where == "over" else 0)
    spec.attempt(spec.engine.offer_remedy, spec.case.id, kind, value, by=agent,
                 order=_order(spec.flow, kind))


@when(parsers.re(r"(?P<count>\d+) (?P<unit>days|hours|minutes) pass$"))
def when_time_passes(spec: Spec, count: str, unit: str) -> None:
    """Move the clock on (`3 days pass`) and fire the timers that came due."""
    spec.now += timedelta(**{unit: int(count)})
    spec.attempt(spec.engine.tick)


@when(parsers.parse('someone opens a complaint on {channel} from "{author}": "{text}"'))
def when_opens(spec: Spec, channel: str, author: str, text: str) -> None:
    """Try to open a case (which may be refused)."""
    result = spec.attempt(spec.engine.open_case, spec.flow.brand, channel=channel, author=author,
                          text=text)
    if result is not None:
        spec.case_id = result.id


# -- Then --------------------------------------------------------------------------------------


@then(parsers.parse('the case is "{state}"'))
def then_state(spec: Spec, state: str) -> None:
    """The case's state."""
    spec.succeeded()
    assert spec.case.state == state, f"the case is '{spec.case.state}', not '{state}'"


@then(parsers.parse('the case is still "{state}"'))
def then_still(spec: Spec, state: str) -> None:
    """The case's state did not change (after a refusal, say)."""
    assert spec.case.state == state, f"the case is '{spec.case.state}', not '{state}'"


@then("it is refused")
def then_refused(spec: Spec) -> None:
    """The last action was refused."""
    assert spec.error is not None, "the last step was not refused"


@then(parsers.parse('it is refused because "{reason}"'))
def then_refused_because(spec: Spec, reason: str) -> None:
    """The last action was refused, and the refusal says `reason`."""
    then_refused(spec)
    assert reason.lower() in str(spec.error).lower(), f"refused, but: {spec.error}"


@then(parsers.parse('"{trigger}" may fire now'))
def then_may_fire(spec: Spec, trigger: str) -> None:
    """The trigger is allowed from the case's state."""
    spec.succeeded()
    assert trigger in spec.engine.allowed_triggers(spec.case.id)


@then(parsers.parse('"{trigger}" may not fire now, because "{reason}"'))
def then_may_not_fire(spec: Spec, trigger: str, reason: str) -> None:
    """The trigger is not allowed, for the reason given."""
    option = next(o for o in spec.engine.triggers(spec.case.id) if o.trigger == trigger)
    assert not option.allowed, f"'{trigger}' may fire"
    assert reason.lower() in option.reason.lower(), f"not allowed, but: {option.reason}"


@then(parsers.parse('the history reads "{triggers}"'))
def then_history(spec: Spec, triggers: str) -> None:
    """The case's events, in order, by trigger: `open, acknowledge, investigate`."""
    spec.succeeded()
    got = [event.trigger for event in spec.engine.history(spec.case.id)]
    assert got == [t.strip() for t in triggers.split(",")], f"the history reads {got}"


@then(parsers.parse('the history records "{trigger}" by "{agent}"'))
def then_history_by(spec: Spec, trigger: str, agent: str) -> None:
    """Some event of the case is `trigger`, fired by `agent`."""
    events = spec.engine.history(spec.case.id)
    assert any(e.trigger == trigger and e.by == agent for e in events), [
        (e.trigger, e.by) for e in events]


@then(parsers.parse('the history records "{trigger}" once'))
def then_history_once(spec: Spec, trigger: str) -> None:
    """Exactly one event of the case is `trigger`."""
    found = [e.trigger for e in spec.engine.history(spec.case.id)].count(trigger)
    assert found == 1, f"the history records '{trigger}' {found} times"


@then("every event of the case is still in its history")
def then_nothing_lost(spec: Spec) -> None:
    """The history has one event per version of the case: none lost, none removed."""
    case = spec.case
    seqs = [event.seq for event in spec.engine.history(case.id)]
    assert seqs == list(range(1, case.version + 1)), seqs


@then("no case was opened")
def then_no_case(spec: Spec) -> None:
    """Nothing was written for a refused complaint."""
    assert spec.engine.cases() == []


@then(parsers.parse('a timer for "{trigger}" is pending'))
def then_timer_pending(spec: Spec, trigger: str) -> None:
    """The case has a pending timer that will fire `trigger`."""
    pending = [t for t in spec.engine.timers(spec.case.id)
               if t.fired_at is None and t.cancelled_at is None]
    assert any(t.trigger == trigger for t in pending), pending


@then("no timer is pending")
def then_no_timer(spec: Spec) -> None:
    """The case has no timer of its flow waiting (SLA clocks aside)."""
    pending = [t for t in spec.engine.timers(spec.case.id)
               if t.fired_at is None and t.cancelled_at is None and t.clock is None]
    assert not pending, pending


# -- helpers -----------------------------------------------------------------------------------


def _path(flow: Flow, start: str, goal: str) -> list[str]:
    """The shortest list of triggers leading from `start` to `goal`."""
    triggers = flow.settings.flow.triggers
    paths: dict[str, list[str]] = {start: []}
    queue = deque([start])
    while queue:
        state = queue.popleft()
        if state == goal:
            return paths[state]
        for name, decl in triggers.items():
            if state in decl.sources and decl.to and decl.to not in paths:
                paths[decl.to] = [*paths[state], name]
                queue.append(decl.to)
    raise AssertionError(f"'{goal}' cannot be reached from '{start}' in {flow.brand}'s flow")


def _fire_satisfying_guards(spec: Spec, trigger: str) -> None:
    """Fire `trigger`, first recording a founded finding or a remedy if a guard asks for one."""
    engine, case_id = spec.engine, spec.case.id
    if trigger == "follow_up" and spec.flow.settings.follow_up is not None:
        asks = [t for t in engine.timers(case_id) if t.clock == "follow_up"
                and t.fired_at is None and t.cancelled_at is None]
        assert asks, "no follow-up is pending on the way"
        spec.now = max(spec.now, asks[0].due_at)  # the engine asks by itself, when due
        engine.tick()
        return
    for _ in range(3):
        try:
            if spec.flow.settings.flow.triggers[trigger].records == "remedy":
                kind = next(iter(spec.flow.settings.remedies))
                engine.offer_remedy(case_id, kind, 1, by=_actor(spec.flow),
                                    order=_order(spec.flow, kind))
            else:
                engine.fire(case_id, trigger, by="spec", payload=_payload(spec.flow, trigger))
            return
        except GuardRefused as refusal:
            if refusal.guard in ("has_finding", "warrants_remedy"):
                engine.record_finding(case_id, "founded", root_cause="found by the spec", by="spec")
            elif refusal.guard == "has_remedy":
                kind = next(iter(spec.flow.settings.remedies))
                engine.offer_remedy(case_id, kind, 1, by=_actor(spec.flow),
                                    order=_order(spec.flow, kind))
            else:
                raise
    raise AssertionError(f"could not fire '{trigger}' on the way")


def _payload(flow: Flow, trigger: str) -> dict[str, Any] | None:
    if flow.settings.flow.triggers[trigger].records == "finding":
        return {"finding": "founded", "root_cause": "found by the spec"}
    return None


def _actor(flow: Flow) -> str:
    """Who acts for the spec on the way to a state: one of the brand's agents, if it names
    its people."""
    people = flow.settings.people
    return next((name for name, role in people.items() if role == "agent"), "spec")


def _order(flow: Flow, kind: str) -> str | None:
    """An order for the spec's refund to name, where the remedy needs one."""
    limit = flow.settings.remedies[kind]
    return "ORDER-SPEC-1" if limit.needs_order or kind == "refund" else None
