"""Keeps a case's SLA clocks in step with its state, inside the engine's transaction.

Each case gets a `first_response` and a `resolution` clock when it opens, counting its channel's
calendar (business hours, or round the clock). The first response stops at the first public,
human reply (a trigger that records the acknowledgement, fired by a person: the engine's own
notices never stop it). The resolution clock runs, pauses or stops as the flow's states declare
(`resolution: paused` while waiting on the customer; stopped once resolved; a reopen resumes
it). Each running clock has its warning and breach armed as timers; when one fires, the flow's
escalation for it raises the case's priority and names who to notify.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from recovery.clock.calendar import ROUND_THE_CLOCK, Calendar
from recovery.clock.sla import CLOCKS, Point, SlaClock
from recovery.flows import Flow
from recovery.flows.priority import higher
from recovery.limits import SYSTEM
from recovery.store.records import Record, Timer
from recovery.store.writer import Tx

_ACTIONS = {"running": "resume", "paused": "pause", "stopped": "stop"}


@dataclass(frozen=True)
class ClockStatus(Record):
    """Where one SLA clock of a case stands at a moment: what a care lead reads."""

    name: str
    mode: str
    business: bool
    target: timedelta
    started_at: datetime
    due_at: datetime | None
    warn_at: datetime | None
    left: timedelta
    breached: bool
    breached_at: datetime | None


def calendar_of(flow: Flow, clock: SlaClock) -> Calendar:
    """The calendar a stored clock counts: the brand's hours, or round the clock."""
    return flow.calendar if clock.business else ROUND_THE_CLOCK


def status(flow: Flow, clock: SlaClock, now: datetime) -> ClockStatus:
    """A clock's state at `now`."""
    calendar = calendar_of(flow, clock)
    left = clock.left(calendar, now)
    return ClockStatus(clock.name, clock.mode, clock.business, clock.target, clock.started_at,
                       clock.due(calendar), clock.due(calendar, Point.WARNING), left,
                       clock.breached_at is not None or left < timedelta(0), clock.breached_at)


def start(tx: Tx, flow: Flow, case_id: int, channel: str, state: str, priority: str,
          at: datetime) -> None:
    """Start the clocks of a case that just opened on `channel` with `priority` (its targets),
    and arm their points."""
    policy = flow.settings.channels[channel]
    calendar = flow.clock_calendar(channel)
    targets = {"first_response": policy.first_response, "resolution": policy.resolution}
    started = [SlaClock.start(name, targets[name].of(priority), policy.warn_at, calendar, at)
               for name in CLOCKS]
    tx.insert_clocks(case_id, started)
    for clock in started:
        tx.arm(case_id, state, clock.pending(calendar), clock=clock.name)


def follow(tx: Tx, flow: Flow, case_id: int, trigger: str, by: str, source: str, dest: str,
           at: datetime) -> None:
    """Move the case's clocks along with a trigger that took it from `source` to `dest`."""
    actions: dict[str, str] = {}
    decl = flow.settings.flow.triggers[trigger]
    if (decl.records == "acknowledgement" and by not in SYSTEM) or flow.is_terminal(dest):
        actions["first_response"] = "stop"
    before, after = flow.resolution_clock(source), flow.resolution_clock(dest)
    if before != after:
        actions["resolution"] = _ACTIONS[after]
    _move(tx, flow, case_id, dest, actions, at)


def answered(tx: Tx, flow: Flow, case_id: int, state: str, at: datetime) -> None:
    """A person replied to the customer in public: the first-response clock stops."""
    _move(tx, flow, case_id, state, {"first_response": "stop"}, at)


def _move(tx: Tx, flow: Flow, case_id: int, state: str, actions: dict[str, str],
          at: datetime) -> None:
    """Apply `actions` (clock name → pause, resume or stop) and re-arm what moved."""
    if not actions:
        return
    clocks = tx.clocks(case_id)
    for name, action in actions.items():
        clock = clocks.get(name)
        if clock is None:
            continue
        calendar = calendar_of(flow, clock)
        moved: SlaClock = getattr(clock, action)(calendar, at)
        if moved != clock:
            tx.save_clock(case_id, moved)
            tx.cancel(case_id, at, clock=name)
            tx.arm(case_id, state, moved.pending(calendar), clock=name)


def retarget(tx: Tx, flow: Flow, case_id: int, channel: str, state: str, priority: str,
             at: datetime) -> dict[str, list[int]]:
    """Give the case's clocks that still count the targets of its new, higher `priority` from
    `at` on (time already counted stays counted), and re-arm their points; returns each
    changed clock's target before and after, in seconds."""
    policy = flow.settings.channels.get(channel)
    if policy is None:
        return {}
    targets = {"first_response": policy.first_response, "resolution": policy.resolution}
    changed: dict[str, list[int]] = {}
    for name, clock in tx.clocks(case_id).items():
        target = targets[name].of(priority)
        if clock.stopped_at is not None or target >= clock.target:
            continue
        moved = replace(clock, target=target)
        tx.save_clock(case_id, moved)
        tx.cancel(case_id, at, clock=name)
        tx.arm(case_id, state, moved.pending(calendar_of(flow, moved)), clock=name)
        changed[name] = [int(clock.target.total_seconds()), int(target.total_seconds())]
    return changed


def reach(tx: Tx, flow: Flow, priority: str, timer: Timer,
          at: datetime) -> tuple[dict[str, Any], dict[str, Any]]:
    """Record that a clock reached its warning or breach; returns the event's payload and the
    changes to the case (a raised priority) that the flow's escalation asks for."""
    assert timer.clock is not None
    point = Point(timer.trigger)
    tx.reach_clock(timer.case_id, timer.clock, point.value, at)
    payload: dict[str, Any] = {"timer": timer.id, "due_at": timer.due_at.isoformat(),
                               "clock": timer.clock, "point": point.value}
    changes: dict[str, Any] = {}
    escalation = flow.settings.escalation(timer.clock, point.value)
    if escalation is not None:
        if escalation.notify:
            payload["notify"] = list(escalation.notify)
        wanted = escalation.priority
        if wanted and higher(wanted, priority):
            payload["priority"] = changes["priority"] = wanted
    return payload, changes
