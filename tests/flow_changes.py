"""Brand flows changed under cases in flight, for the tests of flow versions and of moving
cases to a new one: changes to the e-shop's resolved flow, an engine over it, and cases in the
states the tests move."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import closing
from pathlib import Path
from typing import Any

from recovery import Engine
from recovery.flows import load_flows
from recovery.store.records import Case
from recovery.testing.migration_steps import standalone, without_state
from tests.conftest import WORKFLOWS, Clock

Change = Callable[[dict[str, Any]], None]


def first_response(target: str) -> Change:
    """A change to a resolved flow: twitter's first-response target, every priority."""
    def change(written: dict[str, Any]) -> None:
        written["channels"]["twitter"]["first_response"] = target
    return change


def both(*changes: Change) -> Change:
    """The changes made one after another."""
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


def timers_in_waiting(*timers: tuple[str, str]) -> Change:
    """A change to a resolved flow: these timers (name, after) in `waiting`, in this order, each
    giving up on the customer."""
    def change(written: dict[str, Any]) -> None:
        written["flow"]["timers"] = {name: {"state": "waiting", "after": after,
                                            "fire": "customer_replied"}
                                     for name, after in timers}
    return change


def per_priority(written: dict[str, Any]) -> None:
    """A change to a resolved flow: twitter's first-response target set per priority."""
    written["channels"]["twitter"]["first_response"] = {"urgent": "15m", "high": "30m",
                                                        "default": "1h"}


def refund_at_most(value: int) -> Change:
    """A change to a resolved flow: the agent's limit on a refund."""
    def change(written: dict[str, Any]) -> None:
        written["remedies"]["refund"]["max"] = value
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


def resolved(engine: Engine, author: str) -> Case:
    """An e-shop complaint on Twitter, found, given a discount and resolved."""
    case = engine.open_case("eshop", channel="twitter", author=author, text="Parcel is late")
    for trigger in ("acknowledge", "investigate"):
        engine.fire(case.id, trigger, by="eva")
    engine.record_finding(case.id, "founded", root_cause="courier delay", by="eva")
    engine.offer_remedy(case.id, "discount", 10, by="eva")
    engine.fire(case.id, "resolve", by="eva")
    return case


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
