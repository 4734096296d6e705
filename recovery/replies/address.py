"""Addressing a customer by name, as their language does: the Czech vocative ("Dobrý den, Jano"
for Jana, "Pavle" for Pavel, by `vokativ`), the gender a Croatian salutation follows
("Poštovana Ivana", "Poštovani Marko"). Where the name gives no sure answer (a nickname, a
name borne by women and men alike, a handle), nothing is guessed: `vocative` and `gender` are
empty and the template greets without the name.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from recovery.signals.text import fold

EITHER = frozenset({"alex", "sasa", "sasha", "kim", "chris", "robin", "vanja", "sam", "charlie",
                    "jamie", "nikola", "andrea", "mika", "dominique", "honza", "jessie"})
"""Given names borne by women and men alike, or too informal to decline with confidence."""
MEN_IN_A = frozenset({"luka", "nikola", "matija", "andrija", "ilija", "jaksa", "toma", "mihovila",
                      "kosta", "sava", "bozo"})
"""Croatian men's names that end in -a, as most women's names do."""
_NAME = re.compile(r"[^\W\d_]{2,}(?:-[^\W\d_]{2,})?")


@dataclass(frozen=True)
class Address:
    """How to call the customer: their first name, the name as called in their language
    (empty when unsure), and the gender the language's salutation follows (None when unsure)."""

    first_name: str
    vocative: str
    gender: str | None


def address(name: str | None, language: str | None) -> Address:
    """How to address a customer called `name` who writes in `language`."""
    first = (name or "").split()[0] if (name or "").split() else ""
    if not _NAME.fullmatch(first) or first.isupper() or fold(first) in EITHER:
        return Address(first, "", None)
    if language == "cs":
        from vokativ import sex, vokativ  # here: its suffix tables load on first use

        woman = sex(first) == "w"
        called = vokativ(first, woman=woman)
        return Address(first, called[:1].upper() + called[1:], "female" if woman else "male")
    if language == "hr":
        female = fold(first).endswith("a") and fold(first) not in MEN_IN_A
        return Address(first, first, "female" if female else "male")
    return Address(first, first, None)
