"""Reading what a reply does, not its exact words: blame denied or shifted, hollow promises,
pointers elsewhere; surviving inflection, word order and synonyms.

A clause is read as the concepts it holds. Each language's concepts are word patterns in
`lexicon/<language>.yaml`, matched on folded words and on their lemmas (in the reply's
language, from the forms `lemmas.py` keeps): `kurýr*` (a stem: kurýr, kurýra, kurýrem …),
`fault` (a word or lemma), `due to` (words in a row), `za … může` (up to three words between).
Every language's patterns are tried on every reply, as the phrase lists are. The rules:

- **blame**, a clause that denies responsibility (a negation, a word of fault, and "we": "není
  to naše chyba", "nie ponosimy odpowiedzialności", "δεν φταίμε") or shifts it (a third party,
  and a fault, a cause or a problem: "problém je bohužel u přepravce", "the courier is to
  blame", "the courier lost it", "λόγω του κατασκευαστή"), unless the same sentence says what
  we are doing about it (an honest "the courier damaged it, so we're sending a new one today"
  stays clean; a denial stays blame beside a repair in another clause);
- **hollow**, a sentence that promises to check or to get back without saying what or when (no
  number, no day, no hour: "Váš dotaz ověříme a ozveme se"), or a stock answer ("we apologise
  for any inconvenience", "děkujeme za zpětnou vazbu");
- **pointer**, a sentence that sends the customer elsewhere (a call, a form, an address, a
  hotline; not a private message, which is the move to make).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import Any, get_args

from recovery.flows.schema import Concept
from recovery.replies.lemmas import PACKAGE, lemma
from recovery.signals.text import data, fold, shipped

CONCEPTS: tuple[str, ...] = get_args(Concept)
GAP = 3
"""How many words `…` stands for at most."""
_WORD = re.compile(r"[^\W_]+(?:['\u2019][^\W_]+)*")
_CLAUSE = re.compile(r"[,;:\u2014\u2013]|\s-\s|\b(?:but|ale|ali|αλλά|αλλα)\b", re.IGNORECASE)
_DIGIT = re.compile(r"\d")


@dataclass(frozen=True)
class Word:
    """A word of a reply: as written (folded) and its lemma (folded)."""

    form: str
    lemma: str


Pattern = tuple[str, ...]
"""A pattern: word patterns in a row; `…` lets up to `GAP` words stand between."""


@dataclass(frozen=True)
class Lexicon:
    """The concept patterns of every language, and the endings of a verb whose subject is
    "we" in each (nejsme, ponosimy, nismo, φταίμε)."""

    concepts: Mapping[str, tuple[Pattern, ...]]
    we_endings: Mapping[str, tuple[str, ...]]
    _index: _Index = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_index", _Index(self.concepts))

    def has(self, concept: str, words: Sequence[Word]) -> bool:
        """Whether some pattern of `concept` matches `words`."""
        return self._index.has(concept, words)

    def parts(self, word: Word) -> frozenset[int]:
        """The pattern parts `word` matches, by its form or its lemma (numbered)."""
        return self._index.parts(word)

    def says_we(self, words: Sequence[Word], language: str | None) -> bool:
        """Whether the clause speaks as "we": a pronoun, or a verb ending in the first person
        plural of the reply's language (of any, when it is not known)."""
        if self.has("we", words):
            return True
        endings = (self.we_endings.get(language, ()) if language
                   else tuple(e for ends in self.we_endings.values() for e in ends))
        return any(word.form.endswith(endings) and len(word.form) > 3 for word in words)


@dataclass(frozen=True)
class Meaning:
    """What a reply does, sentence by sentence."""

    blame: tuple[str, ...]
    """The clauses that deny or shift responsibility."""
    hollow: tuple[str, ...]
    """The sentences that promise without saying what or when, or are stock answers."""
    pointers: tuple[str, ...]
    """The sentences that send the customer to another channel."""


def lexicon(extra: Mapping[str, Mapping[Any, Sequence[str]]] | None = None) -> Lexicon:
    """The shipped concept patterns of every language, with a brand's own added
    (`{language: {concept: [...]}}`, e.g. its couriers' names under `third`)."""
    return _lexicon(tuple((language, concept, tuple(patterns))
                          for language, concepts in (extra or {}).items()
                          for concept, patterns in concepts.items()))


@cache
def _lexicon(extra: tuple[tuple[str, str, tuple[str, ...]], ...]) -> Lexicon:
    found: dict[str, list[Pattern]] = {concept: [] for concept in CONCEPTS}
    endings: dict[str, tuple[str, ...]] = {}
    for language in shipped(PACKAGE):
        loaded = data(PACKAGE, language)
        endings[language] = tuple(fold(end) for end in loaded.get("we_endings", ()))
        for concept in CONCEPTS:
            found[concept] += [_pattern(text) for text in loaded.get(concept, ())]
    for _language, concept, patterns in extra:
        found.setdefault(concept, []).extend(_pattern(text) for text in patterns)
    return Lexicon({concept: tuple(dict.fromkeys(patterns))
                    for concept, patterns in found.items()}, endings)


def read(text: str, language: str | None, book: Lexicon) -> Meaning:
    """What `text` (a whole reply, in `language` if known) does."""
    blame: list[str] = []
    hollow: list[str] = []
    pointers: list[str] = []
    for sentence in sentences(text):
        words = tokens(sentence, language)
        clauses = [tokens(part, language) for part in _CLAUSE.split(sentence) if part.strip()]
        repairs = book.has("repair", words)
        if any(denies(clause, language, book) or (shifts(clause, book) and not repairs)
               for clause in clauses):
            blame.append(sentence)
        if is_hollow(sentence, words, book):
            hollow.append(sentence)
        if points_elsewhere(words, book):
            pointers.append(sentence)
    return Meaning(tuple(blame), tuple(hollow), tuple(pointers))


def denies(words: Sequence[Word], language: str | None, book: Lexicon) -> bool:
    """Whether a clause denies responsibility ("it is not our fault"), unless it says what we
    are doing about it."""
    return (not book.has("repair", words) and book.has("negation", words)
            and book.has("fault", words) and book.says_we(words, language))


def shifts(words: Sequence[Word], book: Lexicon) -> bool:
    """Whether a clause puts the responsibility on someone else: a third party, and a fault,
    a cause or a problem ("the courier lost it"). The sentence saying what we are doing about
    it makes it an honest account instead (`read`)."""
    return book.has("third", words) and any(book.has(concept, words)
                                            for concept in ("fault", "cause", "problem"))


def is_hollow(sentence: str, words: Sequence[Word], book: Lexicon) -> bool:
    """Whether a sentence is a stock answer, or promises to check or get back without a
    number, a day or an hour to hold the team to."""
    if book.has("stock", words):
        return True
    specific = bool(_DIGIT.search(sentence)) or book.has("specific", words)
    return book.has("promise", words) and not specific and not book.has("repair", words)


def points_elsewhere(words: Sequence[Word], book: Lexicon) -> bool:
    """Whether a sentence sends the customer to another channel (not to a private message)."""
    if book.has("private", words):
        return False
    return book.has("pointer", words) or (book.has("contact", words)
                                          and book.has("channel", words))


def sentences(text: str) -> list[str]:
    """The sentences of a reply."""
    return [part.strip() for part in re.split(r"(?<=[.!?…;·])\s+|\n+", text) if part.strip()]


def tokens(text: str, language: str | None) -> list[Word]:
    """The words of `text`, folded, each with its folded lemma in `language`."""
    return [Word(fold(word), lemma(word, language)) for word in _WORD.findall(text)]


def _pattern(text: str) -> Pattern:
    return tuple("…" if part in ("…", "...") else fold(part) for part in text.split())


_SKIP = -1
"""A compiled pattern's `…`."""
Coded = tuple[int, ...]
"""A pattern compiled: the number of each word part in a row, `_SKIP` for `…`."""


class _Index:
    """The concepts' patterns compiled for speed. Each word part (`kurýr*|courier`) is
    numbered once; the parts a word matches are found by looking its form and lemma, and each
    of their prefixes, up in dictionaries (remembered per word); each concept's patterns are
    filed under their first part, so a pattern is only tried where that part matched."""

    _REMEMBER = 1 << 16

    def __init__(self, concepts: Mapping[str, tuple[Pattern, ...]]) -> None:
        numbers: dict[str, int] = {}
        self._exact: dict[str, set[int]] = {}
        self._stems: dict[str, set[int]] = {}
        self._first: dict[str, dict[int, list[Coded]]] = {}
        self._anything: set[str] = set()
        self._seen: dict[Word, frozenset[int]] = {}
        for concept, patterns in concepts.items():
            first = self._first.setdefault(concept, {})
            for pattern in patterns:
                parts = list(pattern)
                while parts and parts[0] == "…":  # a gap at either end changes nothing
                    parts.pop(0)
                while parts and parts[-1] == "…":
                    parts.pop()
                if not parts:
                    self._anything.add(concept)
                    continue
                coded = tuple(_SKIP if part == "…" else self._number(part, numbers)
                              for part in parts)
                first.setdefault(coded[0], []).append(coded[1:])

    def _number(self, part: str, numbers: dict[str, int]) -> int:
        number = numbers.get(part)
        if number is None:
            number = numbers[part] = len(numbers)
            for option in part.split("|"):
                table = self._stems if option.endswith("*") else self._exact
                table.setdefault(option.removesuffix("*"), set()).add(number)
        return number

    def parts(self, word: Word) -> frozenset[int]:
        """The numbers of the word parts `word` matches, by its form or its lemma."""
        found = self._seen.get(word)
        if found is None:
            numbers: set[int] = set()
            for text in {word.form, word.lemma}:
                numbers.update(self._exact.get(text, ()))
                for end in range(len(text) + 1):
                    numbers.update(self._stems.get(text[:end], ()))
            if len(self._seen) >= self._REMEMBER:
                self._seen.clear()
            found = self._seen[word] = frozenset(numbers)
        return found

    def has(self, concept: str, words: Sequence[Word]) -> bool:
        """Whether some pattern of `concept` matches somewhere in `words`."""
        if concept in self._anything and words:
            return True
        first = self._first.get(concept)
        if not first:
            return False
        matched = [self.parts(word) for word in words]
        for start, numbers in enumerate(matched):
            for number in numbers:
                for rest in first.get(number, ()):
                    if _match_at(rest, matched, start + 1):
                        return True
        return False


def _match_at(coded: Coded, matched: Sequence[frozenset[int]], start: int) -> bool:
    """Whether the rest of a compiled pattern matches `matched` (each word's part numbers)
    from `start` on."""
    if not coded:
        return True
    head, rest = coded[0], coded[1:]
    if head == _SKIP:
        return any(_match_at(rest, matched, start + skip) for skip in range(GAP + 1))
    return start < len(matched) and head in matched[start] and _match_at(rest, matched,
                                                                          start + 1)
