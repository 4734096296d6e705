"""The board's "most urgent first" lists (`case list --breached`, `--due-within`), read by
index and cut off early, agree with the plain definition over every row: for each case the
earliest of its breached, still-running clocks and its running clocks' breaches due by then,
earliest first, ties by id."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import create_engine, insert

from recovery.clock.sla import CLOCKS
from recovery.store.db import migrate
from recovery.store.queries import list_cases
from recovery.store.tables import cases, clocks, timers

T0 = datetime(2026, 12, 1, tzinfo=UTC)
minutes = st.integers(0, 50)
clock = st.tuples(st.sampled_from(["running", "breached", "stopped", "stopped after breach"]),
                  minutes)
case = st.tuples(st.sampled_from(["bistro", "eshop"]), st.lists(clock, min_size=0,
                                                                 max_size=len(CLOCKS)))


@settings(max_examples=60, deadline=None)
@given(st.lists(case, max_size=30), st.integers(1, 6), st.integers(0, 4), minutes,
       st.booleans(), st.sampled_from([None, "bistro"]))
def test_most_urgent_first_matches_the_definition(made, limit, offset, horizon, due,
                                                  brand) -> None:  # type: ignore[no-untyped-def]
    db = create_engine("sqlite://")
    migrate(db)
    expected: dict[int, datetime] = {}
    due_by = T0 + timedelta(minutes=horizon) if due else None
    with db.begin() as conn:
        for case_id, (owner, its_clocks) in enumerate(made, 1):
            conn.execute(insert(cases).values(
                id=case_id, brand=owner, channel="twitter", author="@a", text="t", state="new",
                version=1, opened_at=T0, updated_at=T0))
            for name, (kind, at) in zip(CLOCKS, its_clocks, strict=False):
                when = T0 + timedelta(minutes=at)
                breached = when if "breach" in kind else None
                stopped = when if kind.startswith("stopped") else None
                conn.execute(insert(clocks).values(
                    case_id=case_id, name=name, business=False, target_us=1, warn_at=0.8,
                    started_at=T0, consumed_us=0, breached_at=breached, stopped_at=stopped))
                if kind == "running":
                    conn.execute(insert(timers).values(
                        case_id=case_id, trigger="breach", state="new", due_at=when,
                        clock=name, attempts=0))
                    conn.execute(insert(timers).values(  # a warning is not a breach
                        case_id=case_id, trigger="warning", state="new", due_at=T0,
                        clock=name, attempts=0))
                counts = (kind == "breached" or (kind == "running" and due_by is not None
                                                 and when <= due_by))
                if counts and brand in (None, owner):
                    expected[case_id] = min(expected.get(case_id, when), when)
        ranked = sorted(expected, key=lambda case_id: (expected[case_id], case_id))
        found = list_cases(conn, brand=brand, breached=not due, due_by=due_by, limit=limit,
                           offset=offset)
    assert [c.id for c in found] == ranked[offset:offset + limit]
    db.dispose()
