"""The event feed: every event of every case in commit order, read with a cursor (the last
entry's id), for a helpdesk that would rather pull than be called.

Commit order is not id order on PostgreSQL: a transaction may take an id and commit after a
later one has. Each event there keeps the id of the transaction that wrote it (`tx`); the feed
orders by (tx, id) and gives only events of transactions older than the oldest one still
running, so an event the reader has not seen can never land behind its cursor. SQLite commits
one writer at a time, so its ids are already in commit order.
"""

from __future__ import annotations

from sqlalchemy import Connection, func, select, text, tuple_

from recovery.clock import as_utc
from recovery.errors import NotFound
from recovery.store.records import Entry, Event
from recovery.store.tables import cases, events

_HORIZON = text("pg_snapshot_xmin(pg_current_snapshot())::text::bigint")


def entries(conn: Connection, after: int, limit: int) -> list[Entry]:
    """Up to `limit` events committed after the event with id `after` (0: from the first)."""
    query = (select(events, cases.c.brand).join(cases, cases.c.id == events.c.case_id)
             .limit(limit))
    if conn.dialect.name == "postgresql":
        position = func.coalesce(events.c.tx, 0)
        start: int | None = 0
        if after:
            start = conn.execute(select(position).where(events.c.id == after)).scalar()
            if start is None:
                raise NotFound(f"no event {after}")
        query = query.where(tuple_(position, events.c.id) > tuple_(start, after),
                            position < _HORIZON).order_by(position, events.c.id)
    else:
        if after and conn.execute(select(events.c.id).where(events.c.id == after)).first() is None:
            raise NotFound(f"no event {after}")
        query = query.where(events.c.id > after).order_by(events.c.id)
    return [Entry(row.id, row.brand, Event(case_id=row.case_id, seq=row.seq, at=as_utc(row.at),
                                           by=row.by, trigger=row.trigger, source=row.source,
                                           dest=row.dest, note=row.note, payload=row.payload))
            for row in conn.execute(query)]
