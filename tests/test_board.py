"""The board's "most urgent first" lists (`case list`, `--breached`, `--due-within`), read by
index a level at a time and cut off early, agree with the plain definition over every row: the
highest priority first; within it, for each case the earliest of its breached, still-running
clocks and its running clocks' breaches due (by then), earliest first, ties by id; then, on the
whole board, the cases with no clock counting, newest first. (`--breached` is the cases due by
now.) And the due time each case carries for it (`cases.due_at`) is that earliest breach after
whatever the engine does to the case."""

from __future__ import annotations

import contextlib
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine as SqlEngine
from sqlalchemy import create_engine, insert, select, text
from sqlalchemy.pool import StaticPool

from recovery import Engine, RecoveryError
from recovery.clock.sla import CLOCKS
from recovery.store import board
from recovery.store.clock_sql import SET_DUE
from recovery.store.tables import BREACH_DUE, BREACHED, cases, clocks, timers
from tests.conftest import WORKFLOWS, Clock, sqlite_copy

T0 = datetime(2026, 12, 1, tzinfo=UTC)
LEVELS = ("urgent", "high", "normal")
minutes = st.integers(0, 50)
clock = st.tuples(st.sampled_from(["running", "breached", "stopped", "stopped after breach"]),
                  minutes)
case = st.tuples(st.sampled_from(["bistro", "eshop"]), st.sampled_from(LEVELS),
                 st.lists(clock, min_size=0, max_size=len(CLOCKS)))


def _fresh(migrated: Path) -> SqlEngine:
    """An in-memory database at the engine's schema: a copy of the migrated file."""
    db = create_engine("sqlite://", poolclass=StaticPool)
    raw = db.raw_connection().driver_connection
    assert isinstance(raw, sqlite3.Connection)
    with contextlib.closing(sqlite3.connect(migrated)) as source:
        source.backup(raw)
    return db


@settings(max_examples=120, deadline=None)
@given(st.lists(case, max_size=30), st.integers(1, 6), st.integers(0, 4), minutes,
       st.sampled_from(["board", "due"]), st.sampled_from([None, "bistro"]),
       st.sampled_from([None, "high"]))
@example(made=[("bistro", "normal", [("breached", 0), ("breached", 1)]),  # a page's cut-off
               ("bistro", "normal", [("breached", 2)])], limit=2, offset=0, horizon=0,
         kind="due", brand=None, level=None)
def test_most_urgent_first_matches_the_definition(migrated_sqlite, made, limit, offset,  # type: ignore[no-untyped-def]
                                                  horizon, kind, brand, level) -> None:
    db = _fresh(migrated_sqlite)
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
                counts = state in ("breached", "running") and (  # a breach recorded is
                    kind == "board" or (due_by is not None and when <= due_by))  # in the past
                if counts and chosen:
                    key = (LEVELS.index(priority), when)
                    expected[case_id] = min(expected.get(case_id, key), key)
            if chosen and case_id not in expected:
                rest.append(case_id)
            conn.execute(SET_DUE, {"of_case": case_id})  # as the writer keeps it
        ranked = sorted(expected, key=lambda case_id: (*expected[case_id], case_id))
        if kind == "board":
            ranked += sorted(rest, reverse=True)
        found = board.list_cases(conn, brand=brand, priority=level, due_by=due_by,
                                 limit=limit, offset=offset, urgent_first=LEVELS)
    assert [c.id for c in found] == ranked[offset:offset + limit]
    db.dispose()


def _due_by_definition(url: str, engine: Engine) -> dict[int, datetime | None]:
    """Each case's earliest breach recorded and not stopped, or to come, read from its clocks
    and timers as they stand."""
    due: dict[int, datetime | None] = {case.id: None for case in engine.cases(limit=10_000)}
    sa = create_engine(url)
    with sa.connect() as conn:
        found = [*conn.execute(select(clocks.c.case_id, clocks.c.breached_at)
                               .where(text(BREACHED))),
                 *conn.execute(select(timers.c.case_id, timers.c.due_at)
                               .where(text(BREACH_DUE)))]
    sa.dispose()
    for case_id, at in found:
        at = at.replace(tzinfo=UTC)
        known = due[case_id]
        due[case_id] = at if known is None else min(known, at)
    return due


steps = st.lists(st.tuples(st.sampled_from(["open", "fire", "reply", "tick", "wait"]),
                           st.integers(0, 50)), min_size=1, max_size=25)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(steps)
def test_each_case_carries_its_earliest_breach_whatever_happens_to_it(tmp_path_factory,  # type: ignore[no-untyped-def]
                                                                      migrated_sqlite,
                                                                      done) -> None:
    clock = Clock()
    url = sqlite_copy(migrated_sqlite, tmp_path_factory.mktemp("due") / "due.db")
    engine = Engine(url, workflows=WORKFLOWS, clock=clock)
    opened: list[int] = []
    for step, n in done:
        if step == "open" or not opened:
            brand, channel = [("bistro", "instagram"), ("eshop", "twitter"),
                              ("bikeshare", "twitter")][n % 3]
            opened.append(engine.open_case(brand, channel=channel, author=f"@c{n}",
                                           text="The order came cold and late again").id)
        elif step == "fire":
            case_id = opened[n % len(opened)]
            allowed = engine.allowed_triggers(case_id)
            if allowed:
                with contextlib.suppress(RecoveryError):  # a guard said no: nothing changed
                    engine.fire(case_id, allowed[n % len(allowed)], by="agent:sam")
        elif step == "reply":
            with contextlib.suppress(RecoveryError):  # no template for that state
                engine.reply(opened[n % len(opened)], by="agent:sam")
        elif step == "tick":
            engine.tick()
        else:
            clock.advance(hours=n)
        assert {case.id: case.due_at for case in engine.cases(limit=10_000)} == \
            _due_by_definition(url, engine)
    engine.close()
