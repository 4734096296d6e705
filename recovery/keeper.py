"""Keeps a case's SLA clocks in step with its state, inside the engine's transaction.

Each case gets a `first_response` and a `resolution` clock when it opens, counting its channel's
calendar (business hours, or round the clock). The first response stops at the first public,
human reply (a trigger that records the acknowledgement, fired by a person: the engine's own
notices never stop it). The resolution clock runs, pauses or stops as the flow's states declare
(`resolution: paused` while waiting on the customer; stopped once resolved; a reopen resumes
it). Each running clock has its warning and breach armed as timers; when one fires, the flow's
escalation for it raises the case's priority and names who to notify.

A timer is how the engine notices a breach in time, not the only way it is recorded: a clock
that stops or pauses past its target with no breach recorded (no tick ran between its due time
and the answer: the worker was down, cron is late, the case was imported) is breached then,
`found_late`, with the due time it missed and the same escalation, unless the case is closed.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from recovery.clock.calendar import ROUND_THE_CLOCK, Calendar
from recovery.clock.sla import CLOCKS, Point, SlaClock
from recovery.flows import Flow
from recovery.flows.priority import PRIORITIES, higher
from recovery.flows.schema import ChannelPolicy
from recovery.limits import SYSTEM
from recovery.store.records import Record, Timer
from recovery.store.writer import Tx

_ACTIONS = {"running": "resume", "paused": "pause", "stopped": "stop"}


@dataclass(frozen=True)
class Reached:
    """A clock's warning or breach to record on its case: the event's trigger and payload, and
    what the flow's escalation changes on the case (a raised priority)."""

    trigger: str
    payload: dict[str, Any]
    changes: dict[str, Any]


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


def _target(policy: ChannelPolicy, clock: str, priority: str) -> timedelta:
    """A channel's target for one clock of a case of `priority`."""
    targets = policy.first_response if clock == "first_response" else policy.resolution
    return targets.of(priority)


def status(flow: Flow, clock: SlaClock, now: datetime) -> ClockStatus:
    """A clock's state at `now`."""
    calendar = calendar_of(flow, clock)
    left = clock.left(calendar, now)
    return ClockStatus(clock.name, clock.mode, clock.business, clock.target, clock.started_at,
                       clock.due(calendar), clock.due(calendar, Point.WARNING), left,
                       clock.breached(calendar, now), clock.breached_at)


def start(tx: Tx, flow: Flow, case_id: int, channel: str, state: str, priority: str,
          at: datetime) -> None:
    """Start the clocks of a case that just opened on `channel` with `priority` (its targets),
    and arm their points."""
    policy = flow.settings.channels[channel]
    calendar = flow.clock_calendar(channel)
    started = [SlaClock.start(name, _target(policy, name, priority), policy.warn_at, calendar,
                              at) for name in CLOCKS]
    tx.insert_clocks(case_id, started)
    for clock in started:
        tx.arm(case_id, state, clock.pending(calendar), clock=clock.name)


def follow(tx: Tx, flow: Flow, case_id: int, trigger: str, by: str, source: str, dest: str,
           priority: str, at: datetime) -> list[Reached]:
    """Move the case's clocks along with a trigger that took it from `source` to `dest`; the
    breaches found late, to record."""
    actions: dict[str, str] = {}
    decl = flow.settings.flow.triggers[trigger]
    if (decl.records == "acknowledgement" and by not in SYSTEM) or flow.is_terminal(dest):
        actions["first_response"] = "stop"
    before, after = flow.resolution_clock(source), flow.resolution_clock(dest)
    if before != after:
        actions["resolution"] = _ACTIONS[after]
    return _move(tx, flow, case_id, dest, priority, actions, at)


def answered(tx: Tx, flow: Flow, case_id: int, state: str, priority: str,
             at: datetime) -> list[Reached]:
    """A person replied to the customer in public: the first-response clock stops; the breach
    found late, if it was, to record."""
    return _move(tx, flow, case_id, state, priority, {"first_response": "stop"}, at)


def _move(tx: Tx, flow: Flow, case_id: int, state: str, priority: str,
          actions: dict[str, str], at: datetime) -> list[Reached]:
    """Apply `actions` (clock name → pause, resume or stop) and re-arm what moved; a clock that
    stands past its target with no breach recorded is breached now (`Reached`, to record)."""
    found: list[Reached] = []
    if not actions:
        return found
    clocks = tx.clocks(case_id)
    for name, action in actions.items():
        clock = clocks.get(name)
        if clock is None:
            continue
        calendar = calendar_of(flow, clock)
        moved: SlaClock = getattr(clock, action)(calendar, at)
        if moved.found_late():
            moved = moved.reached(Point.BREACH, at)
            found.append(_late(flow, name, clock.due(calendar), state, priority))
            priority = found[-1].changes.get("priority", priority)
        if moved != clock:
            tx.save_clock(case_id, moved)
            tx.cancel(case_id, at, clock=name)
            tx.arm(case_id, state, moved.pending(calendar), clock=name)
    return found


def _late(flow: Flow, name: str, missed: datetime | None, state: str,
          priority: str) -> Reached:
    """The breach of clock `name`, found past its target with none recorded (`missed`: when
    it was due, where known), with the flow's escalation unless the case is closed."""
    payload: dict[str, Any] = {"clock": name, "point": Point.BREACH.value, "found_late": True}
    if missed is not None:
        payload["due_at"] = missed.isoformat()
    if flow.is_terminal(state):  # closed: nobody to tell, nothing to raise
        return Reached(f"{name}.{Point.BREACH.value}", payload, {})
    return _escalated(flow, name, Point.BREACH, priority, payload)


def retarget(tx: Tx, flow: Flow, case_id: int, channel: str, state: str, priority: str,
             at: datetime) -> dict[str, list[int]]:
    """Give the case's clocks that still count the targets of its new, higher `priority` from
    `at` on (time already counted stays counted), and re-arm their points; returns each
    changed clock's target before and after, in seconds."""
    policy = flow.settings.channels.get(channel)
    if policy is None:
        return {}
    changed: dict[str, list[int]] = {}
    for name, clock in tx.clocks(case_id).items():
        target = _target(policy, name, priority)
        if clock.stopped_at is not None or target >= clock.target:
            continue
        moved = replace(clock, target=target)
        tx.save_clock(case_id, moved)
        tx.cancel(case_id, at, clock=name)
        tx.arm(case_id, state, moved.pending(calendar_of(flow, moved)), clock=name)
        changed[name] = [int(clock.target.total_seconds()), int(target.total_seconds())]
    return changed


def migrate(tx: Tx, before: Flow, after: Flow, case_id: int, channel: str, source: str,
            dest: str, priority: str, at: datetime) -> tuple[dict[str, list[int]], list[Reached]]:
    """Carry the case's clocks from the flow version `before` over to `after` at `at`, the case
    going from `source` to `dest`. Each clock keeps its priority's target: the level (up to
    the case's `priority`) whose target under `before` is the clock's takes its target under
    `after` (an escalation raises a case without changing its targets, so an escalated case
    keeps its level's). Where that target or the warning point changes, the clock measures the
    time it counted against the new one, its points armed again: one already past its new
    target is due when it passed it, and breaches at the next tick (its warning, now moot, is
    not armed); a paused one is breached by the move. Where the calendar changes, the time
    counted so far stays counted (on `before`'s calendar) and from `at` on it counts `after`'s:
    past its target, it is due at `at`. Then the clocks pause, resume or stop as `dest`
    declares. A stopped clock keeps the target it met or missed (a reopen counts on
    against it). Returns each changed target, before and after in seconds, and the breaches
    found late, to record."""
    changed: dict[str, list[int]] = {}
    late: list[Reached] = []
    policy, was = after.settings.channels.get(channel), before.settings.channels.get(channel)
    if policy is not None:
        calendar = after.clock_calendar(channel)
        business = not calendar.is_always_open
        same_days = all(getattr(before.settings, part) == getattr(after.settings, part)
                        for part in ("timezone", "hours", "holidays"))
        levels = PRIORITIES[:PRIORITIES.index(priority) + 1] if priority in PRIORITIES else ()
        for name, clock in tx.clocks(case_id).items():
            if clock.stopped_at is not None:
                continue
            target = clock.target
            if was is not None:
                level = next((level for level in reversed(levels)
                              if _target(was, name, level) == clock.target), None)
                if level is not None:
                    target = _target(policy, name, level)
            if ((target, policy.warn_at, business) == (clock.target, clock.warn_at,
                                                       clock.business)
                    and (same_days or not business)):
                continue
            moved = replace(clock, target=target, warn_at=policy.warn_at)
            if clock.business != business or (business and not same_days):
                moved = replace(moved, business=business,  # the new calendar counts from `at`
                                consumed=clock.counted(calendar_of(before, clock), at),
                                running_since=None if clock.running_since is None else at)
            if moved.found_late():  # paused past its new target: breached by the move
                moved = moved.reached(Point.BREACH, at)
                late.append(_late(after, name, None, dest, priority))
                priority = late[-1].changes.get("priority", priority)
            points = moved.pending(calendar)
            if moved.left(calendar, at) <= timedelta(0):  # past its target: the breach alone
                points = [(point, due) for point, due in points if point is Point.BREACH]
            tx.save_clock(case_id, moved)
            tx.cancel(case_id, at, clock=name)
            tx.arm(case_id, dest, points, clock=name)
            if target != clock.target:
                changed[name] = [int(clock.target.total_seconds()), int(target.total_seconds())]
    actions: dict[str, str] = {}
    if after.is_terminal(dest):
        actions["first_response"] = "stop"
    known = source in before.settings.flow.states  # not so for a case whose state was lost
    if (before.resolution_clock(source) if known else None) != after.resolution_clock(dest):
        actions["resolution"] = _ACTIONS[after.resolution_clock(dest)]
    return changed, late + _move(tx, after, case_id, dest, priority, actions, at)


def reach(tx: Tx, flow: Flow, priority: str, timer: Timer, at: datetime) -> Reached:
    """Mark that a clock's timer reached its warning or breach; what to record, with the
    escalation the flow declares for it."""
    assert timer.clock is not None
    point = Point(timer.trigger)
    tx.reach_clock(timer.case_id, timer.clock, point.value, at)
    return _escalated(flow, timer.clock, point, priority,
                      {"timer": timer.id, "due_at": timer.due_at.isoformat(),
                       "clock": timer.clock, "point": point.value})


def _escalated(flow: Flow, clock: str, point: Point, priority: str,
               payload: dict[str, Any]) -> Reached:
    """The clock's `point` with the flow's escalation for it: whom to notify, and the priority
    it raises a case at `priority` to."""
    changes: dict[str, Any] = {}
    escalation = flow.settings.escalation(clock, point.value)
    if escalation is not None:
        if escalation.notify:
            payload["notify"] = list(escalation.notify)
        wanted = escalation.priority
        if wanted and higher(wanted, priority):
            payload["priority"] = changes["priority"] = wanted
    return Reached(f"{clock}.{point.value}", payload, changes)
