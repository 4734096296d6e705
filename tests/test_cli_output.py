"""What the command line shows a care team: histories, attention lists, notices, flows, hours
and spec failures, readable at 80 columns and in the brand's time."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from recovery.cli import app
from tests.conftest import WORKFLOWS


def test_flow_list_and_show(run) -> None:  # type: ignore[no-untyped-def]
    flows = json.loads(run("flow", "list", "--json").stdout)
    assert {f["brand"]: f["kind"] for f in flows} == {
        "bikeshare": "brand", "bistro": "brand", "default": "base", "eshop": "brand"}
    assert run("flow", "validate").exit_code == 0
    shown = json.loads(run("flow", "show", "eshop", "--json").stdout)
    assert shown["flow"]["triggers"]["resolve"]["guards"] == ["has_finding", "has_remedy"]
    assert shown["flow"]["triggers"]["resolve"]["from"][0] == "investigating"
    human = run("flow", "show", "eshop")
    assert human.exit_code == 0 and "Triggers" in human.stdout and "Follow-up" in human.stdout


def test_a_lead_sees_the_clocks_and_what_needs_attention(run) -> None:  # type: ignore[no-untyped-def]
    # reviews count calendar time (1 day to answer); facebook 6 business hours
    assert run("case", "open", "bistro", "--channel", "reviews", "--author", "Jana",
               "--text", "Cold soup", "--at", "2026-12-01T09:00").exit_code == 0
    assert run("case", "open", "bistro", "--channel", "facebook", "--author", "@petr",
               "--text", "Late", "--at", "2026-12-02T09:30").exit_code == 0
    at = ["--now", "2026-12-02T10:00"]
    ticked = json.loads(run(*at, "tick", "--json").stdout)
    assert [(t["case_id"], t["clock"], t["trigger"]) for t in ticked] == [
        (1, "first_response", "warning"), (1, "first_response", "breach")]
    breached = json.loads(run(*at, "case", "list", "--breached", "--json").stdout)
    assert [case["id"] for case in breached] == [1] and breached[0]["priority"] == "high"
    # what needs the team within a time: what breaches by then, and what already has
    assert [c["id"] for c in json.loads(run(*at, "case", "list", "--due-within", "2h",
                                            "--json").stdout)] == [1]
    assert [c["id"] for c in json.loads(run(*at, "case", "list", "--due-within", "6h",
                                            "--json").stdout)] == [1, 2]
    shown = json.loads(run(*at, "case", "show", "1", "--json").stdout)
    first = shown["clocks"][0]
    assert first["name"] == "first_response" and first["breached"]
    assert (first["target"], first["left"]) == ("1 day", "overdue 1 hour")  # reviews: calendar
    text = " ".join(run(*at, "case", "show", "1").stdout.split())
    assert "SLA clocks" in text and "breached, running" in text
    assert "1 day 2026-12-02 10:00+01:00 overdue 1 hour" in text, text
    bad = run("case", "list", "--due-within", "soon")
    assert "--now" in run("--help").stdout
    assert bad.exit_code == 2 and "--due-within" in bad.stderr


def test_hours_shows_the_week_the_days_off_and_the_next_opening(run) -> None:  # type: ignore[no-untyped-def]
    shown = json.loads(run("hours", "bistro", "--at", "2026-12-23T21:30", "--days", "20",
                           "--json").stdout)
    assert shown["week"]["sat"] == ["11:00-21:00"] and shown["open"] is False
    assert shown["next_open"] == "2026-12-27T10:00:00+00:00"  # after Christmas, Sunday 11:00
    assert [day["date"] for day in shown["days_off"]][:2] == ["2026-12-24", "2026-12-25"]
    text = run("hours", "bistro", "--at", "2026-12-01T10:00").stdout
    assert "open now, until Tuesday 2026-12-01 22:00+01:00" in text
    assert run("hours", "nobody").exit_code == 3


def test_a_failing_spec_reads_as_its_step_and_one_line(tmp_path: Path) -> None:
    feature = tmp_path / "mine.feature"
    feature.write_text('Feature: Mine\n'
                       '  Scenario: The README\'s time\n'
                       '    Given the brand "bistro"\n'
                       '    And it is 2026-12-01 10:00 (brand time)\n'
                       '    And a complaint from "@jana": "Cold soup"\n'
                       '    Then the first response clock is due at 2026-12-01 11:00\n\n'
                       '  Scenario: A time nobody can read\n'
                       '    Given the brand "bistro"\n'
                       '    And it is tomorrow morning\n\n'
                       '  Scenario: A wrong expectation\n'
                       '    Given the brand "bistro"\n'
                       '    And it is 2026-12-01 10:00\n'
                       '    And a complaint from "@jana": "Cold soup"\n'
                       '    Then the first response clock is due at 2026-12-01 10:30\n\n'
                       '  Scenario: A step that is not in the library\n'
                       '    Given the brand "bistro"\n'
                       '    And a complant from "@jana": "Cold soup"\n')
    result = CliRunner().invoke(app, ["--workflows", str(WORKFLOWS), "spec", str(feature),
                                      "-q", "-p", "no:cacheprovider"])
    assert result.exit_code == 1
    out = result.stdout
    assert "4 scenario(s): 1 passed, 3 failed, 0 skipped" in out, out
    assert "  ✓ The README's time  [bistro]  (line 2)\n" in out
    assert "  ✗ A time nobody can read  [bistro]  (line 8)\n" in out
    assert ":10: And it is tomorrow morning\n      'tomorrow morning' is not a time; write it " \
           "like 2026-12-01 10:00 (brand time)\n" in out
    assert ":16: Then the first response clock is due at 2026-12-01 10:30\n      due at " \
           "2026-12-01 11:00 CET\n" in out
    assert ':20: And a complant from "@jana": "Cold soup"\n      no step of the library reads ' \
           "like this (`recovery spec --steps` lists them); nearest: Given a complaint from " \
           '"{author}": "{text}"' in out
    assert "Traceback" not in out and "def " not in out


def test_the_command_line_shows_what_happened(run) -> None:  # type: ignore[no-untyped-def]
    # 23:30 UTC is 00:30 in Prague: bistro is closed, so the engine answers by itself
    opened = run("case", "open", "bistro", "--channel", "twitter", "--author", "@[bold]jana",
                 "--text", "Studená polévka [red]zase[/]!", "--now", "2026-12-01T23:30Z")
    assert opened.exit_code == 0, opened.output
    said = " ".join(opened.stdout.split())
    assert "case 1 opened for bistro (twitter, @[bold]jana)" in said
    assert "the engine posted an after-hours notice; the team is back 2026-12-02 10:00+01:00:" \
        in said
    replied = run("reply", "1", "--template", "acknowledge", "--fire", "acknowledge", "--by",
                  "eva", "--now", "2026-12-02T09:05Z")
    assert replied.exit_code == 0, replied.output
    ticked = run("tick", "--now", "2026-12-03T21:00Z")
    assert "resolution.breach" in ticked.stdout and "+01:00" in ticked.stdout
    shown = run("case", "show", "1", "--now", "2026-12-03T21:00Z").stdout
    history = " ".join(shown[shown.index("History (times in Europe/Prague)"):
                             shown.index("Timers")].split())  # as read, wrapped lines joined
    assert "#1 2026-12-02 00:30+01:00 @[bold]jana · open → new" in history
    assert "after-hours notice, posted by the engine, public (cs)" in history
    assert "reply, public, template acknowledge.angry (cs)" in history
    assert "@[bold]jana" in history.split("template acknowledge.angry")[1]  # its text, in full
    assert "resolution clock breach · notifies lead · priority raised to urgent" in history
    assert "…" not in history
    assert "“Studená polévka [red]zase[/]!”" in shown


def test_attention_lists_say_which_clock_when_and_how_late(run) -> None:  # type: ignore[no-untyped-def]
    assert run("case", "open", "bistro", "--channel", "facebook", "--author", "@jana",
               "--text", "Cold soup", "--at", "2026-12-01T09:00Z").exit_code == 0
    now = ["--now", "2026-12-01T19:00Z"]  # 20:00 in Prague: four business hours overdue
    assert run("tick", *now).exit_code == 0
    listed = " ".join(run("case", "list", "--breached", *now).stdout.split())
    assert listed.startswith("1 case(s), breached")
    assert "clock: first response" in listed and "due: 2026-12-01 16:00+01:00" in listed
    assert "left: overdue 4 business hours (4 hours)" in listed, listed
    [case] = json.loads(run("case", "list", "--due-within", "1h", "--json", *now).stdout)
    assert case["clock"] == {"name": "first_response", "business": True,
                             "due_at": "2026-12-01T15:00:00+00:00", "left_seconds": -4 * 3600,
                             "left": "overdue 4 business hours (4 hours)", "breached": True}


def test_notices_lists_the_hellos_and_goodbyes_posted(run) -> None:  # type: ignore[no-untyped-def]
    assert run("db", "init").exit_code == 0
    ticked = run("tick", "--now", "2026-12-01T09:05Z")  # bistro opens at 10:00 CET
    assert "posted the hello on bistro's twitter at 2026-12-01 10:05+01:00: " in ticked.stdout
    listed = run("notices", "--brand", "bistro", "--json")
    [hello] = json.loads(listed.stdout)
    assert (hello["channel"], hello["kind"], hello["posted_at"]) == (
        "twitter", "hello", "2026-12-01T09:05:00+00:00")
    shown = run("notices").stdout
    assert "2026-12-01 10:05+01:00" in shown and hello["text"].split()[0] in shown
    assert run("notices", "--brand", "nobody").exit_code == 3


def test_flow_show_fits_eighty_columns_without_cutting_a_cell(run) -> None:  # type: ignore[no-untyped-def]
    shown = run("flow", "show", "bistro").stdout
    assert "…" not in shown
    assert max(len(line) for line in shown.splitlines()) <= 80
    assert "acknowledged_publicly" in shown.replace("\n", "")


def test_a_lead_works_through_the_remedies_waiting_for_approval(run) -> None:  # type: ignore[no-untyped-def]
    assert run("case", "open", "bikeshare", "--channel", "twitter", "--author", "@tomek",
               "--text", "Your bike tore my jeans").exit_code == 0
    for trigger in ("acknowledge", "investigate"):
        assert run("case", "fire", "1", trigger, "--by", "eva").exit_code == 0
    assert run("case", "finding", "1", "founded", "--root-cause", "loose chain guard",
               "--by", "eva").exit_code == 0
    waiting = run("remedy", "offer", "1", "voucher", "--value", "450", "--by", "eva",
                  "--key", "tw-77")
    assert " ".join(waiting.stdout.split()) == (
        "remedy 1 on case 1: voucher of 450,00 zł waits for a lead's approval "
        "(`recovery remedy approve 1 --by LEAD`)")
    again = run("remedy", "offer", "1", "voucher", "--value", "450", "--by", "eva", "--key",
                "tw-77", "--json")
    assert json.loads(again.stdout)["id"] == 1  # the same key: the same remedy
    said = " ".join(run("remedy", "offer", "1", "voucher", "--value", "450", "--by", "eva",
                        "--key", "tw-77").stdout.split())
    assert said == ("remedy 1 on case 1 was offered with the key tw-77 already (450,00 zł, "
                    "pending approval); nothing is offered or issued again")
    [listed] = json.loads(run("remedy", "list", "--status", "pending", "--json").stdout)
    assert {key: listed[key] for key in ("id", "case_id", "kind", "value", "unit", "status",
                                         "code", "goodwill", "key", "asked_by",
                                         "approved_by")} == {
        "id": 1, "case_id": 1, "kind": "voucher", "value": "450.00", "unit": "PLN",
        "status": "pending_approval", "code": None, "goodwill": None, "key": "tw-77",
        "asked_by": "eva", "approved_by": None}
    refused = run("remedy", "approve", "1", "--by", "ola")
    assert refused.exit_code == 4 and "only a lead of bikeshare" in refused.stderr
    approved = run("remedy", "approve", "1", "--by", "petr")
    assert "voucher of 450,00 zł issued, code RB-" in " ".join(approved.stdout.split())
    assert "approved by petr" in " ".join(approved.stdout.split())
    twice = run("remedy", "approve", "1", "--by", "petr")
    assert twice.exit_code == 4 and "not waiting for approval" in twice.stderr
    listed = " ".join(run("remedy", "list", "--brand", "bikeshare").stdout.split())
    assert "1 remedy(ies), newest first" in listed and "2026-12-01 11:30+01:00" in listed
    shown = run("case", "show", "1").stdout
    assert "Remedies" in shown and "issued by petr" in shown
    read = " ".join(shown.split())  # the history as read, wrapped lines joined
    assert "remedy — voucher, 450,00 zł pending approval" in read
    assert "offer_remedy — voucher, 450,00 zł issued, code RB-" in read
    redeemed = run("remedy", "redeem", "1", "--by", "ola", "--note", "new jeans bought")
    assert redeemed.stdout == "remedy 1 on case 1: voucher of 450,00\xa0zł redeemed\n"
    voided = run("remedy", "void", "1", "--reason", "too late", "--by", "petr")
    assert voided.exit_code == 4 and "is redeemed, not issued: nothing to void" in voided.stderr
    [listed] = json.loads(run("remedy", "list", "--status", "redeemed", "--json").stdout)
    assert (listed["status"], listed["approved_by"]) == ("redeemed", "petr")
    assert "remedy — voucher, 450,00 zł redeemed" in " ".join(
        run("case", "show", "1").stdout.split())



@pytest.mark.parametrize(("words", "description"), [
    (["--help"], "replayed through each brand's flow at their own times"),
    (["case", "--help"], "then the clock due (or breached) first"),
])
def test_a_groups_help_gives_each_command_one_flowing_description(
        words: list[str], description: str) -> None:
    # typer's rich help kept the docstring's own line breaks in the list of commands, which
    # made ragged lines ("…then the clock due (or" / "breached) first…"); the text flows now
    shown = CliRunner().invoke(app, words, terminal_width=200)
    assert shown.exit_code == 0, shown.output
    assert description in shown.output.split("Commands")[1]


def test_the_event_feed_fits_eighty_columns_with_whole_state_names(run) -> None:  # type: ignore[no-untyped-def]
    # eight narrow columns once folded every word to four letters ("ackn/owle/dged")
    assert run("case", "open", "bistro", "--channel", "facebook", "--author",
               "@tomek_rides_far", "--text", "Cold soup").exit_code == 0
    for trigger in ("acknowledge", "investigate"):
        assert run("case", "fire", "1", trigger, "--by", "eva").exit_code == 0
    shown = run("events").stdout
    assert max(len(line) for line in shown.splitlines()) <= 80
    for word in ("acknowledged", "investigating", "@tomek_rides_far", "2026-12-01"):
        assert word in shown, shown


def test_the_step_library_lists_each_step_with_what_it_does_and_an_example(run) -> None:  # type: ignore[no-untyped-def]
    from recovery.testing.library import library

    listed = run("spec", "--steps")
    assert listed.exit_code == 0, listed.output
    out = listed.stdout
    assert out.startswith(f"{len(library())} steps; a scenario says them after Given, When, "
                          "Then, And or But")
    assert 'Given a complaint from "{author}": "{text}"\n  Open a case on the brand\'s first ' \
           "declared channel.\n  e.g. " in out
    assert 'When "{agent}" fires "{trigger}"[ with the note "{note}"]\n' in out
    assert "e.g. Then it is refused" not in out.split("Given it is {when}")[1].split("\n")[2]
    assert out.count("e.g. ") >= len(library()) - 10  # nearly every step has an example
