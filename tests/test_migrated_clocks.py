"""What a move to a new version of a flow does to a case's SLA clocks and follow-up: targets
kept per level, calendars counted from the move, overdue clocks breached, follow-up steps
re-timed."""

from __future__ import annotations

from contextlib import closing
from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import update
from typer.testing import CliRunner

from recovery.cli import app
from recovery.store.tables import timers
from tests.conftest import Clock
from tests.flow_changes import (
    both,
    first_response,
    live,
    per_priority,
    refund_at_most,
    resolved,
    timers_in_waiting,
    waiting,
)


def test_a_change_elsewhere_leaves_a_states_timers_and_a_levels_target_alone(
        db_url: str, clock: Clock, tmp_path: Path) -> None:
    old = both(per_priority, timers_in_waiting(("z_late", "4h"), ("a_early", "2h")))
    with closing(live(db_url, clock, tmp_path / "old", old)) as before:
        bo = waiting(before, "@bo")
        ana = before.open_case("eshop", channel="twitter", author="@ana", text="Parcel is late")
        clock.advance(minutes=61)
        before.tick()  # ana's first response breaches: the escalation raises her to high
        assert before.case(ana.id).priority == "high"
        due = sorted(t.due_at for t in before.timers(bo) if t.clock is None)
    with closing(live(db_url, clock, tmp_path / "new", both(old, refund_at_most(400)))) as after:
        after.migrate_flow("eshop", by="petr")
        assert "timers" not in (after.history(bo)[-1].payload or {})
        assert sorted(t.due_at for t in after.timers(bo) if t.clock is None
                      and t.cancelled_at is None) == due
        assert after.history(ana.id)[-1].trigger == "migrate"
        assert "targets" not in (after.history(ana.id)[-1].payload or {})
        clocks = {c.name: c for c in after.clocks(ana.id)}
        assert clocks["first_response"].target.total_seconds() == 3600  # not high's 30m


def test_a_clock_moved_to_round_the_clock_counts_from_the_move(db_url: str, clock: Clock,
                                                                tmp_path: Path) -> None:
    clock.now = clock.now.replace(day=5, hour=10)  # a Saturday: the e-shop's team is away
    with closing(live(db_url, clock, tmp_path)) as before:
        ana = before.open_case("eshop", channel="twitter", author="@ana", text="Parcel is late")
    clock.advance(hours=1)

    def round_the_clock(written: dict[str, Any]) -> None:
        written["channels"]["twitter"]["clock"] = "calendar"
    with closing(live(db_url, clock, tmp_path / "new", round_the_clock)) as after:
        after.migrate_flow("eshop", by="petr")
        clocks = {c.name: c for c in after.clocks(ana.id)}
        assert clocks["first_response"].due_at == clock.now.replace(hour=12)


def test_a_clock_past_its_new_target_is_due_when_it_passed_it_and_breaches_at_the_next_tick(
        db_url: str, clock: Clock, tmp_path: Path) -> None:
    with closing(live(db_url, clock, tmp_path)) as before:
        ana = before.open_case("eshop", channel="twitter", author="@ana", text="Parcel is late")
    opened = clock.now  # 10:00 in Zagreb, a Tuesday
    clock.now = opened.replace(hour=19)  # 20:00 there: the team has gone home
    with closing(live(db_url, clock, tmp_path / "new", first_response("30m"))) as after:
        after.migrate_flow("eshop", by="petr")
        clocks = {c.name: c for c in after.clocks(ana.id)}
        assert clocks["first_response"].due_at == opened + timedelta(minutes=30)  # not tomorrow
        armed = [t.trigger for t in after.timers(ana.id) if t.clock == "first_response"
                 and t.cancelled_at is None and t.fired_at is None]
        assert armed == ["breach"]  # its warning would say nothing now
        after.tick()
        assert "first_response.breach" in [event.trigger for event in after.history(ana.id)]


def test_a_paused_clock_past_its_new_target_is_breached_by_the_move(
        db_url: str, clock: Clock, tmp_path: Path) -> None:
    with closing(live(db_url, clock, tmp_path)) as before:
        bo = before.open_case("eshop", channel="twitter", author="@bo", text="Order 55?").id
        for trigger in ("acknowledge", "investigate"):
            before.fire(bo, trigger, by="eva")
        clock.advance(minutes=30)
        before.fire(bo, "wait_for_customer", by="eva")  # 30 minutes counted, then paused

    def quarter_hour(written: dict[str, Any]) -> None:
        written["channels"]["twitter"]["resolution"] = "15m"
    with closing(live(db_url, clock, tmp_path / "new", quarter_hour)) as after:
        moved = after.migrate_flow("eshop", by="petr")
        assert moved.moves[0].changes["breaches"] == ["resolution.breach"]
        late = after.history(bo)[-1]
        assert (late.trigger, (late.payload or {})["found_late"]) == ("resolution.breach", True)
        assert {c.name: c for c in after.clocks(bo)}["resolution"].breached_at == clock.now


def test_a_clock_past_its_target_on_a_new_calendar_is_due_at_the_move(
        db_url: str, clock: Clock, tmp_path: Path) -> None:
    with closing(live(db_url, clock, tmp_path)) as before:
        ana = before.open_case("eshop", channel="twitter", author="@ana", text="Parcel is late")
    clock.now = clock.now.replace(hour=19)  # 20:00 in Zagreb, after hours

    def shorter_hours(written: dict[str, Any]) -> None:
        written["hours"] = {"mon-fri": ["08:00-19:00"]}  # closed at the move, 20:00
    with closing(live(db_url, clock, tmp_path / "new", shorter_hours)) as after:
        after.migrate_flow("eshop", by="petr")
        clocks = {c.name: c for c in after.clocks(ana.id)}
        assert clocks["first_response"].due_at == clock.now  # not at tomorrow's opening
        after.tick()
        assert "first_response.breach" in [event.trigger for event in after.history(ana.id)]


def test_a_resolved_case_moved_to_new_hours_is_asked_when_the_team_is_in(
        db_url: str, clock: Clock, tmp_path: Path) -> None:
    with closing(live(db_url, clock, tmp_path)) as before:
        ana = resolved(before, "@ana")  # Tuesday 10:00 in Zagreb: asked Thursday at 10:00

    def afternoons(written: dict[str, Any]) -> None:
        written["hours"] = {"mon-fri": ["12:00-20:00"]}
    with closing(live(db_url, clock, tmp_path / "new", afternoons)) as after:
        after.migrate_flow("eshop", by="petr")
        asks = [t.due_at for t in after.timers(ana.id)
                if t.clock == "follow_up" and t.cancelled_at is None]
        assert asks == [clock.now.replace(day=3, hour=11)]  # Thursday, 12:00 there


def test_a_resolved_case_moved_is_asked_when_the_new_follow_up_says(
        db_url: str, clock: Clock, tmp_path: Path) -> None:
    with closing(live(db_url, clock, tmp_path)) as before:
        ana = resolved(before, "@ana")
        asked = [t.due_at for t in before.timers(ana.id) if t.clock == "follow_up"]
    resolved_at = clock.now  # a Tuesday: the e-shop's two working days on is Thursday
    clock.advance(days=1)

    def sooner(written: dict[str, Any]) -> None:
        written["follow_up"]["after"] = "1d"
    with closing(live(db_url, clock, tmp_path / "new", sooner)) as after:
        after.migrate_flow("eshop", by="petr")
        moved = after.history(ana.id)[-1]
        sooner_at = resolved_at + timedelta(days=1)
        assert (moved.payload or {})["follow_up"] == {"ask": [asked[0].isoformat(),
                                                                sooner_at.isoformat()]}
        asks = [t for t in after.timers(ana.id)
                if t.clock == "follow_up" and t.cancelled_at is None]
        assert [(t.trigger, t.due_at) for t in asks] == [("ask", sooner_at)]
        after.tick()  # due by now: asked at once
        assert after.case(ana.id).state == "followed_up"
        shown = CliRunner().invoke(app, ["--db", db_url, "--workflows", str(tmp_path / "new"),
                                         "--now", clock.now.isoformat(), "case", "show",
                                         str(ana.id)], env={"COLUMNS": "200"})
        assert "· follow-up ask 2026-12-0" in " ".join(shown.output.split()), shown.output


def test_a_follow_up_step_postponed_since_is_left_where_it_is(
        db_url: str, clock: Clock, tmp_path: Path) -> None:
    with closing(live(db_url, clock, tmp_path)) as before:
        ana = resolved(before, "@ana")
        later = clock.now + timedelta(days=9)  # as the worker postpones a question
        with before._db.begin() as conn:
            conn.execute(update(timers).where(timers.c.case_id == ana.id,
                                              timers.c.clock == "follow_up")
                         .values(due_at=later))
    clock.advance(days=1)

    def sooner(written: dict[str, Any]) -> None:
        written["follow_up"]["after"] = "1d"
    with closing(live(db_url, clock, tmp_path / "new", sooner)) as after:
        moved = after.migrate_flow("eshop", by="petr")
        assert "follow_up" not in moved.moves[0].changes
        asks = [t.due_at for t in after.timers(ana.id)
                if t.clock == "follow_up" and t.cancelled_at is None]
        assert asks == [later]
