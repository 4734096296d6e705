"""What a reply must not say, per language: blame, hollow stock answers, bare redirects, and
the courtesies that are polite but no solution by themselves.

The lists ship in `phrases/<language>.yaml` (en, cs, pl, hr, el) and a brand extends them in its
flow file (`replies: phrases: cs: blame: [...]`). Every language's lists are checked against
every reply: a Czech reply with an English "not our fault" in it is still blame.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from recovery.signals.text import Phrases, data, merge, shipped

KINDS = ("blame", "hollow", "redirect", "courtesy")
PACKAGE = "recovery.replies.phrases"


@dataclass(frozen=True)
class Phrasebook:
    """Phrase lists of every kind, each over all languages."""

    lists: Mapping[str, Phrases]

    def find(self, kind: str, folded: str) -> list[str]:
        """The listed phrases of `kind` in already folded text."""
        return self.lists[kind].find(folded)


def phrasebook(extra: Mapping[str, Mapping[Any, Sequence[str]]] | None = None) -> Phrasebook:
    """The shipped phrase lists, extended with a brand's own (`{language: {kind: [...]}}`)."""
    extra = extra or {}
    languages = sorted({*shipped(PACKAGE), *extra})
    lists = {}
    for kind in KINDS:
        lists[kind] = Phrases(merge(*(data(PACKAGE, language).get(kind, ())
                                      for language in languages),
                                    *(extra.get(language, {}).get(kind, ())
                                      for language in languages)))
    return Phrasebook(lists)
