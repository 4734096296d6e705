"""Policies a policy owner reads and writes: durations that say which clock, targets that do not
loosen by accident when a brand overrides part of them, and `flow show` listing every policy
with what is looser than the flow it extends."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st
from typer.testing import CliRunner

from recovery.cli import app
from recovery.clock import in_days, parse_duration, written_clock
from recovery.flows import validate_flows
from recovery.flows.durations import target, wait

from .conftest import workflows_with

UNITS = {"m": ("minute", "minutes", "min"), "h": ("hour", "hours", "hr"),
         "d": ("day", "days"), "w": ("week", "weeks")}


@given(st.integers(1, 500), st.sampled_from(sorted(UNITS)), st.data())
def test_a_duration_in_words_is_the_duration_in_letters(count: int, letter: str,
                                                        data: st.DataObject) -> None:
    word = data.draw(st.sampled_from(UNITS[letter]))
    clock = data.draw(st.sampled_from(["", "business ", "working ", "calendar "]))
    written = data.draw(st.sampled_from([f"{count} {clock}{word}", f"{count}{letter} {clock}"]))
    assert parse_duration(written) == parse_duration(f"{count}{letter}")
    assert written_clock(written) == {"": None, "calendar ": "calendar"}.get(clock, "business")
    assert in_days(written) == (letter in "dw")


def test_durations_are_said_with_their_clock() -> None:
    day = timedelta(hours=12)
    assert target(timedelta(days=1), True, day) == "24 business hours (2 working days)"
    assert target(timedelta(days=1), True, timedelta(hours=11)) == \
        "24 business hours (about 2.2 working days)"
    assert target(timedelta(minutes=30), True, day) == "30 business minutes"
    assert target(timedelta(days=3), False, day) == "3 days"
    assert wait(timedelta(days=3), True) == "3 working days"
    assert wait(timedelta(days=1, hours=4), True) == "1 working day 4 business hours"
    assert wait(timedelta(days=2), False) == "2 days"


def _problems(tmp_path: Path, written: str) -> list[str]:
    folder = workflows_with(tmp_path / f"flows{len(list(tmp_path.glob('flows*')))}",
                            b="extends: default\nname: B\n" + written)
    return [f"{problem.line}: {problem.message}" for problem in validate_flows(folder)[1]]


def test_a_duration_naming_the_wrong_clock_is_refused_on_its_line(tmp_path: Path) -> None:
    assert _problems(tmp_path, "channels:\n  twitter: {first_response: 1h business, "
                     "resolution: 24h business}\n") == []
    [calendar] = _problems(tmp_path, "channels:\n  email: {first_response: 2 calendar days, "
                           "resolution: 3d}\n")
    assert calendar.startswith("4: ") and "names the calendar clock, but the first response " \
        "target counts on the business clock; drop the clock word, or set clock: calendar" \
        in calendar
    [days] = _problems(tmp_path, "channels:\n  email: {first_response: 1h, resolution: "
                       "1 business day}\n")
    assert "an SLA target counts business hours, not working days; write the hours it " \
           "means, e.g. '24h business'" in days
    [hours] = _problems(tmp_path, "follow_up: {after: 72h business, close_after: 7d}\n")
    assert hours.startswith("3: ") and "wait before asking counts whole working days" in hours
    assert _problems(tmp_path, "follow_up: {after: 3 working days, close_after: 1 week}\n") \
        == []


def test_a_single_target_over_per_priority_ones_changes_only_the_default(
        tmp_path: Path) -> None:
    folder = workflows_with(tmp_path / "flows", b="extends: default\nname: B\nchannels:\n"
                            "  twitter: {first_response: 45m}\n")
    flows, problems = validate_flows(folder)
    assert problems == []
    targets = flows["b"].settings.channels["twitter"].first_response
    assert (targets.urgent, targets.high, targets.default) == (
        timedelta(minutes=15), timedelta(minutes=30), timedelta(minutes=45))  # urgent kept
    tighter = workflows_with(tmp_path / "tighter", b="extends: default\nname: B\nchannels:\n"
                             "  twitter: {first_response: 10m}\n")
    targets = validate_flows(tighter)[0]["b"].settings.channels["twitter"].first_response
    assert (targets.urgent, targets.high, targets.default) == (timedelta(minutes=10),) * 3


def test_validate_says_what_days_mean_where_they_are_used() -> None:
    result = CliRunner().invoke(app, ["--workflows", str(Path(__file__).parents[1] /
                                                         "workflows"), "flow", "validate"])
    assert result.exit_code == 0, result.output
    assert "eshop: email resolution 3d = 72 business hours (6 working days)" in result.stdout
    assert "eshop: follow-up after 2d = 2 working days" in result.stdout


def test_flow_show_lists_every_policy_and_what_is_looser_than_its_parent(
        tmp_path: Path) -> None:
    folder = workflows_with(tmp_path / "flows", b="""extends: default
name: B
people: {eva: agent, petr: lead}
channels:
  twitter: {first_response: {urgent: 30m, default: 2h}}
  facebook: {first_response: 1h, resolution: 2d, clock: calendar}
  instagram: {first_response: 2h, resolution: 1d}
remedies:
  voucher: {max: 20, lead_max: 50, unit: EUR, per_customer: {count: 1, days: 30}}
priority:
  urgent: {followers: 20000}
escalations:
  resolution: {breach: {notify: []}}
goodwill: {per_month: 50}
""")
    result = CliRunner().invoke(app, ["--workflows", str(folder), "flow", "show", "b"],
                                env={"COLUMNS": "120"})
    assert result.exit_code == 0, result.output
    shown = result.stdout
    for said in ("urgent 30 business minutes; high 30 business minutes; 2 business hours",
                 "voucher", "€20.00", "€50.00", "1 in 30 days",
                 "People: eva (agent), petr (lead)", "at most 1 a case, 50 a month",
                 "followers ≥ 20,000, shares ≥ 50", "asks       how it went, 1 to 5, "
                 "3 working days after resolving", "Looser than the default flow: 5 setting(s)",
                 "twitter first response (urgent priority): 30 business minutes; default "
                 "flow: 15 business minutes",
                 "twitter first response (default priority): 2 business hours; default "
                 "flow: 1 business hour",
                 "goodwill remedies a month: 50; default flow: 20",
                 "priority urgent: followers at 20,000; default flow: 10,000",
                 "resolution breach: does not tell lead; default flow: does"):
        assert said in shown, (said, shown)
