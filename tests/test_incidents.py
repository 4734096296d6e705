"""Incidents through the engine and the CLI, on SQLite and PostgreSQL: announced in every served
language and linted, complaints suggested and linked, replies drawing on the incident, the
resolution moving the linked cases on, transparency measured, nothing deleted.

The clock starts on Tuesday 2026-12-01 at 10:00 in Prague (09:00 UTC); bistro serves cs and en.
"""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import create_engine, text

from recovery import (
    Engine,
    Event,
    InvalidInput,
    NotFound,
    Notice,
    PolicyViolation,
    RecoveryError,
)
from recovery.handbook.book import brand_section
from tests.conftest import Clock

TITLE = "till cards down"
SAYS = {"cs": "platby kartou u pokladny nefungují", "en": "card payments are failing at the till"}
FIXED = {"cs": "platby kartou u pokladny opět fungují", "en": "card payments at the till work "
         "again"}
EXPLAINED = {"cs": "vadný platební terminál", "en": "a faulty card terminal"}


def _open(engine: Engine, **extra: object) -> int:
    options: dict[str, object] = {"title": TITLE, "by": "petr", "channels": ["twitter"],
                                  "keywords": ["Card"], "says": SAYS, **extra}
    return engine.incidents.open("bistro", **options).id  # type: ignore[arg-type]


def test_an_incident_is_announced_in_each_served_language_and_told(engine: Engine) -> None:
    told: list[Event | Notice] = []
    engine.subscribe(told.append)
    incident_id = _open(engine, channels=["twitter", "facebook"],
                        next_update=timedelta(minutes=90))
    incident = engine.incidents.get(incident_id)
    assert (incident.status, incident.keywords, incident.posts) == ("open", ["card"], 1)
    posts = engine.incidents.posts(incident_id)
    assert sorted((post.channel, post.language) for post in posts) == [
        ("facebook", "cs"), ("facebook", "en"), ("twitter", "cs"), ("twitter", "en")]
    english = next(post for post in posts if post.language == "en")
    czech = next(post for post in posts if post.language == "cs")
    assert SAYS["en"] in english.text and "11:30" in english.text  # 90 minutes on, Prague
    assert SAYS["cs"] in czech.text and TITLE not in czech.text + english.text  # team's own
    assert english.template and english.template.endswith("outage.j2")
    assert [notice.kind for notice in told if isinstance(notice, Notice)] == [
        "incident_announce"] * 4


def test_what_the_team_wrote_ends_with_one_full_stop_in_the_post(engine: Engine) -> None:
    incident_id = _open(engine, says={"cs": SAYS["cs"] + ".", "en": SAYS["en"] + ". "})
    for post in engine.incidents.posts(incident_id):
        assert f"{SAYS[post.language]}. " in post.text and ".." not in post.text


def test_a_post_with_a_blocking_finding_is_refused_unless_overridden(engine: Engine) -> None:
    blame = {"cs": "Není to naše chyba, kurýrní firma ztratila balíky.",
             "en": "It is not our fault, the courier company lost the parcels."}
    with pytest.raises(PolicyViolation, match="post refused"):
        _open(engine, text=blame)
    assert engine.incidents.listing() == []  # nothing written
    incident_id = _open(engine, text=blame, override="quoting the courier's statement")
    posts = engine.incidents.posts(incident_id)
    assert [post.language for post in posts] == ["cs", "en"]
    for post in posts:
        assert post.override == "quoting the courier's statement"
        assert post.findings and any(item["code"] == "blame" for item in post.findings)


def test_a_complaint_on_its_channels_during_it_with_its_keywords_is_suggested(
        engine: Engine, clock: Clock) -> None:
    before = engine.open_case("bistro", channel="twitter", author="@ola", text="My card failed")
    incident_id = _open(engine)
    clock.advance(minutes=5)
    about = engine.open_case("bistro", channel="twitter", author="@jana",
                             text="My CARD payment failed twice")
    elsewhere = engine.open_case("bistro", channel="facebook", author="@eva",
                                 text="My card failed")
    unrelated = engine.open_case("bistro", channel="twitter", author="@petr", text="Cold soup")
    assert [(item.case_id, item.status) for item in engine.incidents.links(incident_id)] == [
        (about.id, "suggested")]
    for case in (before, elsewhere, unrelated):
        assert engine.incidents.links(case_id=case.id) == []
    engine.incidents.resolve(incident_id, root_cause="a faulty terminal", by="petr")
    later = engine.open_case("bistro", channel="twitter", author="@iva", text="card again")
    assert engine.incidents.links(case_id=later.id) == []  # resolved: no more suggestions


def test_linking_is_an_event_once_and_only_within_the_brand(engine: Engine,
                                                            clock: Clock) -> None:
    incident_id = _open(engine)
    clock.advance(minutes=5)
    suggested = engine.open_case("bistro", channel="twitter", author="@jana",
                                 text="card declined").id
    by_hand = engine.open_case("bistro", channel="twitter", author="@ola", text="No payment").id
    other = engine.open_case("eshop", channel="twitter", author="@eva", text="card").id
    events = engine.incidents.link(incident_id, [suggested, by_hand], by="eva")
    assert [(e.case_id, e.trigger, e.payload["suggested"]) for e in events] == [  # type: ignore[index]
        (suggested, "incident", True), (by_hand, "incident", False)]
    assert engine.incidents.link(incident_id, [suggested], by="eva") == []  # already linked
    fresh = engine.open_case("bistro", channel="twitter", author="@iva", text="Late").id
    with pytest.raises(InvalidInput, match="is eshop's"):
        engine.incidents.link(incident_id, [fresh, other], by="eva")
    assert engine.incidents.links(case_id=fresh) == []  # checked before anything is linked
    assert {item.status for item in engine.incidents.links(incident_id)} == {"linked"}
    with pytest.raises(NotFound, match="no case 99"):
        engine.incidents.link(incident_id, [99], by="eva")
    assert [e.trigger for e in engine.history(suggested)] == ["open", "incident"]


def test_replies_draw_on_the_incident_and_pasting_to_siblings_is_flagged(
        engine: Engine, clock: Clock) -> None:
    incident_id = _open(engine, next_update=timedelta(hours=1))
    first = engine.open_case("bistro", channel="twitter", author="@jana",
                             text="My card payment failed twice", name="Jana Nová").id
    with pytest.raises(InvalidInput, match="linked to no incident"):
        engine.draft(first, template="incident_acknowledge", by="eva")
    second = engine.open_case("bistro", channel="twitter", author="@petr",
                              text="My card payment failed", name="Petr Malý").id
    engine.incidents.link(incident_id, [first, second], by="eva")
    draft = engine.draft(first, template="incident_acknowledge", by="eva")
    assert SAYS["en"] in draft.text and "Jana" in draft.text and "11:00" in draft.text
    engine.send(draft, fire="acknowledge")
    again = engine.draft(second, template="incident_acknowledge", by="eva")
    assert "copy-paste" in [finding.code for finding in again.linted.findings]


def test_resolving_moves_the_linked_cases_on_and_measures_transparency(
        engine: Engine, clock: Clock) -> None:
    early = engine.open_case("bistro", channel="twitter", author="@ola", text="card failed").id
    clock.advance(minutes=10)
    incident_id = _open(engine)
    clock.advance(minutes=10)
    later = engine.open_case("bistro", channel="twitter", author="@jana", text="card failed").id
    engine.incidents.link(incident_id, [early, later], by="eva")
    engine.fire(later, "acknowledge", by="eva")
    clock.advance(hours=1)
    engine.incidents.update(incident_id, text={"cs": "Dvě ze tří pokladen už karty berou.",
                                               "en": "Two of three tills take cards again."},
                            by="petr")
    done = engine.incidents.resolve(incident_id, root_cause="terminal 3 firmware 2.1 crash",
                                    fixed=FIXED, explained=EXPLAINED, by="petr")
    assert done.incident.status == "resolved" and done.incident.posts == 3
    assert done.cases[later] == "finding recorded: founded"
    assert done.cases[early].startswith("left in 'new'")  # its own acknowledgement first
    case = engine.case(later)
    assert (case.state, case.finding, case.root_cause) == ("investigating", "founded",
                                                           "terminal 3 firmware 2.1 crash")
    assert case.explanation == EXPLAINED["en"]  # the cause as the customer is told it
    resolved = [post for post in engine.incidents.posts(incident_id) if post.kind == "resolve"]
    for post in resolved:  # what works again and why, in each language; never the team's
        assert FIXED[post.language] in post.text and EXPLAINED[post.language] in post.text
        assert "firmware" not in post.text
    assert [post.kind for post in engine.incidents.posts(incident_id)] == [
        "announce", "announce", "update", "update", "resolve", "resolve"]  # cs and en each
    with pytest.raises(PolicyViolation, match="is resolved"):
        engine.incidents.update(incident_id, text={"cs": "Ještě něco.", "en": "One more."},
                                by="petr")
    engine.fire(early, "acknowledge", by="eva")  # its own reply came; now it can move on
    assert engine.incidents.move(incident_id, by="petr").cases == {
        early: "finding recorded: founded", later: "already founded"}
    with pytest.raises(PolicyViolation, match="still open"):
        engine.incidents.move(_open(engine), by="petr")
    [measured] = engine.report(brand="bistro", since=clock.now - timedelta(days=1),
                               until=clock.now)["bistro"]["incidents"]
    assert (measured["complaints"], measured["announced_before"]) == (2, 1)
    section = brand_section(engine.flow("bistro"), clock.now.date(), [], [measured])
    [rows] = [rows for title, _columns, rows in section.tables if title.startswith("Incidents")]
    assert rows[0][0] == f"{incident_id}: {TITLE}" and rows[0][3] == "1 of 2 complaints"


def test_public_wording_is_given_in_every_served_language(engine: Engine) -> None:
    for options, said in (({"says": {"en": "cards fail"}}, "says= has no cs"),
                          ({"says": "cards fail"}, r"one text each \(says=\)"),
                          ({"says": {**SAYS, "de": "Karten"}}, "bistro does not serve de"),
                          ({"text": {"cs": "Karty nefungují.", "en": "Cards fail."},
                            "template": "outage"}, None)):
        if said is None:
            assert len(engine.incidents.posts(_open(engine, **options))) == 2
            continue
        with pytest.raises(InvalidInput, match=said):
            _open(engine, **options)
    english_in_czech = {"cs": "Pozor: card payments are failing at every till today.",
                        "en": "Heads up: card payments are failing at every till today."}
    with pytest.raises(PolicyViolation, match="is in en, the reply in cs"):
        _open(engine, text=english_in_czech)


def test_an_incident_is_never_deleted_nor_its_posts_changed(engine: Engine,
                                                            db_url: str) -> None:
    incident_id = _open(engine)
    raw = create_engine(db_url)
    for statement in (f"DELETE FROM recovery_incidents WHERE id = {incident_id}",
                      "UPDATE recovery_incident_posts SET text = 'nothing happened'",
                      "DELETE FROM recovery_incident_posts"):
        with pytest.raises(Exception, match="never deleted"), raw.begin() as conn:
            conn.execute(text(statement))
    raw.dispose()
    assert len(engine.incidents.posts(incident_id)) == 2


def test_bad_input_gets_one_line(engine: Engine) -> None:
    for options, said in (({"title": " "}, "give the incident a title"),
                          ({"channels": ["tiktok"]}, "does not serve channel 'tiktok'"),
                          ({"keywords": ["w"] * 21}, "at most 20 keywords"),
                          ({"template": "nope"}, "no 'nope' template"),
                          ({"next_update": 60}, "must be a duration")):
        with pytest.raises(RecoveryError, match=said):
            _open(engine, **options)
    with pytest.raises(InvalidInput, match="text or its template"):
        engine.incidents.update(_open(engine), by="petr")
    with pytest.raises(InvalidInput, match="what caused it"):
        engine.incidents.resolve(1, root_cause=" ", by="petr")
    assert {i.title for i in engine.incidents.listing()} == {TITLE}


def test_the_cli_announces_links_resolves_and_lists(run) -> None:  # type: ignore[no-untyped-def]
    opened = run("incident", "open", "bistro", "--title", TITLE, "--channel", "twitter",
                 "--says", f"cs={SAYS['cs']}", "--says", f"en={SAYS['en']}",
                 "--keyword", "card", "--next-update", "1h", "--by", "petr")
    assert opened.exit_code == 0, opened.output
    assert "incident 1 opened for bistro" in opened.stdout and "12:30" in opened.stdout
    run("case", "open", "bistro", "--channel", "twitter", "--author", "@jana", "--text",
        "my card payment failed", "--now", "2026-12-01T10:40Z")
    shown = run("case", "show", "1")
    assert f"incident 1 ({TITLE}): suggested" in shown.stdout
    assert "incident 1 1: linked" not in shown.stdout
    linked = run("incident", "link", "1", "1", "--by", "eva", "--now", "2026-12-01T10:45Z")
    assert "case 1: linked to incident 1" in linked.stdout
    updated = json.loads(run("incident", "update", "1", "--text", "cs=Pokladny opravíme do "
                             "poledne.", "--text", "en=Tills fixed by noon.", "--by", "petr",
                             "--json", "--now", "2026-12-01T10:50Z").stdout)
    assert [(post["kind"], post["language"]) for post in updated] == [
        ("update", "cs"), ("update", "en")]
    run("case", "fire", "1", "acknowledge", "--by", "eva", "--now", "2026-12-01T10:55Z")
    resolved = run("incident", "resolve", "1", "--root-cause", "a faulty terminal", "--by",
                   "petr", "--fixed", f"cs={FIXED['cs']}", "--fixed", f"en={FIXED['en']}",
                   "--now", "2026-12-01T12:00Z")
    assert FIXED["cs"] in resolved.stdout and FIXED["en"] in resolved.stdout
    assert resolved.exit_code == 0 and "incident 1 resolved: a faulty terminal" in resolved.stdout
    assert "case 1: finding recorded: founded; now its own resolution reply" in resolved.stdout
    moved = json.loads(run("incident", "move", "1", "--by", "petr", "--json", "--now",
                           "2026-12-01T12:05Z").stdout)
    assert moved == {"1": "already founded"}
    listed = json.loads(run("incident", "list", "--json").stdout)
    assert [(item["id"], item["status"]) for item in listed] == [(1, "resolved")]
    detail = json.loads(run("incident", "show", "1", "--json").stdout)
    assert [item["status"] for item in detail["cases"]] == ["linked"]
    assert "linked to incident 1" in run("case", "show", "1").stdout
    for args, said in ((("incident", "show", "9"), "no incident 9"),
                       (("incident", "update", "1", "--text", "x", "--by", "petr"),
                        "is resolved"),
                       (("incident", "open", "bistro", "--title", "x", "--text", "cs=a",
                         "--text", "cs=b", "--by", "petr"), "--text: cs given twice"),
                       (("incident", "open", "bistro", "--title", "x", "--text", "Cards fail",
                         "--by", "petr"), "one text each (--text)"),
                       (("incident", "open", "bistro", "--title", "x", "--next-update", "soon",
                         "--by", "petr"), "--next-update")):
        refused = run(*args)
        assert refused.exit_code != 0 and said in refused.output
        assert "Traceback" not in refused.output
