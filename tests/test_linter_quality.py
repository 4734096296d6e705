"""The linter reads what practitioners write: blame, hollow promises and bare redirects in every
served language, through inflection and word order, with no false alarm on good replies."""

from __future__ import annotations

import unicodedata
from pathlib import Path

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from recovery.flows import load_flows
from recovery.replies import Subject, lint
from recovery.replies.compose import rules_for
from recovery.replies.concepts import GAP, Lexicon, Word, lexicon, read, tokens
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


def _reference(pattern: tuple[str, ...], words: list[Word], start: int = 0) -> bool:
    """The plain reading of a pattern, tried at every start (the matcher before its index)."""
    def at(rest: tuple[str, ...], index: int) -> bool:
        if not rest:
            return True
        if rest[0] == "…":
            return any(at(rest[1:], index + skip) for skip in range(GAP + 1))
        return index < len(words) and any(
            word.startswith(option[:-1]) if option.endswith("*") else word == option
            for option in rest[0].split("|")
            for word in (words[index].form, words[index].lemma)) and at(rest[1:], index + 1)
    return any(at(pattern, index) for index in range(start, len(words)))


_VOCABULARY = ["we", "our", "not", "fault", "courier", "kurýr", "kurýra", "due", "to", "a", ""]
_PARTS = st.sampled_from(["…", "we", "not|no", "fault*", "kurýr*", "due", "to", "our|we",
                          "a*", "*", "courier*|to"])


@settings(max_examples=400, deadline=None)
@given(patterns=st.lists(st.lists(_PARTS, max_size=5).map(tuple), min_size=1, max_size=6),
       words=st.lists(st.tuples(st.sampled_from(_VOCABULARY), st.sampled_from(_VOCABULARY)),
                      max_size=9))
@example(patterns=[("we", "…", "fault*")], words=[("we", "we"), *[("a", "a")] * 3,
                                                   ("fault", "fault")])  # the widest gap
@example(patterns=[("we", "…", "fault*")], words=[("we", "we"), *[("a", "a")] * 4,
                                                   ("fault", "fault")])  # one word too many
def test_the_compiled_patterns_match_as_the_plain_reading(patterns: list[tuple[str, ...]],
                                                          words: list[tuple[str, str]]) -> None:
    """Numbering the parts, looking words up by dictionary and filing patterns by their first
    part changes no verdict: gaps at either end, stems, `|` options, lemmas, empty patterns."""
    book = Lexicon({"fault": tuple(patterns)}, {})
    clause = [Word(form, lemma) for form, lemma in words]
    expected = any(_reference(pattern, clause) for pattern in patterns)
    assert book.has("fault", clause) is expected
    assert book.has("fault", clause) is expected  # and again, from the words remembered
