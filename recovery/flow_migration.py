"""Moving a brand's cases in flight to the current version of its flow, on purpose.

A case runs under the version of its brand's flow it opened with (`flows/versions.py`), so a
changed flow file changes nothing for the cases already open. `plan` finds those still open
under an older version: from which version and state each would go to which state of the
current flow (the same one, or the one `mapping` names), and which of its pending timers the
current flow does not arm there; and the cases opened before flows had versions that sit in a
state the flow no longer has. `Migrator.run` moves them, all in one transaction, each as it is
then: a `migrate` event on the case (from which version to which, the mapping it used), its
state's timers armed again from the move where they differ, its follow-up moved as a trigger
would move it (or, where it stays, its steps still to come timed as the new flow times them:
`schedule.migrate`), and its SLA clocks carried over to the new targets (`keeper.migrate`; the
event names each changed target and follow-up step, before and after). A case whose state
the current flow lacks and no mapping places blocks the whole run, which then moves nothing.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, bindparam, select

from recovery import keeper
from recovery.errors import ConcurrentUpdate, FlowError, InvalidInput, NotFound, OutOfOrder
from recovery.firing import arm, flow_at
from recovery.flows import Flow, check_state
from recovery.flows.versions import MIGRATE
from recovery.followups import schedule
from recovery.limits import ENGINE
from recovery.room import record_reached
from recovery.store.case_sql import FLOW_TEXT
from recovery.store.records import Event, Record
from recovery.store.tables import cases, timers
from recovery.store.writer import Tx, Writer

_OLDER = (cases.c.brand == bindparam("brand"), cases.c.flow_version.is_not(None),
          cases.c.flow_version != bindparam("current"))
OLDER = select(cases.c.id, cases.c.flow_version, cases.c.state).where(*_OLDER).order_by(cases.c.id)
"""The brand's cases under another version of its flow than the current one."""
_UNVERSIONED = (cases.c.brand == bindparam("brand"), cases.c.flow_version.is_(None))
UNVERSIONED_STATES = select(cases.c.state).where(*_UNVERSIONED).group_by(cases.c.state)
"""The states of the brand's cases opened before flows had versions."""
UNVERSIONED_IN = (select(cases.c.id, cases.c.flow_version, cases.c.state)
                  .where(*_UNVERSIONED, cases.c.state == bindparam("state")).order_by(cases.c.id))
"""Those of them in one state."""
ARMED = (select(timers.c.case_id, timers.c.trigger)
         .join(cases, cases.c.id == timers.c.case_id)
         .where(*_OLDER, timers.c.clock.is_(None), timers.c.fired_at.is_(None),
                timers.c.cancelled_at.is_(None))
         .order_by(timers.c.case_id, timers.c.id))
"""Their pending state timers (the flow's own, not the SLA clocks' or the follow-up's)."""
Run = Callable[[Any, dict[str, Any]], Any]
"""Run a statement with its values on the transaction or connection at hand; its rows."""


@dataclass(frozen=True)
class Move(Record):
    """One open case under an older version of its brand's flow, and where it goes."""

    case_id: int
    version: str | None
    """The version it runs under now (None: opened before flows had versions; only such a
    case in a state the flow no longer has moves)."""
    state: str
    to_state: str | None
    """The state of the current flow it goes to; None when the current flow lacks its state
    and no mapping places it (the move is blocked)."""
    lacking_timers: tuple[str, ...] = ()
    """Its pending timers that the current flow does not arm in the state it goes to (they are
    cancelled by the move)."""
    changes: dict[str, Any] = field(default_factory=dict)
    """What the move changes, as its `migrate` event says: the state timers armed again
    (`timers`), each SLA target changed (`targets`: seconds before and after) and each
    follow-up step moved (`follow_up`: due before and after); and the breaches it records at
    once (`breaches`), with the priority they raise the case to (`priority`). Known once the
    move was made, or tried by a dry run."""


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
        return unmapped(self.moves)


def unmapped(moves: Iterable[Move]) -> dict[str, list[int]]:
    """Each state of `moves` that the current flow lacks and no mapping places, with its
    cases."""
    found: dict[str, list[int]] = defaultdict(list)
    for move in moves:
        if move.to_state is None:
            found[move.state].append(move.case_id)
    return dict(found)


def plan(flow: Flow, older: Iterable[tuple[int, str | None, str]],
         armed: Iterable[tuple[int, str]], version: Callable[[str | None], Flow],
         mapping: Mapping[str, str]) -> list[Move]:
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


def read(run: Run, flow: Flow) -> tuple[list[tuple[int, str | None, str]], list[tuple[int, str]]]:
    """The brand's cases `plan` looks at, read with `run`: those under an older version of its
    `flow`, and those opened before versions in a state it no longer has; and their pending
    state timers."""
    keys = {"brand": flow.brand, "current": flow.version}
    older = [(row[0], row[1], row[2]) for row in run(OLDER, keys)]
    for (state,) in list(run(UNVERSIONED_STATES, {"brand": flow.brand})):
        if state not in flow.settings.flow.states:
            older += [(row[0], None, row[2]) for row in run(
                UNVERSIONED_IN, {"brand": flow.brand, "state": state})]
    armed = [(row[0], row[1]) for row in run(ARMED, keys)]
    return older, armed


def in_flight(conn: Connection, flow: Flow) -> list[Move]:
    """The moves `plan` finds for the brand's open cases under older versions of its `flow`,
    read on `conn` with nothing mapped (what `flow validate` reports)."""
    def text(brand: str, at_version: str) -> str | None:
        found = conn.execute(FLOW_TEXT, {"brand": brand, "version": at_version}).scalar()
        return None if found is None else str(found)

    version = readable(flow, text)
    return plan(flow, *read(lambda statement, values: conn.execute(statement, values).all(),
                            flow), version, {})


def readable(flow: Flow, text: Callable[[str, str], str | None]) -> Callable[[str | None], Flow]:
    """The brand's flow at a version, as a move reads it (`firing.flow_at`): the current
    `flow` for a case opened before versions, and for a version whose kept text is missing or
    no longer reads (its cases then move by the current flow's states and clocks)."""
    kept: dict[tuple[str, str], Flow] = {}

    def version(at_version: str | None) -> Flow:
        try:
            return flow_at(flow, at_version, text, kept)
        except FlowError:
            return flow
    return version


class Blocked(InvalidInput):
    """A migration stopped, moving nothing, by cases whose state has no place in the flow; its
    plan is `migration`."""

    def __init__(self, migration: Migration) -> None:
        states = "; ".join(f"'{state}' ({len(ids)} case(s): {few(ids)})"
                           for state, ids in migration.unmapped.items())
        first = next(iter(migration.unmapped))
        super().__init__(f"{migration.brand}'s flow no longer has the state of some of its "
                         f"cases in flight: {states}; say in mapping= where each goes, as "
                         f"{first}=STATE; nothing was moved")
        self.migration = migration


def few(ids: list[int]) -> str:
    """Case ids as a line names them: the first five, then an ellipsis."""
    return ", ".join(map(str, ids[:5])) + (", …" if len(ids) > 5 else "")


class Migrator:
    """Moves the cases of one engine's brands to their flows' current versions."""

    def __init__(self, writer: Writer) -> None:
        self._writer = writer

    def run(self, flow: Flow, mapping: Mapping[str, str], by: str, at: datetime,
            dry_run: bool) -> Migration:
        """Move the brand's open cases under older versions of its `flow` to it (`mapping`
        places states it lacks); with `dry_run`, make the moves and roll them back, to say
        what they would do. A case whose state has no place in it is named in the plan's
        `unmapped`, and a run (not a dry run) is then refused, moving nothing."""
        wanted = dict(mapping)
        for target in wanted.values():
            check_state([flow], target, f"{flow.brand}'s flow")
        try:
            with self._writer.transaction() as tx:
                version = readable(flow, tx.flow_text)
                moves = plan(flow, *read(lambda statement, values: tx.run(statement, values)
                                         .fetchall(), flow), version, wanted)
                moving = {move.state for move in moves}
                for source in wanted:
                    if moves and source not in moving:
                        raise InvalidInput(f"no case of {flow.brand} to move is in state "
                                           f"'{source}' (they are in: "
                                           f"{', '.join(sorted(moving))})")
                migration = Migration(flow.brand, flow.version, moves, wanted)
                if not moves or (dry_run and migration.unmapped):
                    return migration
                if migration.unmapped:
                    raise Blocked(migration)
                tx.keep_flow(flow.brand, flow.version, flow.version_text, at)
                made = [replace(move, changes=self._move(tx, flow, version, move.case_id,
                                                         wanted, by, at)) for move in moves]
                if dry_run:
                    raise _Tried(made)  # what the moves did, rolled back
        except _Tried as tried:
            return Migration(flow.brand, flow.version, tried.moves, wanted)
        return Migration(flow.brand, flow.version, made, wanted, done=True)

    def _move(self, tx: Tx, flow: Flow, version: Callable[[str | None], Flow], case_id: int,
              mapping: dict[str, str], by: str, at: datetime) -> dict[str, Any]:
        """Move one case to `flow`'s version, as it is now (read again in this transaction: a
        case closed since the plan stays where it is); what its `migrate` event says of it."""
        row = tx.facts(case_id)
        if row is None:
            raise NotFound(f"no case {case_id}")
        if at < row.updated_at:
            raise OutOfOrder(case_id, at, row.updated_at, flow.settings.timezone)
        before, source = version(row.flow_version), row.state
        states = before.settings.flow.states
        if source in states and states[source].terminal:
            return {}
        dest = mapping.get(source, source)
        if dest not in flow.settings.flow.states:
            raise InvalidInput(f"case {case_id} moved meanwhile to '{source}', which "
                               f"{flow.brand}'s flow no longer has; say in mapping= where it "
                               "goes; nothing was moved")
        if not tx.advance(case_id, row.version, dest if dest != source else None, at,
                          {"flow_version": flow.version}):
            raise ConcurrentUpdate(case_id)
        payload: dict[str, Any] = {"from": row.flow_version, "to": flow.version}
        if dest != source:
            payload["map"] = {source: dest}
        arms = flow.timers_in.get(dest, ())
        if dest != source or set(before.timers_in.get(source, ())) != set(arms):
            tx.cancel(case_id, at)
            arm(tx, flow, case_id, dest, at)
            payload["timers"] = [trigger for trigger, _after in arms]
        channel, _emotion, _reach = tx.reach_of(case_id)
        targets, late = keeper.migrate(tx, before, flow, case_id, channel, source, dest,
                                       row.priority, at)
        if targets:
            payload["targets"] = targets
        if dest == source:
            steps = schedule.migrate(tx, before, flow, case_id, dest, at)
            if steps:
                payload["follow_up"] = steps
        else:
            schedule.follow(tx, flow, case_id, source, dest, at)
        tx.append_event(Event(case_id, row.version + 1, at, by, MIGRATE, source, dest, None,
                              payload))
        record_reached(tx, case_id, row.version + 1, dest, at, ENGINE, late)
        made = {key: value for key, value in payload.items() if key not in ("from", "to", "map")}
        if late:  # recorded as events of their own, after the move
            made["breaches"] = [reached.trigger for reached in late]
            raised = [reached.changes["priority"] for reached in late
                      if "priority" in reached.changes]
            if raised:
                made["priority"] = raised[-1]
        return made


class _Tried(Exception):
    """Rolls a dry run's moves back, carrying what they did."""

    def __init__(self, moves: list[Move]) -> None:
        super().__init__("dry run")
        self.moves = moves
