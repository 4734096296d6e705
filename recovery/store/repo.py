"""Reads and writes of cases, events and timers on one open connection.

The statements of the hot path (read a case, versioned update, event insert) are built once
with bind parameters, so SQLAlchemy compiles each once and every call only binds values.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from functools import cache
from typing import Any

from sqlalchemy import Connection, Row, bindparam, func, insert, select, update

from recovery.clock import as_utc
from recovery.store.records import Case, Event, Timer
from recovery.store.tables import cases, events, timers

_FACTS = select(cases.c.brand, cases.c.state, cases.c.version, cases.c.acknowledged_at,
                cases.c.finding, cases.c.remedy_kind).where(cases.c.id == bindparam("case_id"))
_EVENT = insert(events)
_ARM = insert(timers)
_CANCEL = (update(timers)
           .where(timers.c.case_id == bindparam("of_case"), timers.c.fired_at.is_(None),
                  timers.c.cancelled_at.is_(None))
           .values(cancelled_at=bindparam("at")))
_CLAIM = (update(timers)
          .where(timers.c.id == bindparam("timer_id"), timers.c.fired_at.is_(None),
                 timers.c.cancelled_at.is_(None))
          .values(fired_at=bindparam("at"), outcome=bindparam("outcome")))
_SETTLE = (update(timers).where(timers.c.id == bindparam("timer_id"))
           .values(outcome=bindparam("outcome")))


def _aware(value: datetime | None) -> datetime | None:
    return None if value is None else as_utc(value)


def insert_case(conn: Connection, values: dict[str, Any]) -> int:
    """Insert a new case row and return its id."""
    result = conn.execute(insert(cases).values(**values).returning(cases.c.id))
    return int(result.scalar_one())


def find_external(conn: Connection, brand: str, external_id: str) -> int | None:
    """The id of the brand's case for a post the helpdesk already fed in, if any."""
    query = select(cases.c.id).where(cases.c.brand == brand, cases.c.external_id == external_id)
    found = conn.execute(query).scalar()
    return None if found is None else int(found)


def load_facts(conn: Connection, case_id: int) -> Row[Any] | None:
    """(brand, state, version, acknowledged_at, finding, remedy_kind) of a case."""
    return conn.execute(_FACTS, {"case_id": case_id}).first()


@cache
def _advance_statement(columns: frozenset[str]) -> Any:
    values = {"state": bindparam("new_state"), "version": bindparam("new_version"),
              "updated_at": bindparam("at")}
    values.update({column: bindparam(f"set_{column}") for column in columns})
    return (update(cases)
            .where(cases.c.id == bindparam("case_id"), cases.c.version == bindparam("old_version"))
            .values(**values))


def advance(conn: Connection, case_id: int, old_version: int, state: str, at: datetime,
            changes: dict[str, Any]) -> bool:
    """Move the case to `state` if nobody changed it since `old_version`; False if they did."""
    params = {"case_id": case_id, "old_version": old_version, "new_version": old_version + 1,
              "new_state": state, "at": at}
    params.update({f"set_{column}": value for column, value in changes.items()})
    result = conn.execute(_advance_statement(frozenset(changes)), params)
    return result.rowcount == 1


def append_event(conn: Connection, event: Event) -> None:
    """Append an event (never updated, never deleted)."""
    conn.execute(_EVENT, {"case_id": event.case_id, "seq": event.seq, "at": event.at,
                          "by": event.by, "trigger": event.trigger, "source": event.source,
                          "dest": event.dest, "note": event.note, "payload": event.payload})


def arm_timers(conn: Connection, case_id: int, state: str,
               due: Iterable[tuple[str, datetime]]) -> None:
    """Arm a timer per (trigger, due time) for a case that entered `state`."""
    conn.execute(_ARM, [{"case_id": case_id, "trigger": trigger, "state": state,
                         "due_at": due_at} for trigger, due_at in due])


def cancel_timers(conn: Connection, case_id: int, at: datetime) -> None:
    """Cancel the case's pending timers (it left the state that armed them)."""
    conn.execute(_CANCEL, {"of_case": case_id, "at": at})


def due_timers(conn: Connection, now: datetime, limit: int,
               skip: Sequence[int] = ()) -> list[Timer]:
    """Pending timers due by `now`, oldest first."""
    query = (select(timers.c.id, timers.c.case_id, timers.c.trigger, timers.c.state,
                    timers.c.due_at)
             .where(timers.c.fired_at.is_(None), timers.c.cancelled_at.is_(None),
                    timers.c.due_at <= now)
             .order_by(timers.c.due_at, timers.c.id).limit(limit))
    if skip:
        query = query.where(timers.c.id.not_in(skip))
    return [Timer(row.id, row.case_id, row.trigger, row.state, as_utc(row.due_at))
            for row in conn.execute(query)]


def claim_timer(conn: Connection, timer_id: int, at: datetime) -> bool:
    """Mark a pending timer fired; False when another worker got it first."""
    params = {"timer_id": timer_id, "at": at, "outcome": "fired"}
    return conn.execute(_CLAIM, params).rowcount == 1


def settle_timer(conn: Connection, timer_id: int, outcome: str) -> None:
    """Record what came of a claimed timer."""
    conn.execute(_SETTLE, {"timer_id": timer_id, "outcome": outcome})


def get_case(conn: Connection, case_id: int) -> Case | None:
    """The case with that id, or None."""
    row = conn.execute(select(cases).where(cases.c.id == case_id)).first()
    return None if row is None else _case(row)


def list_cases(conn: Connection, *, brand: str | None = None, state: str | None = None,
               channel: str | None = None, limit: int = 100, offset: int = 0) -> list[Case]:
    """Cases matching the filters, newest first."""
    query = select(cases).order_by(cases.c.id.desc()).limit(limit).offset(offset)
    for column, value in (("brand", brand), ("state", state), ("channel", channel)):
        if value is not None:
            query = query.where(cases.c[column] == value)
    return [_case(row) for row in conn.execute(query)]


def count_by_state(conn: Connection, brand: str | None = None) -> dict[tuple[str, str], int]:
    """How many cases each (brand, state) holds."""
    query = select(cases.c.brand, cases.c.state, func.count()).group_by(cases.c.brand,
                                                                          cases.c.state)
    if brand is not None:
        query = query.where(cases.c.brand == brand)
    return {(row[0], row[1]): int(row[2]) for row in conn.execute(query)}


def history(conn: Connection, case_id: int) -> list[Event]:
    """Every event of a case, in order."""
    query = select(events).where(events.c.case_id == case_id).order_by(events.c.seq)
    return [Event(case_id=row.case_id, seq=row.seq, at=as_utc(row.at), by=row.by,
                  trigger=row.trigger, source=row.source, dest=row.dest, note=row.note,
                  payload=row.payload) for row in conn.execute(query)]


def case_timers(conn: Connection, case_id: int) -> list[Timer]:
    """Every timer of a case, pending and past, by due time."""
    query = (select(timers).where(timers.c.case_id == case_id)
             .order_by(timers.c.due_at, timers.c.id))
    return [Timer(id=row.id, case_id=row.case_id, trigger=row.trigger, state=row.state,
                  due_at=as_utc(row.due_at), fired_at=_aware(row.fired_at),
                  cancelled_at=_aware(row.cancelled_at), outcome=row.outcome)
            for row in conn.execute(query)]


def _case(row: Row[Any]) -> Case:
    data = row._asdict()
    for column in ("opened_at", "updated_at", "acknowledged_at"):
        data[column] = _aware(data[column])
    return Case(**data)
