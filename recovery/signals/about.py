"""What a complaint is about: the thing it names (the staff, a charge, a refund, the wait, a
delivery, a bike, the food, the app), so a reply template can answer the customer's own matter
in its own words rather than the same lines to everyone.

Each language lists the words of each subject in `lexicon/<language>.yaml` (`about:`), matched on
folded words, `stem*` by its beginning. Where a complaint names several, the first in `SUBJECTS`
wins: "45 minutes for a burger" is about the wait, "the app charged me twice" about a charge.
"""

from __future__ import annotations

import re
from functools import cache

from recovery.signals.text import data, fold

SUBJECTS = ("staff", "charge", "refund", "wait", "delivery", "bike", "food", "app")
"""What a complaint may be about, the first named winning."""
_WORD = re.compile(r"[^\W\d_]+")


def about(text: str, language: str | None) -> str | None:
    """The subject `text` (in `language`) names first in `SUBJECTS` order; None when none."""
    words = set(_WORD.findall(fold(text)))
    if not words:
        return None
    listed = _subjects(language)
    for subject in SUBJECTS:
        exact, stems = listed.get(subject, (frozenset(), ()))
        if words & exact or any(word.startswith(stems) for word in words if stems):
            return subject
    return None


@cache
def _subjects(language: str | None) -> dict[str, tuple[frozenset[str], tuple[str, ...]]]:
    """Each subject's words in `language`: whole words, and stems (written `stem*`)."""
    listed = (data("recovery.signals.lexicon", language) if language else {}).get("about") or {}
    found = {}
    for subject, words in listed.items():
        folded = [fold(str(word)) for word in words]
        found[str(subject)] = (frozenset(word for word in folded if not word.endswith("*")),
                               tuple(word[:-1] for word in folded if word.endswith("*")))
    return found
