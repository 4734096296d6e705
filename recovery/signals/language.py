"""The language a message is written in, detected offline with `lingua`.

Detection is limited to the languages that matter for the brand (those it serves and those it
watches for), which makes it both faster and more accurate on short posts. Below a confidence of
`CONFIDENT` the answer is "don't know" (None) rather than a guess.
"""

from __future__ import annotations

from collections.abc import Sequence
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
"""The least confidence (0 to 1, among the candidate languages) that names a language."""


@dataclass(frozen=True)
class Detected:
    """A detected language (ISO 639-1 code, None when unsure) and the detector's confidence."""

    language: str | None
    confidence: float


def detect(text: str, candidates: tuple[str, ...]) -> Detected:
    """The language of `text` among `candidates` (ISO 639-1 codes lingua knows)."""
    detector = _detector(frozenset(candidates))
    if detector is None or not _wordy(text):
        return Detected(None, 0.0)
    return _verdict(detector.compute_language_confidence_values(text))


def detect_many(texts: Sequence[str], candidates: tuple[str, ...]) -> list[Detected]:
    """`detect` of each of `texts`, computed by lingua on every core at once."""
    detector = _detector(frozenset(candidates))
    wordy = [_wordy(text) for text in texts]
    if detector is None or not any(wordy):
        return [Detected(None, 0.0) for _ in texts]
    found = iter(detector.compute_language_confidence_values_in_parallel(
        [text for text, enough in zip(texts, wordy, strict=True) if enough]))
    return [_verdict(next(found)) if enough else Detected(None, 0.0) for enough in wordy]


def _wordy(text: str) -> bool:
    """Enough letters to tell a language by (three)."""
    return sum(char.isalpha() for char in text) >= 3


def _verdict(values: Sequence[ConfidenceValue]) -> Detected:
    """The most likely language when the detector is confident enough; else none."""
    if not values or values[0].value < CONFIDENT:
        return Detected(None, round(values[0].value, 3) if values else 0.0)
    best = values[0]
    return Detected(best.language.iso_code_639_1.name.lower(), round(best.value, 3))


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
    return LanguageDetectorBuilder.from_languages(*languages).build()
