"""The SLA clocks' statements: storing a case's clocks, reading them, saving what one counted
and marking the point it reached, and keeping the case's due time (`cases.due_at`, what the
board ranks by) in step with them. Compiled once per database beside the writer's others and
run inside its transactions (mixins of `Writer` and `Tx`)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import bindparam, func, insert, select, text, union_all, update
from sqlalchemy.sql.expression import ClauseElement

from recovery.clock.sla import SlaClock
from recovery.store.compiled import Compiled, TxPart
from recovery.store.tables import BREACH_DUE, BREACHED, cases, clocks, timers

CLOCK_COLUMNS = ("case_id", "name", "business", "target_us", "warn_at", "started_at",
                 "consumed_us", "running_since", "stopped_at", "warned_at", "breached_at")
_US = timedelta(microseconds=1)
_COUNTING = union_all(  # breaches recorded and not stopped since, and those to come
    select(clocks.c.breached_at.label("at"))
    .where(clocks.c.case_id == bindparam("of_case"), text(BREACHED)),
    select(timers.c.due_at).where(timers.c.case_id == bindparam("of_case"), text(BREACH_DUE)),
).subquery()
SET_DUE = (update(cases).where(cases.c.id == bindparam("of_case"))
           .values(due_at=select(func.min(_COUNTING.c.at)).scalar_subquery()))
"""Set a case's due time (`cases.due_at`, what the board ranks by) from its clocks and their
timers: the earliest breach recorded and not stopped since, or to come."""


class ClockStatements:
    """What `Writer` compiles for the SLA clocks."""

    def _compile(self, statement: ClauseElement, keys: Iterable[str] | None = None) -> Compiled:
        raise NotImplementedError

    def _clock_statements(self) -> None:
        compile_ = self._compile
        self.insert_clock = compile_(insert(clocks), CLOCK_COLUMNS)
        self.clocks = compile_(select(*(clocks.c[name] for name in CLOCK_COLUMNS))
                               .where(clocks.c.case_id == bindparam("of_case")))
        self.save_clock = compile_(update(clocks)
                                   .where(clocks.c.case_id == bindparam("of_case"),
                                          clocks.c.name == bindparam("of_clock"))
                                   .values({name: bindparam(f"set_{name}")
                                            for name in CLOCK_COLUMNS[2:]}))
        self.reached = {point: compile_(update(clocks)
                                        .where(clocks.c.case_id == bindparam("of_case"),
                                               clocks.c.name == bindparam("of_clock"))
                                        .values({column: bindparam("at")}))
                        for point, column in (("warning", "warned_at"),
                                              ("breach", "breached_at"))}
        self.set_due = compile_(SET_DUE)
        self.due = compile_(select(cases.c.due_at).where(cases.c.id == bindparam("of_case")))


class ClockTx(TxPart):
    """The SLA clocks' reads and writes inside a `Tx`. A case whose clocks changed (and with
    them their timers) has its due time read again before the transaction ends (`keep_due`)."""

    _clocked: set[int]

    def insert_clocks(self, case_id: int, started: Iterable[SlaClock]) -> None:
        """Store the new SLA clocks of a case."""
        self._clocked.add(case_id)
        self._run_many(self._w.insert_clock, [{"case_id": case_id, "name": clock.name,
                                               **_values(clock)} for clock in started])

    def clocks(self, case_id: int) -> dict[str, SlaClock]:
        """The case's SLA clocks by name."""
        found = {}
        for row in self._run(self._w.clocks, {"of_case": case_id}).fetchall():
            (_case, name, business, target_us, warn_at, started_at, consumed_us,
             *times) = row
            started, running, stopped, warned, breached = (
                self._time(value) for value in (started_at, *times))
            assert started is not None  # the column is NOT NULL
            found[name] = SlaClock(name, timedelta(microseconds=target_us), warn_at,
                                   bool(business), started, timedelta(microseconds=consumed_us),
                                   running, stopped, warned, breached)
        return found

    def save_clock(self, case_id: int, clock: SlaClock) -> None:
        """Store what an SLA clock has counted and whether it runs."""
        values = {f"set_{name}": value for name, value in _values(clock).items()}
        self._clocked.add(case_id)
        self._run(self._w.save_clock, {"of_case": case_id, "of_clock": clock.name, **values})

    def reach_clock(self, case_id: int, clock: str, point: str, at: datetime) -> None:
        """Record that one of the case's SLA clocks reached its warning or breach at `at`."""
        if point == "breach":
            self._clocked.add(case_id)
        self._run(self._w.reached[point], {"of_case": case_id, "of_clock": clock, "at": at})

    def due(self, case_id: int) -> datetime | None:
        """The case's due time as this transaction leaves it (`keep_due` first)."""
        self.keep_due()
        row = self._run(self._w.due, {"of_case": case_id}).fetchone()
        return None if row is None else self._time(row[0])

    def keep_due(self) -> None:
        """Read again the due time of each case whose clocks changed in this transaction: the
        earliest breach recorded and not stopped since, or to come (`cases.due_at`)."""
        if self._clocked:
            self._run_many(self._w.set_due, [{"of_case": case_id}
                                              for case_id in sorted(self._clocked)])
            self._clocked.clear()


def _values(clock: SlaClock) -> dict[str, Any]:
    return {"business": clock.business, "target_us": clock.target // _US,
            "warn_at": clock.warn_at, "started_at": clock.started_at,
            "consumed_us": clock.consumed // _US, "running_since": clock.running_since,
            "stopped_at": clock.stopped_at, "warned_at": clock.warned_at,
            "breached_at": clock.breached_at}
