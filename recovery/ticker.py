"""The timer loop behind `Engine.tick`: fire what is due, exactly once, also with several workers.

Timers are claimed fifty at a time, oldest first, by one UPDATE that marks them fired (on
PostgreSQL passing over those another worker holds, `SKIP LOCKED`), and fired in the same
transaction; if any of them fails, that transaction is undone and each is claimed and fired on
its own, so a broken timer is recorded alone and the others fire. Flow timers fire their
trigger through the engine; SLA clock timers record the clock's warning or
breach with its escalation; follow-up timers take their step (ask, remind, close quietly)
through the follow-up room. Brands' daily hello and goodbye are posted here too.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime, timedelta

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
from recovery.limits import TIMER
from recovery.notices import greetings
from recovery.room import Apply, ReadFacts, Step, record_reached
from recovery.store.records import Timer
from recovery.store.writer import Tx, Writer

TOGETHER = 50
"""Timers fired per transaction: a commit costs more than a firing (bench/tick_scale.py)."""
FIRST_RETRY, LAST_RETRY = timedelta(minutes=1), timedelta(hours=6)
"""A timer whose firing failed is tried again after 1 minute, then 2, 4, … at most 6 hours."""

log = logging.getLogger("recovery")


class Ticker:
    """Fires due timers and posts due greetings for one engine."""

    def __init__(self, flows: dict[str, Flow], writer: Writer, apply: Apply, facts: ReadFacts,
                 follow_up: Step) -> None:
        self._flows = flows
        self._writer = writer
        self._apply = apply
        self._facts = facts
        self._follow_up = follow_up

    def tick(self, now: datetime, stop: Callable[[], bool] | None = None) -> list[Timer]:
        """Post the greetings due, then fire every timer due by `now` (until `stop()` says so);
        returns those fired and those whose firing failed (`outcome` `failed: …`, to be tried
        again at `retry_at`)."""
        self._greet(now)
        done: list[Timer] = []
        passed: list[int] = []  # left pending this tick: their case moved meanwhile
        while stop is None or not stop():
            chunk, fired = self._fire_together(now, tuple(passed))
            if not chunk:
                break
            if fired is None:  # one of them failed or raced: each on its own
                fired = [self.fire(timer, now) for timer in chunk]
            for timer, result in zip(chunk, fired, strict=True):
                if result is None or result.fired_at is None:
                    passed.append(timer.id)
                if result is not None:
                    done.append(result)
        return done

    def _fire_together(self, now: datetime,
                       passed: tuple[int, ...]) -> tuple[list[Timer], list[Timer | None] | None]:
        """Claim up to `TOGETHER` due timers and fire them in one transaction (a commit costs
        more than a firing): the timers, and each fired. When any of them fails, nothing is
        written and the timers come back without results, to be fired one by one."""
        chunk: list[Timer] = []
        fired: list[Timer | None] = []
        try:
            with self._writer.transaction() as tx:
                chunk = tx.claim_due(now, TOGETHER, passed)
                for timer in chunk:
                    outcome = self._step(tx, timer, now)
                    fired.append(replace(timer, fired_at=now, outcome=outcome))
        except Exception:
            if not chunk:
                raise  # the claim itself failed: the database says why
            return chunk, None
        return chunk, fired

    def fire(self, timer: Timer, now: datetime) -> Timer | None:
        """Claim and fire one timer; None when this call did not fire it (another worker did,
        or the case changed meanwhile and the timer stays pending for the next tick). A timer
        whose firing fails is recorded as failed and tried again later; the others go on."""
        try:
            with self._writer.transaction() as tx:
                if not tx.claim(timer.id, now):
                    return None
                outcome = self._step(tx, timer, now)
        except (ConcurrentUpdate, OutOfOrder):
            return None  # the case moved meanwhile: the timer stays pending for a later tick
        except Exception as exc:  # one broken timer must not stop the others
            return self._failed(timer, now, exc)
        return replace(timer, fired_at=now, outcome=outcome)

    def _step(self, tx: Tx, timer: Timer, now: datetime) -> str:
        """Fire a claimed timer in `tx`; its outcome. A trigger the flow no longer allows is an
        outcome (`refused: …`), not a failure."""
        payload = {"timer": timer.id, "due_at": timer.due_at.isoformat()}
        try:
            if timer.clock is None:
                self._apply(tx, timer.case_id, timer.trigger, TIMER, None, payload, now)
            elif timer.clock == FOLLOW_UP:
                stepped = self._follow_up(tx, timer, now)
                if stepped is not None:
                    tx.settle(timer.id, stepped)
                    return stepped
            else:
                self._reach(tx, timer, now)
            return "fired"
        except (TriggerNotAllowed, GuardRefused) as exc:
            tx.settle(timer.id, f"refused: {exc}")
            return f"refused: {exc}"

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

    def _reach(self, tx: Tx, timer: Timer, now: datetime) -> None:
        """Record an SLA clock's warning or breach on the case, with its escalation."""
        flow, facts, version = self._facts(tx, timer.case_id, now)
        record_reached(tx, timer.case_id, version, facts.state, now, TIMER,
                       [keeper.reach(tx, flow, facts.priority, timer, now)])

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


