"""The linter reads what practitioners write: blame, hollow promises and bare redirects in every
served language, through inflection and word order, with no false alarm on good replies."""

from __future__ import annotations

import unicodedata
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from recovery.flows import load_flows
from recovery.replies import Subject, lint
from recovery.replies.compose import rules_for
from recovery.replies.concepts import lexicon, read, tokens
from recovery.signals.text import fold

from .conftest import workflows_with
from .quality import AT, CODES, LANGUAGES, Item, evaluate, flagged, items

SCORES = evaluate()
CAUGHT = [item for item in items() if item.kind == "blame" and "blame" in flagged(item)]
"""The blame replies caught as written: the property below is that casing and accents do not
change that, not the recall (which the test above holds)."""


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("kind", list(CODES))
def test_each_kind_is_caught_in_each_language(language: str, kind: str) -> None:
    score = SCORES[language, kind]
    assert score.recall >= 0.9, f"missed: {score.misses}"
    assert not score.false_alarms, f"flagged {kind} by mistake: {score.false_alarms}"


@pytest.mark.parametrize("language", LANGUAGES)
def test_good_replies_stay_clean(language: str) -> None:
    assert not SCORES[language, "good"].false_alarms


def test_the_practitioners_examples_are_caught() -> None:
    assert flagged(Item("cs", "blame", "Problém je bohužel u přepravce.")) == {"blame"}
    assert flagged(Item("cs", "hollow", "Váš dotaz ověříme a ozveme se.")) == {"hollow"}


@settings(max_examples=60, deadline=None)
@given(st.sampled_from(CAUGHT), st.booleans(), st.booleans())
def test_blame_survives_capitals_and_missing_accents(item: Item, upper: bool,
                                                     bare: bool) -> None:
    text = item.text.upper() if upper else item.text
    if bare:
        text = "".join(char for char in unicodedata.normalize("NFKD", text)
                       if not unicodedata.combining(char))
    assert "blame" in flagged(Item(item.language, "blame", text)), text


def test_word_order_and_inflection_do_not_hide_blame() -> None:
    book = lexicon()
    for text in ("Za zpoždění může kurýr.", "Kurýr může za zpoždění? Ne, za to může kurýrní "
                 "společnost.", "Chybu udělal přepravce.", "U přepravce je bohužel problém."):
        assert read(text, "cs", book).blame, text


def test_an_honest_mention_of_the_courier_with_what_we_do_is_clean() -> None:
    book = lexicon()
    for text, language in (("The courier lost it, so we're sending another one today.", "en"),
                           ("Kurýr balík ztratil, proto vám dnes posíláme nový.", "cs")):
        assert not read(text, language, book).blame, text


def test_folding_bares_letters_unicode_does_not_decompose() -> None:
    assert fold("Błąd u Proizvođača") == "blad u proizvodaca"
    assert [word.form for word in tokens("Działu", "pl")] == ["dzialu"]


def test_a_brand_adds_its_own_couriers_and_words() -> None:
    mine = lexicon({"cs": {"third": ["rohlik*"]}})
    assert read("Zpoždění způsobil Rohlík.", "cs", mine).blame
    assert not read("Zpoždění způsobil Rohlík.", "cs", lexicon()).blame


def test_a_brand_names_its_couriers_in_its_flow_file(tmp_path: Path) -> None:
    folder = workflows_with(tmp_path, grocer="extends: default\nname: Grocer\nlanguages: [cs]\n"
                            "holidays: {country: CZ}\nreplies:\n  concepts:\n"
                            "    cs: {third: [rohlik*]}\n")
    rules = rules_for(load_flows(folder)["grocer"])
    linted = lint("Zpoždění bohužel způsobil Rohlík.", Subject("facebook", language="cs"),
                  rules, AT)
    assert [finding.code for finding in linted.findings if finding.code == "blame"] == ["blame"]
