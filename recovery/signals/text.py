"""Text helpers shared by the readers and the linter: folding and phrase lists.

Phrases are matched on *folded* text (case-folded, accents stripped, whitespace collapsed) at
word boundaries, so "Není to naše chyba" matches the listed "neni to nase chyba" and a typed
"neni to nase chyba" matches the listed "není to naše chyba".
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

import yaml

_SPACE = re.compile(r"\s+")
_QUOTES = str.maketrans({"\u2019": "'", "\u2018": "'", "`": "'", "\u00b4": "'"})
_BARE = str.maketrans({"ł": "l", "đ": "d", "ø": "o", "\u0131": "i", "ħ": "h"})
"""Letters whose accent Unicode does not decompose: błąd is blad, proizvođač proizvodac."""


def fold(text: str) -> str:
    """`text` case-folded, without accents (ł and đ too), with straight apostrophes and
    single spaces."""
    compatible = unicodedata.normalize("NFKD", text)  # styled and wide letters first
    decomposed = unicodedata.normalize("NFKD", compatible.casefold())
    bare = "".join(char for char in decomposed if not unicodedata.combining(char))
    return _SPACE.sub(" ", bare.translate(_QUOTES).translate(_BARE)).strip()


@dataclass(frozen=True)
class Phrases:
    """A list of phrases, matched at word boundaries on folded text."""

    phrases: tuple[str, ...]

    def find(self, folded: str) -> list[str]:
        """The listed phrases found in already folded text, in order of appearance."""
        pattern, listed = _compile(self.phrases)
        if pattern is None:
            return []
        return [listed[match.group(0)] for match in pattern.finditer(folded)]


@cache
def _compile(phrases: tuple[str, ...]) -> tuple[re.Pattern[str] | None, dict[str, str]]:
    listed = {fold(phrase): phrase for phrase in reversed(phrases) if phrase.strip()}
    if not listed:
        return None, {}
    alternation = "|".join(map(re.escape, sorted(listed, key=len, reverse=True)))
    return re.compile(r"(?<!\w)(?:" + alternation + r")(?!\w)"), listed


def data(package: str, language: str) -> dict[str, Any]:
    """The YAML data file `<language>.yaml` shipped in `package` ({} when there is none)."""
    path = resources.files(package).joinpath(f"{language}.yaml")
    if not path.is_file():
        return {}
    loaded = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return dict(loaded)


def shipped(package: str) -> list[str]:
    """The languages `package` ships data files for."""
    return sorted(item.name[:-5] for item in resources.files(package).iterdir()
                  if item.name.endswith(".yaml"))


def merge(*lists: Iterable[str]) -> tuple[str, ...]:
    """The phrases of every list, each once, in order."""
    return tuple(dict.fromkeys(phrase for items in lists for phrase in items))
