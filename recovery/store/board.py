"""The case board: the cases matching a filter, newest first; or most urgent first.

Most urgent first means the highest priority first (the levels are passed in, most urgent
first), then, within a level, the earliest of each case's breached clocks not stopped (a paused
one too: waiting on the customer does not undo a breach) and its running clocks' pending
breaches, ties by id. The other cases (resolved, or waiting on the customer with no breach)
follow, newest first; a filter for the cases due by a time (those already breached among them;
due by now: those breached, whether or not a tick noticed) leaves them out.

A level with few matching cases is ranked from its cases, by their case ids. A larger one is
looked for in the first rows of each source, walked in time order by its own partial index and
cut off; where those rows hold too few of its cases, they are rare in the source, and it too is
ranked from its cases.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Select, and_, func, select, text

from recovery.clock import as_utc
from recovery.clock.sla import CLOCKS
from recovery.store.queries import case_of
from recovery.store.records import Case
from recovery.store.tables import BREACH_DUE, BREACHED, cases, clocks, timers

FEW = 2_000
"""A level with at most this many matching cases is ranked from its cases."""
WINDOW = 5_000
"""How many of a source's first rows a larger level is looked for in, before it too is ranked
from its cases (a level of many cases with few clocks counting)."""


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
    attention = due_by is not None
    if not attention and not urgent_first:
        query = query.order_by(cases.c.id.desc()).limit(limit).offset(offset)
        return [case_of(row) for row in conn.execute(query)]
    count = limit + offset
    ranked: list[int] = []
    for level in urgent_first or (None,):
        if len(ranked) >= count:
            break
        if level is not None and priority not in (None, level):
            continue
        chosen = query if level is None else query.where(cases.c.priority == level)
        ranked += _most_urgent(conn, chosen, count - len(ranked), due_by, not attention)
    if not attention and len(ranked) < count:  # every case with a clock counting is in
        ranked += conn.scalars(query.with_only_columns(cases.c.id)
                               .where(cases.c.id.not_in(ranked)).order_by(cases.c.id.desc())
                               .limit(count - len(ranked)))
    ranked = ranked[offset:]
    if not ranked:
        return []
    found = {row.id: case_of(row) for row in conn.execute(select(cases)
                                                          .where(cases.c.id.in_(ranked)))}
    return [found[case_id] for case_id in ranked]


def _most_urgent(conn: Connection, chosen: Select[Any], count: int, due_by: datetime | None,
                 pending: bool) -> list[int]:
    """The ids of the `count` chosen cases whose clocks breached (and still run) or come due
    (by `due_by`; at any time with `pending`) earliest, ties by id."""
    ids = chosen.with_only_columns(cases.c.id)
    few = conn.scalar(select(func.count()).select_from(ids.limit(FEW + 1).subquery())) or 0
    # (case, time) sources; their conditions written out, so SQLite uses its partial indexes
    sources: list[tuple[Any, Any, Any]] = [(clocks.c.case_id, clocks.c.breached_at,
                                            text(BREACHED))]
    if due_by is not None or pending:
        sources.append((timers.c.case_id, timers.c.due_at, text(BREACH_DUE) if due_by is None
                        else and_(text(BREACH_DUE), timers.c.due_at <= due_by)))
    first: dict[int, datetime] = {}
    for case_id, when, condition in sources:
        by_ids = select(case_id, when).where(condition, case_id.in_(ids.scalar_subquery()))
        rows = None if few <= FEW else _walk(conn, chosen, len(CLOCKS) * count, case_id, when,
                                             condition)
        for found, at in conn.execute(by_ids).all() if rows is None else rows:
            at = as_utc(at)
            if found not in first or at < first[found]:
                first[found] = at
    return sorted(first, key=lambda found: (first[found], found))[:count]


def _walk(conn: Connection, chosen: Select[Any], wanted: int, case_id: Any, when: Any,
          condition: Any) -> list[Any] | None:
    """The first `wanted` rows of a source (in time order, ties by case) that belong to the
    chosen cases, looked for in its first rows (8 * `wanted`, then `WINDOW`); None when those
    hold fewer and the source goes on (the chosen cases are rare in it: read them by their ids
    instead).

    A case has at most one row per clock in a source (a breached clock; a running clock's
    pending breach), so the first clocks * `count` rows hold the `count` cases it ranks first."""
    filters = [] if chosen.whereclause is None else [chosen.whereclause]
    for size in (8 * wanted, WINDOW):
        window = (select(case_id.label("case_id"), when.label("at")).where(condition)
                  .order_by(when, case_id).limit(size).subquery())
        rows = conn.execute(select(window.c.case_id, window.c.at)
                            .join(cases, cases.c.id == window.c.case_id).where(*filters)
                            .order_by(window.c.at, window.c.case_id).limit(wanted)).all()
        if len(rows) == wanted:
            return list(rows)
        longer = conn.scalar(select(func.count()).select_from(
            select(case_id).where(condition).limit(size + 1).subquery()))
        if (longer or 0) <= size:  # the window held the whole source
            return list(rows)
    return None
