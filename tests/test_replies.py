"""The reply linter (pure), and every shipped template against it."""

from __future__ import annotations

import itertools
import os
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from rapidfuzz import fuzz

from recovery.flows import load_flows, validate_flows
from recovery.replies import CopyIndex, Rules, Speller, Subject, lint, phrasebook, skeleton
from recovery.replies.address import address
from recovery.replies.compose import rules_for
from recovery.replies.copies import MIN_WORDS
from recovery.replies.spelling import SYSTEM_FOLDERS, search_path
from recovery.signals import Audience, Owned

from .conftest import WORKFLOWS, workflows_with

AT = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)
FLOWS = load_flows(WORKFLOWS)
RULES = rules_for(FLOWS["bistro"])
NO_SPELLING = Speller(folders=[])


def codes(text: str, subject: Subject | None = None, rules: Rules = RULES,
          copies: CopyIndex | None = None, speller: Speller | None = None) -> list[str]:
    linted = lint(text, subject or Subject("facebook", language="en"), rules, AT, copies,
                  speller)
    return [finding.code for finding in linted.findings]


@pytest.mark.parametrize("text", [
    "Sorry, but it's not our fault, the courier is to blame.",
    "Omlouváme se, ale není to naše chyba.",
    "Przepraszamy, ale to wina kuriera.",
    "Žao nam je, ali nije naša krivnja.",
    "Λυπούμαστε, αλλά δεν φταίμε εμείς.",
])
def test_blame_blocks_in_every_language_served(text: str) -> None:
    linted = lint(text, Subject("facebook"), RULES, AT)
    assert {finding.code for finding in linted.blocking} == {"blame"}


def test_a_brand_extends_the_phrase_lists() -> None:
    own = Rules(phrasebook({"cs": {"blame": ["to je věc pošty"]}}), RULES.audience, {})
    assert "blame" in codes("Promiňte, to je věc pošty.", rules=own)
    assert "blame" not in codes("Promiňte, to je věc pošty.")


def test_hollow_stock_answers_are_flagged() -> None:
    assert "hollow" in codes("Thank you for your feedback, we will check and get back to you.")
    assert "hollow" in codes("Děkujeme za zpětnou vazbu, prověříme a ozveme se.")


@pytest.mark.parametrize(("text", "only"), [
    ("Sorry to hear that. Please call our hotline.", True),
    ("Hi Jana! Write to us at help@bistro.cz", True),
    ("Omlouváme se. Zavolejte na infolinku.", True),
    ("Sorry, Jana. We have refunded the meal to your card today.", False),
    ("Sorry! We refunded the soup; the receipt is at https://bistro.cz/r/12", False),
    ("Let's sort it out: call Petra directly on +420 222 333 444 ext. 12.", False),  # direct line
    ("We are so sorry about the cold soup.", False),  # points nowhere
])
def test_redirect_only_replies_are_flagged(text: str, only: bool) -> None:
    linted = lint(text, Subject("facebook", customer="@jana", names=("Jana",)), RULES, AT)
    assert linted.redirect_only is only
    assert ("redirect-only" in [finding.code for finding in linted.findings]) is only


def test_personal_data_blocks_a_public_reply_but_not_a_private_one() -> None:
    text = "Jana, we will call you back on 603 123 456 within the hour."
    public = lint(text, Subject("facebook"), RULES, AT)
    assert [finding.code for finding in public.blocking] == ["personal-data"]
    assert lint(text, Subject("facebook", public=False), RULES, AT).blocking == []


def test_a_reply_over_the_channels_limit_blocks() -> None:
    text = "We are sorry. " + "The kitchen will check every soup before it leaves. " * 6
    assert "too-long" in codes(text, Subject("twitter"))
    assert "too-long" not in codes(text, Subject("facebook"))


def test_a_reply_in_another_language_than_the_customers_is_flagged() -> None:
    assert "language" in codes("We are so sorry about the cold soup, it should never happen.",
                               Subject("facebook", language="cs"))
    assert "language" not in codes("Moc nás mrzí ta studená polévka, tohle se stát nemělo.",
                                   Subject("facebook", language="cs"))


def test_copies_to_another_customer_are_flagged_within_the_window() -> None:
    sent = "Hi Jana, sorry about table 12, we will bring you a fresh soup right away"
    copies = CopyIndex()
    copies.add(1, "@jana", AT - timedelta(days=2), skeleton(sent, ("@jana", "Jana")))
    again = "Hi Petr, sorry about table 7, we will bring you a fresh soup right away!"
    petr = Subject("facebook", customer="@petr", names=("Petr",))
    assert "copy-paste" in codes(again, petr, copies=copies)
    assert "copy-paste" not in codes(again, Subject("facebook", customer="@jana",
                                                    names=("Jana",)), copies=copies)
    old = CopyIndex()
    old.add(1, "@jana", AT - timedelta(days=9), skeleton(sent, ("@jana", "Jana")))
    assert "copy-paste" not in codes(again, petr, copies=old)
    assert "copy-paste" not in codes("Hi Petr, our kitchen found the cause: the soup waited "
                                     "at the pass; a chef now checks each bowl.", petr,
                                     copies=copies)


@given(st.sampled_from(["Jana", "Petr", "Zuzana Malá"]), st.integers(0, 10**6))
def test_a_skeleton_has_no_names_or_numbers(name: str, number: int) -> None:
    text = f"Hi {name}, order {number} is on its way"
    assert skeleton(text, (name,)) == skeleton("Hi Karel, order 1 is on its way", ("Karel",))


def tiny_dictionary(folder: Path, words: list[str], name: str = "cs_CZ") -> Path:
    """A hunspell dictionary of just these words, written where the test says."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{name}.aff").write_text("SET UTF-8\n", encoding="utf-8")
    (folder / f"{name}.dic").write_text(f"{len(words)}\n" + "\n".join(words) + "\n",
                                        encoding="utf-8")
    return folder


def test_spelling_is_checked_with_the_dictionary_found(tmp_path: Path) -> None:
    speller = Speller([tiny_dictionary(tmp_path, ["moc", "nás", "mrzí", "ta", "studená",
                                                  "polévka"])])
    subject = Subject("facebook", language="cs", customer="@jana")
    linted = lint("Moc nás mrzí ta studená polevka.", subject, RULES, AT, None, speller)
    assert [str(finding) for finding in linted.findings] == [
        "warning spelling: not in the cs dictionary: polevka"]
    assert codes("Moc nás mrzí ta studená polévka.", subject, speller=speller) == []


def test_the_debian_czech_dictionary_knows_czech() -> None:
    speller = Speller(SYSTEM_FOLDERS)
    if speller.dictionary("cs") is None:
        pytest.skip("no Czech hunspell dictionary on this machine (apt-get install hunspell-cs)")
    subject = Subject("facebook", language="cs", customer="@jana")
    assert codes("Moc nás mrzí ta studená polevka.", subject, speller=speller) == ["spelling"]
    assert codes("Moc nás mrzí ta studená polévka.", subject, speller=speller) == []


def test_spelling_is_skipped_with_a_notice_without_a_dictionary() -> None:
    found = lint("Moc nás mrzí ta studená polevka.", Subject("facebook", language="cs"), RULES,
                 AT, None, NO_SPELLING).findings
    assert [(finding.code, finding.severity.value) for finding in found] == [
        ("spelling-unchecked", "notice")]


def test_the_dictionary_path_setting_replaces_the_system_folders(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RECOVERY_HUNSPELL_PATH", "")
    assert search_path() == []
    assert Speller().dictionary("cs") is None
    mine = tiny_dictionary(tmp_path / "dicts", ["ahoj"])
    monkeypatch.setenv("RECOVERY_HUNSPELL_PATH", f"{tmp_path / 'none'}{os.pathsep}{mine}")
    assert Speller().dictionary("cs") == mine / "cs_CZ.dic"
    monkeypatch.delenv("RECOVERY_HUNSPELL_PATH")
    assert search_path() == list(SYSTEM_FOLDERS)


def test_findings_come_most_severe_first() -> None:
    text = "It's not our fault. We will get back to you. Call our hotline."
    severities = [finding.severity.value for finding in lint(text, Subject("facebook"), RULES,
                                                             AT).findings]
    assert severities == sorted(severities, key=["blocking", "warning", "notice"].index)


def test_rules_without_an_owner_treat_every_number_as_personal() -> None:
    bare = Rules(phrasebook(), Audience(("en",), (), Owned()), {})
    assert "personal-data" in codes("Call us on +420 222 333 444", rules=bare)


TEMPLATES = ["acknowledge", "move_private", "remedy_offer", "resolution", "follow_up"]


@pytest.mark.parametrize("brand", [name for name, flow in FLOWS.items()
                                   if not flow.settings.abstract])
def test_every_shipped_template_passes_the_linter_in_every_language(brand: str) -> None:
    flow = FLOWS[brand]
    rules = rules_for(flow)
    speller = Speller()
    kind, declared = next(iter(flow.settings.remedies.items()))
    for language, emotion, called, name in itertools.product(
            flow.settings.languages, ("angry", "neutral"), ("Jana", "Pavel", None), TEMPLATES):
        who = address(called, language)
        customer = {"handle": "@jana", "name": called or "", "first_name": who.first_name,
                    "vocative": who.vocative, "gender": who.gender, "language": language,
                    "register": "neutral", "emotion": emotion}
        rendered = flow.render(
            name, "facebook", [language], emotion, customer=customer, agent="eva",
            case={"id": 1, "about": "wait"}, finding="founded", explanation=None,
            remedy={"kind": kind, "value": 1, "unit": declared.unit, "says": declared.says,
                    "code": "RB-7KQ2M9XHDA", "expires_at": AT + timedelta(days=90)})
        assert rendered.language == language
        subject = Subject("twitter", True, "@jana", tuple(filter(None, (called, who.vocative))),
                          language)
        linted = lint(rendered.text, subject, rules, AT, None, speller)
        problems = [str(item) for item in linted.findings
                    if item.code not in ("spelling-unchecked",)]
        assert not problems, f"{brand} {language} {name}: {rendered.text} {problems}"
        assert not linted.redirect_only


def test_the_angry_variant_answers_an_angry_customer() -> None:
    flow = FLOWS["bistro"]
    customer = {"handle": "@jana", "first_name": "Jana", "vocative": "Jano", "gender": "female"}
    angry = flow.render("acknowledge", "facebook", ["cs"], "angry", customer=customer,
                        case={"about": None})
    calm = flow.render("acknowledge", "facebook", ["cs"], None, customer=customer,
                       case={"about": None})
    assert Path(angry.template).name == "acknowledge.angry.j2"
    assert Path(calm.template).name == "acknowledge.j2"


def test_the_copy_index_forgets_replies_older_than_the_window() -> None:
    shape = skeleton("Hi Jana, sorry about the soup, a fresh bowl is on its way to your table")
    index = CopyIndex()
    index.add(1, "@jana", AT - timedelta(days=9), shape)
    index.add(2, "@eva", AT - timedelta(days=1), shape)
    index.forget_before(AT - timedelta(days=7))
    found = index.near(shape, "@petr", AT - timedelta(days=30), 90)
    assert found is not None and found.case_id == 2  # the 9-day-old reply is gone
    index.forget_before(AT - timedelta(days=7))  # nothing older left: nothing changes
    index.add(3, "@ola", AT - timedelta(days=8), shape)
    index.forget_before(AT - timedelta(days=7))
    assert index.near(shape, "@eva", AT - timedelta(days=30), 90) is None


@pytest.mark.parametrize(("name", "language", "vocative", "gender"), [
    ("Jana Nováková", "cs", "Jano", "female"), ("Pavel", "cs", "Pavle", "male"),
    ("Petr", "cs", "Petře", "male"), ("Tomáš Malý", "cs", "Tomáši", "male"),
    ("Lucie", "cs", "Lucie", "female"), ("Saša", "cs", "", None), ("@jana", "cs", "", None),
    ("JK", "cs", "", None), (None, "cs", "", None),
    ("Ivana Horvat", "hr", "Ivana", "female"), ("Marko", "hr", "Marko", "male"),
    ("Luka", "hr", "Luka", "male"), ("Andrea", "hr", "", None),
    ("Ewa", "pl", "Ewa", None),
])
def test_a_customer_is_addressed_as_their_language_does(name: str | None, language: str,
                                                        vocative: str,
                                                        gender: str | None) -> None:
    called = address(name, language)
    assert (called.vocative, called.gender) == (vocative, gender)


def test_a_remedy_reads_as_the_brand_words_it_by_plural_form() -> None:
    flow = FLOWS["bistro"]
    says = flow.settings.remedies["coupon"].says
    for language, value, expected in (("en", 1, "one free meal"), ("en", 3, "3 free meals"),
                                      ("cs", 1, "jedno jídlo zdarma"),
                                      ("cs", 2, "2 jídla zdarma"), ("cs", 5, "5 jídel zdarma")):
        text = flow.render("remedy_offer", "facebook", [language], None,
                           customer={"handle": "@jana", "first_name": "", "vocative": "",
                                     "gender": None},
                           remedy={"kind": "coupon", "value": value, "unit": "meal",
                                   "says": says, "code": None}, case={"about": "food"}).text
        assert expected in text, text
    bare = flow.render("remedy_offer", "facebook", ["en"], None,
                       customer={"handle": "@jana", "first_name": "", "vocative": "",
                                 "gender": None},
                       remedy={"kind": "coupon", "value": 1, "unit": "meal", "says": {},
                               "code": None}, case={"about": None}).text
    assert "a coupon for 1 meal" in bare


def test_a_plural_wording_without_its_other_form_is_refused(tmp_path: Path) -> None:
    folder = workflows_with(tmp_path, b="extends: default\nname: B\nremedies:\n  coupon: "
                            "{max: 1, unit: meal, says: {en: {one: one meal}}}\n")
    [problem] = validate_flows(folder)[1]
    assert problem.line == 4 and "en needs an `other` form" in problem.message


_SHAPES = [skeleton(text) for text in (
    "sorry about the soup a fresh bowl is on its way to your table",
    "sorry about the soup a fresh bowl is on its way to you",
    "sorry about the soup a fresh bowl is on its way to your table now",
    "sorry about the soup a fresh bowl is on its way to your table too",
    "sorry about the wait a fresh bowl is on its way to your table",
    "we refunded the delivery fee to your card this morning",
    "thanks")]


_WORDS = st.sampled_from(["sorry", "soup", "bowl", "table", "fresh", "your", "way", "now",
                          "the", "a", "čaj", "polévka", "ßtraße", "кофе", "咖啡", "x"])
_VARIED = st.lists(_WORDS, min_size=5, max_size=14).map(" ".join)
"""Skeletons of every kind: near and far, with letters outside a to z that share one count."""


@settings(max_examples=200, deadline=None)
@given(sent=st.lists(st.tuples(st.sampled_from(_SHAPES) | _VARIED,
                               st.sampled_from(["@a", "@b", "@c"]), st.integers(0, 10)),
                     max_size=25),
       forget=st.integers(0, 11), query=st.sampled_from(_SHAPES) | _VARIED,
       customer=st.sampled_from(["@a", "@b", "@z"]), since=st.integers(0, 11),
       similarity=st.sampled_from([50.0, 80.0, 90.0, 100.0]), scan_below=st.sampled_from([0, 500]))
@example(sent=[(_SHAPES[2], "@a", 1), (_SHAPES[3], "@b", 1), (_SHAPES[2], "@c", 1)], forget=0,
         query=_SHAPES[0], customer="@a", since=0, similarity=90.0, scan_below=0)  # a tie: @b
def test_the_copy_index_answers_as_a_scan_of_every_reply(
        sent: list[tuple[str, str, int]], forget: int, query: str, customer: str, since: int,
        similarity: float, scan_below: int) -> None:
    """Scoring each distinct skeleton once, and only those whose shared characters can reach
    the similarity (`scan_below=0`: always), finds what scoring every reply finds: the most
    similar reply to another customer in the window, the first sent of equally similar ones."""
    index = CopyIndex(scan_below)
    for case_id, (shape, to, day) in enumerate(sent):
        index.add(case_id, to, AT + timedelta(days=day), shape)
        if case_id == len(sent) // 2:  # a check midway: later replies join a kept index
            index.near(query, customer, AT, similarity)
            index.forget_before(AT)
    index.forget_before(AT + timedelta(days=forget))
    cut = AT + timedelta(days=since)
    scored = [(fuzz.ratio(query, shape), -case_id, case_id)
              for case_id, (shape, to, day) in enumerate(sent)
              if to != customer and day >= max(since, forget)
              and fuzz.ratio(query, shape) >= similarity]
    found = index.near(query, customer, cut, similarity)
    if not scored or len(query.split()) < MIN_WORDS:
        assert found is None
    else:
        score, _, case_id = max(scored)
        assert found is not None and (found.case_id, found.similarity) == (case_id,
                                                                            round(score, 1))
