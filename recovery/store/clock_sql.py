"""The SLA clocks' statements: storing a case's clocks, reading them, saving what one counted
and marking the point it reached. Compiled once per database beside the writer's others and
run inside its transactions (mixins of `Writer` and `Tx`)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.sql.expression import ClauseElement

from recovery.clock.sla import SlaClock
from recovery.store.compiled import Compiled, TxPart
from recovery.store.tables import clocks

CLOCK_COLUMNS = ("case_id", "name", "business", "target_us", "warn_at", "started_at",
                 "consumed_us", "running_since", "stopped_at", "warned_at", "breached_at")
_US = timedelta(microseconds=1)


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


class ClockTx(TxPart):
    """The SLA clocks' reads and writes inside a `Tx`."""

    def insert_clocks(self, case_id: int, started: Iterable[SlaClock]) -> None:
        """Store the new SLA clocks of a case."""
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
        self._run(self._w.save_clock, {"of_case": case_id, "of_clock": clock.name, **values})

    def reach_clock(self, case_id: int, clock: str, point: str, at: datetime) -> None:
        """Record that one of the case's SLA clocks reached its warning or breach at `at`."""
        self._run(self._w.reached[point], {"of_case": case_id, "of_clock": clock, "at": at})


def _values(clock: SlaClock) -> dict[str, Any]:
    return {"business": clock.business, "target_us": clock.target // _US,
            "warn_at": clock.warn_at, "started_at": clock.started_at,
            "consumed_us": clock.consumed // _US, "running_since": clock.running_since,
            "stopped_at": clock.stopped_at, "warned_at": clock.warned_at,
            "breached_at": clock.breached_at}
