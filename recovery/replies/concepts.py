"""Reading what a reply does, not its exact words: blame denied or shifted, hollow promises,
pointers elsewhere; surviving inflection, word order and synonyms.

A clause is read as the concepts it holds. Each language's concepts are word patterns in
`lexicon/<language>.yaml`, matched on folded words and on their lemmas (`simplemma`, in the
reply's language): `kurýr*` (a stem: kurýr, kurýra, kurýrem …), `fault` (a word or lemma),
`due to` (words in a row), `za … může` (up to three words between). Every language's patterns
are tried on every reply, as the phrase lists are. The rules:

- **blame**, a clause that denies responsibility (a negation, a word of fault, and "we": "není
  to naše chyba", "nie ponosimy odpowiedzialności", "δεν φταίμε") or shifts it (a third party,
  and a fault, a cause or a problem: "problém je bohužel u přepravce", "the courier is to
  blame", "λόγω του κατασκευαστή"), unless the same clause says what we are doing about it
  (an honest "the courier damaged it, so we're sending a new one today" stays clean);
- **hollow**, a sentence that promises to check or to get back without saying what or when (no
  number, no day, no hour: "Váš dotaz ověříme a ozveme se"), or a stock answer ("we apologise
  for any inconvenience", "děkujeme za zpětnou vazbu");
- **pointer**, a sentence that sends the customer elsewhere (a call, a form, an address, a
  hotline; not a private message, which is the move to make).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import Any, get_args

from recovery.flows.schema import Concept
from recovery.signals.text import data, fold, shipped

PACKAGE = "recovery.replies.lexicon"
CONCEPTS: tuple[str, ...] = get_args(Concept)
GAP = 3
"""How many words `…` stands for at most."""
LEMMAS = {"en": "en", "cs": "cs", "pl": "pl", "hr": "hbs", "el": "el"}
"""simplemma's code for each language it lemmatises (Croatian is in its Serbo-Croatian)."""
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

    def has(self, concept: str, words: Sequence[Word]) -> bool:
        """Whether some pattern of `concept` matches `words`."""
        return any(_matches(pattern, words) for pattern in self.concepts.get(concept, ()))

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
        if any(shifts_or_denies(clause, language, book) for clause in clauses):
            blame.append(sentence)
        if is_hollow(sentence, words, book):
            hollow.append(sentence)
        if points_elsewhere(words, book):
            pointers.append(sentence)
    return Meaning(tuple(blame), tuple(hollow), tuple(pointers))


def shifts_or_denies(words: Sequence[Word], language: str | None, book: Lexicon) -> bool:
    """Whether a clause denies responsibility or puts it on someone else."""
    if book.has("repair", words):
        return False
    denies = (book.has("negation", words) and book.has("fault", words)
              and book.says_we(words, language))
    shifts = book.has("third", words) and any(book.has(concept, words)
                                              for concept in ("fault", "cause", "problem"))
    return denies or shifts


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
    return [Word(fold(word), _lemma(word, language)) for word in _WORD.findall(text)]


@lru_cache(maxsize=1 << 16)
def _lemma(word: str, language: str | None) -> str:
    code = LEMMAS.get(language or "")
    if code is None:
        return fold(word)
    import simplemma  # here: its dictionaries load on first use, for the languages replied in

    return fold(simplemma.lemmatize(word, lang=code))


def _pattern(text: str) -> Pattern:
    return tuple("…" if part in ("…", "...") else fold(part) for part in text.split())


def _matches(pattern: Pattern, words: Sequence[Word]) -> bool:
    """Whether the pattern matches somewhere in `words`."""
    return any(_match_at(pattern, words, start) for start in range(len(words)))


def _match_at(pattern: Pattern, words: Sequence[Word], start: int) -> bool:
    if not pattern:
        return True
    head, rest = pattern[0], pattern[1:]
    if head == "…":
        return any(_match_at(rest, words, start + skip) for skip in range(GAP + 1))
    if start >= len(words) or not _word_matches(head, words[start]):
        return False
    return _match_at(rest, words, start + 1)


def _word_matches(part: str, word: Word) -> bool:
    for option in part.split("|"):
        if option.endswith("*"):
            if word.form.startswith(option[:-1]) or word.lemma.startswith(option[:-1]):
                return True
        elif option in (word.form, word.lemma):
            return True
    return False
