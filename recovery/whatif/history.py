"""What a replay reads of the live database: the cases opened in a period, each with what people
did to it (the acts to replay) and when the live worker fired each of its timers. Read only.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, and_, select
from sqlalchemy.sql.elements import ColumnElement

from recovery.clock import as_utc
from recovery.limits import SYSTEM
from recovery.store.tables import cases, events, remedies, timers

TimerKey = tuple[str, str | None, datetime]
"""A timer as both histories know it: its trigger, its clock and when it was due."""


@dataclass(frozen=True)
class Act:
    """One event a person (an agent, a lead, the customer) recorded on a case: replayed as it
    was, at its own time; what the engine did by itself in answer is not (the replay does it)."""

    case: int
    seq: int
    at: datetime
    by: str
    trigger: str
    note: str | None
    payload: dict[str, Any] | None

    @property
    def order(self) -> tuple[datetime, int, int]:
        """Where it stands in the recorded history: its time, then its case and place."""
        return self.at, self.case, self.seq


@dataclass
class Recorded:
    """A case as the live database holds it."""

    id: int
    brand: str
    channel: str
    author: str
    name: str | None
    text: str
    external_id: str | None
    opened_at: datetime
    acts: list[Act] = field(default_factory=list)
    """Its events by people, the opening first."""
    fired: dict[TimerKey, list[tuple[datetime, int]]] = field(default_factory=dict)
    """When the live worker fired each of its timers (and the event's seq, when it wrote one)."""
    unfired: set[TimerKey] = field(default_factory=set)
    """Its timers the live worker never fired: cancelled, or still pending."""


def read(conn: Connection, since: datetime, until: datetime,
         brand: str | None = None) -> list[Recorded]:
    """The cases opened from `since` to `until` (of `brand`), oldest first, with their acts and
    timers."""
    where = _chosen(since, until, brand)
    found: dict[int, Recorded] = {}
    for row in conn.execute(select(cases.c.id, cases.c.brand, cases.c.channel, cases.c.author,
                                   cases.c.name, cases.c.text, cases.c.external_id,
                                   cases.c.opened_at).where(where).order_by(cases.c.opened_at,
                                                                            cases.c.id)):
        found[row.id] = Recorded(row.id, row.brand, row.channel, row.author, row.name, row.text,
                                 row.external_id, as_utc(row.opened_at))
    if not found:
        return []
    wrote: dict[int, int] = {}
    """Timer id → the seq of the event its firing wrote."""
    query = (select(events.c.case_id, events.c.seq, events.c.at, events.c.by, events.c.trigger,
                    events.c.note, events.c.payload)
             .join(cases, cases.c.id == events.c.case_id).where(where)
             .order_by(events.c.case_id, events.c.seq))
    for event in conn.execute(query):
        if event.by not in SYSTEM:
            found[event.case_id].acts.append(Act(event.case_id, event.seq, as_utc(event.at),
                                                 event.by, event.trigger, event.note,
                                                 event.payload))
        elif isinstance(event.payload, dict) and "timer" in event.payload:
            wrote[int(event.payload["timer"])] = event.seq
    query = (select(timers.c.id, timers.c.case_id, timers.c.trigger, timers.c.clock,
                    timers.c.due_at, timers.c.fired_at)
             .join(cases, cases.c.id == timers.c.case_id).where(where)
             .order_by(timers.c.case_id, timers.c.id))
    for timer in conn.execute(query):
        case = found[timer.case_id]
        key = (timer.trigger, timer.clock, as_utc(timer.due_at))
        if timer.fired_at is None:
            case.unfired.add(key)
        else:
            case.fired.setdefault(key, []).append((as_utc(timer.fired_at),
                                                   wrote.get(timer.id, 0)))
    return list(found.values())


def ticks(conn: Connection, since: datetime) -> list[datetime]:
    """When the live worker fired anything from `since` on, whatever the case: the moments it
    is known to have run, in order."""
    query = (select(timers.c.fired_at).distinct()
             .where(timers.c.fired_at.is_not(None), timers.c.fired_at >= since))
    return sorted(as_utc(row.fired_at) for row in conn.execute(query))


def remedy_keys(conn: Connection, since: datetime, until: datetime,
                brand: str | None = None) -> dict[int, str]:
    """The idempotency key of each remedy of those cases, by its id: a replayed offer keeps
    its own."""
    query = (select(remedies.c.id, remedies.c.key)
             .join(cases, cases.c.id == remedies.c.case_id).where(_chosen(since, until, brand)))
    return {int(row.id): str(row.key) for row in conn.execute(query)}


def _chosen(since: datetime, until: datetime, brand: str | None) -> ColumnElement[bool]:
    """The cases opened from `since` to `until`, of `brand` if given."""
    chosen: list[ColumnElement[bool]] = [cases.c.opened_at >= since, cases.c.opened_at < until]
    if brand is not None:
        chosen.append(cases.c.brand == brand)
    return and_(*chosen)


def in_order(recorded: list[Recorded]) -> Iterator[Act]:
    """Every act of every case, as they happened."""
    yield from sorted((act for case in recorded for act in case.acts), key=lambda a: a.order)
