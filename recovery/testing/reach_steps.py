"""Steps about reach and priority: how far a complaint travels decides how fast it is answered.

Counts are whole numbers (`20000`); what grows is one of followers, likes, shares, replies.
"""

from __future__ import annotations

from pytest_bdd import given, parsers, then, when

from recovery.clock import format_duration, parse_duration
from recovery.testing.steps import Spec
from recovery.testing.time_steps import CLOCK, clock_of


@given(parsers.parse('a complaint on {channel} from "{author}" with {followers:d} followers: '
                     '"{text}"'))
def given_complaint_with_followers(spec: Spec, channel: str, author: str, followers: int,
                                   text: str) -> None:
    """Open a case for a public complaint whose author has this many followers."""
    case = spec.engine.open_case(spec.flow.brand, channel=channel, author=author, text=text,
                                 reach={"followers": followers})
    spec.case_id = case.id


@when(parsers.re(r"the post's (?P<what>followers|likes|shares|replies) rise to "
                 r"(?P<count>\d+)$"))
def when_reach_rises(spec: Spec, what: str, count: str) -> None:
    """Monitoring records the post's new count (the author's followers, likes, shares,
    replies)."""
    spec.attempt(spec.engine.update_reach, spec.case.id, {what: int(count)}, by="monitoring")


@then(parsers.re(CLOCK + r"'s target is (?P<target>\w+)$"))
def then_clock_target(spec: Spec, name: str, target: str) -> None:
    """The clock counts against this target (tighter for a higher priority)."""
    spec.succeeded()
    found = clock_of(spec, name).target
    assert found == parse_duration(target), f"the target is {format_duration(found)}"


@then("the lead is told the case rose")
def then_lead_told_of_rise(spec: Spec) -> None:
    """The reach update that raised the priority asks the helpdesk to alert the lead."""
    spec.succeeded()
    rises = [event for event in spec.engine.history(spec.case.id)
             if event.trigger == "reach" and (event.payload or {}).get("priority")]
    assert rises, "no reach update raised the priority"
    assert "lead" in (rises[-1].payload or {}).get("notify", []), rises[-1].payload
