"""A public reply in one language: the parts of it written in another.

Team text spliced into a customer's reply (a root cause written in English for the team, in a
Croatian resolution: "Uzrok je bio: courier lost the parcel at the depot.") reads as a brand
that does not speak the customer's language. A reply is cut into its sentences and clauses;
names, codes (a word with a digit, or in capitals), handles, links and quotes are set aside
(they may be in any language); a part with `MIN_WORDS` words left is read by the language
detector among the brand's languages, and named when it is, with `SURE` confidence, in
another language than the reply.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from recovery.formats import TEAM_LANGUAGE
from recovery.signals.language import detect
from recovery.signals.text import fold

MIN_WORDS = 4
"""Words a part needs, names and codes aside, to be told a language by."""
SURE = 0.9
"""The confidence that names a part's language as another than the reply's."""
_QUOTED = re.compile(r"\"[^\"]*\"|“[^”]*”|„[^“”]*[“”]|«[^»]*»|»[^«]*«")
_SET_ASIDE = re.compile(r"@[\w.]+|https?://\S+|www\.\S+|[\w.+-]+@[\w-]+(?:\.[\w-]+)+"
                        r"|\b\w*\d\w*\b|\b[A-Z]{2,}\b")
_PARTS = re.compile(r"(?<=[.!?…;:])\s+|\n+|\s[\u2014\u2013-]\s|[(),]")
_WORD = re.compile(r"[^\W\d_]+")


def team_languages(serves: Iterable[str]) -> tuple[str, ...]:
    """The languages a brand's team writes in, whose text could end up in a reply: those it
    serves, and English (the language of its tools)."""
    return tuple(dict.fromkeys((*serves, TEAM_LANGUAGE)))


def foreign(text: str, language: str, languages: tuple[str, ...],
            names: Iterable[str] = ()) -> list[tuple[str, str]]:
    """The parts of `text` written in another of `languages` than `language`, each with the
    language it is in."""
    candidates = tuple(dict.fromkeys((language, *languages)))
    if len(candidates) < 2:
        return []
    drop = {fold(word) for name in names for word in _WORD.findall(name)}
    found = []
    for part in _PARTS.split(_QUOTED.sub(" ", text)):
        kept = " ".join(word for word in _WORD.findall(_SET_ASIDE.sub(" ", part or ""))
                        if fold(word) not in drop)
        if len(kept.split()) < MIN_WORDS:
            continue
        read = detect(kept, candidates)
        if read.language not in (None, language) and read.confidence >= SURE:
            found.append(((part or "").strip(), read.language))
    return found
