"""The language a message is written in, detected offline with `lingua`.

Detection is limited to the languages that matter for the brand (those it serves and those it
watches for), which makes it both faster and more accurate on short posts. It uses lingua's
low-accuracy mode (trigram models: about 23 MB for ten languages, loaded in 0.09 s, against
325 MB and 1.6 s for the high-accuracy models), corrected by what an alphabet
rules out and by a firmer bar for a language the brand does not serve: on the project's
labelled replies it names 317 of 320 right, against 316 with the high-accuracy models alone,
and where it misses it says "don't know" rather than a wrong language but once
(`bench/language_quality.py`). Below the bar the answer is "don't know" (None).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache

from lingua import (
    ConfidenceValue,
    IsoCode639_1,
    Language,
    LanguageDetector,
    LanguageDetectorBuilder,
)

CONFIDENT = 0.5
"""The least confidence (0 to 1, among the candidate languages) that names a language the brand
serves."""
UNSERVED_CONFIDENT = 0.8
"""The least that names one it does not: flagging a customer's language as unserved takes firmer
evidence, so a short text in a served language is not taken for its close kin."""
NEVER_USES = {"sl": frozenset("ćđ"), "sk": frozenset("ěřů"), "cs": frozenset("äľĺŕô")}
"""Letters a language's alphabet lacks and its close kin's has: a text with one is not in that
language (Slovenian has no ć or đ, which Croatian writes; Slovak no ě, ř or ů, which Czech
writes; Czech no ä, ľ, ĺ, ŕ or ô, which Slovak writes). Trigrams alone confuse them in short
texts."""


@dataclass(frozen=True)
class Detected:
    """A detected language (ISO 639-1 code, None when unsure) and the detector's confidence."""

    language: str | None
    confidence: float


def detect(text: str, candidates: tuple[str, ...],
           served: Iterable[str] | None = None) -> Detected:
    """The language of `text` among `candidates` (ISO 639-1 codes lingua knows); one not among
    `served` (all of them, by default) needs `UNSERVED_CONFIDENT`."""
    detector = _detector(frozenset(candidates))
    if detector is None or not _wordy(text):
        return Detected(None, 0.0)
    return _verdict(text, detector.compute_language_confidence_values(text),
                    candidates if served is None else tuple(served))


def detect_many(texts: Sequence[str], candidates: tuple[str, ...],
                served: Iterable[str] | None = None) -> list[Detected]:
    """`detect` of each of `texts`, computed by lingua on every core at once."""
    detector = _detector(frozenset(candidates))
    wordy = [_wordy(text) for text in texts]
    if detector is None or not any(wordy):
        return [Detected(None, 0.0) for _ in texts]
    chosen = [text for text, enough in zip(texts, wordy, strict=True) if enough]
    found = iter(zip(chosen, detector.compute_language_confidence_values_in_parallel(chosen),
                     strict=True))
    serving = candidates if served is None else tuple(served)
    return [_verdict(*next(found), serving) if enough else Detected(None, 0.0)
            for enough in wordy]


def preload(candidates: tuple[str, ...]) -> None:
    """Have the detector for `candidates` built, its models loaded, before a message needs it."""
    _detector(frozenset(candidates))


def _wordy(text: str) -> bool:
    """Enough letters to tell a language by (three)."""
    return sum(char.isalpha() for char in text) >= 3


def _verdict(text: str, values: Sequence[ConfidenceValue], served: tuple[str, ...]) -> Detected:
    """The most likely language the text's letters allow, when the detector is confident
    enough of it; else none."""
    letters = set(text.lower())
    ruled_out = {code for code, lacks in NEVER_USES.items() if lacks & letters}
    kept = [(code, value.value) for value in values
            if (code := value.language.iso_code_639_1.name.lower()) not in ruled_out]
    if not kept:
        return Detected(None, 0.0)
    total = sum(confidence for _code, confidence in kept) or 1.0
    code, confidence = kept[0][0], kept[0][1] / total
    bar = CONFIDENT if code in served else UNSERVED_CONFIDENT
    return Detected(code if confidence >= bar else None, round(confidence, 3))


def known(code: str) -> bool:
    """True when the detector knows the language with ISO 639-1 `code`."""
    return _language(code) is not None


def _language(code: str) -> Language | None:
    try:
        return Language.from_iso_code_639_1(IsoCode639_1.from_str(code))
    except ValueError:
        return None


@cache
def _detector(codes: frozenset[str]) -> LanguageDetector | None:
    languages = [found for code in sorted(codes) if (found := _language(code)) is not None]
    if not languages:
        return None
    if len(languages) == 1:  # lingua needs two; a lone language is still told from "unsure"
        languages.append(Language.ENGLISH if languages[0] != Language.ENGLISH else Language.GERMAN)
    return (LanguageDetectorBuilder.from_languages(*languages).with_low_accuracy_mode()
            .with_preloaded_language_models().build())
