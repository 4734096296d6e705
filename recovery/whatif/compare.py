"""Two histories of the same cases side by side: the live one and a replay's.

`differences` names every way a replayed case differs from its live self (state, priority,
each event, each SLA clock, each timer): the replay under the flows a case ran under must show
none. `changes` gathers what a care manager reads of a proposed flow: cases that end in another
state or at another priority, remedies that would wait for a lead or be refused, and follow-ups
asked, reminded or closed at other times.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, select

from recovery.clock import as_utc
from recovery.store.tables import cases, clocks, events, remedies, timers

IDS = frozenset({"timer", "remedy", "code"})
"""Payload keys that name a row of its own database (or a random code): not compared."""
NOT_OFFERED = "not offered"
"""A remedy's status on the side that never offered it."""
UNCOMPARED = frozenset({"id", "case_id", "chain_hash", "tx"})
"""Columns that differ between two databases by nature: row ids, the hash chain over them."""
FOLLOW_UP = "follow_up"
"""The clock of the follow-up's timers (ask, remind, close quietly), whose times a proposed
schedule changes."""


def differences(live: Connection, scratch: Connection, mapping: dict[int, int]) -> list[str]:
    """Every difference between the live cases and their replays, one line each (none when
    the replay is exact)."""
    found: list[str] = []
    for table, key in ((cases, None), (events, "seq"), (clocks, "name"), (timers, "id")):
        mine = _rows(live, table, list(mapping))
        theirs = _rows(scratch, table, list(mapping.values()))
        for case_id, replayed in mapping.items():  # rows in the order they were written
            a, b = mine.get(case_id, []), theirs.get(replayed, [])
            if len(a) != len(b):
                found.append(f"case {case_id}: {len(a)} {table.name} rows live, {len(b)} "
                             "replayed")
            for left, right in zip(a, b, strict=False):
                for column, value in left.items():
                    if column in UNCOMPARED or _same(value, right.get(column)):
                        continue
                    where = f" {key} {left.get(key)}" if key else ""
                    found.append(f"case {case_id}{where} {table.name}.{column}: live "
                                 f"{_shown(value)}, replayed {_shown(right.get(column))}")
    return found


def changes(live: Connection, scratch: Connection, mapping: dict[int, int]
            ) -> dict[str, list[dict[str, Any]]]:
    """Cases whose end state or priority differ, remedies whose fate differs, and follow-up
    steps at other times or not at all, each with the live case's id."""
    mine = _rows(live, cases, list(mapping))
    theirs = _rows(scratch, cases, list(mapping.values()))
    brands = {case_id: rows[0]["brand"] for case_id, rows in mine.items()}
    ended, priorities = [], []
    for case_id, replayed in mapping.items():
        a, b = mine[case_id][0], theirs[replayed][0]
        if a["state"] != b["state"]:
            ended.append({"case": case_id, "brand": a["brand"], "recorded": a["state"],
                          "proposed": b["state"]})
        if a["priority"] != b["priority"]:
            priorities.append({"case": case_id, "brand": a["brand"], "recorded": a["priority"],
                               "proposed": b["priority"]})
    return {"ended": ended, "priorities": priorities,
            "remedies": _remedies(live, scratch, mapping),
            "follow_ups": _follow_ups(live, scratch, mapping, brands)}


def _remedies(live: Connection, scratch: Connection,
              mapping: dict[int, int]) -> list[dict[str, Any]]:
    """Remedies given live whose status would differ (waiting for a lead, or never offered:
    see the refused acts), by key."""
    mine = _by_key(live, list(mapping))
    theirs = _by_key(scratch, list(mapping.values()))
    back = {replayed: case_id for case_id, replayed in mapping.items()}
    found = []
    for key in [*mine, *(key for key in theirs if key not in mine)]:
        a, b = mine.get(key), theirs.get(key)
        said = [NOT_OFFERED if row is None else row["status"] for row in (a, b)]
        if said[0] != said[1]:
            row = a if a is not None else b
            assert row is not None  # the key is one side's or the other's
            found.append({"case": row["case_id"] if a is not None else back[row["case_id"]],
                          "brand": row["brand"], "kind": row["kind"], "value": str(row["value"]),
                          "unit": row["unit"], "recorded": said[0], "proposed": said[1],
                          "goodwill": row["goodwill"] is not None})
    return found


def _follow_ups(live: Connection, scratch: Connection, mapping: dict[int, int],
                brands: dict[int, str]) -> list[dict[str, Any]]:
    """Each case whose follow-up steps (asked, reminded, closed quietly, skipped) happen at
    other times or not at all under the proposed flow."""
    mine = _steps(live, list(mapping))
    theirs = _steps(scratch, list(mapping.values()))
    found = []
    for case_id, replayed in mapping.items():
        a, b = mine.get(case_id, []), theirs.get(replayed, [])
        if a != b:
            found.append({"case": case_id, "brand": brands[case_id],
                          "recorded": [_step(s) for s in a],
                          "proposed": [_step(s) for s in b]})
    return found


def _steps(conn: Connection, ids: list[int]) -> dict[int, list[tuple[str, str, str]]]:
    """Each case's follow-up timers as (step, when it fired or `cancelled` or `pending`, its
    outcome), in the order they were armed."""
    found: dict[int, list[tuple[str, str, str]]] = {}
    for chunk in _chunks(ids):
        query = (select(timers.c.case_id, timers.c.trigger, timers.c.fired_at,
                        timers.c.cancelled_at, timers.c.outcome)
                 .where(timers.c.case_id.in_(chunk), timers.c.clock == FOLLOW_UP)
                 .order_by(timers.c.case_id, timers.c.id))
        for row in conn.execute(query):
            when = (as_utc(row.fired_at).isoformat() if row.fired_at is not None
                    else "cancelled" if row.cancelled_at is not None else "pending")
            found.setdefault(row.case_id, []).append((row.trigger, when, row.outcome or ""))
    return found


def _step(step: tuple[str, str, str]) -> dict[str, str]:
    return {"step": step[0], "at": step[1], "outcome": step[2]}


def _by_key(conn: Connection, ids: list[int]) -> dict[str, dict[str, Any]]:
    found: dict[str, dict[str, Any]] = {}
    for chunk in _chunks(ids):
        for row in conn.execute(select(remedies).where(remedies.c.case_id.in_(chunk))):
            found[row.key] = row._asdict()
    return found


def _rows(conn: Connection, table: Any, ids: list[int]) -> dict[int, list[dict[str, Any]]]:
    """The rows of `table` for the cases `ids`, per case, in their table's order."""
    found: dict[int, list[dict[str, Any]]] = {}
    column = table.c.id if table is cases else table.c.case_id
    order = [table.c[name] for name in ("case_id", "seq", "name", "id") if name in table.c]
    for chunk in _chunks(ids):
        for row in conn.execute(select(table).where(column.in_(chunk)).order_by(*order)):
            data = row._asdict()
            found.setdefault(data["id"] if table is cases else data["case_id"], []).append(data)
    return found


def _chunks(ids: list[int], size: int = 500) -> Iterator[list[int]]:
    for start in range(0, len(ids), size):
        yield ids[start:start + size]


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, dict) and isinstance(b, dict):
        return _plain(a) == _plain(b)
    if isinstance(a, datetime) and isinstance(b, datetime):
        return as_utc(a) == as_utc(b)
    return bool(a == b)


def _plain(payload: dict[str, Any]) -> dict[str, Any]:
    return {name: value for name, value in payload.items() if name not in IDS}


def _shown(value: Any) -> str:
    text = value.isoformat() if isinstance(value, datetime) else repr(value)
    return text if len(text) <= 120 else text[:117] + "..."

