"""The event feed for a helpdesk that pulls: every event in commit order after a cursor, on
SQLite and PostgreSQL alike; on PostgreSQL an event whose transaction commits late is neither
skipped nor given twice."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import create_engine, text

from recovery import Engine
from recovery.errors import InvalidInput, NotFound


def _open(engine: Engine, author: str) -> int:
    return engine.open_case("bistro", channel="facebook", author=author, text="Cold soup").id


def test_the_feed_gives_every_event_once_in_order_with_a_cursor(engine: Engine) -> None:
    first, second = _open(engine, "@jana"), _open(engine, "@petr")
    engine.fire(first, "acknowledge", by="eva")
    engine.fire(second, "acknowledge", by="eva")
    page = engine.events(limit=3)
    assert [(entry.event.case_id, entry.event.trigger) for entry in page] == [
        (first, "open"), (second, "open"), (first, "acknowledge")]
    assert all(entry.brand == "bistro" for entry in page)
    rest = engine.events(after=page[-1].id)
    assert [(entry.event.case_id, entry.event.trigger) for entry in rest] == [
        (second, "acknowledge")]
    assert engine.events(after=rest[-1].id) == []
    assert page[0].as_dict()["event"]["trigger"] == "open"
    with pytest.raises(NotFound, match="no event 999"):
        engine.events(after=999)
    for wrong in ({"limit": 0}, {"limit": 10_001}, {"after": -1}):
        with pytest.raises(InvalidInput):
            engine.events(**wrong)


def test_an_event_committed_late_is_not_skipped(engine: Engine, db_url: str) -> None:
    """A transaction takes an event id, another commits a later one first: the feed holds the
    later one back until the earlier commits, then gives both, in commit order."""
    if not db_url.startswith("postgresql"):
        pytest.skip("SQLite commits one writer at a time: ids are commit order there")
    early, late = _open(engine, "@jana"), _open(engine, "@petr")
    seen = engine.events()
    slow = create_engine(db_url)
    with slow.connect() as conn:
        held = conn.begin()
        conn.execute(text("INSERT INTO recovery_events (case_id, seq, at, by, trigger, source, "
                          "dest) VALUES (:case, 2, now(), 'eva', 'note', 'new', 'new')"),
                     {"case": early})  # takes an id and keeps its transaction open
        engine.fire(late, "acknowledge", by="eva")  # a later id, committed first
        assert engine.events(after=seen[-1].id) == []  # held back: nothing may pass it
        held.commit()
    slow.dispose()
    after = engine.events(after=seen[-1].id)
    assert [(entry.event.case_id, entry.event.trigger) for entry in after] == [
        (early, "note"), (late, "acknowledge")]
    assert after[0].id < after[1].id  # the held event took the earlier id; the later waited


def test_the_events_command(run) -> None:  # type: ignore[no-untyped-def]
    assert run("case", "open", "bistro", "--channel", "instagram", "--author", "@jana",
               "--text", "Cold [bold]soup[/bold]").exit_code == 0
    assert run("case", "fire", "1", "acknowledge", "--by", "eva").exit_code == 0
    lines = run("events", "--json").stdout.splitlines()
    entries = [json.loads(line) for line in lines]
    assert [entry["event"]["trigger"] for entry in entries] == ["open", "acknowledge"]
    after = run("events", "--after", str(entries[0]["id"]), "--json").stdout.splitlines()
    assert [json.loads(line)["event"]["trigger"] for line in after] == ["acknowledge"]
    shown = run("events")
    assert shown.exit_code == 0 and "2 event(s) after 0" in shown.stdout
    missing = run("events", "--after", "77")
    assert (missing.exit_code, missing.stderr) == (3, "error: no event 77\n")
    assert run("events", "--limit", "0").exit_code == 2
