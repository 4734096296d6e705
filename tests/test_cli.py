"""The command line through typer's runner: JSON for scripts, one-line errors, documented."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from typer.main import get_command
from typer.testing import CliRunner

from recovery.cli import app
from recovery.cli.common import GLOBAL_OPTIONS, hoist
from tests.conftest import ROOT, WORKFLOWS


def test_a_care_agent_drives_a_case_from_the_command_line(run) -> None:  # type: ignore[no-untyped-def]
    opened = run("case", "open", "bistro", "--channel", "facebook", "--author", "@jana",
                 "--text", "Cold soup again…", "--at", "2026-12-01T10:00", "--json")
    assert opened.exit_code == 0, opened.output
    case = json.loads(opened.stdout)
    assert (case["id"], case["state"], case["opened_at"]) == (1, "new", "2026-12-01T10:00:00+00:00")
    fired = run("case", "fire", "1", "acknowledge", "--by", "eva", "--note", "Public reply posted")
    assert fired.exit_code == 0 and "new → acknowledged" in fired.stdout
    assert run("case", "fire", "1", "investigate", "--by", "eva").exit_code == 0
    listed = run("case", "list", "--brand", "bistro", "--state", "investigating", "--json")
    assert [c["id"] for c in json.loads(listed.stdout)] == [1]
    finding = run("case", "finding", "1", "founded", "--root-cause", "slow pass", "--by", "eva")
    assert finding.exit_code == 0, finding.output
    remedy = run("case", "remedy", "1", "coupon", "--value", "1", "--by", "eva", "--json")
    issued = json.loads(remedy.stdout)
    assert (issued["status"], issued["kind"], len(issued["code"])) == ("issued", "coupon", 10)
    assert run("case", "fire", "1", "resolve", "--by", "eva").exit_code == 0
    shown = json.loads(run("case", "show", "1", "--json").stdout)
    assert shown["state"] == "resolved"
    assert [e["trigger"] for e in shown["history"]][-2:] == ["offer_remedy", "resolve"]
    assert {t["trigger"]: t["allowed"] for t in shown["triggers"]}["reopen"] is True
    assert "ask" in [timer["trigger"] for timer in shown["timers"]]  # the follow-up
    human = run("case", "show", "1")
    assert "Triggers" in human.stdout and "only from new" in human.stdout
    ticked = json.loads(run("tick", "--now", "2026-12-04T09:00Z", "--json").stdout)
    assert [(t["case_id"], t["outcome"]) for t in ticked] == [(1, "fired")]


@pytest.mark.parametrize(("args", "code", "message"), [
    (["case", "show", "42"], 3, "error: no case 42"),
    (["case", "open", "bistro", "--channel", "tiktok", "--author", "a", "--text", "b"], 2,
     "does not serve channel 'tiktok'"),
    (["case", "open", "nobody", "--channel", "facebook", "--author", "a", "--text", "b"], 3,
     "no brand 'nobody'"),
    (["tick", "--now", "tomorrow"], 2, "--now: 'tomorrow' is not a time"),
    (["--db", "nosuch://x", "case", "list"], 6, "cannot use database"),
])
def test_every_error_is_one_line_with_its_exit_code(run, args: list[str], code: int,  # type: ignore[no-untyped-def]
                                                    message: str) -> None:
    assert run("db", "init").exit_code == 0
    result = run(*args)
    assert result.exit_code == code, result.output
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.output


def test_a_refused_trigger_exits_4_and_changes_nothing(run) -> None:  # type: ignore[no-untyped-def]
    run("case", "open", "eshop", "--channel", "email", "--author", "a@b.hr", "--text", "Late",
        "--at", "2026-12-01T10:00")
    result = run("case", "fire", "1", "move_private", "--by", "eva")
    assert result.exit_code == 4
    assert result.stderr.strip() == (
        "error: case 1: 'move_private' is not allowed from state 'new' (allowed: acknowledge)")
    assert json.loads(run("case", "show", "1", "--json").stdout)["version"] == 1


def test_flow_validate_reports_every_problem_with_file_and_line(tmp_path: Path) -> None:
    (tmp_path / "default").mkdir()
    (tmp_path / "default" / "flow.yaml").write_text((WORKFLOWS / "default/flow.yaml").read_text())
    (tmp_path / "bad").mkdir()
    (tmp_path / "bad" / "flow.yaml").write_text("extends: default\nname: Bad\nvoice: loud\n"
                                                 "flow:\n  initial: nowhere\n")
    result = CliRunner().invoke(app, ["--workflows", str(tmp_path), "flow", "validate"])
    assert result.exit_code == 7
    lines = result.stderr.strip().splitlines()
    assert any(re.search(r"bad/flow.yaml:3: voice", line) for line in lines), lines
    as_json = CliRunner().invoke(app, ["--workflows", str(tmp_path), "flow", "validate", "--json"])
    assert as_json.exit_code == 7 and json.loads(as_json.stdout)["ok"] is False


def test_the_demo_opens_samples_once_and_shows_the_board(run) -> None:  # type: ignore[no-untyped-def]
    first = json.loads(run("demo", "--json").stdout)
    assert first["opened"] == 7
    states = {c["external_id"]: c["state"] for c in first["cases"]}
    assert states["sample:fb-3001"] == "resolved"
    assert states["sample:tw-77"] == "remedy_offered"
    assert json.loads(run("demo", "--json").stdout)["opened"] == 0
    assert "case(s)" in run("demo").stdout


def _commands() -> list[tuple[str, object]]:
    found = []

    def walk(prefix: str, command: object) -> None:
        found.append((prefix, command))
        for name, sub in getattr(command, "commands", {}).items():
            walk(f"{prefix} {name}".strip(), sub)

    walk("", get_command(app))
    return found


@pytest.mark.parametrize(("name", "command"), _commands(), ids=lambda v: v if isinstance(v, str)
                         else "")
def test_every_command_and_option_is_documented(name: str, command: object) -> None:
    assert (getattr(command, "help", None) or "").strip(), f"`recovery {name}` has no help"
    for param in getattr(command, "params", []):
        if param.param_type_name == "option":
            assert (param.help or "").strip(), f"`recovery {name}` {param.opts} has no help"
    if name:  # the generated reference lists every command; a guide shows each in use
        guides = [page for page in (ROOT / "docs").rglob("*.md") if page.name != "cli.md"]
        assert any(f"recovery {name}" in page.read_text() for page in guides), (
            f"no page of docs/ beside the generated reference shows `recovery {name}`")


def test_a_brand_owner_runs_a_feature_file_with_one_command(tmp_path: Path) -> None:
    passing = tmp_path / "mine.feature"
    passing.write_text('Feature: Mine\n  Scenario: Cold soup is acknowledged\n'
                       '    Given the brand "bistro"\n'
                       '    And a complaint from "@jana": "Cold soup"\n'
                       '    When "eva" fires "acknowledge"\n'
                       '    Then the case is "acknowledged"\n')
    failing = tmp_path / "wrong.feature"
    failing.write_text(passing.read_text().replace('is "acknowledged"', 'is "closed"'))
    base = ["--workflows", str(WORKFLOWS), "spec"]
    assert CliRunner().invoke(app, [*base, str(passing), "-q"]).exit_code == 0
    assert CliRunner().invoke(app, [*base, str(failing), "-q"]).exit_code == 1


def test_spec_with_only_pytest_options_runs_the_policy_scenarios(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Options alone (`-q`, `-k cold`) still run ./features and each brand's own, never
    pytest's own test paths; a scenario `-k` leaves out is not reported."""
    workflows = tmp_path / "workflows"
    shutil.copytree(WORKFLOWS, workflows)
    (workflows / "bistro" / "features").mkdir()
    (workflows / "bistro" / "features" / "own.feature").write_text(
        'Feature: Own\n  Scenario: A warm soup is acknowledged\n    Given the brand "bistro"\n'
        '    And a complaint from "@jana": "Cold soup"\n    When "eva" fires "acknowledge"\n'
        '    Then the case is "acknowledged"\n')
    monkeypatch.chdir(tmp_path)  # no ./features here: only the brand's own
    nothing = CliRunner().invoke(app, ["--workflows", str(WORKFLOWS), "spec", "-q"])
    assert (nothing.exit_code, nothing.stderr) == (3, "error: no policy scenarios here: name "
                                                      "feature files or folders, or run where "
                                                      "./features is (or a brand has "
                                                      "workflows/BRAND/features)\n")
    result = CliRunner().invoke(app, ["--workflows", str(workflows), "spec", "-k", "warm"])
    assert result.exit_code == 0, result.output
    assert result.output.rstrip().endswith("1 scenario(s): 1 passed, 0 failed, 0 skipped")
    assert "(workflows/bistro/features/own.feature)" in result.output


def test_an_agent_previews_then_sends_a_template_reply(run) -> None:  # type: ignore[no-untyped-def]
    now = ("--now", "2026-12-01T10:00")
    run(*now, "case", "open", "bistro", "--channel", "facebook", "--author", "@jana",
        "--name", "Jana Nováková", "--text", "Studená polévka už podruhé, ostuda!")
    preview = run(*now, "reply", "1", "--template", "acknowledge", "--by", "eva", "--dry-run")
    assert preview.exit_code == 0, preview.output
    said = " ".join(preview.stdout.split())
    assert said.startswith("preview of a public reply to case 1 (cs, ") and \
        "nothing is sent or recorded: Jano, máš plné právo se zlobit" in said
    assert json.loads(run("case", "show", "1", "--json").stdout)["version"] == 1
    sent = run(*now, "reply", "1", "--template", "acknowledge", "--by", "eva",
               "--fire", "acknowledge")
    assert sent.exit_code == 0, sent.output
    assert "replied publicly (cs" in sent.stdout and "acknowledge fired" in sent.stdout
    shown = json.loads(run("case", "show", "1", "--json").stdout)
    assert [event["trigger"] for event in shown["history"]] == ["open", "reply", "acknowledge"]
    assert (shown["language"], shown["emotion"]) == ("cs", "angry")


def test_a_blocked_reply_exits_4_and_an_override_sends_it(run) -> None:  # type: ignore[no-untyped-def]
    run("case", "open", "bistro", "--channel", "facebook", "--author", "@jana", "--text",
        "Studená polévka", "--at", "2026-12-01T10:00")
    refused = run("reply", "1", "--text", "Zavolejte nám na 603 123 456, vyřešíme to.",
                  "--by", "eva")
    assert refused.exit_code == 4
    assert refused.stderr.splitlines()[-1].startswith(
        "error: case 1: reply refused: blocking personal-data")
    assert len(json.loads(run("case", "show", "1", "--json").stdout)["history"]) == 1
    sent = run("reply", "1", "--text", "Zavolejte nám na 603 123 456, vyřešíme to.", "--by",
               "eva", "--override", "the customer asked for a call in public", "--json")
    assert sent.exit_code == 0, sent.output
    assert json.loads(sent.stdout)["payload"]["override"].startswith("the customer asked")


def test_lint_prints_findings_and_exits_4_when_one_blocks(run) -> None:  # type: ignore[no-untyped-def]
    blamed = run("lint", "--brand", "bistro", "--channel", "twitter",
                 "It's not our fault, the courier is to blame.")
    assert blamed.exit_code == 4
    assert "blocking blame: 'it's not our fault' deflects blame" in blamed.stdout
    fine = run("lint", "--brand", "bistro", "--channel", "twitter", "--json",
               "We are so sorry, Jana; a fresh soup is on its way to your table.")
    assert fine.exit_code == 0, fine.output
    assert json.loads(fine.stdout)["language"] == "en"
    unknown = run("lint", "--brand", "bistro", "--channel", "fax", "Hello")
    assert unknown.exit_code == 2 and unknown.stderr.startswith("error: bistro does not serve")


@pytest.mark.parametrize("args", [["case", "list"], ["case", "show", "1"], ["tick"],
                                  ["case", "fire", "1", "acknowledge", "--by", "eva"]])
def test_reading_a_database_that_is_not_there_creates_nothing(args: list[str],
                                                              tmp_path: Path) -> None:
    missing = tmp_path / "typo.db"
    result = CliRunner().invoke(app, ["--db", f"sqlite:///{missing}", "--workflows",
                                      str(WORKFLOWS), *args])
    assert result.exit_code == 3
    assert result.stderr == (f"error: no database at {missing}; `recovery db init` or "
                             "`recovery case open` creates it\n")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(("args", "message"), [
    (["case", "fire", "1"], "error: Missing argument 'trigger'. (try 'recovery case fire --help')"),
    (["case", "fire", "1", "acknowledge", "--by", "eva", "--bogus"],
     "error: No such option: --bogus (try 'recovery case fire --help')"),
    (["case", "list", "--limit", "many"], "error: Invalid value for '--limit'"),
    (["nosuchcommand"], "error: No such command 'nosuchcommand'. (try 'recovery --help')"),
    (["case", "list", "--now"], "error: Option '--now' requires an argument."),
])
def test_a_usage_mistake_is_one_line_and_exit_2(run, args: list[str], message: str) -> None:  # type: ignore[no-untyped-def]
    result = run(*args)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.startswith(message), result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_global_options_work_after_the_subcommand(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    other = f"sqlite:///{tmp_path / 'other.db'}"
    assert run("db", "init").exit_code == 0
    opened = run("case", "open", "bistro", "--channel", "facebook", "--author", "@jana",
                 "--text", "Cold soup", "--db", other, "--now", "2026-12-02T09:00Z", "--json")
    assert json.loads(opened.stdout)["opened_at"] == "2026-12-02T09:00:00+00:00"
    assert json.loads(run("case", "list", "--json").stdout) == []
    assert [c["id"] for c in json.loads(run("case", "list", "--json", f"--db={other}").stdout)] \
        == [1]
    assert [c["id"] for c in json.loads(run("--json", "case", "list", f"--db={other}").stdout)] \
        == [1]


def test_a_time_without_an_offset_is_read_as_utc_and_says_so(run) -> None:  # type: ignore[no-untyped-def]
    opened = run("case", "open", "bistro", "--channel", "facebook", "--author", "@jana",
                 "--text", "Cold soup", "--at", "2026-12-01T09:00", "--json")
    assert json.loads(opened.stdout)["opened_at"] == "2026-12-01T09:00:00+00:00"
    assert "note: --at 2026-12-01T09:00 has no offset; read as UTC" in opened.stderr


def test_an_event_before_the_last_one_is_refused_in_one_line(run) -> None:  # type: ignore[no-untyped-def]
    assert run("case", "open", "bistro", "--channel", "facebook", "--author", "@jana",
               "--text", "Cold soup", "--at", "2026-12-01T10:00Z").exit_code == 0
    early = run("case", "fire", "1", "acknowledge", "--by", "eva", "--now", "2026-12-01T09:00Z")
    assert early.exit_code == 2
    assert early.stderr == ("error: case 1: its last event was at 2026-12-01 11:00:00+01:00; "
                            "nothing can be recorded at 2026-12-01 10:00:00+01:00, before it "
                            "(give a later time, or none for now)\n")


def test_help_imports_no_engine_database_or_language_model() -> None:
    probe = ("import sys; from recovery.cli import app; from typer.testing import CliRunner; "
             "assert CliRunner().invoke(app, ['--help']).exit_code == 0; "
             "print(sorted(m for m in ('recovery.engine', 'sqlalchemy', 'pydantic', 'lingua', "
             "'jinja2', 'recovery.flows') if m in sys.modules))")
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                            check=True, cwd=ROOT)
    assert result.stdout.strip() == "[]"


def test_a_broken_brand_is_named_and_the_others_still_work(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    folder = tmp_path / "workflows"
    shutil.copytree(WORKFLOWS, folder)
    flow = folder / "bistro" / "flow.yaml"
    flow.write_text(flow.read_text().replace("Europe/Prague", "Europe/Prag"))
    opened = run("--workflows", str(folder), "case", "open", "eshop", "--channel", "facebook",
                 "--author", "@ana", "--text", "Where is my parcel?", "--json")
    assert opened.exit_code == 0, opened.output
    assert json.loads(opened.stdout)["brand"] == "eshop"
    assert opened.stderr.startswith(f"warning: bistro's flow does not load, so its cases wait: "
                                    f"{flow}:4: timezone")
    refused = run("--workflows", str(folder), "case", "open", "bistro", "--channel", "facebook",
                  "--author", "@ana", "--text", "Cold soup")
    assert refused.exit_code == 7
    assert refused.stderr.splitlines()[-1].startswith(f"error: {flow}:4: timezone")
    validated = run("--workflows", str(folder), "flow", "validate")
    assert validated.exit_code == 7
    assert validated.stderr.splitlines()[-1] == "error: 1 problem(s) in 1 file(s)"


@given(st.lists(st.sampled_from(["case", "list", "--brand", "bistro", "--json", "-q", "x"]),
                max_size=8),
       st.lists(st.tuples(st.sampled_from(["--db", "--now", "--workflows"]),
                          st.sampled_from(["v1", "v2"]), st.booleans()), max_size=3),
       st.data())
def test_hoisting_global_options_keeps_every_word_and_the_order_of_the_rest(
        words: list[str], options: list[tuple[str, str, bool]], data: st.DataObject) -> None:
    units = [[word] for word in words]
    for name, value, joined in options:  # scatter global options anywhere, `--x v` or `--x=v`
        at = data.draw(st.integers(0, len(units)))
        units.insert(at, [f"{name}={value}"] if joined else [name, value])
    args = [word for unit in units for word in unit]
    hoisted = hoist(args)
    assert sorted(hoisted) == sorted(args)
    globals_first = hoisted[:len(hoisted) - len(words)]
    assert all(word.split("=")[0] in GLOBAL_OPTIONS or word in ("v1", "v2")
               for word in globals_first)
    rest = hoisted[len(globals_first):]
    if "--json" in words[:next((i for i, w in enumerate(words) if not w.startswith("-")),
                               len(words))]:
        assert rest[-1] == "--json"  # written before the subcommand, it goes after it
    else:
        assert rest == words


def test_a_now_ahead_of_the_clock_is_refused_on_a_live_database_and_drilled_on_a_copy(
        tmp_path: Path) -> None:
    from datetime import UTC, datetime, timedelta

    runner = CliRunner()
    live, drill = tmp_path / "live.db", tmp_path / "drill.db"
    ahead = (datetime.now(UTC) + timedelta(days=7)).isoformat(timespec="minutes")

    def recovery(db: Path, *args: str):  # type: ignore[no-untyped-def]
        return runner.invoke(app, ["--db", f"sqlite:///{db}", "--workflows", str(WORKFLOWS),
                                   *args], prog_name="recovery")

    assert recovery(live, "case", "open", "bistro", "--channel", "twitter", "--author",
                    "@jana", "--text", "Cold soup").exit_code == 0
    refused = recovery(live, "--now", ahead, "tick")
    assert refused.exit_code == 2 and "ahead of the clock" in refused.stderr
    assert "`recovery db copy drill.db`" in refused.stderr
    assert recovery(live, "--now", ahead, "case", "list").exit_code == 0  # looking is fine
    assert recovery(live, "db", "copy", str(drill)).exit_code == 0
    drilled = recovery(drill, "tick", "--drill", "--now", ahead)  # after the command too
    assert drilled.exit_code == 0 and "first_response.breach" in drilled.stdout
    assert recovery(live, "case", "fire", "1", "acknowledge", "--by", "eva").exit_code == 0
    again = recovery(live, "db", "copy", str(drill))
    assert again.exit_code == 2 and "is there already" in again.stderr
    junk, half = tmp_path / "junk.db", tmp_path / "half.db"
    junk.write_bytes(b"not a database at all" * 100)
    failed = recovery(junk, "db", "copy", str(half))
    assert failed.exit_code != 0 and "cannot copy" in failed.stderr and not half.exists()
