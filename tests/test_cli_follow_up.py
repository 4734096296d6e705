"""The follow-up from the command line: `tick` asks, `case answer` and `case do-not-contact`
record what the customer said, `case show` tells the story and `flow show` the policy."""

from __future__ import annotations

import json


def _resolved(run, author: str = "@jana") -> int:  # type: ignore[no-untyped-def]
    opened = run("case", "open", "bistro", "--channel", "instagram", "--author", author,
                 "--text", "Cold soup again", "--json")
    case_id = int(json.loads(opened.stdout)["id"])
    for trigger in ("acknowledge", "investigate", "move_private"):
        assert run("case", "fire", str(case_id), trigger, "--by", "eva").exit_code == 0
    assert run("case", "finding", str(case_id), "founded", "--root-cause", "slow pass",
               "--by", "eva").exit_code == 0
    assert run("case", "fire", str(case_id), "resolve", "--by", "eva").exit_code == 0
    return case_id


def test_the_follow_up_is_asked_answered_and_shown(run) -> None:  # type: ignore[no-untyped-def]
    low, good = _resolved(run), _resolved(run, "@petr")
    ticked = run("tick", "--now", "2026-12-03T10:30Z")
    assert ticked.exit_code == 0 and ticked.stdout.count("follow_up.ask") == 2, ticked.output
    answered = run("case", "answer", str(low), "--score", "1", "--text", "[bold]still cold[/]",
                   "--now", "2026-12-03T12:00Z")
    assert answered.exit_code == 0, answered.output
    assert "reopened, priority high, the lead is told (investigating)" in answered.stdout
    shown = " ".join(run("case", "show", str(low), "--now", "2026-12-03T12:00Z").stdout.split())
    assert "follow-up question, posted by the engine, private (en)" in shown
    assert "answer 1 of 1-5 · low: priority raised to high · notifies lead" in shown
    assert "[bold]still cold[/]" in shown  # the customer's words, not markup
    closed = run("case", "answer", str(good), "--score", "5", "--json",
                 "--now", "2026-12-03T12:00Z")
    assert json.loads(closed.stdout)["payload"]["low"] is False
    assert json.loads(run("case", "show", str(good), "--json").stdout)["state"] == "closed"


def test_answers_that_cannot_be_taken_get_one_line(run) -> None:  # type: ignore[no-untyped-def]
    case_id = _resolved(run)
    early = run("case", "answer", str(case_id), "--score", "4")
    assert early.exit_code == 2
    assert early.stderr.strip() == ("error: case 1 is 'resolved': only a case asked how it went "
                                    "('followed_up') takes an answer")
    run("tick", "--now", "2026-12-03T10:30Z")
    off = run("case", "answer", str(case_id), "--score", "9", "--now", "2026-12-03T11:00Z")
    assert (off.exit_code, off.stderr.strip()) == (
        2, "error: a score is 1 to 5 (5: all is well); got 9")


def test_do_not_contact_stops_the_question(run) -> None:  # type: ignore[no-untyped-def]
    case_id = _resolved(run)
    said = run("case", "do-not-contact", str(case_id), "--by", "eva", "--reason", "asked us")
    assert said.exit_code == 0 and "no follow-up will ask" in said.stdout
    run("tick", "--now", "2026-12-03T10:30Z")
    shown = json.loads(run("case", "show", str(case_id), "--json").stdout)
    assert shown["state"] == "closed"
    assert shown["history"][-1]["note"] == "follow-up skipped: do_not_contact"


def test_flow_show_states_the_follow_up_policy(run) -> None:  # type: ignore[no-untyped-def]
    shown = " ".join(run("flow", "show", "eshop").stdout.split())
    for said in ("how it went, 1 to 5, 2 working days after resolving",
                 "once, 2 working days later", "quietly 7 working days after asking",
                 "2 or less reopens"):
        assert said in shown
