"""The board's "most urgent first" lists (`case list`, `--breached`, `--due-within`), read by
index and cut off early (or ranked from a few cases' ids), agree with the plain definition over
every row: the highest priority first; within it, for each case the earliest of its breached,
still-running clocks and its running clocks' breaches due (by then), earliest first, ties by id;
then, on the whole board, the cases with no clock counting, newest first. (`--breached` is the
cases due by now.)"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from unittest import mock

from hypothesis import example, given, settings
from hypothesis import strategies as st
from sqlalchemy import create_engine, insert

from recovery.clock.sla import CLOCKS
from recovery.store import board
from recovery.store.db import migrate
from recovery.store.tables import cases, clocks, timers

T0 = datetime(2026, 12, 1, tzinfo=UTC)
LEVELS = ("urgent", "high", "normal")
minutes = st.integers(0, 50)
clock = st.tuples(st.sampled_from(["running", "breached", "stopped", "stopped after breach"]),
                  minutes)
case = st.tuples(st.sampled_from(["bistro", "eshop"]), st.sampled_from(LEVELS),
                 st.lists(clock, min_size=0, max_size=len(CLOCKS)))


@settings(max_examples=120, deadline=None)
@given(st.lists(case, max_size=30), st.integers(1, 6), st.integers(0, 4), minutes,
       st.sampled_from(["board", "due"]), st.sampled_from([None, "bistro"]),
       st.sampled_from([None, "high"]), st.sampled_from([0, 3, 2_000]),
       st.sampled_from([1, 4, 10_000]))
@example(made=[("bistro", "normal", [("breached", 0), ("breached", 1)]),  # the walk's cut-off
               ("bistro", "normal", [("breached", 2)])], limit=2, offset=0, horizon=0,
         kind="due", brand=None, level=None, few=0, window=10_000)
def test_most_urgent_first_matches_the_definition(made, limit, offset, horizon, kind, brand,
                                                  level, few, window) -> None:  # type: ignore[no-untyped-def]
    db = create_engine("sqlite://")
    migrate(db)
    expected: dict[int, tuple[int, datetime]] = {}
    rest: list[int] = []
    due_by = T0 + timedelta(minutes=horizon) if kind == "due" else None
    with db.begin() as conn:
        for case_id, (owner, priority, its_clocks) in enumerate(made, 1):
            conn.execute(insert(cases).values(
                id=case_id, brand=owner, channel="twitter", author="@a", text="t", state="new",
                version=1, priority=priority, opened_at=T0, updated_at=T0))
            chosen = brand in (None, owner) and level in (None, priority)
            for name, (state, at) in zip(CLOCKS, its_clocks, strict=False):
                when = T0 + timedelta(minutes=at)
                breached = when if "breach" in state else None
                stopped = when if state.startswith("stopped") else None
                conn.execute(insert(clocks).values(
                    case_id=case_id, name=name, business=False, target_us=1, warn_at=0.8,
                    started_at=T0, consumed_us=0, breached_at=breached, stopped_at=stopped))
                if state == "running":
                    conn.execute(insert(timers).values(
                        case_id=case_id, trigger="breach", state="new", due_at=when,
                        clock=name, attempts=0))
                    conn.execute(insert(timers).values(  # a warning is not a breach
                        case_id=case_id, trigger="warning", state="new", due_at=T0,
                        clock=name, attempts=0))
                counts = state == "breached" or (state == "running" and (
                    kind == "board" or (due_by is not None and when <= due_by)))
                if counts and chosen:
                    key = (LEVELS.index(priority), when)
                    expected[case_id] = min(expected.get(case_id, key), key)
            if chosen and case_id not in expected:
                rest.append(case_id)
        ranked = sorted(expected, key=lambda case_id: (*expected[case_id], case_id))
        if kind == "board":
            ranked += sorted(rest, reverse=True)
        with mock.patch.multiple(board, FEW=few, WINDOW=window):  # by ids, walked, or both
            found = board.list_cases(conn, brand=brand, priority=level, due_by=due_by,
                                     limit=limit, offset=offset, urgent_first=LEVELS)
    assert [c.id for c in found] == ranked[offset:offset + limit]
    db.dispose()
