"""Flow files: every problem found, each at its file and line, with a hint; pure checks."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from recovery import FlowError, load_flows, validate_flows
from recovery.clock import format_duration, parse_duration
from recovery.flows import load_brands
from recovery.flows.schema import FlowDecl
from recovery.flows.validate import check_flow
from tests.conftest import WORKFLOWS, workflows_with


def _problems(tmp_path: Path, text: str) -> list[str]:
    folder = workflows_with(tmp_path, brand=text)
    return [f"{p.file.name}:{p.line}: {p.message} ({p.hint})"
            for p in validate_flows(folder)[1]]


BRAND = "extends: default\nname: Brand\n"


def test_the_sample_workflows_are_valid() -> None:
    flows = load_flows(WORKFLOWS)
    assert sorted(flows) == ["bikeshare", "bistro", "default", "eshop"]
    assert flows["bistro"].settings.remedies["coupon"].unit == "meal"
    assert flows["eshop"].settings.flow.triggers["resolve"].guards == ["has_finding", "has_remedy"]
    declared = flows["bistro"].settings.follow_up
    assert declared is not None and (declared.after, declared.close_after) == (
        timedelta(days=2), timedelta(days=7))


def test_every_problem_is_reported_with_its_line_and_a_hint(tmp_path: Path) -> None:
    found = _problems(tmp_path, BRAND + (
        "timezone: Europe/Pragu\n"               # 3
        "flow:\n"                                 # 4
        "  triggers:\n"                           # 5
        "    resolve:\n"                          # 6
        "      to: resolvd\n"))                   # 7
    assert found == [
        "flow.yaml:3: timezone: 'Europe/Pragu' is not an IANA time zone (e.g. Europe/Prague) ()",
        "flow.yaml:7: trigger 'resolve' leads to unknown state 'resolvd' (did you mean "
        "'resolved'?)"]
    found = _problems(tmp_path / "b", BRAND + (
        "flow:\n"                                 # 3
        "  triggers:\n"                           # 4
        "    resolve:\n"                          # 5
        "      to: resolvd\n"                     # 6
        "      guards: [has_findng]\n"))          # 7
    assert found == [
        "flow.yaml:6: trigger 'resolve' leads to unknown state 'resolvd' "
        "(did you mean 'resolved'?)",
        "flow.yaml:7: unknown guard 'has_findng' (did you mean 'has_finding'?)",
    ]


@pytest.mark.parametrize(("body", "line", "message"), [
    ("flow:\n  states:\n    limbo: {}\n", 5, "state 'limbo' cannot be reached from 'new'"),
    ("flow:\n  states:\n    limbo: {}\n  triggers:\n    stall: {from: new, to: limbo}\n", 5,
     "state 'limbo' is a dead end but not terminal"),
    ("flow:\n  timers:\n    nag: {in: resolved, after: 1d, fire: nudge}\n", 5,
     "timer 'nag' fires unknown trigger 'nudge'"),
    ("flow:\n  timers:\n    nag: {in: new, after: 1d, fire: resolve}\n", 5,
     "timer 'nag' fires 'resolve', which cannot fire from 'new'"),
    ("flow:\n  timers:\n    nag: {in: new, after: soon, fire: acknowledge}\n", 5,
     "'soon' is not a duration"),
    ("flow:\n  triggers:\n    hide_post: {from: new, to: closed}\n", 5,
     "complaints are never deleted"),
    ("flow:\n  triggers:\n    close: {from: closed, to: closed}\n", 5,
     "leaves terminal state 'closed'"),
    ("hours:\n  mon-fri: ['08:00-12:00', '11:00-20:00']\n", 3, "overlaps"),
    ("hours:\n  fri-mon: ['08:00-12:00']\n", 3, "runs backwards"),
    ("channels:\n  myspace: {first_response: 1h, resolution: 1d}\n", 3, "unknown channel"),
    ("holidays: {country: XX}\n", 3, "not a country"),
    ("remedies:\n  coupon: {max: -1, unit: EUR}\n", 4, "greater than 0"),
    ("voice: sarcastic\n", 3, "formal"),
    ("colour: blue\n", 3, "unknown setting 'colour'"),
    ("name: Twice\n", 3, "'name' is declared twice"),
    ("voice: casual\n\tflow: {}\n", 4, "not valid YAML"),
    ("replies:\n  order_number: 'BR-(\\d'\n", 4, "not a pattern the engine runs (missing )"),
    ("replies:\n  order_number: '(a)\\1'\n", 4, "without backreferences or lookarounds"),
    ("replies:\n  watch: [xx]\n", 4, "not a language the detector knows"),
    ("replies:\n  regions: [XX]\n", 4, "not a phone region"),
    ("replies:\n  contacts: [hotline]\n", 4, "neither an e-mail address nor a phone number"),
    ("follow_up: {after: 3d, reminder_after: 8d}\n", 3, "must come before close_after"),
    ("channels:\n  twitter: {first_response: 1h, resolution: 3000000d}\n", 4,
     "longer than 36,500 days"),
    ("channels:\n  twitter: {first_response: 1h, resolution: 400d}\n", 4,
     "longer than a year"),
    ("flow:\n  timers:\n    nag: {in: new, after: 99999999999w, fire: acknowledge}\n", 5,
     "longer than 36,500 days"),
    ("follow_up: {low_score: 5}\n", 3, "low_score"),
    ("follow_up: {sample: 0}\n", 3, "sample"),
    ("follow_up: {skip_when: [rainy]}\n", 3, "skip_when"),
    ("follow_up: {template: survey}\n", 3, "no 'survey' template in en, which Brand serves"),
    ("follow_up: {after: 3d}\nflow:\n  triggers:\n"
     "    reopen: {from: resolved, to: investigating}\n", 3,
     "the follow-up needs a `reopen` trigger from followed_up"),
])
def test_each_kind_of_mistake_is_found_where_it_is(tmp_path: Path, body: str, line: int,
                                                   message: str) -> None:
    found = _problems(tmp_path, BRAND + body)
    assert any(p.startswith(f"flow.yaml:{line}:") and message in p for p in found), found


def test_extending_an_unknown_or_circular_flow_is_refused(tmp_path: Path) -> None:
    folder = workflows_with(tmp_path, a="extends: b\nname: A\n", b="extends: a\nname: B\n",
                        c="extends: nowhere\nname: C\n")
    messages = [p.message for p in validate_flows(folder)[1]]
    assert "'c' extends unknown flow 'nowhere'" in messages
    assert any("extends itself" in m for m in messages)


def test_a_missing_setting_names_the_file_extending_nothing(tmp_path: Path) -> None:
    found = _problems(tmp_path, "name: Alone\n")
    assert any("'timezone' is missing" in p for p in found), found


def test_load_flows_raises_with_all_problems(tmp_path: Path) -> None:
    folder = workflows_with(tmp_path, x=BRAND + "voice: loud\ncolour: red\n")
    with pytest.raises(FlowError) as error:
        load_flows(folder)
    assert len(error.value.problems) == 2
    assert "and 1 more problem" in str(error.value)
    with pytest.raises(FlowError, match="no brand flows found"):
        load_flows(tmp_path / "empty")


def test_one_run_reports_the_settings_and_the_graph_problems_together(tmp_path: Path) -> None:
    found = _problems(tmp_path, BRAND + "timezone: Europe/Prag\nflow:\n  timers:\n"
                      "    nudge: {in: resolvd, after: 2d, fire: follow_up_due}\n")
    assert found[0].startswith("flow.yaml:3: timezone: 'Europe/Prag' is not an IANA time zone")
    assert any(p.startswith("flow.yaml:6: timer 'nudge' is armed in unknown state 'resolvd' "
                            "(did you mean 'resolved'?)") for p in found), found


@pytest.mark.parametrize(("text", "line", "message"), [
    (BRAND + "voice: casual\nhours:\n  mon: ['09:00-17:00']\n tue: ['09:00-17:00']\n", 6,
     "not valid YAML"),
    (BRAND + 'direct_line: "+420 222 333 444\nvoice: casual\nlanguages: [cs]\n', 3,
     "not valid YAML: the quoted text opened on this line is not closed (noticed at line 6"),
    (BRAND + "channels:\n  twitter: {first_response: 1h, resolution: 1d\n  email: null\n"
     "voice: casual\n", 4, "not valid YAML: the { mapping opened on this line is not closed"),
])
def test_bad_yaml_points_at_its_own_line(tmp_path: Path, text: str, line: int,
                                         message: str) -> None:
    [problem] = validate_flows(workflows_with(tmp_path, brand=text))[1]
    assert (problem.line, problem.message[:len(message)]) == (line, message)


def test_one_broken_brand_leaves_the_others_loaded(tmp_path: Path) -> None:
    folder = workflows_with(tmp_path, good=BRAND, bad=BRAND + "voice: loud\n")
    flows, broken = load_brands(folder)
    assert "good" in flows and "bad" not in flows
    [problem] = broken["bad"]
    assert (problem.file.parent.name, problem.line) == ("bad", 3)
    assert problem.message.startswith("voice: Input should be")
    with pytest.raises(FlowError, match="every flow here is a base flow"):
        load_brands(workflows_with(tmp_path / "bases"))


def test_a_brand_replaces_the_week_and_merges_the_rest(tmp_path: Path) -> None:
    folder = workflows_with(tmp_path, b=BRAND + "hours:\n  sat: ['09:00-13:00']\n"
                        "channels:\n  twitter: null\n  email: {first_response: 1d, "
                        "resolution: 3d}\n")
    settings = load_flows(folder)["b"].settings
    assert settings.hours == {"sat": ["09:00-13:00"]}
    assert list(settings.channels) == ["facebook", "email"]
    assert settings.abstract is False


# -- pure checks, over many inputs ---------------------------------------------------------------


@given(st.lists(st.integers(0, 99), min_size=4, max_size=4).filter(any))
def test_durations_round_trip(parts: list[int]) -> None:
    weeks, days, hours, minutes = parts
    delta = timedelta(weeks=weeks, days=days, hours=hours, minutes=minutes)
    assert parse_duration(format_duration(delta)) == delta


@given(st.text(alphabet="dhmw0123456789 x-", max_size=8))
def test_parsing_a_duration_either_works_or_says_how_to_write_one(text: str) -> None:
    try:
        assert parse_duration(text) >= timedelta(0)
    except ValueError as error:
        assert "write it like" in str(error) or "is longer than 36,500 days" in str(error)


def _chain(count: int, extra: list[tuple[int, int]]) -> dict[str, object]:
    states = {f"s{i}": {"terminal": i == count - 1} for i in range(count)}
    triggers = {f"t{i}": {"from": f"s{i}", "to": f"s{i + 1}"} for i in range(count - 1)}
    for n, (a, b) in enumerate(extra):
        if a < count - 1:  # terminal states have no way out
            triggers[f"x{n}"] = {"from": f"s{a}", "to": f"s{b % count}"}
    return {"initial": "s0", "states": states, "triggers": triggers}


@given(st.integers(2, 12), st.lists(st.tuples(st.integers(0, 11), st.integers(0, 11)),
                                     max_size=10))
def test_a_chain_to_a_terminal_state_is_valid_whatever_shortcuts_it_has(
        count: int, extra: list[tuple[int, int]]) -> None:
    assert check_flow(FlowDecl.model_validate(_chain(count, extra))) == []


@given(st.integers(2, 12), st.lists(st.tuples(st.integers(0, 11), st.integers(0, 11)),
                                     max_size=10))
def test_a_state_nothing_leads_to_is_always_reported(count: int,
                                                     extra: list[tuple[int, int]]) -> None:
    decl = _chain(count, extra)
    decl["states"]["orphan"] = {"terminal": True}  # type: ignore[index]
    found = check_flow(FlowDecl.model_validate(decl))
    assert [(path, message) for path, message, _hint in found] == [
        (("flow", "states", "orphan"), "state 'orphan' cannot be reached from 's0'")]


LAUGHS = BRAND + "a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n" + "".join(
    f"{this}: &{this} [{', '.join([f'*{that}'] * 9)}]\n"
    for that, this in zip("abcdefgh", "bcdefghi", strict=True))


@pytest.mark.parametrize(("text", "message"), [
    (LAUGHS, "more than 20,000 values once its aliases are expanded"),
    (BRAND + "x: &x [*x]\n", "an alias refers to itself"),
    (BRAND + "x: " + "[" * 200 + "]" * 200 + "\n", "nested deeper than 32 levels"),
    (BRAND + "voice: casual\x00\n", "holds a NUL byte"),
    (BRAND + "# " + "x" * 300_000 + "\n", "the file is over 256 KB"),
    (BRAND + "flow:\n  triggers:\n    record_finding: null\n",
     "guard 'has_finding' of 'resolve' can never pass: no trigger records the finding"),
])
def test_a_hostile_flow_file_gets_its_problem_fast(tmp_path: Path, text: str,
                                                   message: str) -> None:
    found = _problems(tmp_path, text)
    assert any(message in problem for problem in found), found
