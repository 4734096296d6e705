"""The one facade: open cases, fire triggers, record findings and remedies, run timers, query.

Each brand's flow is compiled once into a shared `transitions` Machine; a case is a row. Firing
reads the row, asks the brand's Machine, then writes the new state (checked against the version
it read) and the event in one transaction. Time comes from an injected clock.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import Connection
from sqlalchemy import Engine as SAEngine

from recovery import keeper
from recovery.clock import Clock, as_utc, system_clock
from recovery.clock.sla import CLOCKS
from recovery.errors import (
    ConcurrentUpdate,
    GuardRefused,
    InvalidInput,
    NotFound,
    TriggerNotAllowed,
)
from recovery.flows import CaseFacts, Flow, TriggerOption, load_flows
from recovery.keeper import SYSTEM, ClockStatus
from recovery.notices import after_hours, greetings
from recovery.policy import recorded_changes
from recovery.store import queries
from recovery.store.db import DEFAULT_URL, connect, storage_errors
from recovery.store.records import Case, Event, Notice, Timer
from recovery.store.writer import Tx, Writer

Subscriber = Callable[[Event | Notice], None]
"""Told of every event after it is committed (a case opened, a trigger or a timer fired, an SLA
clock warned or breached, an after-hours notice to post) and of each brand-wide `Notice` (the
daily hello and goodbye) to post."""

log = logging.getLogger("recovery")

_TIMER_BATCH = 200


@dataclass(frozen=True)
class Recorder:
    """"Whichever trigger of the case's flow records this kind of fact" (finding, remedy)."""

    kind: str

    def resolve(self, flow: Flow) -> str:
        """The flow's trigger that records `kind`."""
        trigger = flow.recorder.get(self.kind)
        if trigger is None:
            raise InvalidInput(f"the flow of {flow.brand} has no trigger that records a "
                               f"{self.kind}")
        return trigger


class Engine:
    """A brand-aware complaint recovery engine over one database.

    >>> engine = Engine("sqlite:///care.db", workflows="workflows")  # doctest: +SKIP
    """

    def __init__(self, db: str | SAEngine = DEFAULT_URL, *, workflows: str | Path = "workflows",
                 clock: Clock = system_clock) -> None:
        self.flows: dict[str, Flow] = load_flows(workflows)
        self._db = connect(db)
        self._writer = Writer(self._db)
        self._clock = clock
        self._subscribers: list[Subscriber] = []

    # -- brands ----------------------------------------------------------------------------

    @property
    def brands(self) -> list[str]:
        """The brands cases can be opened for (shared base flows excluded)."""
        return [name for name, flow in self.flows.items() if not flow.settings.abstract]

    def flow(self, brand: str) -> Flow:
        """The compiled flow of a brand."""
        flow = self.flows.get(brand)
        if flow is None or flow.settings.abstract:
            raise NotFound(f"no brand '{brand}'; known brands: {', '.join(self.brands)}")
        return flow

    # -- commands --------------------------------------------------------------------------

    def open_case(self, brand: str, *, channel: str, author: str, text: str,
                  at: datetime | None = None, external_id: str | None = None,
                  by: str | None = None) -> Case:
        """Open a case for a public complaint. Feeding the same `external_id` again returns
        the case already opened for it instead of a duplicate."""
        flow = self.flow(brand)
        if channel not in flow.settings.channels:
            served = ", ".join(flow.settings.channels)
            raise InvalidInput(f"{brand} does not serve channel '{channel}'; it serves {served}")
        author, text = author.strip(), text.strip()
        if not author or not text:
            raise InvalidInput("a complaint needs its author and its text; neither may be empty")
        if by in SYSTEM:
            raise InvalidInput(f"'{by}' is the engine's own name; say who opens the case")
        when = self._when(at)
        notice = after_hours(flow, channel, author, when)
        values = {"brand": brand, "channel": channel, "author": author, "text": text,
                  "external_id": external_id, "state": flow.initial,
                  "version": 1 if notice is None else 2, "priority": "normal",
                  "opened_at": when, "updated_at": when}
        known: int | None = None
        posted: list[Event] = []
        try:
            with self._writer.transaction() as tx:
                known = tx.find_external(brand, external_id) if external_id else None
                if known is None:
                    case_id = tx.insert_case(values)
                    posted.append(Event(case_id, 1, when, by or author, "open", None,
                                        flow.initial, payload={"channel": channel}))
                    if notice is not None:
                        posted.append(Event(case_id, 2, when, "recovery", "notice",
                                            flow.initial, flow.initial, payload=notice))
                    for event in posted:
                        tx.append_event(event)
                    self._arm(tx, flow, case_id, flow.initial, when)
                    keeper.start(tx, flow, case_id, channel, flow.initial, when)
        except ConcurrentUpdate:
            if not external_id:
                raise
            with self._writer.transaction() as tx:  # the same post fed in twice at once
                known = tx.find_external(brand, external_id)
        if known is not None:
            return self.case(known)
        for event in posted:
            self._notify(event)
        return Case(id=case_id, **values)  # type: ignore[arg-type]

    def fire(self, case_id: int, trigger: str, *, by: str, note: str | None = None,
             payload: dict[str, Any] | None = None, at: datetime | None = None) -> Event:
        """Fire `trigger` on a case; returns the event appended to its history."""
        return self._fire(case_id, trigger, by, note, payload, at)

    def record_finding(self, case_id: int, finding: str, *, by: str,
                       root_cause: str | None = None, note: str | None = None,
                       at: datetime | None = None) -> Event:
        """Record the investigation's finding (founded, partly, unfounded) and root cause."""
        return self._fire(case_id, Recorder("finding"), by, note,
                          {"finding": finding, "root_cause": root_cause}, at)

    def offer_remedy(self, case_id: int, kind: str, value: Decimal | float | str = 1, *,
                     by: str, note: str | None = None, at: datetime | None = None) -> Event:
        """Offer a remedy (coupon, discount, refund, voucher, gift) within the brand's limit."""
        return self._fire(case_id, Recorder("remedy"), by, note,
                          {"kind": kind, "value": str(value)}, at)

    def tick(self, now: datetime | None = None) -> list[Timer]:
        """Fire every timer due by `now`, each exactly once (also with several workers).

        Returns the timers this call fired, each with its outcome: `fired`, or `refused: …`
        when the flow no longer lets the trigger fire. SLA warnings and breaches are timers
        too (their `clock` is set). Also posts the daily hello and goodbye that are due, once.
        """
        when = self._when(now)
        self._greet(when)
        done: list[Timer] = []
        retry_later: list[int] = []
        while True:
            with self._connection() as conn:
                batch = queries.due_timers(conn, when, _TIMER_BATCH, retry_later)
            for timer in batch:
                fired = self._fire_timer(timer, when)
                if fired is None:
                    retry_later.append(timer.id)
                else:
                    done.append(fired)
            if len(batch) < _TIMER_BATCH:
                return done

    def subscribe(self, callback: Subscriber) -> Callable[[], None]:
        """Call `callback(event)` after every committed event; returns an unsubscribe function.

        A callback that raises is logged and does not undo the committed change.
        """
        self._subscribers.append(callback)
        return lambda: self._subscribers.remove(callback)

    # -- queries ---------------------------------------------------------------------------

    def case(self, case_id: int) -> Case:
        """The case with that id."""
        with self._connection() as conn:
            found = queries.get_case(conn, case_id)
        if found is None:
            raise NotFound(f"no case {case_id}")
        return found

    def case_for(self, brand: str, external_id: str) -> Case | None:
        """The brand's case opened for that platform post, if any."""
        with self._writer.transaction() as tx:
            found = tx.find_external(brand, external_id)
        return None if found is None else self.case(found)

    def cases(self, *, brand: str | None = None, state: str | None = None,
              channel: str | None = None, limit: int = 100, offset: int = 0,
              breached: bool = False, due_within: timedelta | None = None) -> list[Case]:
        """Cases matching the filters, newest first.

        With `breached` (a clock breached and not stopped since) and/or `due_within` (a running
        clock breaches within that much time from now, or already has), the cases that need
        attention, most urgent first.
        """
        if brand is not None:
            self.flow(brand)
        due_by = None if due_within is None else self._when(None) + due_within
        with self._connection() as conn:
            return queries.list_cases(conn, brand=brand, state=state, channel=channel,
                                      limit=limit, offset=offset, breached=breached,
                                      due_by=due_by)

    def clocks(self, case_id: int, now: datetime | None = None) -> list[ClockStatus]:
        """The SLA clocks of a case at `now`: due times, time left, breached or not."""
        with self._writer.transaction() as tx:
            flow, _facts, _version = self._facts(tx, case_id)
            found = tx.clocks(case_id)
        when = self._when(now)
        return [keeper.status(flow, found[name], when) for name in CLOCKS if name in found]

    def notices(self, brand: str | None = None, limit: int = 100) -> list[Notice]:
        """The daily hellos and goodbyes posted, newest first."""
        with self._connection() as conn:
            return queries.list_notices(conn, brand, limit)

    def history(self, case_id: int) -> list[Event]:
        """Every event of a case, oldest first."""
        with self._connection() as conn:
            events = queries.history(conn, case_id)
        if not events:
            raise NotFound(f"no case {case_id}")
        return events

    def timers(self, case_id: int) -> list[Timer]:
        """Every timer of a case: pending, fired and cancelled."""
        self.case(case_id)
        with self._connection() as conn:
            return queries.case_timers(conn, case_id)

    def triggers(self, case_id: int) -> list[TriggerOption]:
        """Every trigger of the case's flow, each allowed or not, with the reason when not."""
        with self._writer.transaction() as tx:
            flow, facts, _version = self._facts(tx, case_id)
        return flow.options(facts)

    def allowed_triggers(self, case_id: int) -> list[str]:
        """The triggers that may fire on the case now."""
        return [option.trigger for option in self.triggers(case_id) if option.allowed]

    def close(self) -> None:
        """Close the engine's database connections (it can be used again afterwards)."""
        self._db.dispose()

    # -- inside ----------------------------------------------------------------------------

    def _fire(self, case_id: int, trigger: str | Recorder, by: str, note: str | None,
              payload: dict[str, Any] | None, at: datetime | None) -> Event:
        if not by.strip() or by in SYSTEM:
            raise InvalidInput("say who fires the trigger (by=...); 'timer' and 'recovery' are "
                               "the engine's own names")
        when = self._when(at)
        with self._writer.transaction(case_id) as tx:
            event = self._apply(tx, case_id, trigger, by, note, payload, when)
        self._notify(event)
        return event

    def _apply(self, tx: Tx, case_id: int, trigger: str | Recorder, by: str, note: str | None,
               payload: dict[str, Any] | None, at: datetime) -> Event:
        flow, facts, version = self._facts(tx, case_id)
        if isinstance(trigger, Recorder):
            trigger = trigger.resolve(flow)
        source = facts.state
        event = flow.machine.events.get(trigger)
        if event is None or source not in event.transitions:
            raise TriggerNotAllowed(case_id, source, trigger, self._allowed(flow, facts))
        changes = recorded_changes(flow, trigger, payload, at)
        if not event.trigger(facts):
            guard, reason = facts.refusal or ("?", "refused")
            raise GuardRefused(case_id, trigger, guard, reason)
        dest = facts.state
        if not tx.advance(case_id, version, dest, at, changes):
            raise ConcurrentUpdate(case_id)
        appended = Event(case_id, version + 1, at, by, trigger, source, dest, note, payload)
        tx.append_event(appended)
        if dest != source:
            if source in flow.timers_in:
                tx.cancel(case_id, at)
            self._arm(tx, flow, case_id, dest, at)
        keeper.follow(tx, flow, case_id, trigger, by, source, dest, at)
        return appended

    def _fire_timer(self, timer: Timer, now: datetime) -> Timer | None:
        """Claim and fire one timer; None when this call did not fire it (another worker did,
        or the case changed meanwhile and the timer stays pending for the next tick)."""
        event = None
        try:
            with self._writer.transaction() as tx:
                if not tx.claim(timer.id, now):
                    return None
                payload = {"timer": timer.id, "due_at": timer.due_at.isoformat()}
                try:
                    if timer.clock is None:
                        event = self._apply(tx, timer.case_id, timer.trigger, "timer", None,
                                            payload, now)
                    else:
                        event = self._reach(tx, timer, now)
                    outcome = "fired"
                except (TriggerNotAllowed, GuardRefused) as exc:
                    outcome = f"refused: {exc}"
                    tx.settle(timer.id, outcome)
        except ConcurrentUpdate:
            return None
        if event is not None:
            self._notify(event)
        return replace(timer, fired_at=now, outcome=outcome)

    def _reach(self, tx: Tx, timer: Timer, now: datetime) -> Event:
        """Record an SLA clock's warning or breach on the case, with its escalation."""
        row = tx.facts(timer.case_id)
        assert row is not None  # a timer's case exists (foreign key)
        flow = self.flows[row.brand]
        payload, changes = keeper.reach(tx, flow, row, timer, now)
        if not tx.advance(timer.case_id, row.version, row.state, now, changes):
            raise ConcurrentUpdate(timer.case_id)
        event = Event(timer.case_id, row.version + 1, now, "timer",
                      f"{timer.clock}.{timer.trigger}", row.state, row.state, payload=payload)
        tx.append_event(event)
        return event

    def _greet(self, now: datetime) -> None:
        """Post each brand's daily hello or goodbye that is due, once across all workers."""
        for flow in self.flows.values():
            if flow.settings.abstract:
                continue
            for notice in greetings(flow, now):
                try:
                    with self._writer.transaction() as tx:
                        tx.insert_notice(notice)
                except ConcurrentUpdate:
                    continue  # already posted, by this worker or another
                self._notify(notice)

    def _facts(self, tx: Tx, case_id: int) -> tuple[Flow, CaseFacts, int]:
        row = tx.facts(case_id)
        if row is None:
            raise NotFound(f"no case {case_id}")
        flow = self.flows.get(row.brand)
        if flow is None:
            raise NotFound(f"case {case_id} belongs to brand '{row.brand}', whose flow is not in "
                           "the workflows folder; restore its flow.yaml")
        facts = CaseFacts(row.state, row.acknowledged_at, row.finding, row.remedy_kind)
        return flow, facts, row.version

    @staticmethod
    def _allowed(flow: Flow, facts: CaseFacts) -> list[str]:
        return [option.trigger for option in flow.options(facts) if option.allowed]

    @staticmethod
    def _arm(tx: Tx, flow: Flow, case_id: int, state: str, at: datetime) -> None:
        due = flow.timers_in.get(state)
        if due:
            tx.arm(case_id, state, [(trigger, at + after) for trigger, after in due])

    def _when(self, at: datetime | None) -> datetime:
        return as_utc(at if at is not None else self._clock())

    def _notify(self, event: Event | Notice) -> None:
        for callback in list(self._subscribers):
            try:
                callback(event)
            except Exception:
                log.exception("subscriber %r failed on %r", callback, event)

    @contextmanager
    def _connection(self) -> Iterator[Connection]:
        with storage_errors("database error"), self._db.connect() as conn:
            yield conn
