"""Flow versions: each case runs under the version of its brand's flow it opened with until it
is moved to a newer one on purpose (`recovery flow migrate`)."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from contextlib import closing
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import create_engine, func, select, update
from typer.testing import CliRunner

from recovery import Engine
from recovery.cli import app
from recovery.errors import FlowError, InvalidInput, PolicyViolation
from recovery.flow_migration import plan
from recovery.flows import load_flows
from recovery.flows.versions import PARTS
from recovery.store.records import Case
from recovery.store.tables import cases, flow_versions
from recovery.testing.migration_steps import standalone, without_state
from tests.conftest import WORKFLOWS, Clock

Change = Callable[[dict[str, Any]], None]


def first_response(target: str) -> Change:
    """A change to a resolved flow: twitter's first-response target, every priority."""
    def change(written: dict[str, Any]) -> None:
        written["channels"]["twitter"]["first_response"] = target
    return change


def both(*changes: Change) -> Change:
    def change(written: dict[str, Any]) -> None:
        for each in changes:
            each(written)
    return change


def nudge(after: str | None) -> Change:
    """A change to a resolved flow: a timer that gives up waiting on the customer after `after`
    (None: no such timer)."""
    def change(written: dict[str, Any]) -> None:
        timers = written["flow"].setdefault("timers", {})
        timers.pop("nudge", None)
        if after is not None:
            timers["nudge"] = {"state": "waiting", "after": after, "fire": "customer_replied"}
    return change


def live(db: str, clock: Clock, folder: Path, change: Change | None = None) -> Engine:
    """An engine on `db` over the sample workflows, or over them with eshop's flow changed."""
    if change is None:
        return Engine(db, workflows=WORKFLOWS, clock=clock)
    flow = load_flows(WORKFLOWS)["eshop"]
    return Engine(db, workflows=standalone(flow, WORKFLOWS, folder, change), clock=clock)


def waiting(engine: Engine, author: str) -> int:
    case = engine.open_case("eshop", channel="twitter", author=author, text="Order 55 never came")
    for trigger in ("acknowledge", "investigate", "wait_for_customer"):
        engine.fire(case.id, trigger, by="eva")
    return case.id


def in_flight_then_changed(db: str, clock: Clock, tmp_path: Path) -> tuple[str, Case, int, Engine]:
    """Ana's complaint, new, and Bo's case, waiting on him, opened under the sample flow; then,
    ten minutes on, the e-shop's flow changed (a 30m first response, no `waiting`). The old
    version, Ana's case, Bo's case id, and an engine over the changed flow."""
    with closing(live(db, clock, tmp_path)) as before:
        old = before.flow("eshop").version
        ana = before.open_case("eshop", channel="twitter", author="@ana", text="Parcel is late")
        bo = waiting(before, "@bo")
    clock.advance(minutes=10)
    return old, ana, bo, live(db, clock, tmp_path / "new",
                              both(first_response("30m"), without_state("waiting")))


def test_the_version_is_what_governs_a_case_and_reads_back_whole(tmp_path: Path) -> None:
    flows = load_flows(WORKFLOWS)
    again = load_flows(WORKFLOWS)
    for brand, flow in flows.items():
        assert flow.version == again[brand].version and len(flow.version) == 16
        back = flow.at_version(flow.version, flow.version_text)
        assert back.settings == flow.settings and back.version == flow.version
        declared, read = flow.settings.flow, back.settings.flow  # in the order written, too
        assert [list(declared.states), list(declared.triggers), list(declared.timers)] == [
            list(read.states), list(read.triggers), list(read.timers)]

    def written(change: Change) -> str:
        folder = tmp_path / f"v{len(list(tmp_path.iterdir()))}"
        return load_flows(standalone(flows["eshop"], WORKFLOWS, folder, change))["eshop"].version

    unchanged = written(lambda data: None)
    assert unchanged == flows["eshop"].version  # standing alone is the same flow
    assert written(lambda data: data.update(people={"petr": "lead"})) == unchanged
    assert written(lambda data: data.update(name="Domov", languages=["hr"])) == unchanged
    assert written(first_response("30m")) != unchanged
    assert written(without_state("waiting")) != unchanged


def test_a_case_keeps_the_version_it_opened_with(db_url: str, clock: Clock,
                                                 tmp_path: Path) -> None:
    old, ana, bo, changed = in_flight_then_changed(db_url, clock, tmp_path)
    with closing(changed) as after:
        new = after.flow("eshop").version
        assert new != old and after.case(ana.id).flow_version == old
        cy = after.open_case("eshop", channel="twitter", author="@cy", text="Wrong item sent")
        assert cy.flow_version == new
        targets = {case: {c.name: c.target.total_seconds() for c in after.clocks(case)}
                   for case in (ana.id, cy.id)}
        assert targets[ana.id]["first_response"] == 3600
        assert targets[cy.id]["first_response"] == 1800
        # the state the new flow lacks still works for the case opened under the old one
        assert after.allowed_triggers(bo) == ["customer_replied"]
        assert after.fire(bo, "customer_replied", by="eva").dest == "investigating"
        with after._db.connect() as conn:
            kept = conn.execute(select(flow_versions.c.version).where(
                flow_versions.c.brand == "eshop")).scalars().all()
        assert sorted(kept) == sorted([old, new])


def test_moving_cases_in_flight_on_purpose(db_url: str, clock: Clock, tmp_path: Path) -> None:
    old, ana, bo, changed = in_flight_then_changed(db_url, clock, tmp_path)
    with closing(changed) as after:
        new = after.flow("eshop").version
        histories = {case: len(after.history(case)) for case in (ana.id, bo)}

        dry = after.migrate_flow("eshop", by="petr", dry_run=True)
        assert not dry.done and dry.unmapped == {"waiting": [bo]}
        assert [(m.case_id, m.version, m.state, m.to_state) for m in dry.moves] == [
            (ana.id, old, "new", "new"), (bo, old, "waiting", None)]
        with pytest.raises(InvalidInput, match=r"'waiting'.*nothing was moved"):
            after.migrate_flow("eshop", by="petr")
        with pytest.raises(InvalidInput, match="no state 'nowhere'"):
            after.migrate_flow("eshop", by="petr", mapping={"waiting": "nowhere"})
        with pytest.raises(InvalidInput, match="no case of eshop to move is in state 'bogus'"):
            after.migrate_flow("eshop", by="petr", mapping={"bogus": "investigating"})
        assert {case: len(after.history(case)) for case in (ana.id, bo)} == histories
        assert {after.case(case).flow_version for case in (ana.id, bo)} == {old}

        due = {c.name: c.due_at for c in after.clocks(ana.id)}
        tried = after.migrate_flow("eshop", by="petr", mapping={"waiting": "investigating"},
                                   dry_run=True)  # the moves made, then rolled back
        assert not tried.done
        assert [m.changes for m in tried.moves] == [
            {"targets": {"first_response": [3600, 1800]}}, {"timers": []}]
        assert {case: len(after.history(case)) for case in (ana.id, bo)} == histories
        assert {after.case(case).flow_version for case in (ana.id, bo)} == {old}
        assert {c.name: c.due_at for c in after.clocks(ana.id)} == due

        moved = after.migrate_flow("eshop", by="petr", mapping={"waiting": "investigating"})
        assert moved.done and [m.changes for m in moved.moves] == [m.changes for m in tried.moves]
        assert after.case(bo).state == "investigating"
        assert {after.case(case).flow_version for case in (ana.id, bo)} == {new}
        ana_move, bo_move = after.history(ana.id)[-1], after.history(bo)[-1]
        assert (ana_move.trigger, ana_move.by, ana_move.payload) == ("migrate", "petr", {
            "from": old, "to": new, "targets": {"first_response": [3600, 1800]}})
        assert bo_move.payload == {"from": old, "to": new, "map": {"waiting": "investigating"},
                                   "timers": []}
        # ana's first response counted 10 minutes of the old target; 20 are left of the new
        clocks = {c.name: c for c in after.clocks(ana.id)}
        assert clocks["first_response"].due_at == ana.opened_at.replace(minute=30)
        # bo's resolution clock was paused while waiting; the state it goes to runs it
        assert {c.name: c.mode for c in after.clocks(bo)}["resolution"] == "running"
        assert after.audit().ok
        assert after.migrate_flow("eshop", by="petr").moves == []
        clock.advance(minutes=21)
        after.tick()
        assert {c.name: c for c in after.clocks(ana.id)}["first_response"].breached


def test_a_dry_run_in_a_hosts_transaction_leaves_it_as_it_was(db_url: str, clock: Clock,
                                                               tmp_path: Path) -> None:
    old, ana, bo, changed = in_flight_then_changed(db_url, clock, tmp_path)
    host = create_engine(db_url)
    with closing(changed) as after:
        histories = {case: len(after.history(case)) for case in (ana.id, bo)}
        with host.connect() as conn, conn.begin(), after.joined(conn):
            tried = after.migrate_flow("eshop", by="petr", dry_run=True,
                                       mapping={"waiting": "investigating"})
            assert tried.moves[0].changes == {"targets": {"first_response": [3600, 1800]}}
            assert conn.execute(select(func.count()).select_from(cases)).scalar() == 2
        assert {case: len(after.history(case)) for case in (ana.id, bo)} == histories
        assert {after.case(case).flow_version for case in (ana.id, bo)} == {old}
        assert after.migrate_flow("eshop", by="petr", mapping={"waiting": "investigating"}).done
    host.dispose()


def test_a_moved_case_loses_the_timers_the_new_flow_does_not_arm(db_url: str, clock: Clock,
                                                                  tmp_path: Path) -> None:
    with closing(live(db_url, clock, tmp_path / "old", nudge("2h"))) as before:
        bo = waiting(before, "@bo")
        assert [t.trigger for t in before.timers(bo) if t.clock is None] == ["customer_replied"]
    with closing(live(db_url, clock, tmp_path / "four", nudge("4h"))) as later:
        assert [m.lacking_timers for m in later.migrate_flow("eshop", by="petr",
                                                            dry_run=True).moves] == [()]
    with closing(live(db_url, clock, tmp_path / "none", nudge(None))) as after:
        dry = after.migrate_flow("eshop", by="petr", dry_run=True)
        assert [(m.state, m.to_state, m.lacking_timers) for m in dry.moves] == [
            ("waiting", "waiting", ("customer_replied",))]
        after.migrate_flow("eshop", by="petr")
        pending = [t for t in after.timers(bo) if t.clock is None and t.fired_at is None
                   and t.cancelled_at is None]
        assert pending == []
        clock.advance(hours=3)
        after.tick()
        assert after.case(bo).state == "waiting"  # the old version's nudge never fires


def test_only_a_lead_moves_cases_where_the_brand_names_its_people(engine: Engine) -> None:
    with pytest.raises(PolicyViolation, match="only a lead of bikeshare"):
        engine.migrate_flow("bikeshare", by="eva")
    assert engine.migrate_flow("bikeshare", by="petr").moves == []


def test_a_case_opened_before_versions_runs_under_the_flow_as_it_is(
        db_url: str, clock: Clock, tmp_path: Path) -> None:
    with closing(live(db_url, clock, tmp_path)) as before:
        ana = before.open_case("eshop", channel="twitter", author="@ana", text="Parcel is late")
        with before._db.begin() as conn:
            conn.execute(update(cases).values(flow_version=None))
    with closing(live(db_url, clock, tmp_path / "new", first_response("30m"))) as after:
        assert after.case(ana.id).flow_version is None
        assert after.migrate_flow("eshop", by="petr").moves == []
        assert after.fire(ana.id, "acknowledge", by="eva").dest == "acknowledged"


def test_plan_leaves_the_closed_cases_where_they_are() -> None:
    flow = load_flows(WORKFLOWS)["eshop"]
    moves = plan(flow, [(1, "v1", "closed"), (2, "v1", "new"), (3, "v1", "gone")],
                 [(2, "remind"), (3, "remind")], lambda version: flow, {"gone": "waiting"})
    assert [(m.case_id, m.to_state, m.lacking_timers) for m in moves] == [
        (2, "new", ("remind",)), (3, "waiting", ("remind",))]


def test_flow_validate_and_migrate_from_the_command_line(tmp_path: Path) -> None:
    clock = Clock()
    db = f"sqlite:///{tmp_path / 'care.db'}"
    with closing(live(db, clock, tmp_path)) as before:
        bo = waiting(before, "@bo")
        old = before.flow("eshop").version
    folder = standalone(load_flows(WORKFLOWS)["eshop"], WORKFLOWS, tmp_path / "new",
                        without_state("waiting"))
    runner = CliRunner()

    def run(*args: str) -> Any:
        return runner.invoke(app, ["--db", db, "--workflows", str(folder), "--now",
                                   "2026-12-01T10:00Z", *args], prog_name="recovery")

    checked = run("flow", "validate")
    assert checked.exit_code == 0
    assert (f"1 open case(s) of eshop run under an older version of its flow ({old}); in "
            f"states it no longer has: 'waiting': case(s) {bo}") in " ".join(checked.stderr.split())
    assert "recovery flow migrate eshop --map waiting=STATE" in " ".join(checked.stderr.split())
    blocked = run("flow", "migrate", "eshop", "--by", "petr", "--dry-run")
    assert blocked.exit_code == 2 and "(no such state: --map it)" in blocked.stdout
    assert "say in --map where each goes, as waiting=STATE" in blocked.stderr
    bad = run("flow", "migrate", "eshop", "--by", "petr", "--map", "waiting")
    assert bad.exit_code == 2 and bad.stderr.count("\n") == 1
    dry = run("flow", "migrate", "eshop", "--by", "petr", "--dry-run", "--map",
              "waiting=investigating")
    assert dry.exit_code == 0 and "nothing was written" in " ".join(dry.stdout.split())
    assert "timers armed again" not in dry.stdout  # the state it goes to arms none
    done = run("flow", "migrate", "eshop", "--by", "petr", "--map", "waiting=investigating",
               "--json")
    assert done.exit_code == 0 and '"done": true' in done.stdout
    engine = create_engine(db)
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(cases).where(
            cases.c.flow_version == old)).scalar() == 0
    engine.dispose()
    shown = run("case", "show", str(bo))
    assert f"moved from version {old} of the flow to" in " ".join(shown.stdout.split())
    assert run("flow", "validate").stderr == ""


def test_a_dry_run_shows_what_each_move_would_change(tmp_path: Path) -> None:
    clock = Clock()
    db = f"sqlite:///{tmp_path / 'care.db'}"
    with closing(live(db, clock, tmp_path)) as before:
        ana = before.open_case("eshop", channel="twitter", author="@ana", text="Parcel is late")
    folder = standalone(load_flows(WORKFLOWS)["eshop"], WORKFLOWS, tmp_path / "new",
                        first_response("30m"))
    dry = CliRunner().invoke(app, ["--db", db, "--workflows", str(folder), "--now",
                                   "2026-12-01T09:10Z", "flow", "migrate", "eshop", "--by",
                                   "petr", "--dry-run"], env={"COLUMNS": "160"})
    assert dry.exit_code == 0, dry.output
    assert f"{ana.id} " in dry.stdout and "first response 1h → 30m" in dry.stdout
    assert "nothing was written" in dry.stdout


def timers_in_waiting(*timers: tuple[str, str]) -> Change:
    """A change to a resolved flow: these timers (name, after) in `waiting`, in this order, each
    giving up on the customer."""
    def change(written: dict[str, Any]) -> None:
        written["flow"]["timers"] = {name: {"state": "waiting", "after": after,
                                            "fire": "customer_replied"}
                                     for name, after in timers}
    return change


def per_priority(written: dict[str, Any]) -> None:
    written["channels"]["twitter"]["first_response"] = {"urgent": "15m", "high": "30m",
                                                        "default": "1h"}


def refund_at_most(value: int) -> Change:
    def change(written: dict[str, Any]) -> None:
        written["remedies"]["refund"]["max"] = value
    return change


def test_an_older_version_lacks_what_it_lacked(db_url: str, clock: Clock,
                                               tmp_path: Path) -> None:
    with closing(live(db_url, clock, tmp_path / "old",
                      lambda written: written.pop("escalations"))) as before:
        ana = before.open_case("eshop", channel="twitter", author="@ana", text="Parcel is late")
    with closing(live(db_url, clock, tmp_path / "new", first_response("30m"))) as after:
        assert after.flow("eshop").settings.escalations
        assert after._case_flow("eshop", ana.flow_version).settings.escalations == {}
        clock.advance(hours=2)
        after.tick()
        assert after.case(ana.id).priority == "normal"  # no escalation in its version


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
        assert (late.trigger, late.payload["found_late"]) == ("resolution.breach", True)
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


def resolved(engine: Engine, author: str) -> Case:
    """An e-shop complaint on Twitter, found, given a discount and resolved."""
    case = engine.open_case("eshop", channel="twitter", author=author, text="Parcel is late")
    for trigger in ("acknowledge", "investigate"):
        engine.fire(case.id, trigger, by="eva")
    engine.record_finding(case.id, "founded", root_cause="courier delay", by="eva")
    engine.offer_remedy(case.id, "discount", 10, by="eva")
    engine.fire(case.id, "resolve", by="eva")
    return case


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
        assert moved.payload["follow_up"] == {"ask": [asked[0].isoformat(),
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


def test_a_case_mapped_to_resolved_is_followed_up(db_url: str, clock: Clock,
                                                  tmp_path: Path) -> None:
    with closing(live(db_url, clock, tmp_path)) as before:
        bo = waiting(before, "@bo")
    with closing(live(db_url, clock, tmp_path / "new", without_state("waiting"))) as after:
        after.migrate_flow("eshop", by="petr", mapping={"waiting": "resolved"})
        asks = [t for t in after.timers(bo) if t.clock == "follow_up" and t.cancelled_at is None]
        assert [t.trigger for t in asks] == ["ask"]
        clock.advance(minutes=1)
        found = after.what_if(WORKFLOWS, brand="eshop", since=clock.now.replace(hour=0))
        assert found.skipped == {"moves to another version of the flow": 1}
        assert found.refused == []


def test_a_kept_version_changed_since_is_refused_and_can_be_moved(db_url: str, clock: Clock,
                                                                  tmp_path: Path) -> None:
    with closing(live(db_url, clock, tmp_path)) as before:
        ana = before.open_case("eshop", channel="twitter", author="@ana", text="Parcel is late")
    with closing(live(db_url, clock, tmp_path / "new", first_response("30m"))) as after:
        with after._db.begin() as conn:
            conn.execute(update(flow_versions).where(
                flow_versions.c.version == ana.flow_version).values(text="flow: {}\n"))
        with pytest.raises(FlowError, match="no longer matches its hash"):
            after.fire(ana.id, "acknowledge", by="eva")
        assert [m.case_id for m in after.migrate_flow("eshop", by="petr").moves] == [ana.id]
        assert after.fire(ana.id, "acknowledge", by="eva").dest == "acknowledged"


def test_a_case_from_before_versions_in_a_lost_state_is_moved_when_mapped(
        db_url: str, clock: Clock, tmp_path: Path) -> None:
    with closing(live(db_url, clock, tmp_path)) as before:
        bo = waiting(before, "@bo")
        with before._db.begin() as conn:
            conn.execute(update(cases).values(flow_version=None))
    with closing(live(db_url, clock, tmp_path / "new", without_state("waiting"))) as after:
        dry = after.migrate_flow("eshop", by="petr", dry_run=True)
        assert [(m.case_id, m.version, m.to_state) for m in dry.moves] == [(bo, None, None)]
        with pytest.raises(InvalidInput, match="no case of eshop to move is in state 'phone'"):
            after.migrate_flow("eshop", by="petr", mapping={"phone": "investigating"})
        after.migrate_flow("eshop", by="petr", mapping={"waiting": "investigating"})
        assert after.case(bo).flow_version == after.flow("eshop").version
        assert after.case(bo).state == "investigating"


EDITS: dict[str, tuple[bool, Change]] = {
    "twitter target": (True, first_response("45m")),
    "refund limit": (True, refund_at_most(300)),
    "no waiting": (True, without_state("waiting")),
    "a timer": (True, timers_in_waiting(("nudge", "3h"))),
    "holidays": (True, lambda written: written["holidays"].update(dates=["2026-12-24"])),
    "people": (False, lambda written: written.update(people={"petr": "lead"})),
    "name": (False, lambda written: written.update(name="Domov")),
    "webhooks": (False, lambda written: written.update(
        webhooks=[{"url": "https://example.org/hook", "secret_env": "HOOK_SECRET"}])),
}
"""Changes to the e-shop's flow, and whether each is one a case runs under."""


@settings(max_examples=12, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.sets(st.sampled_from(sorted(EDITS)), max_size=4))
def test_a_version_changes_exactly_when_what_governs_a_case_does(
        tmp_path: Path, edits: set[str]) -> None:
    eshop = load_flows(WORKFLOWS)["eshop"]
    folder = tmp_path / ("-".join(sorted(edits)).replace(" ", "_") or "none")
    if folder.exists():
        shutil.rmtree(folder)
    changed = load_flows(standalone(eshop, WORKFLOWS, folder,
                                    both(*(EDITS[edit][1] for edit in sorted(edits)))))["eshop"]
    governing = any(EDITS[edit][0] for edit in edits)
    assert (changed.version != eshop.version) == governing, sorted(edits)
    back = eshop.at_version(changed.version, changed.version_text)  # beside the brand as it is
    assert back.settings.model_dump(include=set(PARTS)) == changed.settings.model_dump(
        include=set(PARTS))
