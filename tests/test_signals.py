"""Reading the customer: language, tone and personal data (pure)."""

from __future__ import annotations

import re
from functools import cache

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from recovery.signals import PERSONAL, UNSERVED, Audience, Owned, read
from recovery.signals.language import detect
from recovery.signals.personal import e164, find_personal
from recovery.signals.text import Phrases, fold
from recovery.signals.tone import read_tone

WATCHED = ("en", "cs", "sk", "pl", "hr", "el", "de")


@pytest.mark.parametrize(("text", "language"), [
    ("Studená polévka už podruhé tento měsíc, nikdo to neřeší!", "cs"),
    ("Cold soup again, second time this month. Is anyone checking the kitchen?", "en"),
    ("Rower się zepsuł w połowie drogi i rozdarłem spodnie.", "pl"),
    ("Paket kasni već tjedan dana i nitko se ne javlja.", "hr"),
    ("Η παραγγελία μου καθυστερεί μια εβδομάδα.", "el"),  # noqa: RUF001
    ("Studená polievka, už nikdy viac nepríďem.", "sk"),
])
def test_the_language_is_detected_among_the_brands_languages(text: str, language: str) -> None:
    assert detect(text, WATCHED).language == language


def test_an_alphabet_rules_out_the_close_kin_that_does_not_write_its_letters() -> None:
    croatian = "Pogledat ćemo o čemu se radi i javit ćemo se."  # ć: not Slovenian
    assert detect(croatian, (*WATCHED, "sl"), ("hr", "en")).language == "hr"
    assert detect("Studená polievka, už nikdy viac nepríďem.", WATCHED).language == "sk"
    assert detect("Studená polévka už podruhé tento měsíc, nikdo to neřeší!",
                  (*WATCHED, "sk")).language == "cs"  # ě, ř: not Slovak


def test_a_language_the_brand_does_not_serve_takes_firmer_evidence() -> None:
    short = "Greška je na strani dostavne službe."  # Croatian; short, no ć or đ
    unsure = detect(short, (*WATCHED, "sl"), ("hr", "en"))
    assert unsure.language in (None, "hr") and unsure.language != "sl"
    slovenian = ("Pošiljka zamuja že en teden in nihče se ne oglasi, zato vas prosim, da "
                 "preverite, kje je moje naročilo.")
    assert detect(slovenian, (*WATCHED, "sl"), ("hr", "en")).language == "sl"


def test_too_little_text_is_no_language() -> None:
    assert detect("ok", WATCHED).language is None
    assert detect("👍", WATCHED).language is None


TEXTS = ["Studená polévka už podruhé tento měsíc, nikdo to neřeší!", "ok", "👍", "",
         "Cold soup again, second time this month.", "Rower się zepsuł w połowie drogi.",
         "Paket kasni već tjedan dana.", "table 12 cold cold cold", "12345 !!!", "a b c"]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.sampled_from(TEXTS) | st.text(max_size=40), max_size=12),
       st.sampled_from([WATCHED, ("cs", "en"), ("en",), ("xx",), ()]))
def test_many_texts_detected_at_once_read_as_each_one_alone(texts: list[str],
                                                           candidates: tuple[str, ...]) -> None:
    from recovery.signals.language import detect_many

    assert detect_many(texts, candidates) == [detect(text, candidates) for text in texts]


def test_a_language_the_brand_does_not_serve_is_flagged() -> None:
    audience = Audience(("cs", "en"), WATCHED)
    assert UNSERVED in read("Studená polievka, už nikdy viac nepríďem.", audience).flags
    assert read("Studená polévka, už nikdy více nepřijdu.", audience).flags == ()


@pytest.mark.parametrize(("text", "language", "emotion", "register"), [
    ("45 minutes for a burger?? never again", "en", "angry", "neutral"),
    ("WORST SERVICE EVER 😡", "en", "angry", "informal"),
    ("Dear team, could you tell me when my refund arrives? Kind regards", "en", "curious",
     "formal"),
    ("lol my bike has a flat 😂😂", "en", "neutral", "informal"),
    ("Studená polévka už podruhé, ostuda!", "cs", "angry", "neutral"),
    ("Dobrý den, kdy mi přijde vrácení peněz? S pozdravem", "cs", "curious", "formal"),
    ("Szanowni Państwo, kiedy otrzymam zwrot?", "pl", "curious", "formal"),
    ("Cold soup.", "en", "neutral", "neutral"),
])
def test_tone_reads_emotion_and_register(text: str, language: str, emotion: str,
                                         register: str) -> None:
    tone = read_tone(text, language)
    assert (tone.emotion, tone.register) == (emotion, register), tone.reasons


def test_every_tone_comes_with_its_reasons() -> None:
    tone = read_tone("Never again!! 😡", "en")
    assert tone.emotion == "angry"
    assert "angry: 'never again'" in tone.reasons
    assert any("😡" in reason for reason in tone.reasons)


OWNED = Owned(("CZ",), frozenset({"+420222333444"}), frozenset({"bistro.cz"}),
              re.compile(r"\bBR-\d{6}\b"))


@pytest.mark.parametrize(("text", "kinds"), [
    ("Call me at 603 123 456", ["phone"]),
    ("Zadzwoń +48 601 234 567", ["phone"]),
    ("write to jana.novakova@gmail.com please", ["email"]),
    ("order BR-123456 never came", ["order"]),
    ("refund to CZ65 0800 0000 1920 0014 5399", ["iban"]),
    ("refund to CZ65 0800 0000 1920 0014 5398", []),  # the checksum fails: not an IBAN
    ("Our line +420 222 333 444, or help@bistro.cz", []),  # the brand's own
    ("Table 12 at 19:30 on 2026-12-01, waited 45 minutes", []),
])
def test_personal_data_is_found_and_the_brands_own_is_not(text: str, kinds: list[str]) -> None:
    assert [item.kind for item in find_personal(text, OWNED)] == kinds


def test_personal_data_posted_in_public_marks_the_case_to_move_private() -> None:
    audience = Audience(("cs",), (), OWNED)
    assert PERSONAL in read("Studená polévka, volejte 603 123 456", audience).flags
    assert PERSONAL not in read("Studená polévka", audience).flags


def test_numbers_are_compared_in_e164() -> None:
    assert e164("+420 222 333 444 ext. 12", ("CZ",)) == "+420222333444"
    assert e164("222 333 444", ("CZ",)) == "+420222333444"


@given(st.text(max_size=60))
def test_folding_is_idempotent(text: str) -> None:
    assert fold(fold(text)) == fold(text)


@given(st.sampled_from(["Není to naše chyba", "NENÍ TO NAŠE CHYBA", "neni to nase chyba",
                        "není   to naše\nchyba"]),
       st.text(alphabet=" .,!?", max_size=3), st.text(alphabet=" .,!?", max_size=3))
def test_phrases_match_whatever_the_case_accents_and_spacing(phrase: str, before: str,
                                                             after: str) -> None:
    found = Phrases(("není to naše chyba",)).find(fold(f"Ahoj{before} {phrase}{after}"))
    assert found == ["není to naše chyba"]


def test_phrases_match_whole_words_only() -> None:
    assert Phrases(("hi",)).find(fold("this is it")) == []


def test_the_quick_emoji_check_lets_every_emoji_through() -> None:
    import emoji

    from recovery.signals.tone import _MAYBE_EMOJI

    missed = [item for item in emoji.EMOJI_DATA if not _MAYBE_EMOJI.search(item)]
    assert missed == []
    assert _MAYBE_EMOJI.search("Studená polévka, žádná omluva! Zimna zupa, żadnych przeprosin.") \
        is None


def _shortest_lengths() -> dict[str, int]:
    """The shortest possible length of a valid number per region (and non-geographic code), as
    libphonenumber's metadata says. Lengths dialled only locally (two digits in Germany) are
    not valid numbers, which the matcher's `VALID` leniency asks for: the property test below
    tries those regions."""
    from phonenumbers import PhoneMetadata
    from phonenumbers.phonenumberutil import (
        COUNTRY_CODES_FOR_NON_GEO_REGIONS,
        SUPPORTED_REGIONS,
    )

    kinds = [(region, PhoneMetadata.metadata_for_region(region))
             for region in SUPPORTED_REGIONS]
    kinds += [(f"+{code}", PhoneMetadata.metadata_for_nongeo_region(code))
              for code in COUNTRY_CODES_FOR_NON_GEO_REGIONS]
    return {name: min(data.general_desc.possible_length)
            for name, data in kinds if data is not None and data.general_desc.possible_length}


def test_no_number_anywhere_is_shorter_than_the_matchers_shortcut_assumes() -> None:
    from recovery.signals.personal import FEWEST_DIGITS

    assert min(_shortest_lengths().values()) >= FEWEST_DIGITS


SHORTEST = [*sorted(region for region, length in _shortest_lengths().items()
                    if length <= 4 and not region.startswith("+")), "DE", "AT", "KR", "TJ"]


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(blacklist_categories=("Nd", "Cs")), max_size=60),
       st.lists(st.tuples(st.text(alphabet=st.characters(whitelist_categories=("Nd",)),
                                  min_size=1, max_size=3), st.integers(0, 60)), max_size=3),
       st.sampled_from([None, "CZ", "US", *SHORTEST]))
def test_the_phone_matcher_finds_nothing_with_fewer_digits(
        text: str, digits: list[tuple[str, int]], region: str | None) -> None:
    """`find_phones` skips libphonenumber's matcher where a text has fewer digits than the
    shortest number anywhere; the matcher itself finds nothing there, in the regions with the
    shortest numbers too."""
    import phonenumbers

    from recovery.signals.personal import FEWEST_DIGITS, find_phones

    for run, where in digits:
        text = text[:where] + run + text[where:]
    assume(sum(character.isdecimal() for character in text) < FEWEST_DIGITS)
    assert not list(phonenumbers.PhoneNumberMatcher(text, region))
    assert not find_phones(text, (region,) if region else ())


@cache
def _examples(regions: tuple[str, ...], home: tuple[str, ...]) -> list[str]:
    """Every example number of `regions` (each kind: fixed line, mobile, toll free…) as written
    in `home` (its first region: nationally, or with its international prefix), with `+` and
    in E.164, and each cut short by one to three digits: the numbers at the edge of the
    shortcut's lengths."""
    import phonenumbers
    from phonenumbers import PhoneNumberFormat, PhoneNumberType

    written = []
    for region in regions:
        for kind in vars(PhoneNumberType).values():
            if not isinstance(kind, int):
                continue
            number = phonenumbers.example_number_for_type(region, kind)
            if number is None:
                continue
            for style in (PhoneNumberFormat.NATIONAL, PhoneNumberFormat.INTERNATIONAL,
                          PhoneNumberFormat.E164):
                text = phonenumbers.format_number(number, style)
                if region not in home and style == PhoneNumberFormat.NATIONAL:
                    text = phonenumbers.format_out_of_country_calling_number(
                        number, (home or ("US",))[0])  # with the international prefix
                marked = text.replace(" ", "\u30fc").replace("-", "\uff0d")  # the matcher
                written += [text, text[:-1], text[:-2], text[:-3], text[1:], marked]  # takes it
    return written


REGION_SETS = [(), ("CZ",), ("CZ", "SK"), ("PL",), ("US",), ("DE", "AT"), ("HR", "SI"),
               ("GB",), tuple(SHORTEST[:3])]
noise = st.sampled_from([" ", "-", ".", "/", "(", ")", "+", "x", " ext. ", ", ", "#", "table ",
                         "call me on ", "\u00a0", "\uff0d", "\u30fc", "\uff0b", "\u0661\u0662",
                         "tel:"])


@st.composite
def phone_texts(draw: st.DrawFn) -> tuple[str, tuple[str, ...]]:
    regions = draw(st.sampled_from(REGION_SETS))
    own = _examples(regions or ("CZ", "US"), regions)
    abroad = _examples(tuple(SHORTEST), regions)  # the shortest numbers anywhere
    parts = draw(st.lists(st.one_of(st.text(alphabet="0123456789", min_size=1, max_size=12),
                                    noise, st.text(max_size=4), st.sampled_from(own),
                                    st.sampled_from(abroad)), max_size=8))
    return "".join(parts), regions


@settings(max_examples=400, deadline=None)
@given(phone_texts())
def test_the_phone_shortcut_finds_what_the_matcher_finds(
        written: tuple[str, tuple[str, ...]]) -> None:
    """The cheap look at runs of digits before libphonenumber's matcher never hides a number
    it would find: `find_phones` reads as the matcher does, for the regions' own example
    numbers as written at home and abroad and cut short, among digits, punctuation and words
    (short runs such as "table 12, #4567" are the common case)."""
    import phonenumbers

    from recovery.signals.personal import find_phones

    text, regions = written
    found = [(p.start, p.end) for p in find_phones(text, regions)]
    matched = [(m.start, m.end) for region in regions or (None,)
               for m in phonenumbers.PhoneNumberMatcher(text, region,
                                                        leniency=phonenumbers.Leniency.VALID)]
    assert found == matched
