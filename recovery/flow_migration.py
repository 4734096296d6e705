"""Moving a brand's cases in flight to the current version of its flow, on purpose.

A case runs under the version of its brand's flow it opened with (`flows/versions.py`), so a
changed flow file changes nothing for the cases already open. `plan` finds those still open
under an older version: from which version and state each would go to which state of the
current flow (the same one, or the one `mapping` names), and which of its pending timers the
current flow does not arm there. `Migrator.run` moves them, all in one transaction: each move
is a `migrate` event on the case (from which version to which, the mapping it used), its state's
timers armed again from the move where they differ, and its SLA clocks carried over to the new
targets from the move on (`keeper.migrate`; the event names each clock's target before and
after). A case whose state the current flow lacks and no mapping places blocks the whole run,
which then moves nothing.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, bindparam, select

from recovery import keeper
from recovery.errors import ConcurrentUpdate, InvalidInput
from recovery.firing import Firing, arm
from recovery.flows import Flow, check_state
from recovery.flows.versions import MIGRATE
from recovery.limits import ENGINE
from recovery.room import record_reached
from recovery.store.records import Event, Record
from recovery.store.tables import cases, flow_versions, timers
from recovery.store.writer import Tx, Writer

_OLDER = (cases.c.brand == bindparam("brand"), cases.c.flow_version.is_not(None),
          cases.c.flow_version != bindparam("current"))
OLDER = select(cases.c.id, cases.c.flow_version, cases.c.state).where(*_OLDER).order_by(cases.c.id)
"""The brand's cases under another version of its flow than the current one."""
ARMED = (select(timers.c.case_id, timers.c.trigger)
         .join(cases, cases.c.id == timers.c.case_id)
         .where(*_OLDER, timers.c.clock.is_(None), timers.c.fired_at.is_(None),
                timers.c.cancelled_at.is_(None))
         .order_by(timers.c.case_id, timers.c.id))
"""Their pending state timers (the flow's own, not the SLA clocks' or the follow-up's)."""
TEXT = select(flow_versions.c.text).where(flow_versions.c.brand == bindparam("brand"),
                                          flow_versions.c.version == bindparam("version"))
"""The kept text of a version of a brand's flow."""


@dataclass(frozen=True)
class Move(Record):
    """One open case under an older version of its brand's flow, and where it goes."""

    case_id: int
    version: str
    """The version it runs under now."""
    state: str
    to_state: str | None
    """The state of the current flow it goes to; None when the current flow lacks its state
    and no mapping places it (the move is blocked)."""
    lacking_timers: tuple[str, ...] = ()
    """Its pending timers that the current flow does not arm in the state it goes to (they are
    cancelled by the move)."""


@dataclass(frozen=True)
class Migration(Record):
    """What moving a brand's cases to the current version of its flow does, or did."""

    brand: str
    version: str
    """The current version, which the cases go to."""
    moves: list[Move] = field(default_factory=list)
    mapping: dict[str, str] = field(default_factory=dict)
    done: bool = False
    """True once the cases moved (False for a dry run)."""

    @property
    def unmapped(self) -> dict[str, list[int]]:
        """Each state the current flow lacks that no mapping places, with its cases."""
        found: dict[str, list[int]] = defaultdict(list)
        for move in self.moves:
            if move.to_state is None:
                found[move.state].append(move.case_id)
        return dict(found)


def plan(flow: Flow, older: Iterable[tuple[int, str, str]], armed: Iterable[tuple[int, str]],
         version: Callable[[str], Flow], mapping: Mapping[str, str]) -> list[Move]:
    """The moves of the cases `older` gives (id, version, state) that are still open under
    their version (`version(v)` is the brand's flow at `v`), to the current `flow`; `armed`
    gives their pending state timers (case id, trigger)."""
    pending: dict[int, list[str]] = defaultdict(list)
    for case_id, trigger in armed:
        pending[case_id].append(trigger)
    moves = []
    for case_id, at_version, state in older:
        states = version(at_version).settings.flow.states
        if state in states and states[state].terminal:
            continue
        to = mapping.get(state, state)
        to_state = to if to in flow.settings.flow.states else None
        arms = {trigger for trigger, _after in flow.timers_in.get(to_state or "", ())}
        moves.append(Move(case_id, at_version, state, to_state,
                          tuple(trigger for trigger in pending[case_id] if trigger not in arms)))
    return moves


def in_flight(conn: Connection, flow: Flow) -> list[Move]:
    """The moves `plan` finds for the brand's open cases under older versions of its `flow`,
    read on `conn` with nothing mapped (what `flow validate` reports)."""
    keys = {"brand": flow.brand, "current": flow.version}
    read: dict[str, Flow] = {}

    def version(at_version: str) -> Flow:
        if at_version not in read:
            text = conn.execute(TEXT, {"brand": flow.brand, "version": at_version}).scalar()
            read[at_version] = flow if text is None else flow.at_version(at_version, text)
        return read[at_version]

    return plan(flow, [tuple(row) for row in conn.execute(OLDER, keys)],
                [tuple(row) for row in conn.execute(ARMED, keys)], version, {})


def blocked(migration: Migration) -> InvalidInput:
    """The error a migration with unplaced cases stops with, naming states and cases."""
    states = "; ".join(f"'{state}' ({len(ids)} case(s): {', '.join(map(str, ids[:5]))}"
                       f"{', …' if len(ids) > 5 else ''})"
                       for state, ids in migration.unmapped.items())
    first = next(iter(migration.unmapped))
    return InvalidInput(f"{migration.brand}'s flow no longer has the state of some of its cases "
                        f"in flight: {states}; say in mapping= where each goes, as "
                        f"{first}=STATE; nothing was moved")


class Migrator:
    """Moves the cases of one engine's brands to their flows' current versions."""

    def __init__(self, writer: Writer, firing: Firing) -> None:
        self._writer = writer
        self._firing = firing

    def run(self, flow: Flow, mapping: Mapping[str, str], by: str, at: datetime,
            dry_run: bool) -> Migration:
        """Move the brand's open cases under older versions of its `flow` to it (`mapping`
        places states it lacks); with `dry_run`, only say what would move. Refused, moving
        nothing, when a case's state has no place in it."""
        wanted = dict(mapping)
        for target in wanted.values():
            check_state([flow], target, f"{flow.brand}'s flow")
        with self._writer.transaction() as tx:
            moves = self._plan(tx, flow, wanted)
            migration = Migration(flow.brand, flow.version, moves, wanted)
            if dry_run or not moves:
                return migration
            if migration.unmapped:
                raise blocked(migration)
            tx.keep_flow(flow.brand, flow.version, flow.version_text, at)
            for move in moves:
                self._move(tx, flow, move, by, at)
        return Migration(flow.brand, flow.version, moves, wanted, done=True)

    def _plan(self, tx: Tx, flow: Flow, mapping: dict[str, str]) -> list[Move]:
        keys = {"brand": flow.brand, "current": flow.version}
        older = [tuple(row) for row in tx.run(OLDER, keys).fetchall()]
        armed = [tuple(row) for row in tx.run(ARMED, keys).fetchall()]
        def version(at_version: str) -> Flow:
            return self._firing.version(flow, at_version, tx.flow_text)

        versions = [version(at_version) for at_version in {row[1] for row in older}]
        for source in mapping if versions else ():
            check_state(versions, source, f"the older versions of {flow.brand}'s flow")
        return plan(flow, older, armed, version, mapping)

    def _move(self, tx: Tx, flow: Flow, move: Move, by: str, at: datetime) -> None:
        """Move one case to `flow`'s version (it is read again, in this transaction)."""
        before, facts, version = self._firing.facts(tx, move.case_id, at)
        source, dest = facts.state, move.to_state
        assert dest is not None  # a blocked migration stops before any move
        if not tx.advance(move.case_id, version, dest if dest != source else None, at,
                          {"flow_version": flow.version}):
            raise ConcurrentUpdate(move.case_id)
        payload: dict[str, Any] = {"from": before.version, "to": flow.version}
        if dest != source:
            payload["map"] = {source: dest}
        if dest != source or before.timers_in.get(source) != flow.timers_in.get(dest):
            tx.cancel(move.case_id, at)
            arm(tx, flow, move.case_id, dest, at)
            payload["timers"] = [trigger for trigger, _after in flow.timers_in.get(dest, ())]
        channel, _emotion, _reach = tx.reach_of(move.case_id)
        targets, late = keeper.migrate(tx, before, flow, move.case_id, channel, source, dest,
                                       facts.priority, at)
        if targets:
            payload["targets"] = targets
        tx.append_event(Event(move.case_id, version + 1, at, by, MIGRATE, source, dest, None,
                              payload))
        record_reached(tx, move.case_id, version + 1, dest, at, ENGINE, late)
