"""Moving a brand's cases in flight to the current version of its flow, on purpose: the plan,
the mapping of lost states, dry runs, who may, and the command line (their clocks and
follow-ups: `test_migrated_clocks.py`)."""

from __future__ import annotations

from contextlib import closing
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, func, select, update
from typer.testing import CliRunner

from recovery import Engine
from recovery.cli import app
from recovery.errors import InvalidInput, PolicyViolation
from recovery.flow_migration import plan
from recovery.flows import load_flows
from recovery.store.tables import cases
from recovery.testing.migration_steps import standalone, without_state
from tests.conftest import WORKFLOWS, Clock
from tests.flow_changes import (
    first_response,
    in_flight_then_changed,
    live,
    nudge,
    waiting,
)


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


def test_plan_leaves_the_closed_cases_where_they_are() -> None:
    flow = load_flows(WORKFLOWS)["eshop"]
    moves = plan(flow, [(1, "v1", "closed"), (2, "v1", "new"), (3, "v1", "gone")],
                 [(2, "remind"), (3, "remind")], lambda version: flow, {"gone": "waiting"})
    assert [(m.case_id, m.to_state, m.lacking_timers) for m in moves] == [
        (2, "new", ("remind",)), (3, "waiting", ("remind",))]


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
    assert "sit in state" not in checked.stderr  # said once: as a case to move, not as stuck
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
