"""The timer loop behind `Engine.tick`: fire what is due, exactly once, also with several workers.

A timer is claimed (an UPDATE that only one worker wins) and fired in the same transaction. Flow
timers fire their trigger through the engine; SLA clock timers record the clock's warning or
breach with its escalation; follow-up timers take their step (ask, remind, close quietly)
through the follow-up room. Brands' daily hello and goodbye are posted here too.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import replace
from datetime import datetime, timedelta

from sqlalchemy import Connection

from recovery import keeper
from recovery.errors import (
    ConcurrentUpdate,
    GuardRefused,
    OutOfOrder,
    RecoveryError,
    TriggerNotAllowed,
)
from recovery.flows import Flow
from recovery.followups.schedule import KIND as FOLLOW_UP
from recovery.notices import greetings
from recovery.room import Apply, ReadFacts, Step
from recovery.store import queries
from recovery.store.records import Event, Notice, Timer
from recovery.store.writer import Tx, Writer

BATCH = 200
"""Timers read per query."""
FIRST_RETRY, LAST_RETRY = timedelta(minutes=1), timedelta(hours=6)
"""A timer whose firing failed is tried again after 1 minute, then 2, 4, … at most 6 hours."""

log = logging.getLogger("recovery")


class Ticker:
    """Fires due timers and posts due greetings for one engine."""

    def __init__(self, flows: dict[str, Flow], writer: Writer,
                 connection: Callable[[], AbstractContextManager[Connection]], apply: Apply,
                 facts: ReadFacts, follow_up: Step,
                 notify: Callable[[Event | Notice], None]) -> None:
        self._flows = flows
        self._writer = writer
        self._connection = connection
        self._apply = apply
        self._facts = facts
        self._follow_up = follow_up
        self._notify = notify

    def tick(self, now: datetime, stop: Callable[[], bool] | None = None) -> list[Timer]:
        """Post the greetings due, then fire every timer due by `now` (until `stop()` says so);
        returns those fired and those whose firing failed (`outcome` `failed: …`, to be tried
        again at `retry_at`)."""
        self._greet(now)
        done: list[Timer] = []
        retry_later: list[int] = []
        while True:
            with self._connection() as conn:
                batch = queries.due_timers(conn, now, BATCH, retry_later)
            for timer in batch:
                if stop is not None and stop():
                    return done
                fired = self._fire(timer, now)
                if fired is None or fired.fired_at is None:
                    retry_later.append(timer.id)
                if fired is not None:
                    done.append(fired)
            if len(batch) < BATCH:
                return done

    def _fire(self, timer: Timer, now: datetime) -> Timer | None:
        """Claim and fire one timer; None when this call did not fire it (another worker did,
        or the case changed meanwhile and the timer stays pending for the next tick). A timer
        whose firing fails is recorded as failed and tried again later; the others go on."""
        events: list[Event] = []
        try:
            with self._writer.transaction() as tx:
                if not tx.claim(timer.id, now):
                    return None
                payload = {"timer": timer.id, "due_at": timer.due_at.isoformat()}
                outcome = "fired"
                try:
                    if timer.clock is None:
                        events.append(self._apply(tx, timer.case_id, timer.trigger, "timer",
                                                  None, payload, now))
                    elif timer.clock == FOLLOW_UP:
                        stepped = self._follow_up(tx, timer, now)
                        if isinstance(stepped, str):
                            outcome = stepped
                            tx.settle(timer.id, outcome)
                        else:
                            events += stepped
                    else:
                        events.append(self._reach(tx, timer, now))
                except (TriggerNotAllowed, GuardRefused) as exc:
                    outcome = f"refused: {exc}"
                    tx.settle(timer.id, outcome)
        except (ConcurrentUpdate, OutOfOrder):
            return None  # the case moved meanwhile: the timer stays pending for a later tick
        except Exception as exc:  # one broken timer must not stop the others
            return self._failed(timer, now, exc)
        for event in events:
            self._notify(event)
        return replace(timer, fired_at=now, outcome=outcome)

    def _failed(self, timer: Timer, now: datetime, exc: Exception) -> Timer:
        """Record on the timer that firing it failed, and when to try again (backing off)."""
        if isinstance(exc, RecoveryError):
            error = str(exc).splitlines()[0]
        else:
            log.exception("timer %s of case %s failed", timer.id, timer.case_id)
            error = f"{type(exc).__name__}: {exc}".splitlines()[0]
        retry_at = now + min(FIRST_RETRY * 2 ** timer.attempts, LAST_RETRY)
        with self._writer.transaction() as tx:
            tx.fail(timer.id, error, retry_at)
        return replace(timer, outcome=f"failed: {error}", attempts=timer.attempts + 1,
                       last_error=error, retry_at=retry_at)

    def _reach(self, tx: Tx, timer: Timer, now: datetime) -> Event:
        """Record an SLA clock's warning or breach on the case, with its escalation."""
        flow, _facts, _version = self._facts(tx, timer.case_id, now)  # its brand's flow loads
        row = tx.facts(timer.case_id)
        assert row is not None  # the case was just read
        payload, changes = keeper.reach(tx, flow, row, timer, now)
        if not tx.advance(timer.case_id, row.version, row.state, now, changes):
            raise ConcurrentUpdate(timer.case_id)
        event = Event(timer.case_id, row.version + 1, now, "timer",
                      f"{timer.clock}.{timer.trigger}", row.state, row.state, payload=payload)
        tx.append_event(event)
        return event

    def _greet(self, now: datetime) -> None:
        """Post each brand's daily hello or goodbye that is due, once across all workers."""
        for flow in self._flows.values():
            if flow.settings.abstract:
                continue
            for notice in greetings(flow, now):
                try:
                    with self._writer.transaction() as tx:
                        tx.insert_notice(notice)
                except ConcurrentUpdate:
                    continue  # already posted, by this worker or another
                self._notify(notice)


