"""Firing a trigger on a case inside an open transaction: the state machine's one step.

Reads the row, asks the brand's shared Machine (guards included), writes the new state (checked
against the version it read) and the event, then keeps the flow's timers, the SLA clocks and the
follow-up in step. The engine and its rooms call it; it never commits by itself.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import datetime
from typing import Any

from recovery import keeper, limits
from recovery.errors import (
    ConcurrentUpdate,
    FlowError,
    GuardRefused,
    InvalidInput,
    NotFound,
    OutOfOrder,
    Problem,
    TriggerNotAllowed,
    UnknownTrigger,
)
from recovery.flows import CaseFacts, Flow, TriggerOption
from recovery.followups import schedule
from recovery.limits import ENGINE, SYSTEM
from recovery.policy import Recorder, recorded_changes
from recovery.room import record_reached
from recovery.store.records import Event
from recovery.store.writer import Tx


class Firing:
    """Fires triggers for the brands of one engine."""

    def __init__(self, flows: dict[str, Flow], broken: dict[str, list[Problem]]) -> None:
        self._flows = flows
        self._broken = broken
        self._older: dict[tuple[str, str], Flow] = {}
        """The older versions of the brands' flows read back so far."""

    def apply(self, tx: Tx, case_id: int, trigger: str | Recorder, by: str, note: str | None,
              payload: dict[str, Any] | None, at: datetime) -> Event:
        """Fire `trigger` (or the one recording a `Recorder` fact) on a case; returns the event
        appended. Refused when the flow does not allow it or a guard says no."""
        flow, facts, version = self.facts(tx, case_id, at)
        limits.optional(note, "the note", limits.NOTE)
        if isinstance(trigger, Recorder):
            trigger = trigger.resolve(flow)
        elif trigger == flow.recorder.get("remedy"):
            raise InvalidInput(f"'{trigger}' records a remedy: offer it with offer_remedy(), "
                               "which checks the limits and keeps the ledger")
        elif trigger == schedule.TRIGGER and by not in SYSTEM and schedule.policy(flow):
            raise InvalidInput(f"{flow.brand} asks the follow-up by itself, on schedule "
                               "(tick()); record_answer() records the answer")
        facts.goodwill = bool((payload or {}).get("goodwill"))
        source = facts.state
        event = flow.machine.events.get(trigger)
        if event is None:
            raise UnknownTrigger(case_id, source, trigger, allowed(flow, facts), flow.brand,
                                 list(flow.settings.flow.triggers))
        if source not in event.transitions:
            raise TriggerNotAllowed(case_id, source, trigger, allowed(flow, facts))
        changes = recorded_changes(flow, trigger, payload, at)
        if not event.trigger(facts):
            guard, reason = facts.refusal or ("?", "refused")
            raise GuardRefused(case_id, trigger, guard, reason)
        dest = facts.state
        if not tx.advance(case_id, version, dest if dest != source else None, at, changes):
            raise ConcurrentUpdate(case_id)
        appended = Event(case_id, version + 1, at, by, trigger, source, dest, note, payload)
        tx.append_event(appended)
        if dest != source:
            if source in flow.timers_in:
                tx.cancel(case_id, at)
            arm(tx, flow, case_id, dest, at)
        late = keeper.follow(tx, flow, case_id, trigger, by, source, dest, facts.priority, at)
        schedule.follow(tx, flow, case_id, source, dest, at)
        record_reached(tx, case_id, version + 1, dest, at, ENGINE, late)
        return appended

    def facts(self, tx: Tx, case_id: int,
              at: datetime | None = None) -> tuple[Flow, CaseFacts, int]:
        """The case's flow, what its guards read, and its version; with `at`, refused when
        that is before the case's last event."""
        row = tx.facts(limits.ident(case_id, "case"))
        if row is None:
            raise NotFound(f"no case {case_id}")
        flow = self._flows.get(row.brand)
        if at is not None and at < row.updated_at:
            raise OutOfOrder(case_id, at, row.updated_at,
                             flow.settings.timezone if flow is not None else "UTC")
        if row.brand in self._broken:
            raise FlowError(self._broken[row.brand])
        if flow is None:
            raise NotFound(f"case {case_id} belongs to brand '{row.brand}', whose flow is not in "
                           "the workflows folder; restore its flow.yaml")
        flow = self.version(flow, row.flow_version, tx.flow_text)
        if row.state not in flow.settings.flow.states:
            raise FlowError([Problem(flow.file, None, f"case {case_id} is in state "
                                     f"'{row.state}', which {flow.brand}'s flow no longer has",
                                     "put the state back in the flow file; the case cannot "
                                     "move until its state is there")])
        facts = CaseFacts(row.state, row.acknowledged_at, row.finding, row.remedy_kind,
                          priority=row.priority)
        return flow, facts, row.version

    def version(self, flow: Flow, version: str | None,
                read: Callable[[str, str], str | None]) -> Flow:
        """The brand's `flow` at `version` (`flow_at`), each older one compiled once."""
        return flow_at(flow, version, read, self._older)


def flow_at(flow: Flow, version: str | None, read: Callable[[str, str], str | None],
            kept: dict[tuple[str, str], Flow]) -> Flow:
    """The brand's `flow` at `version` (None: as it is), an older one compiled from the text
    `read(brand, version)` gives back and kept in `kept`; `FlowError` when that text is
    missing or no longer reads."""
    if version is None or version == flow.version:
        return flow
    older = kept.get((flow.brand, version))
    if older is None:
        text = read(flow.brand, version)
        if text is None:
            raise FlowError([Problem(flow.file, None, f"version {version} of {flow.brand}'s "
                                     "flow is not kept in the database",
                                     f"move its cases to the current version: recovery "
                                     f"flow migrate {flow.brand}")])
        older = kept[flow.brand, version] = flow.at_version(version, text)
    return older


def options(flow: Flow, facts: CaseFacts) -> list[TriggerOption]:
    """Every trigger of the flow from the case `facts` describes, allowed or not; those that
    go through another call than `fire` marked with the engine's method to use (`via`): the
    remedy's (`offer_remedy`, which keeps the ledger), the finding's (`record_finding`, which
    takes it) and, where the brand follows up, `follow_up` (asked by `tick`, on schedule)."""
    vias = {flow.recorder.get("remedy"): "offer_remedy",
            flow.recorder.get("finding"): "record_finding"}
    if schedule.policy(flow) is not None:
        vias[schedule.TRIGGER] = "tick"
    return [replace(option, via=vias[option.trigger]) if option.trigger in vias else option
            for option in flow.options(facts)]


def allowed(flow: Flow, facts: CaseFacts) -> list[str]:
    """The triggers `fire` takes on the case `facts` describes now (those that go through
    another call left out)."""
    return [option.trigger for option in options(flow, facts)
            if option.allowed and option.via is None]


def arm(tx: Tx, flow: Flow, case_id: int, state: str, at: datetime) -> None:
    """Arm the timers the flow declares for a case that entered `state`."""
    due = flow.timers_in.get(state)
    if due:
        tx.arm(case_id, state, [(trigger, at + after) for trigger, after in due])
