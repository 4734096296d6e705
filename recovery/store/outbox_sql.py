"""Reading and settling the outbox: which deliveries are due, what came of a try, what is
pending or dead. The rows are written with their events (`writer.py`)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    Select,
    bindparam,
    func,
    literal_column,
    select,
    update,
)

from recovery.clock import as_utc
from recovery.store.records import Delivery, Event
from recovery.store.tables import cases, events, outbox

PENDING, DELIVERED, DEAD = "pending", "delivered", "dead"
_STATUS: dict[str, ColumnElement[str]] = {
    status: literal_column(f"'{status}'") for status in (PENDING, DELIVERED, DEAD)}
"""Written into the SQL, not bound: SQLite uses a partial index (`WHERE status = 'pending'`)
only when the query's own text implies its condition."""
_PENDING = _STATUS[PENDING]

_COLUMNS = (outbox.c.id, outbox.c.delivery_id, outbox.c.brand, outbox.c.endpoint,
            outbox.c.case_id, outbox.c.seq, events.c.trigger, outbox.c.status,
            outbox.c.attempts, outbox.c.created_at, outbox.c.next_at, outbox.c.last_error,
            outbox.c.delivered_at)
_JOINED = outbox.join(events, (events.c.case_id == outbox.c.case_id)
                      & (events.c.seq == outbox.c.seq))


@dataclass(frozen=True)
class Parcel:
    """A due delivery with what its body says: the event and the case as it stands."""

    delivery: Delivery
    event_id: int
    event: Event
    case: dict[str, Any]


def due(conn: Connection, now: datetime, limit: int) -> list[Parcel]:
    """Up to `limit` pending deliveries due by `now`, each the oldest pending one of its case
    for its endpoint (a later event waits while an earlier one is retried). Read without
    locks: a worker claims each before it posts it (`claim`)."""
    earlier = outbox.alias("earlier")
    query: Select[Any] = (
        select(*_COLUMNS, events.c.id.label("event_id"), events.c.at, events.c.by,
               events.c.source, events.c.dest, events.c.note, events.c.payload,
               cases.c.channel, cases.c.state, cases.c.version, cases.c.priority,
               cases.c.external_id, cases.c.author, cases.c.opened_at, cases.c.updated_at)
        .select_from(_JOINED.join(cases, cases.c.id == outbox.c.case_id))
        .where(outbox.c.status == _PENDING, outbox.c.next_at <= now,
               outbox.c.id == (select(func.min(earlier.c.id))
                               .where(earlier.c.case_id == outbox.c.case_id,
                                      earlier.c.endpoint == outbox.c.endpoint,
                                      earlier.c.status == _PENDING).scalar_subquery()))
        .order_by(outbox.c.next_at, outbox.c.id).limit(limit))
    parcels = []
    for row in conn.execute(query):
        event = Event(row.case_id, row.seq, as_utc(row.at), row.by, row.trigger, row.source,
                      row.dest, row.note, row.payload)
        case = {"id": row.case_id, "brand": row.brand, "channel": row.channel,
                "state": row.state, "version": row.version, "priority": row.priority,
                "external_id": row.external_id, "author": row.author,
                "opened_at": as_utc(row.opened_at).isoformat(),
                "updated_at": as_utc(row.updated_at).isoformat()}
        parcels.append(Parcel(_delivery(row), row.event_id, event, case))
    return parcels


def settle(conn: Connection, tried: Sequence[Delivery]) -> None:
    """Record what came of each try: delivered, pending again at `next_at`, or dead."""
    if tried:
        conn.execute(_SETTLE, [{"of_id": item.id, "status": item.status,
                                "attempts": item.attempts, "next_at": item.next_at,
                                "last_error": item.last_error,
                                "delivered_at": item.delivered_at} for item in tried])


def claim(conn: Connection, of_id: int, now: datetime) -> bool:
    """Lock one due delivery for this transaction (PostgreSQL): False when another worker
    holds it, or it is no longer pending and due."""
    query = (select(outbox.c.id).where(outbox.c.id == of_id, outbox.c.status == _PENDING,
                                        outbox.c.next_at <= now)
             .with_for_update(skip_locked=True))
    return conn.execute(query).first() is not None


GONE = "gone: "
"""How a delivery's error starts when its endpoint answered 410 Gone."""


def gone(conn: Connection, endpoint: str, reason: str, lock: bool) -> int:
    """Stop every pending delivery to an endpoint that said it is gone: dead, with the
    reason (`revive` brings them back once it is there again); returns how many. With `lock`
    (PostgreSQL), rows another worker is posting are left to it (they will hear 410 too)."""
    chosen = select(outbox.c.id).where(outbox.c.endpoint == endpoint,
                                       outbox.c.status == _PENDING)
    if lock:
        chosen = chosen.with_for_update(skip_locked=True)
    return int(conn.execute(update(outbox).where(outbox.c.id.in_(chosen))
                            .values(status=DEAD, last_error=GONE + reason)).rowcount)


def gone_endpoints(conn: Connection) -> list[str]:
    """The endpoints whose dead deliveries say they are gone."""
    return sorted(conn.execute(select(outbox.c.endpoint).distinct()
                               .where(outbox.c.status == _STATUS[DEAD],
                                      outbox.c.last_error.like(GONE + "%"))).scalars())


_SETTLE = (update(outbox).where(outbox.c.id == bindparam("of_id"), outbox.c.status == PENDING)
           .values(status=bindparam("status"), attempts=bindparam("attempts"),
                   next_at=bindparam("next_at"), last_error=bindparam("last_error"),
                   delivered_at=bindparam("delivered_at")))


def listing(conn: Connection, status: str | None, limit: int,
            ids: Sequence[int] = ()) -> list[Delivery]:
    """Deliveries with that status (all if None), oldest first; or those with `ids`."""
    query = select(*_COLUMNS).select_from(_JOINED).order_by(outbox.c.id).limit(limit)
    if ids:
        query = query.where(outbox.c.id.in_(ids))
    elif status is not None:
        query = query.where(outbox.c.status == _STATUS[status])
    return [_delivery(row) for row in conn.execute(query)]


def revive(conn: Connection, now: datetime, ids: Sequence[int] | None) -> int:
    """Make dead deliveries (those with `ids`, or all if None) pending again, due `now`, with
    their attempts counted afresh; returns how many."""
    query = update(outbox).where(outbox.c.status == DEAD)
    if ids is not None:
        query = query.where(outbox.c.id.in_(ids))
    return int(conn.execute(query.values(status=PENDING, attempts=0, next_at=now)).rowcount)


def counts(conn: Connection) -> tuple[dict[str, int], datetime | None]:
    """How many deliveries have each status, and when the oldest pending one was written
    (pending and dead counted by their indexes, delivered as the rest)."""
    found = {status: int(conn.execute(select(func.count()).select_from(outbox)
                                      .where(outbox.c.status == _STATUS[status])).scalar_one())
             for status in (PENDING, DEAD)}
    total = int(conn.execute(select(func.count()).select_from(outbox)).scalar_one())
    found[DELIVERED] = total - found[PENDING] - found[DEAD]
    oldest = conn.execute(select(func.min(outbox.c.created_at))
                          .where(outbox.c.status == _PENDING)).scalar()
    return found, None if oldest is None else as_utc(oldest)


def _delivery(row: Any) -> Delivery:
    return Delivery(row.id, row.delivery_id, row.brand, row.endpoint, row.case_id, row.seq,
                    row.trigger, row.status, row.attempts, as_utc(row.created_at),
                    as_utc(row.next_at), row.last_error,
                    None if row.delivered_at is None else as_utc(row.delivered_at))
