"""House rules: a post in a complaint's thread is hidden under a rule the brand declares, with
who did it; the complaint and its customer's posts never are. On SQLite and PostgreSQL."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from recovery import Engine, InvalidInput, PolicyViolation
from recovery.flows import validate_flows
from recovery.handbook.book import brand_section
from tests.conftest import workflows_with


def _case(engine: Engine) -> int:
    return engine.open_case("bistro", channel="facebook", author="@jana", text="Cold soup",
                            external_id="fb-100").id


def test_a_post_is_hidden_under_a_house_rule_and_recorded(engine: Engine) -> None:
    case_id = _case(engine)
    event = engine.moderate(case_id, post="fb-101", rule="abuse", by="eva", author="@troll",
                             text="You all deserve to be beaten")
    assert event.trigger == "hide" and event.by == "eva"
    assert event.payload == {"post": "fb-101", "rule": "abuse", "author": "@troll",
                             "covers": "insults and threats against anyone",
                             "text": "You all deserve to be beaten"}
    assert engine.case(case_id).state == "new"  # the case itself does not move
    assert [e.trigger for e in engine.history(case_id)] == ["open", "hide"]
    redacted = engine.redact(case_id, event.seq, by="petr", reason="a threat, kept out")
    assert engine.history(case_id)[event.seq - 1].payload["text"] == "[redacted]"  # type: ignore[index]
    assert redacted.trigger == "redact" and engine.audit().ok


@pytest.mark.parametrize(("post", "author"), [("fb-100", None), ("fb-102", "@jana"),
                                              ("fb-103", "@JANA")])
def test_the_complaint_and_its_customers_posts_are_never_hidden(engine: Engine, post: str,
                                                                author: str | None) -> None:
    case_id = _case(engine)
    with pytest.raises(PolicyViolation, match="never hide or delete a complaint"):
        engine.moderate(case_id, post=post, rule="spam", by="eva", author=author)
    assert len(engine.history(case_id)) == 1


def test_a_rule_the_brand_does_not_declare_is_refused(engine: Engine) -> None:
    case_id = _case(engine)
    with pytest.raises(InvalidInput, match="bistro hides nothing under 'rude'; its house "
                                           "rules: abuse, spam, personal_data"):
        engine.moderate(case_id, post="fb-104", rule="rude", by="eva")
    with pytest.raises(InvalidInput, match="name the post"):
        engine.moderate(case_id, post=" ", rule="spam", by="eva")
    with pytest.raises(InvalidInput, match="the rule must be text"):
        engine.moderate(case_id, post="fb-9", rule=7, by="eva")  # type: ignore[arg-type]
    assert len(engine.history(case_id)) == 1


def test_house_rules_are_checked_in_the_flow_file(tmp_path: Path) -> None:
    folder = workflows_with(tmp_path, bistro="extends: default\nname: Test\nmoderation:\n"
                            "  house_rules: ftp://rules\n  hides: {Abuse: x}\n")
    _flows, problems = validate_flows(folder)
    messages = " ".join(problem.message for problem in problems)
    assert "not an http(s) address" in messages and "Abuse" in messages
    assert all(problem.line for problem in problems)


def test_the_cli_hides_a_post_and_refuses_the_complaint(run) -> None:  # type: ignore[no-untyped-def]
    run("case", "open", "bistro", "--channel", "facebook", "--author", "@jana", "--text",
        "Cold soup", "--external-id", "fb-100")
    hidden = run("case", "moderate", "1", "--post", "fb-7", "--rule", "spam", "--by", "eva")
    assert hidden.exit_code == 0 and "post fb-7 hidden under 'spam'" in hidden.stdout
    shown = run("case", "show", "1")
    assert "hid post fb-7 under the house rule 'spam'" in shown.stdout
    again = json.loads(run("case", "moderate", "1", "--post", "fb-8", "--rule", "abuse",
                           "--author", "@x", "--by", "eva", "--json").stdout)
    assert again["payload"]["author"] == "@x"
    refused = run("case", "moderate", "1", "--post", "fb-100", "--rule", "spam", "--by", "eva")
    assert refused.exit_code != 0 and "never hide or delete a complaint" in refused.output
    assert "Traceback" not in refused.output


def test_the_handbook_lists_the_house_rules_and_the_priority_rules(engine: Engine) -> None:
    section = brand_section(engine.flow("bistro"), date(2026, 12, 1), [])
    tables = {title: rows for title, _columns, rows in section.tables}
    house = tables["House rules: what may be hidden (published at "
                   "https://bistro.example/house-rules); never a complaint"]
    assert ["spam", "advertising and links unrelated to the thread"] in house
    assert tables["Priority by reach (any one met)"][0] == ["urgent",
                                                             "10,000 followers, 50 shares", "",
                                                             "lead"]
