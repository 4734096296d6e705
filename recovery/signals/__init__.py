"""Reading the customer: the language, tone and personal data of a message. Pure, no I/O.

`read(text, audience)` is what the engine does with every complaint that opens a case: the
language decides which templates answer (and is flagged when the brand does not serve it), the
tone picks the template variant, and personal data posted in public marks the case as one to
move private.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from recovery.signals.language import Detected, detect, detect_many
from recovery.signals.personal import Owned, Personal, find_personal
from recovery.signals.tone import Tone, read_tone

UNSERVED = "unserved_language"
PERSONAL = "personal_data"
FLAGS = (UNSERVED, PERSONAL)
"""Flags a reading can raise on a case."""
DETECTED = 2_000
"""Characters the language is detected on: the start of a message tells its language, and
detection costs time in proportion to the text."""


@dataclass(frozen=True)
class Audience:
    """What reading needs to know of a brand: the languages it serves and watches for, and
    what it owns (phone numbers, e-mail domains, the shape of its order numbers)."""

    serves: tuple[str, ...]
    watches: tuple[str, ...] = ()
    owned: Owned = field(default_factory=Owned)

    @property
    def candidates(self) -> tuple[str, ...]:
        """Every language the detector chooses among."""
        return tuple(dict.fromkeys((*self.serves, *self.watches)))


@dataclass(frozen=True)
class Reading:
    """What a message says about its writer."""

    detected: Detected
    tone: Tone
    personal: tuple[Personal, ...]
    flags: tuple[str, ...]

    @property
    def language(self) -> str | None:
        """The message's language, when the detector was sure of it."""
        return self.detected.language

    def as_payload(self) -> dict[str, Any]:
        """The reading as an event's payload: plain data, with the reasons behind the tone."""
        return {"language": self.language, "confidence": self.detected.confidence,
                "register": self.tone.register, "emotion": self.tone.emotion,
                "reasons": list(self.tone.reasons),
                "personal": sorted({item.kind for item in self.personal}),
                "flags": list(self.flags)}


def read(text: str, audience: Audience, language: str | Detected | None = None) -> Reading:
    """Read a customer's public message: its language among the audience's (or `language`,
    when the source already knows it or it was detected with others, `languages`), tone,
    personal data."""
    if isinstance(language, Detected):
        detected = language
    elif language is None:
        detected = detect(text[:DETECTED], audience.candidates, audience.serves)
    else:
        detected = Detected(language, 1.0)
    personal = tuple(find_personal(text, audience.owned))
    flags = []
    if detected.language is not None and detected.language not in audience.serves:
        flags.append(UNSERVED)
    if personal:
        flags.append(PERSONAL)
    return Reading(detected, read_tone(text, detected.language), personal, tuple(flags))


def languages(texts: Sequence[str], audience: Audience) -> list[Detected]:
    """The language of each of many messages among the audience's, detected on every core at
    once (for `read`)."""
    return detect_many([text[:DETECTED] for text in texts], audience.candidates,
                       audience.serves)


__all__ = ["FLAGS", "PERSONAL", "UNSERVED", "Audience", "Detected", "Owned", "Personal",
           "Reading", "Tone", "languages", "read"]
