"""The linter's lemma tables: made of the shipped patterns and simplemma's release (rewrite them
with `python -m recovery.replies.lemmas` when either changes), and holding, for every word the
labelled replies use, the lemma simplemma gives wherever that lemma matches a pattern the word
as written does not."""

from __future__ import annotations

import json
from importlib import resources

import simplemma

from recovery.replies.concepts import _WORD as WORD
from recovery.replies.concepts import Word, lexicon
from recovery.replies.lemmas import LEMMAS, PACKAGE, lemma, source
from recovery.signals.text import fold
from tests.quality import EVAL, HELD_OUT, items


def test_the_tables_are_made_of_the_shipped_patterns_and_simplemmas_release() -> None:
    made_of = source()
    for language in LEMMAS:
        table = json.loads(resources.files(PACKAGE).joinpath(
            f"{language}.lemmas.json").read_text(encoding="utf-8"))
        assert table["source"] == made_of, (
            f"{language}.lemmas.json is out of date: python -m recovery.replies.lemmas")


def test_every_lemma_that_matters_in_the_labelled_replies_is_in_the_tables() -> None:
    book = lexicon()
    checked, unknown = 0, []
    for item in [*items(EVAL), *items(HELD_OUT)]:
        code = LEMMAS[item.language]
        for written in WORD.findall(item.text):
            full = fold(simplemma.lemmatize(written, lang=code, low_memory=True))
            if book.parts(Word(full, full)) <= book.parts(Word(fold(written), fold(written))):
                continue  # the lemma adds no match: matching it as written is the same
            base = written.replace("\u2019", "'").split("'")[0]
            if not simplemma.is_known(base.lower(), lang=code):
                unknown.append(written)  # simplemma guessed: the table matches it as written
                continue
            checked += 1
            assert lemma(written, item.language) == full, (item.language, written)
    assert checked > 100 and len(unknown) <= 3, unknown
