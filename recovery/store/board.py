"""The case board: the cases matching a filter, newest first; or most urgent first.

Most urgent first means the highest priority first (the levels are passed in, most urgent
first), then, within a level, the case due first (`cases.due_at`: the earliest of its breached
clocks not stopped, a paused one too, since waiting on the customer does not undo a breach, and
its running clocks' pending breaches), ties by id. The other cases (resolved, or waiting on the
customer with no breach) follow, newest first; a filter for the cases due by a time (those
already breached among them; due by now: those breached, whether or not a tick noticed) leaves
them out.

A level is one statement: a range of the index that leads with what it filters on
(`tables.py`: the brand, the state, the channel or nothing, then the priority, the due time and
the id), read only as far as the page goes, whatever the size of the database. (Two filters at
once read one of their indexes and check the other filter row by row; the newest-first fill
walks its filter's index by id, past the cases with a clock counting.)
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Row, select

from recovery.store.queries import case_of
from recovery.store.records import Case
from recovery.store.tables import cases


def list_cases(conn: Connection, *, brand: str | None = None, state: str | None = None,
               channel: str | None = None, priority: str | None = None, limit: int = 100,
               offset: int = 0, due_by: datetime | None = None,
               urgent_first: Sequence[str] = ()) -> list[Case]:
    """The matching cases, newest first; most urgent first (see above) given the priority
    levels `urgent_first`, or when asked only for the cases due by `due_by`."""
    query = select(cases)
    for column, value in (("brand", brand), ("state", state), ("channel", channel),
                          ("priority", priority)):
        if value is not None:
            query = query.where(cases.c[column] == value)
    newest = query.order_by(cases.c.id.desc())
    if due_by is None and not urgent_first:
        return [case_of(row) for row in conn.execute(newest.limit(limit).offset(offset))]
    count = limit + offset
    found: list[Row[Any]] = []
    for level in urgent_first:
        if len(found) >= count:
            break
        if priority not in (None, level):
            continue
        due = query.where(cases.c.priority == level, cases.c.due_at.is_not(None))
        if due_by is not None:
            due = due.where(cases.c.due_at <= due_by)
        found += conn.execute(due.order_by(cases.c.due_at, cases.c.id)
                              .limit(count - len(found))).all()
    if due_by is None and len(found) < count:  # every case with a clock counting is in
        found += conn.execute(newest.where(cases.c.due_at.is_(None))
                              .limit(count - len(found))).all()
    return [case_of(row) for row in found[offset:]]
