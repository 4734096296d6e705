"""Flow versions: each case runs under the version of its brand's flow it opened with until it
is moved to a newer one on purpose (`recovery flow migrate`, `test_flow_migration.py`)."""

from __future__ import annotations

import shutil
from contextlib import closing
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select, update

from recovery.errors import FlowError
from recovery.flows import load_flows
from recovery.flows.versions import PARTS
from recovery.store.tables import cases, flow_versions
from recovery.testing.migration_steps import standalone, without_state
from tests.conftest import WORKFLOWS, Clock
from tests.flow_changes import (
    Change,
    both,
    first_response,
    in_flight_then_changed,
    live,
    refund_at_most,
    timers_in_waiting,
)


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
    assert {part: back.resolved.get(part) for part in PARTS} == {  # its file says it too
        part: changed.resolved.get(part) for part in PARTS}
