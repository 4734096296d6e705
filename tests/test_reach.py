"""Reach and priority: a complaint's audience and engagement give its priority at opening and
raise it later, with an event, a notice to the lead and tighter SLA targets from that moment;
the rules themselves (pure) and as the flow file declares them. On SQLite and PostgreSQL.

The clock starts on Tuesday 2026-12-01 at 10:00 in Prague (09:00 UTC), the hour bistro opens.
bistro inherits the default flow's rules: urgent at 10,000 followers or 50 shares, high at 1,000
followers or 10 shares; on twitter the first response is due in 15m urgent, 30m high, 1h else.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from recovery import Engine, InvalidInput
from recovery.flows import validate_flows
from recovery.flows.durations import targets as targets_in_words
from recovery.flows.priority import PRIORITIES, REACH, Rule, Targets, counts, level
from tests.conftest import Clock, workflows_with

PRAGUE = ZoneInfo("Europe/Prague")
RULES = {"urgent": Rule(followers=10_000, shares=50), "high": Rule(followers=1_000, mood=["angry"])}


def local(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=PRAGUE)


def first_response(engine: Engine, case_id: int) -> tuple[timedelta, datetime | None]:
    status = engine.clocks(case_id)[0]
    assert status.name == "first_response"
    return status.target, status.due_at


# -- the rules ------------------------------------------------------------------------------

def test_the_highest_level_met_wins_whatever_the_order() -> None:
    assert level(RULES, {"followers": 20_000}, None) == "urgent"
    assert level({"high": RULES["high"], "urgent": RULES["urgent"]},
                 {"followers": 20_000}, None) == "urgent"
    assert level(RULES, {"followers": 5_000}, None) == "high"
    assert level(RULES, {"followers": 10, "shares": 50}, None) == "urgent"
    assert level(RULES, {"followers": 10}, "angry") == "high"
    assert level(RULES, {"followers": 999}, "neutral") == "normal"
    assert level({}, {"followers": 10**9}, "angry") == "normal"


_REACH = st.dictionaries(st.sampled_from(REACH), st.integers(0, 10**6))


@given(_REACH, _REACH, st.sampled_from(["angry", "curious", "neutral", None]))
def test_more_reach_never_means_a_lower_priority(reach: dict[str, int], more: dict[str, int],
                                                 mood: str | None) -> None:
    grown = {name: reach.get(name, 0) + more.get(name, 0) for name in {*reach, *more}}
    assert PRIORITIES.index(level(RULES, grown, mood)) >= PRIORITIES.index(
        level(RULES, reach, mood))


def test_a_target_per_priority_takes_the_next_lower_one_where_not_given() -> None:
    targets = Targets.model_validate({"urgent": "15m", "default": "1h"})
    assert [targets.of(p) for p in PRIORITIES] == [timedelta(hours=1), timedelta(hours=1),
                                                   timedelta(minutes=15)]
    assert Targets.model_validate("2h").of("urgent") == timedelta(hours=2)
    assert targets_in_words(Targets.model_validate({"urgent": "15m", "high": "30m",
                                                     "default": "1h"}), True,
                            timedelta(hours=12)) == \
        "urgent 15 business minutes; high 30 business minutes; 1 business hour"
    with pytest.raises(ValidationError, match="urgent waits longer"):
        Targets.model_validate({"urgent": "2h", "default": "1h"})


def test_reach_is_checked() -> None:
    assert counts({"shares": 3, "followers": 1}) == {"followers": 1, "shares": 3}
    for bad, said in (({"retweets": 1}, "unknown reach 'retweets'"),
                      ({"likes": -1}, "whole number"), ({"likes": True}, "whole number"),
                      ({"likes": 10**13}, "whole number"), ({"likes": "9"}, "whole number"),
                      (["likes"], "reach must map counts")):
        with pytest.raises(InvalidInput, match=said):
            counts(bad)


@pytest.mark.parametrize(("declared", "said"), [
    ("priority:\n  urgent: {followers: null, shares: null, notify: [lead]}\n",
     "a level needs a condition"),  # (the default flow's conditions removed)
    ("priority:\n  urgent: {followers: -5}\n", "greater than or equal to 0"),
    ("priority:\n  high: {mood: furious}\n", "'furious' is not a mood"),
    ("priority:\n  critical: {followers: 5}\n", "critical"),
    ("channels:\n  twitter: {first_response: {urgent: 2h, default: 1h}, resolution: 1d}\n",
     "urgent waits longer"),
])
def test_a_bad_priority_rule_is_refused_with_its_line(tmp_path: Path, declared: str,
                                                      said: str) -> None:
    folder = workflows_with(tmp_path, bistro=f"extends: default\nname: Test\n{declared}")
    _flows, problems = validate_flows(folder)
    assert any(said in problem.message for problem in problems), problems
    assert all(problem.line for problem in problems if said in problem.message)


def test_no_flow_may_declare_the_reach_trigger(tmp_path: Path) -> None:
    folder = workflows_with(tmp_path, bistro="extends: default\nname: Test\nflow:\n  triggers:\n"
                            "    reach: {from: [new], to: acknowledged}\n")
    _flows, problems = validate_flows(folder)
    assert any("reserved" in problem.message for problem in problems)


# -- through the engine ---------------------------------------------------------------------

def test_a_far_reaching_complaint_opens_urgent_with_the_tightest_target(engine: Engine) -> None:
    case = engine.open_case("bistro", channel="twitter", author="@jana", text="Cold soup",
                            reach={"followers": 20_000})
    assert case.priority == "urgent" and case.reach == {"followers": 20_000}
    assert first_response(engine, case.id) == (timedelta(minutes=15), local("2026-12-01 10:15"))
    opened = engine.history(case.id)[0].payload or {}
    assert opened["reach"] == {"followers": 20_000} and opened["priority"] == "urgent"
    quiet = engine.open_case("bistro", channel="twitter", author="@eva", text="Cold soup")
    assert quiet.priority == "normal" and quiet.reach is None
    assert first_response(engine, quiet.id)[0] == timedelta(hours=1)
    assert [c.id for c in engine.cases(priority="urgent")] == [case.id]
    with pytest.raises(InvalidInput, match="no priority 'critical'"):
        engine.cases(priority="critical")


def test_shares_past_a_rule_raise_the_case_tell_the_lead_and_tighten_its_clock(
        engine: Engine, clock: Clock) -> None:
    case_id = engine.open_case("bistro", channel="twitter", author="@jana", text="Cold soup",
                               reach={"followers": 300}).id
    clock.advance(minutes=10)
    quiet = engine.update_reach(case_id, {"shares": 4, "likes": 30}, by="eva")
    assert quiet.trigger == "reach" and quiet.payload == {"reach": {"likes": 30, "shares": 4}}
    assert engine.case(case_id).priority == "normal"
    clock.advance(minutes=10)  # 20 minutes in: 40 left of the hour, 0 of the 15m urgent target
    raised = engine.update_reach(case_id, {"shares": 60}, by="eva")
    payload = raised.payload or {}
    assert payload["priority"] == {"from": "normal", "to": "urgent", "because": "shares 60 ≥ 50"}
    assert payload["notify"] == ["lead"]
    assert payload["targets"] == {"first_response": [3600, 900]}
    case = engine.case(case_id)
    assert case.priority == "urgent"
    assert case.reach == {"followers": 300, "likes": 30, "shares": 60}
    target, due = first_response(engine, case_id)
    assert target == timedelta(minutes=15) and due == local("2026-12-01 10:15")
    [breach] = [t for t in engine.tick() if t.trigger == "breach"]  # overdue: fires at once
    assert breach.clock == "first_response"
    fewer = engine.update_reach(case_id, {"shares": 2}, by="eva")  # never falls
    assert "priority" not in (fewer.payload or {}) and engine.case(case_id).priority == "urgent"


def test_a_reach_update_is_refused_cleanly(engine: Engine) -> None:
    case_id = engine.open_case("bistro", channel="twitter", author="@jana", text="Cold soup").id
    for bad, said in (({}, "give the reach"), ({"retweets": 5}, "unknown reach"),
                      ({"likes": -1}, "whole number")):
        with pytest.raises(InvalidInput, match=said):
            engine.update_reach(case_id, bad, by="eva")
    with pytest.raises(InvalidInput, match="whole number"):
        engine.open_case("bistro", channel="twitter", author="@eva", text="Cold",
                         reach={"followers": -3})
    assert len(engine.history(case_id)) == 1 and len(engine.cases()) == 1


# -- the command line -----------------------------------------------------------------------

def test_the_cli_opens_with_reach_raises_it_and_lists_by_priority(run) -> None:  # type: ignore[no-untyped-def]
    opened = run("case", "open", "bistro", "--channel", "twitter", "--author", "@jana",
                 "--text", "Cold soup", "--followers", "1500")
    assert opened.exit_code == 0 and "priority high" in opened.stdout
    raised = run("case", "reach", "1", "--shares", "75", "--by", "eva")
    assert raised.exit_code == 0, raised.stdout
    assert "priority high → urgent (shares 75 ≥ 50); notifies lead" in raised.stdout
    assert "first response target 30 business minutes → 15 business minutes from now" \
        in raised.stdout
    shown = run("case", "show", "1")
    assert "reach: 1,500 followers · 75 shares" in shown.stdout
    assert "reach: 75 shares · priority high → urgent" in shown.stdout
    until = ("--until", "2026-12-02T00:00Z")
    reported = run("report", *until)
    assert "bistro: by priority" in reported.stdout and "urgent" in reported.stdout
    assert "priority.cases,urgent,1" in run("report", "--csv", *until).stdout
    listed = json.loads(run("case", "list", "--priority", "urgent", "--json").stdout)
    assert [case["id"] for case in listed] == [1] and listed[0]["reach"]["shares"] == 75
    assert json.loads(run("case", "list", "--priority", "normal", "--json").stdout) == []
    run("case", "open", "bistro", "--channel", "twitter", "--author", "@eva", "--text", "Late")
    board = json.loads(run("case", "list", "--json").stdout)  # the urgent case first
    assert [(case["id"], case["priority"]) for case in board] == [(1, "urgent"), (2, "normal")]
    assert [case["id"] for case in json.loads(run("case", "list", "--newest",
                                                  "--json").stdout)] == [2, 1]
    again = json.loads(run("case", "reach", "1", "--likes", "3", "--by", "eva", "--json").stdout)
    assert again["trigger"] == "reach" and again["payload"] == {"reach": {"likes": 3}}
    for args, said in ((("case", "reach", "1", "--by", "eva"), "give the reach"),
                       (("case", "reach", "1", "--likes", "-2", "--by", "eva"), "--likes"),
                       (("case", "list", "--priority", "critical"), "no priority")):
        refused = run(*args)
        assert refused.exit_code != 0 and said in refused.output
        assert "Traceback" not in refused.output


def test_the_report_counts_cases_and_sla_compliance_per_priority(engine: Engine,
                                                                 clock: Clock) -> None:
    urgent = engine.open_case("bistro", channel="twitter", author="@jana", text="Cold soup",
                              reach={"followers": 50_000}).id
    engine.open_case("bistro", channel="twitter", author="@eva", text="Cold soup")
    high = engine.open_case("bistro", channel="twitter", author="@ola", text="Cold soup").id
    clock.advance(minutes=10)
    engine.update_reach(high, {"shares": 12}, by="eva")
    engine.fire(high, "acknowledge", by="eva")  # 10 minutes in: within high's 30
    clock.advance(minutes=10)
    engine.tick()  # the urgent case's 15 minutes are gone
    levels = engine.report(brand="bistro", since=clock.now - timedelta(days=1),
                           until=clock.now)["bistro"]["priorities"]
    assert list(levels) == ["urgent", "high", "normal"]
    assert levels["urgent"]["cases"] == 1
    assert levels["urgent"]["first_response"] == {"business": True, "met": 0, "breached": 1,
                                                  "running": 0}
    assert levels["high"]["first_response"] == {"business": True, "met": 1, "breached": 0,
                                                "running": 0, "p50": 600.0,
                                                "p90": 600.0}  # 10 business minutes
    assert levels["normal"]["first_response"] == {"business": True, "met": 0, "breached": 0,
                                                  "running": 1}
    assert engine.case(urgent).priority == "urgent"
