"""The timers' statements: arming and cancelling them, claiming the due ones (fifty at a time,
past those another worker holds on PostgreSQL), settling and failing them. Compiled once per
database beside the writer's others and run inside its transactions (mixins of `Writer` and
`Tx`)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, insert, literal_column, or_, select, update
from sqlalchemy.sql.expression import ClauseElement

from recovery.clock.sla import CLOCKS
from recovery.store.compiled import Compiled, TxPart
from recovery.store.records import Timer
from recovery.store.tables import timers


class TimerStatements:
    """What `Writer` compiles for the timers."""

    def _compile(self, statement: ClauseElement, keys: Iterable[str] | None = None) -> Compiled:
        raise NotImplementedError

    def _timer_statements(self) -> None:
        compile_ = self._compile
        self.arm = compile_(insert(timers), ("case_id", "trigger", "state", "due_at", "clock",
                                             "attempts"))
        pending = (timers.c.case_id == bindparam("of_case"), timers.c.fired_at.is_(None),
                   timers.c.cancelled_at.is_(None))
        self.cancel = compile_(update(timers).where(*pending, timers.c.clock.is_(None))
                               .values(cancelled_at=bindparam("at")))
        self.cancel_clock = compile_(update(timers)
                                     .where(*pending, timers.c.clock == bindparam("of_clock"))
                                     .values(cancelled_at=bindparam("at")))
        unheld = (select(timers.c.id)  # one another worker holds is skipped, not waited for
                  .where(timers.c.id == bindparam("timer_id"), timers.c.fired_at.is_(None),
                         timers.c.cancelled_at.is_(None))
                  .with_for_update(skip_locked=True).scalar_subquery())
        self.claim = compile_(update(timers).where(timers.c.id == unheld)
                              .values(fired_at=bindparam("at"), outcome=bindparam("verdict")))
        self._claim_due: dict[tuple[int, ...], Compiled] = {}
        self.armed_since = compile_(
            select(timers.c.id, timers.c.case_id, timers.c.trigger, timers.c.state,
                   timers.c.due_at, timers.c.clock, timers.c.attempts)
            .where(timers.c.id > bindparam("after"), timers.c.fired_at.is_(None),
                   timers.c.cancelled_at.is_(None)).order_by(timers.c.id))
        self.pending_of = compile_(
            select(timers.c.id, timers.c.case_id, timers.c.trigger, timers.c.state,
                   timers.c.due_at, timers.c.clock, timers.c.attempts)
            .where(*pending, timers.c.clock == bindparam("of_clock")).order_by(timers.c.id))
        self.settle = compile_(update(timers).where(timers.c.id == bindparam("timer_id"))
                               .values(outcome=bindparam("verdict")))
        self.fail = compile_(update(timers)
                             .where(timers.c.id == bindparam("timer_id"),
                                    timers.c.fired_at.is_(None), timers.c.cancelled_at.is_(None))
                             .values(attempts=timers.c.attempts + literal_column("1"),
                                     last_error=bindparam("error"), retry_at=bindparam("retry")))

    def claim_due_statement(self, skip: tuple[int, ...]) -> Compiled:
        """UPDATE claiming up to `most` timers due by `now`, oldest first, but those in `skip`;
        on PostgreSQL a timer another worker holds is passed over (`SKIP LOCKED`)."""
        known = self._claim_due.get(skip)
        if known is not None:
            return known
        due = (select(timers.c.id)
               .where(timers.c.fired_at.is_(None), timers.c.cancelled_at.is_(None),
                      timers.c.due_at <= bindparam("now"),
                      or_(timers.c.retry_at.is_(None), timers.c.retry_at <= bindparam("now")))
               .order_by(timers.c.due_at, timers.c.id).limit(bindparam("most"))
               .with_for_update(skip_locked=True))
        if skip:  # written out: the ids are the engine's own integers
            due = due.where(timers.c.id.not_in([literal_column(str(int(i))) for i in skip]))
        compiled = self._compile(
            update(timers).where(timers.c.id.in_(due.scalar_subquery()))
            .values(fired_at=bindparam("now"), outcome=literal_column("'fired'"))
            .returning(timers.c.id, timers.c.case_id, timers.c.trigger, timers.c.state,
                       timers.c.due_at, timers.c.clock, timers.c.attempts))
        if len(self._claim_due) < 64:  # skip lists are short-lived: keep the common ones
            self._claim_due[skip] = compiled
        return compiled


class TimerTx(TxPart):
    """The timers' reads and writes inside a `Tx`. Arming or cancelling an SLA clock's timers
    marks its case, whose due time is read again before the transaction ends (a follow-up's
    timers leave it as it is)."""

    _clocked: set[int]

    def arm(self, case_id: int, state: str, due: Iterable[tuple[str, datetime]],
            clock: str | None = None) -> None:
        """Arm one timer per (trigger, due time) for a case that entered `state`, or per
        (point, due time) of one of its SLA clocks."""
        if clock in CLOCKS:
            self._clocked.add(case_id)  # its due time is read again (`ClockTx.keep_due`)
        self._run_many(self._w.arm, [
            {"case_id": case_id, "trigger": trigger, "state": state, "due_at": due_at,
             "clock": clock, "attempts": 0} for trigger, due_at in due])

    def cancel(self, case_id: int, at: datetime, clock: str | None = None) -> None:
        """Cancel the case's pending flow timers (it left the state that armed them), or the
        pending points of one SLA clock."""
        if clock in CLOCKS:
            self._clocked.add(case_id)  # its due time is read again (`ClockTx.keep_due`)
        if clock is None:
            self._run(self._w.cancel, {"of_case": case_id, "at": at})
        else:
            self._run(self._w.cancel_clock, {"of_case": case_id, "of_clock": clock, "at": at})

    def claim_due(self, now: datetime, most: int, skip: tuple[int, ...] = ()) -> list[Timer]:
        """Claim (mark fired) up to `most` timers due by `now`, oldest first, but those in
        `skip`; on PostgreSQL, timers other workers hold are passed over, not waited for."""
        rows = self._run(self._w.claim_due_statement(skip), {"now": now, "most": most})
        return sorted(self._timers(rows.fetchall()), key=lambda timer: (timer.due_at, timer.id))

    def armed_since(self, after: int) -> list[Timer]:
        """The pending timers armed after the timer `after` (by id), in the order armed."""
        return self._timers(self._run(self._w.armed_since, {"after": after}).fetchall())

    def pending(self, case_id: int, clock: str) -> list[Timer]:
        """The case's pending timers of one SLA clock or of its follow-up, in the order armed."""
        return self._timers(self._run(self._w.pending_of, {"of_case": case_id,
                                                            "of_clock": clock}).fetchall())

    def _timers(self, rows: list[Any]) -> list[Timer]:
        """Timers from rows of (id, case id, trigger, state, due time, clock, attempts)."""
        found = []
        for timer_id, case_id, trigger, state, due_at, clock, attempts in rows:
            due = self._time(due_at)
            assert due is not None  # NOT NULL
            found.append(Timer(timer_id, case_id, trigger, state, due, clock=clock,
                               attempts=attempts))
        return found

    def claim(self, timer_id: int, at: datetime) -> bool:
        """Mark a pending timer fired; False when another worker got it first."""
        values = {"timer_id": timer_id, "at": at, "verdict": "fired"}
        return bool(self._run(self._w.claim, values).rowcount == 1)

    def settle(self, timer_id: int, verdict: str) -> None:
        """Record what came of a claimed timer."""
        self._run(self._w.settle, {"timer_id": timer_id, "verdict": verdict})

    def fail(self, timer_id: int, error: str, retry_at: datetime) -> None:
        """Record that firing a timer failed, and when to try it again."""
        self._run(self._w.fail, {"timer_id": timer_id, "error": error, "retry": retry_at})
