"""The lemmas the reply linter reads concept patterns on: for each language, the inflected forms
(from simplemma's dictionaries) whose lemma some shipped pattern names, kept in
`lexicon/<language>.lemmas.json`. Reading a reply then loads a table of the words that can
matter, not a whole dictionary (Polish: 3.7 million forms, 355 MB and 4.5 s to load).

A form the table does not have is matched as written: a word no pattern's lemma reaches, one
simplemma's dictionary does not know, or a brand's own pattern's lemma (its own words match as
written or as stems, `dpd*`). `python -m recovery.replies.lemmas` writes the tables again from
simplemma (a development dependency: `pip install -e '.[test]'`) after the patterns change; a
test holds the shipped tables to it.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from functools import cache
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

from recovery.signals.text import fold

if TYPE_CHECKING:
    from recovery.replies.concepts import Lexicon

PACKAGE = "recovery.replies.lexicon"
"""Where each language's concept patterns and lemma table are."""
LEMMAS = {"en": "en", "cs": "cs", "pl": "pl", "hr": "hbs", "el": "el"}
"""simplemma's code for each language it lemmatises (Croatian is in its Serbo-Croatian)."""
CLITICS = {"en": ("'s", "'ve", "'re", "'ll", "'d", "'m", "n't")}
"""What a language writes onto a word after an apostrophe (`courier's`, `we've`, `isn't`):
the forms it makes are in the table too, with the lemma simplemma gives them."""


def lemma(word: str, language: str | None) -> str:
    """The folded lemma of `word` in `language` where a pattern may name it; else the folded
    word."""
    found = table(language or "")
    straight = word.replace("\u2019", "'")
    return found.get(straight) or found.get(straight.lower()) or fold(word)


@cache
def table(language: str) -> Mapping[str, str]:
    """A language's forms whose lemma a pattern names, each with its folded lemma."""
    path = resources.files(PACKAGE).joinpath(f"{language}.lemmas.json")
    if not path.is_file():
        return {}
    forms: dict[str, str] = json.loads(path.read_text(encoding="utf-8"))["forms"]
    return forms


def source() -> str:
    """What the tables are made from: the shipped patterns of every language and simplemma's
    release (a digest, kept in each table; development only: needs simplemma)."""
    from importlib.metadata import version

    digest = hashlib.sha256(f"simplemma {version('simplemma')}".encode())
    for item in sorted(resources.files(PACKAGE).iterdir(), key=lambda item: item.name):
        if item.name.endswith(".yaml"):
            digest.update(item.name.encode() + b"\0" + item.read_bytes())
    return digest.hexdigest()


def build(language: str, book: Lexicon | None = None) -> dict[str, str]:
    """The table of `language` from simplemma's dictionary: each form whose lemma, folded,
    matches a pattern part its folded form does not (development only: needs simplemma)."""
    import simplemma
    from simplemma.strategies.dictionaries import DefaultDictionaryFactory

    from recovery.replies.concepts import Word, lexicon

    book = book or lexicon()
    code = LEMMAS[language]
    dictionary = DefaultDictionaryFactory(cache_max_size=0).get_dictionary(code)
    found: dict[str, str] = {}

    def keep(form: str, its_lemma: str) -> None:
        folded = fold(its_lemma)
        by_lemma = book.parts(Word(folded, folded))
        if by_lemma and not by_lemma <= book.parts(Word(fold(form), fold(form))):
            found[form] = folded

    for form in dictionary:
        keep(form, dictionary[form])
        for clitic in CLITICS.get(language, ()):
            written = form + clitic
            keep(written, simplemma.lemmatize(written, lang=code))
    return dict(sorted(found.items()))


def write(folder: Path) -> dict[str, int]:
    """Write every language's table into `folder`; how many forms each holds."""
    counts, made_of = {}, source()
    for language in LEMMAS:
        built = build(language)
        (folder / f"{language}.lemmas.json").write_text(
            json.dumps({"source": made_of, "forms": built}, ensure_ascii=False,
                       separators=(",", ":")) + "\n", encoding="utf-8")
        counts[language] = len(built)
    return counts


if __name__ == "__main__":
    print(write(Path(__file__).resolve().parent / "lexicon"))
