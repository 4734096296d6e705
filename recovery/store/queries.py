"""The reads behind the board, a case's history and its timers (SQLAlchemy Core).

The writes of the hot path live in `writer.py`.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Row, func, select, text, tuple_

from recovery.clock import as_utc
from recovery.store.records import CASE_TIMES, Case, Event, Notice, Remedy, Timer
from recovery.store.tables import (
    FAILED,
    cases,
    events,
    notices,
    remedies,
    replies,
    timers,
)


def _aware(value: datetime | None) -> datetime | None:
    return None if value is None else as_utc(value)


def get_case(conn: Connection, case_id: int) -> Case | None:
    """The case with that id, or None."""
    row = conn.execute(select(cases).where(cases.c.id == case_id)).first()
    return None if row is None else case_of(row)


def list_remedies(conn: Connection, *, brand: str | None = None, status: str | None = None,
                  case_id: int | None = None, remedy_id: int | None = None,
                  limit: int = 100) -> list[Remedy]:
    """Remedies matching the filters: those waiting for approval oldest first (the queue a
    lead works through), the others newest first."""
    query = select(remedies).limit(limit)
    for column, value in (("brand", brand), ("status", status), ("case_id", case_id),
                          ("id", remedy_id)):
        if value is not None:
            query = query.where(remedies.c[column] == value)
    waiting = status == "pending_approval"
    query = query.order_by(remedies.c.id if waiting else remedies.c.id.desc())
    return [Remedy.from_columns(row._asdict(), _aware) for row in conn.execute(query)]


def list_notices(conn: Connection, brand: str | None, limit: int) -> list[Notice]:
    """The brand-wide notices posted, newest first."""
    query = select(notices).order_by(notices.c.posted_at.desc(), notices.c.id.desc()).limit(limit)
    if brand is not None:
        query = query.where(notices.c.brand == brand)
    return [Notice(row.brand, row.channel, row.kind, as_utc(row.due_at), as_utc(row.posted_at),
                   row.language, row.text) for row in conn.execute(query)]


def sent_replies(conn: Connection, after_id: int, since: datetime
                 ) -> list[tuple[int, str, int, str, datetime, str]]:
    """Replies with an id above `after_id` sent since `since`, by id: (id, brand, case id,
    customer, sent at, skeleton)."""
    query = (select(replies.c.id, replies.c.brand, replies.c.case_id, replies.c.customer,
                    replies.c.at, replies.c.skeleton)
             .where(replies.c.id > after_id, replies.c.at >= since).order_by(replies.c.id))
    return [(row.id, row.brand, row.case_id, row.customer, as_utc(row.at), row.skeleton)
            for row in conn.execute(query)]


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
    return [_timer(row) for row in conn.execute(query)]


def pending_timers(conn: Connection, *, failed: bool = False, limit: int = 100) -> list[Timer]:
    """Timers still to fire, next due first; with `failed`, only those whose firing failed
    (to be tried again at their `retry_at`)."""
    pending = (text(FAILED),) if failed else (timers.c.fired_at.is_(None),
                                              timers.c.cancelled_at.is_(None))
    query = select(timers).where(*pending).order_by(timers.c.due_at, timers.c.id).limit(limit)
    return [_timer(row) for row in conn.execute(query)]


def states_in_use(conn: Connection,
                  current: Mapping[str, str] | None = None) -> list[tuple[str, str, int]]:
    """How many cases sit in each (brand, state); with `current` (each brand's current flow
    version), of those opened under it only."""
    query = (select(cases.c.brand, cases.c.state, func.count())
             .group_by(cases.c.brand, cases.c.state).order_by(cases.c.brand, cases.c.state))
    if current is not None:
        query = query.where(tuple_(cases.c.brand, cases.c.flow_version)
                            .in_(list(current.items())))
    return [(row[0], row[1], int(row[2])) for row in conn.execute(query)]


def _timer(row: Row[Any]) -> Timer:
    return Timer(id=row.id, case_id=row.case_id, trigger=row.trigger, state=row.state,
                 due_at=as_utc(row.due_at), fired_at=_aware(row.fired_at),
                 cancelled_at=_aware(row.cancelled_at), outcome=row.outcome, clock=row.clock,
                 attempts=row.attempts, last_error=row.last_error,
                 retry_at=_aware(row.retry_at))


def case_of(row: Row[Any]) -> Case:
    """A case row as a `Case`."""
    data = row._asdict()
    for column in CASE_TIMES:
        data[column] = _aware(data[column])
    return Case(**data)
