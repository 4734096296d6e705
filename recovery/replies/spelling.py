"""Spelling, checked with hunspell and the dictionaries the machine has installed.

Dictionaries are looked up as `<lang>_<REGION>.dic` (en_US, cs_CZ, pl_PL, …) in
`/usr/share/hunspell` and `/usr/share/myspell/dicts`, where Debian's `hunspell-cs`,
`hunspell-pl`, … put them. `RECOVERY_HUNSPELL_PATH` (folders separated by the OS path
separator) replaces those folders when it is set; set but empty, no dictionary is found, as on
a machine without them. A language without a dictionary is not checked; the linter says so.

Not judged: words with capitals after the first letter (acronyms, brand names), capitalised
words inside a sentence (names), and the brand's own words (`replies: words:`).
"""

from __future__ import annotations

import os
import re
import threading
from collections.abc import Iterable
from functools import cache
from pathlib import Path

import hunspell

_CONTACT = re.compile(r"@[\w.]+|\S+@\S+|https?://\S+|www\.\S+")
_WORD = re.compile(r"[^\W\d_]+(?:['\u2019-][^\W\d_]+)*")
_SENTENCE_END = re.compile(r"[.!?…]\s*$")
PREFERRED = {"en": "en_US", "el": "el_GR", "cs": "cs_CZ"}
SYSTEM_FOLDERS = (Path("/usr/share/hunspell"), Path("/usr/share/myspell/dicts"))


def search_path() -> list[Path]:
    """The folders searched for hunspell dictionaries, in order: `RECOVERY_HUNSPELL_PATH` when
    it is set (empty: none at all), else where Debian installs them."""
    given = os.environ.get("RECOVERY_HUNSPELL_PATH")
    if given is None:
        return list(SYSTEM_FOLDERS)
    return [Path(part) for part in given.split(os.pathsep) if part]


class Speller:
    """Hunspell checkers, one per language, loaded on first use and shared (thread-safe)."""

    def __init__(self, folders: Iterable[Path] | None = None) -> None:
        self.folders = list(folders) if folders is not None else search_path()
        self._checkers: dict[str, hunspell.Hunspell | None] = {}
        self._lock = threading.Lock()

    def dictionary(self, language: str) -> Path | None:
        """The `.dic` file used for `language`, if one is installed."""
        preferred = PREFERRED.get(language, f"{language}_{language.upper()}")
        for folder in self.folders:
            exact = folder / f"{preferred}.dic"
            if exact.is_file():
                return exact
            found = sorted(folder.glob(f"{language}_*.dic")) if folder.is_dir() else []
            if found:
                return found[0]
        return None

    def misspelled(self, text: str, language: str, known: Iterable[str] = ()) -> list[str] | None:
        """Words of `text` the `language` dictionary does not know, each once; None when no
        dictionary for `language` is installed."""
        with self._lock:
            checker = self._checker(language)
            if checker is None:
                return None
            accepted = {word.casefold() for word in known}
            wrong: dict[str, None] = {}
            for word in _judged(_CONTACT.sub(" ", text)):
                if word.casefold() not in accepted and not checker.spell(word):
                    wrong[word] = None
            return list(wrong)

    def _checker(self, language: str) -> hunspell.Hunspell | None:
        if language not in self._checkers:
            path = self.dictionary(language)
            self._checkers[language] = None if path is None else hunspell.Hunspell(
                path.stem, hunspell_data_dir=str(path.parent))
        return self._checkers[language]


@cache
def shared() -> Speller:
    """The process's spell checker: dictionaries load once (about 0.3 s for Czech) and are
    shared by every engine."""
    return Speller()


def _judged(text: str) -> Iterable[str]:
    """The words worth checking: not acronyms or names inside a sentence."""
    for match in _WORD.finditer(text):
        word = match.group(0)
        if any(char.isupper() for char in word[1:]):
            continue
        starts = match.start() == 0 or bool(_SENTENCE_END.search(text[:match.start()]))
        if word[0].isupper() and not starts:
            continue
        yield word
