"""Keeping time through the engine: SLA clocks, escalations, after-hours care, greetings, and
the schema migrations that hold them; on SQLite and PostgreSQL alike.

The clock starts on Tuesday 2026-12-01 at 10:00 in Prague (09:00 UTC), the hour bistro opens.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, text
from sqlmodel import SQLModel

from recovery import ClockStatus, Engine, Event, InvalidInput, Notice, StorageError
from recovery.store.db import HEAD, VERSIONS, revision
from tests.conftest import WORKFLOWS, Clock, old_database

PRAGUE = ZoneInfo("Europe/Prague")


def local(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=PRAGUE)


def clocks(engine: Engine, case_id: int) -> dict[str, ClockStatus]:
    return {status.name: status for status in engine.clocks(case_id)}


def test_a_twitter_case_warns_then_breaches_and_escalates(engine: Engine, clock: Clock) -> None:
    case_id = engine.open_case("bistro", channel="twitter", author="@jana", text="Cold soup").id
    first = engine.clocks(case_id)[0]
    assert first.name == "first_response" and first.due_at == local("2026-12-01 11:00")
    assert first.warn_at == local("2026-12-01 10:48")
    clock.now = local("2026-12-01 10:50")
    [warned] = engine.tick()
    assert (warned.clock, warned.trigger) == ("first_response", "warning")
    assert engine.case(case_id).priority == "normal"  # bistro escalates only the breach
    clock.now = local("2026-12-01 11:01")
    [breached] = engine.tick()
    assert (breached.clock, breached.trigger) == ("first_response", "breach")
    event = engine.history(case_id)[-1]
    assert event.trigger == "first_response.breach" and event.by == "timer"
    assert event.payload is not None and event.payload["notify"] == ["lead"]
    assert engine.case(case_id).priority == "high"
    assert [case.id for case in engine.cases(breached=True)] == [case_id]
    assert engine.clocks(case_id)[0].breached


def test_a_human_public_reply_stops_the_first_response_clock(engine: Engine,
                                                             clock: Clock) -> None:
    case_id = engine.open_case("bistro", channel="twitter", author="@jana", text="Cold soup").id
    clock.advance(minutes=20)
    engine.fire(case_id, "acknowledge", by="eva")
    first = engine.clocks(case_id)[0]
    assert first.mode == "stopped" and first.left == timedelta(minutes=40)
    clock.advance(days=1)
    assert all(t.clock != "first_response" for t in engine.tick())
    assert engine.cases(breached=True) == [] and not engine.clocks(case_id)[0].breached


def test_the_engine_names_are_not_for_people(engine: Engine) -> None:
    case_id = engine.open_case("bistro", channel="twitter", author="@jana", text="Cold soup").id
    with pytest.raises(InvalidInput, match="engine's own"):
        engine.fire(case_id, "acknowledge", by="recovery")


def test_an_after_hours_complaint_gets_a_notice_and_its_clock_starts_at_opening(
        engine: Engine, clock: Clock) -> None:
    clock.now = local("2026-12-01 23:00")
    told: list[Event | Notice] = []
    engine.subscribe(told.append)
    case_id = engine.open_case("bistro", channel="twitter", author="@jana",
                               text="Studená polévka").id
    opened, notice = engine.history(case_id)
    assert (notice.trigger, notice.by) == ("notice", "recovery")
    assert notice.payload is not None
    assert notice.payload["language"] == "cs"
    assert "2. prosince 2026 v 10:00" in notice.payload["text"]
    assert told == [opened, notice]
    first = engine.clocks(case_id)[0]
    assert first.started_at == local("2026-12-02 10:00") and first.mode == "running"
    assert first.due_at == local("2026-12-02 11:00")  # the automatic notice did not stop it


def test_notices_render_from_a_relative_workflows_folder(tmp_path, clock, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.chdir(WORKFLOWS.parent)
    engine = Engine(f"sqlite:///{tmp_path / 'rel.db'}", workflows="workflows", clock=clock)
    clock.now = local("2026-12-01 23:00")
    case = engine.open_case("eshop", channel="twitter", author="Ivana", text="Paket kasni")
    notice = engine.history(case.id)[-1]
    assert notice.payload is not None and notice.payload["language"] == "hr"
    engine.close()


def test_a_calendar_time_channel_counts_nights(engine: Engine, clock: Clock) -> None:
    clock.now = local("2026-12-01 23:00")
    case_id = engine.open_case("bistro", channel="reviews", author="Jana", text="Cold soup").id
    first = engine.clocks(case_id)[0]
    assert not first.business and first.due_at == local("2026-12-02 23:00")


def test_waiting_on_the_customer_pauses_resolution_and_reopening_resumes_it(
        engine: Engine, clock: Clock) -> None:
    case_id = engine.open_case("bistro", channel="twitter", author="@jana", text="Cold soup").id
    engine.fire(case_id, "acknowledge", by="eva")
    engine.fire(case_id, "investigate", by="eva")
    clock.advance(hours=1)
    engine.fire(case_id, "wait_for_customer", by="eva")
    resolution = clocks(engine, case_id)["resolution"]
    assert resolution.mode == "paused" and resolution.due_at is None
    clock.advance(days=3)
    assert clocks(engine, case_id)["resolution"].left == timedelta(hours=23)
    engine.fire(case_id, "customer_replied", by="eva")
    engine.record_finding(case_id, "founded", root_cause="slow pass", by="eva")
    clock.advance(hours=2)
    engine.fire(case_id, "resolve", by="eva")
    stopped = clocks(engine, case_id)["resolution"]
    assert stopped.mode == "stopped" and stopped.left == timedelta(hours=21)
    clock.advance(days=1)
    engine.fire(case_id, "reopen", by="eva")
    resumed = clocks(engine, case_id)["resolution"]
    assert resumed.mode == "running"
    calendar = engine.flow("bistro").calendar
    assert resumed.due_at == calendar.add(clock.now, timedelta(hours=21))


def test_cases_due_soon_come_most_urgent_first(engine: Engine, clock: Clock) -> None:
    slow = engine.open_case("bistro", channel="facebook", author="@a", text="Cold soup").id
    fast = engine.open_case("bistro", channel="twitter", author="@b", text="Cold soup").id
    assert [c.id for c in engine.cases(due_within=timedelta(hours=2))] == [fast]
    assert [c.id for c in engine.cases(due_within=timedelta(hours=7))] == [fast, slow]
    engine.fire(fast, "acknowledge", by="eva")
    assert [c.id for c in engine.cases(due_within=timedelta(hours=2))] == []


def test_greetings_are_posted_once_at_opening_and_closing(engine: Engine, clock: Clock) -> None:
    told: list[Event | Notice] = []
    engine.subscribe(told.append)
    clock.now = local("2026-12-01 10:05")
    engine.tick()
    engine.tick()
    clock.now = local("2026-12-01 22:10")
    engine.tick()
    clock.now = local("2026-12-02 12:00")  # too late for a hello
    engine.tick()
    greetings = [n for n in told if isinstance(n, Notice) and n.brand == "bistro"]
    assert [(n.channel, n.kind) for n in greetings] == [("twitter", "hello"),
                                                        ("twitter", "goodbye")]
    assert "22:00" in greetings[0].text and "10:00" in greetings[1].text
    assert [n.kind for n in engine.notices("bistro")] == ["goodbye", "hello"]


def test_two_workers_post_a_greeting_once(db_url: str, clock: Clock) -> None:
    workers = [Engine(db_url, workflows=WORKFLOWS, clock=clock) for _ in range(2)]
    clock.now = local("2026-12-01 10:05")
    for worker in workers:
        worker.tick()
    assert len([n for n in workers[0].notices() if n.brand == "bistro"]) == 1
    for worker in workers:
        worker.close()


def test_events_refuse_change_in_the_database(engine: Engine, db_url: str) -> None:
    engine.open_case("bistro", channel="twitter", author="@jana", text="Cold soup")
    sa = create_engine(db_url)
    for statement in ("UPDATE recovery_events SET by = 'x'", "DELETE FROM recovery_events"):
        with pytest.raises(Exception, match="append-only"), sa.begin() as conn:
            conn.execute(text(statement))
    sa.dispose()
    assert len(engine.history(1)) == 1


def test_the_migrations_build_exactly_the_tables_of_the_models(engine: Engine,
                                                               db_url: str) -> None:
    sa = create_engine(db_url)
    with sa.connect() as conn:
        assert revision(conn) == HEAD
        diff = compare_metadata(MigrationContext.configure(conn, opts={
            "version_table": VERSIONS, "include_name": lambda name, kind, parent: (
                kind != "table" or str(name).startswith("recovery_"))}), SQLModel.metadata)
    sa.dispose()
    assert diff == []


def test_a_database_of_the_first_release_is_upgraded_with_its_cases(tmp_path, clock) -> None:  # type: ignore[no-untyped-def]
    url = old_database(
        tmp_path / "old.db", "0001",
        "INSERT INTO cases (id, brand, channel, author, text, state, version, opened_at, "
        "updated_at) VALUES (1, 'bistro', 'twitter', '@jana', 'Cold soup', 'new', 1, "
        "'2026-11-01 10:00:00', '2026-11-01 10:00:00')",
        "INSERT INTO events (case_id, seq, at, by, \"trigger\", dest) "
        "VALUES (1, 1, '2026-11-01 10:00:00', '@jana', 'open', 'new')")
    engine = Engine(url, workflows=WORKFLOWS, clock=clock)
    case = engine.case(1)
    assert case.priority == "normal" and engine.clocks(1) == []  # opened before clocks existed
    assert engine.fire(1, "acknowledge", by="eva").dest == "acknowledged"
    engine.close()


def test_a_database_that_cannot_be_migrated_says_so(tmp_path) -> None:  # type: ignore[no-untyped-def]
    bad = tmp_path / "bad.db"
    bad.write_text("not a database")
    with pytest.raises(StorageError, match="cannot open database"):
        Engine(f"sqlite:///{bad}", workflows=WORKFLOWS)


def test_time_is_never_read_from_the_wall(engine: Engine, clock: Clock) -> None:
    clock.now = datetime(2030, 1, 7, 9, 0, tzinfo=UTC)
    case = engine.open_case("bistro", channel="twitter", author="@jana", text="Cold soup")
    assert case.opened_at == clock.now
