"""The engine's reads: its brands, and every query (a case, the board, clocks, history, the
feed, remedies, timers, the audit and the report), each on a connection of its own. A base of
`Engine`, which adds the commands; the state it reads is the engine's (`__init__` there).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, text
from sqlalchemy import Engine as SAEngine

from recovery import keeper, limits
from recovery.checkpoint import Checkpoint
from recovery.clock import Clock
from recovery.clock.sla import CLOCKS
from recovery.errors import FlowError, InvalidInput, NotFound, PolicyViolation, Problem
from recovery.firing import Firing, options
from recovery.flows import Flow, TriggerOption, check_state
from recovery.flows.priority import PRIORITIES
from recovery.keeper import ClockStatus
from recovery.report import figures
from recovery.store import board, feed, queries
from recovery.store.audit import Audit, verify
from recovery.store.db import storage_errors
from recovery.store.records import (
    REMEDY_STATUSES,
    Case,
    Entry,
    Event,
    Notice,
    Remedy,
    Timer,
)
from recovery.store.writer import Writer


class Reads:
    """What an engine reads: its brands and its queries."""

    flows: dict[str, Flow]
    broken: dict[str, list[Problem]]
    _db: SAEngine
    _writer: Writer
    _firing: Firing
    _clock: Clock
    _in_schema: str | None
    """What finds the engine's tables in its own PostgreSQL schema, run first in a transaction."""

    @property
    def brands(self) -> list[str]:
        """The brands cases can be opened for (shared base flows excluded)."""
        return [name for name, flow in self.flows.items() if not flow.settings.abstract]

    def flow(self, brand: str) -> Flow:
        """The compiled flow of a brand."""
        if not isinstance(brand, str):
            raise NotFound(f"no brand {limits.shown(brand)}; known brands: "
                           f"{', '.join(self.brands)}")
        flow = self.flows.get(brand)
        if brand in self.broken:
            raise FlowError(self.broken[brand])
        if flow is None or flow.settings.abstract:
            raise NotFound(f"no brand '{brand}'; known brands: {', '.join(self.brands)}")
        return flow

    def _case_flow(self, brand: str, version: str | None) -> Flow:
        """The flow a case of `brand` opened under `version` runs under."""
        return self._firing.version(self.flow(brand), version, self._flow_text)

    def _flow_text(self, brand: str, version: str) -> str | None:
        with self._writer.transaction() as tx:
            return tx.flow_text(brand, version)

    def case(self, case_id: int) -> Case:
        """The case with that id."""
        with self._connection() as conn:
            found = queries.get_case(conn, limits.ident(case_id, "case"))
        if found is None:
            raise NotFound(f"no case {case_id}")
        return found

    def case_for(self, brand: str, external_id: str) -> Case | None:
        """The brand's case opened for that platform post, if any."""
        with self._writer.transaction() as tx:
            found = tx.find_external(limits.text(brand, "the brand", limits.PERSON),
                                     limits.text(external_id, "the external id", limits.NAME))
        return None if found is None else self.case(found.id)

    def cases(self, *, brand: str | None = None, state: str | None = None,
              channel: str | None = None, limit: int = 100, offset: int = 0,
              breached: bool = False, due_within: timedelta | None = None,
              priority: str | None = None, urgent_first: bool = False) -> list[Case]:
        """Cases matching the filters, newest first (a stable order to page through). Most
        urgent first with `urgent_first`: the highest priority, then the earliest due or
        breached clock, then the cases with no clock counting, newest first. With `breached`
        (a clock past its target and not stopped since, whether or not a tick noticed) and/or
        `due_within` (a running clock breaches within that much time from now, or already has),
        only the cases that need attention, most urgent first."""
        if priority is not None and limits.text(priority, "the priority",
                                                limits.NAME) not in PRIORITIES:
            raise InvalidInput(f"no priority '{priority[:40]}'; one of {', '.join(PRIORITIES)}")
        if state is not None:
            limits.text(state, "the state", limits.PERSON)
            check_state([self.flow(b) for b in ([brand] if brand else self.brands)], state,
                        f"{brand}'s flow" if brand else "any brand's flow")
        elif brand is not None:
            self.flow(brand)
        limit, offset = limits.rows(limit), limits.count(offset, "offset")
        due_by = None  # breached: due by now
        if due_within is not None or breached:
            due_by = self._when(None) + (timedelta(0) if due_within is None  # or already has:
                                         else max(limits.span(due_within, "due_within"),
                                                  timedelta(0)))  # never before now
        with self._connection() as conn:
            return board.list_cases(conn, brand=brand, state=state, channel=channel,
                                    priority=priority, limit=limit, offset=offset,
                                    due_by=due_by, urgent_first=PRIORITIES[::-1]
                                    if urgent_first or due_by is not None else ())

    def clocks(self, case_id: int, now: datetime | None = None) -> list[ClockStatus]:
        """The SLA clocks of a case at `now`: due times, time left, breached or not."""
        with self._writer.transaction() as tx:
            flow, _facts, _version = self._firing.facts(tx, case_id)
            found = tx.clocks(case_id)
        when = self._when(now)
        return [keeper.status(flow, found[name], when) for name in CLOCKS if name in found]

    def notices(self, brand: str | None = None, limit: int = 100) -> list[Notice]:
        """The daily hellos and goodbyes posted, newest first."""
        if brand is not None:
            self.flow(brand)
        limit = limits.rows(limit)
        with self._connection() as conn:
            return queries.list_notices(conn, brand, limit)

    def remedies(self, *, brand: str | None = None, status: str | None = None,
                 case_id: int | None = None, limit: int = 100) -> list[Remedy]:
        """Remedies by brand, status or case; those waiting for approval oldest first, the
        others newest first."""
        if brand is not None:
            self.flow(brand)
        limit = limits.rows(limit)
        case_id = None if case_id is None else limits.ident(case_id, "case")
        if status is not None and status not in REMEDY_STATUSES:
            raise InvalidInput(f"no remedy status {limits.shown(status)}; one of "
                               f"{', '.join(REMEDY_STATUSES)}")
        with self._connection() as conn:
            return queries.list_remedies(conn, brand=brand, status=status, case_id=case_id,
                                         limit=limit)

    def remedy(self, remedy_id: int) -> Remedy:
        """The remedy with that id."""
        with self._connection() as conn:
            for found in queries.list_remedies(conn, remedy_id=limits.ident(remedy_id, "remedy"),
                                               limit=1):
                return found
        raise NotFound(f"no remedy {remedy_id}")

    def audit(self, *, brand: str | None = None, case_id: int | None = None,
              checkpoint: Checkpoint | None = None) -> Audit:
        """Verify that every case's history (or a brand's, or one case's) is whole and
        unchanged: numbered without gaps, each event matching its hash in the chain, each
        blanked event blanked to the marker by one redaction, by a lead where the brand named
        its people then; and,
        given a `checkpoint` (`recovery.checkpoint.read`), that every case still holds the
        head it signed."""
        if brand is not None:
            self.flow(brand)
        case_id = None if case_id is None else limits.ident(case_id, "case")
        with self._connection() as conn:
            found = verify(conn, brand, case_id)
            if checkpoint is None:
                return found
            from recovery.checkpoint import check

            return found.with_breaks(check(conn, checkpoint, brand, case_id))

    def checkpoint(self, private_key: str) -> Checkpoint:
        """Every case's chain head now, signed with `private_key` (Ed25519, base64): kept
        outside the database, it lets `audit(checkpoint=…)` find any change to what it
        covers. Refused while some history does not verify (it would sign the change)."""
        from recovery.checkpoint import write

        with self._connection() as conn:
            found = verify(conn)
            if not found.ok:  # never sign a change: the checkpoint would launder it
                first = found.broken[0]
                raise PolicyViolation(f"the history does not verify (case {first.case_id}: "
                                      f"{first.problem}; {len(found.broken)} case(s) broken): "
                                      "no checkpoint signs it")
            return write(conn, private_key, self._when(None))

    def report(self, *, brand: str | None = None, since: datetime | None = None,
               until: datetime | None = None) -> dict[str, Any]:
        """The care report on cases opened from `since` (30 days ago) to `until` (now), each SLA
        clock met, breached or still running as it stands now."""
        if brand is not None:
            self.flow(brand)
        start, end, now = self._period(since, until)
        with self._connection() as conn:
            return figures.report(conn, start, end, now, brand)

    def history(self, case_id: int) -> list[Event]:
        """Every event of a case, oldest first."""
        with self._connection() as conn:
            events = queries.history(conn, limits.ident(case_id, "case"))
        if not events:
            raise NotFound(f"no case {case_id}")
        return events

    def events(self, *, after: int = 0, limit: int = 100) -> list[Entry]:
        """Every case's events in commit order after the event with id `after` (0: the first),
        at most `limit` (1 to 10,000): pass the last entry's `id` as the next `after`."""
        with self._connection() as conn:
            return feed.entries(conn, limits.count(after, "after"), limits.rows(limit))

    def pending_timers(self, *, failed: bool = False, limit: int = 100) -> list[Timer]:
        """Timers still to fire, next due first; with `failed`, those whose firing failed."""
        limit = limits.rows(limit)
        with self._connection() as conn:
            return queries.pending_timers(conn, failed=failed, limit=limit)

    def timers(self, case_id: int) -> list[Timer]:
        """Every timer of a case: pending, fired and cancelled."""
        self.case(case_id)
        with self._connection() as conn:
            return queries.case_timers(conn, case_id)

    def triggers(self, case_id: int) -> list[TriggerOption]:
        """Every trigger of the case's flow, each allowed or not, with the reason when not, and
        the engine's method to use for one that does not go through `fire` (`via`)."""
        with self._writer.transaction() as tx:
            flow, facts, _version = self._firing.facts(tx, case_id)
        return options(flow, facts)

    def allowed_triggers(self, case_id: int) -> list[str]:
        """The triggers `fire` takes on the case now; those that go through another call
        (`TriggerOption.via`: offer_remedy, record_finding, tick) are left out."""
        return [option.trigger for option in self.triggers(case_id)
                if option.allowed and option.via is None]

    def _period(self, since: datetime | None, until: datetime | None
                ) -> tuple[datetime, datetime, datetime]:
        """The period from `since` (the report's period before its end) to `until` (now), and
        now."""
        now = self._when(None)
        end = now if until is None else self._when(until)
        return end - figures.PERIOD if since is None else self._when(since), end, now

    def _when(self, at: datetime | None) -> datetime:
        return limits.instant(at if at is not None else self._clock())

    @contextmanager
    def _connection(self, begin: bool = False, own: bool = False) -> Iterator[Connection]:
        """A connection for reading (`begin`: and writing, in a transaction): the host's while
        the engine is joined to its transaction, unless `own`; else one of the engine's own."""
        joined = None if own else self._writer.joined.get()
        if joined is not None:
            with storage_errors("database error"), joined.reading() as conn:
                yield conn
            return
        with storage_errors("database error"), \
                (self._db.begin() if begin else self._db.connect()) as conn:
            if self._in_schema is not None:
                conn.execute(text(self._in_schema))
            yield conn
