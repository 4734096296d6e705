"""The customer's tone: register (light and emoji-rich, or formal) and emotion (angry or
frustrated, or curious). Both come from signals a person can check, listed in `reasons`.

Signals, each worth points:
- angry: a word or phrase from the language's list (2), an angry emoji (2), a shouted word in
  capitals (1), "!!" or "?!" (1). Two points make the customer angry.
- curious: a question mark with a question word, and not angry.
- informal: emoji (1 each, up to 2), a casual word (1); formal: a salutation or sign-off (2).

Limits: word lists, not understanding. Irony ("great, cold soup again, thanks") reads as angry
only through "again"; a calm complaint without any listed word reads neutral; a language
without a list (see `lexicon/`) is read from emoji, capitals and punctuation alone.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from recovery.signals.text import Phrases, data, fold

ANGRY_EMOJI = frozenset("😡😠🤬👿💢😤🖕👎😒🙄")
_SHOUT = re.compile(r"\b[^\W\d_]{3,}\b")
_PUNCT = re.compile(r"!{2,}|\?!|!\?|\?{2,}")
_MAYBE_EMOJI = re.compile("[\u00a9\u00ae\u203c-\U0010ffff]")
"""Every emoji has a character here (checked against the `emoji` package's table in the
tests): text without one has none, and skips the package's slower scan."""


@dataclass(frozen=True)
class Tone:
    """How a customer wrote: register, emotion, and the signals that say so."""

    register: str
    emotion: str
    reasons: tuple[str, ...] = ()


@dataclass(frozen=True)
class Lexicon:
    """A language's tone words."""

    angry: Phrases
    curious: Phrases
    formal: Phrases
    informal: Phrases


@cache
def lexicon(language: str | None) -> Lexicon:
    """The shipped tone words of `language` (empty lists for a language without a file)."""
    words = data("recovery.signals.lexicon", language) if language else {}
    return Lexicon(*(Phrases(tuple(words.get(kind, ())))
                     for kind in ("angry", "curious", "formal", "informal")))


def read_tone(text: str, language: str | None) -> Tone:
    """Read the register and emotion of `text`, written in `language` (None: unknown)."""
    words = lexicon(language)
    folded = fold(text)
    reasons: list[str] = []
    anger = 0
    for phrase in words.angry.find(folded):
        anger += 2
        reasons.append(f"angry: '{phrase}'")
    emojis = _emojis(text) if _MAYBE_EMOJI.search(text) else []
    mad = [char for char in emojis if char in ANGRY_EMOJI]
    if mad:
        anger += 2
        reasons.append(f"angry: {''.join(mad)}")
    shouted = [word for word in _SHOUT.findall(text) if word.isupper()]
    if shouted:
        anger += 1
        reasons.append(f"angry: shouting '{shouted[0]}'")
    marks = _PUNCT.findall(text)
    if marks:
        anger += 1
        reasons.append(f"angry: '{marks[0]}'")
    if anger >= 2:
        emotion = "angry"
    elif "?" in text and (asked := words.curious.find(folded) or ["?"]):
        emotion = "curious"
        reasons.append(f"curious: a question ('{asked[0]}')")
    else:
        emotion = "neutral"
    informal = min(len(emojis), 2)
    if emojis:
        reasons.append(f"informal: {len(emojis)} emoji")
    for phrase in words.informal.find(folded):
        informal += 1
        reasons.append(f"informal: '{phrase}'")
    formal = 0
    for phrase in words.formal.find(folded):
        formal += 2
        reasons.append(f"formal: '{phrase}'")
    if formal > informal:
        register = "formal"
    elif informal > formal:
        register = "informal"
    else:
        register = "neutral"
    return Tone(register, emotion, tuple(reasons))


def _emojis(text: str) -> list[str]:
    import emoji  # here: its tables cost 20 ms to import, paid only when a complaint has one

    return [item["emoji"] for item in emoji.emoji_list(text)]
