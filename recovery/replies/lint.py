"""The reply linter: what a reply says, checked against the rules of good care before it goes.

Each finding has a code, a severity and a one-line explanation. `blocking` findings refuse the
reply unless the agent overrides them with a reason (which is recorded); `warning`s are shown
and recorded; a `notice` says what could not be checked. Pure: the caller hands in the brand's
rules, the reply's subject, the recent replies (`CopyIndex`) and the spell checker.

| code | severity | when |
|---|---|---|
| blame | blocking | denying or shifting blame: "not our fault", "problém je u přepravce" … |
| personal-data | blocking | the customer's phone, e-mail, order, IBAN, card, address or full name |
| too-long | blocking | over the channel's length limit (280 on Twitter) |
| language-mix | blocking | a public reply with a sentence or clause in another language |
| control-characters | blocking | a public reply holding escapes, controls or bidi overrides |
| hollow | warning | a promise with nothing to hold the team to: "Váš dotaz ověříme a ozveme se" … |
| redirect-only | warning | only a hotline, an address or a link, no solution |
| copy-paste | warning | nearly the same as a recent reply to another customer |
| language | warning | not in the customer's language |
| spelling | warning | words the hunspell dictionary does not know |
| spelling-unchecked | notice | no hunspell dictionary for the language on this machine |
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from recovery.controls import unsafe
from recovery.replies.concepts import Lexicon, Meaning, lexicon, read, sentences
from recovery.replies.copies import CopyIndex, skeleton
from recovery.replies.mixing import foreign, team_languages
from recovery.replies.phrasebook import Phrasebook
from recovery.replies.spelling import Speller
from recovery.signals import Audience
from recovery.signals.language import detect
from recovery.signals.personal import find_personal, find_phones
from recovery.signals.text import fold

_LINK = re.compile(r"https?://\S+|www\.\S+|\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_WORDS = re.compile(r"[^\W\d_]+")
SUBSTANCE = 4
"""Words a sentence needs, beyond courtesies and names, to say something of its own."""
KIND_NAMES = {"phone": "phone number", "email": "e-mail address", "order": "order number",
              "iban": "IBAN", "card": "card number", "name": "full name",
              "address": "street address"}


class Severity(StrEnum):
    """How much a finding matters."""

    BLOCKING = "blocking"
    WARNING = "warning"
    NOTICE = "notice"


@dataclass(frozen=True)
class Finding:
    """One thing the linter found in a reply."""

    code: str
    severity: Severity
    message: str

    def __str__(self) -> str:
        return f"{self.severity.value} {self.code}: {self.message}"

    def as_dict(self) -> dict[str, str]:
        """The finding as plain data (for events and JSON)."""
        return {"code": self.code, "severity": self.severity.value, "message": self.message}


@dataclass(frozen=True)
class Rules:
    """A brand's rules for replies, built once from its flow file."""

    phrasebook: Phrasebook
    audience: Audience
    limits: dict[str, int | None]
    direct_line: str | None = None
    copy_window: timedelta = timedelta(days=7)
    copy_similarity: float = 90.0
    words: frozenset[str] = frozenset()
    contacts: tuple[str, ...] = ()
    """The brand's direct line and contacts as written (not spell-checked)."""
    lexicon: Lexicon = field(default_factory=lexicon)
    """The concepts replies are read by (blame, hollow promises, pointers elsewhere)."""


@dataclass(frozen=True)
class Subject:
    """Who and where a reply goes: the channel, public or not, and the customer."""

    channel: str
    public: bool = True
    customer: str = ""
    names: tuple[str, ...] = ()
    language: str | None = None


@dataclass(frozen=True)
class Linted:
    """A reply after linting: its findings, its language and whether it only redirects."""

    findings: tuple[Finding, ...]
    language: str | None
    redirect_only: bool
    skeleton: str = field(repr=False, default="")

    @property
    def blocking(self) -> list[Finding]:
        """The findings that refuse the reply unless overridden."""
        return [item for item in self.findings if item.severity is Severity.BLOCKING]

    def as_payload(self) -> list[dict[str, Any]]:
        """The findings as plain data."""
        return [item.as_dict() for item in self.findings]


def lint(text: str, subject: Subject, rules: Rules, at: datetime,
         copies: CopyIndex | None = None, speller: Speller | None = None) -> Linted:
    """Check a reply before it goes; returns every finding, most severe first."""
    folded = fold(text)
    names = (subject.customer, *subject.names)
    found: list[Finding] = []
    book = rules.phrasebook
    language = detect(text, rules.audience.candidates, rules.audience.serves).language
    meaning = read(text, language or subject.language, rules.lexicon)
    for phrase in book.find("blame", folded):
        found.append(Finding("blame", Severity.BLOCKING, f"'{phrase}' deflects blame; skip it "
                             "and say how you will help"))
    for sentence in meaning.blame:
        if not book.find("blame", fold(sentence)):
            found.append(Finding("blame", Severity.BLOCKING, f"'{sentence}' denies or shifts "
                                 "responsibility; skip it and say how you will help"))
    if subject.public:
        for item in find_personal(text, rules.audience.owned, subject.names):
            found.append(Finding("personal-data", Severity.BLOCKING,
                                 f"a {KIND_NAMES[item.kind]} ({item.value}) in a public reply; "
                                 "move to private messages for personal details"))
    if subject.public:
        found += _public(text, subject, rules, language, names)
    limit = rules.limits.get(subject.channel)
    if limit is not None and len(text) > limit:
        found.append(Finding("too-long", Severity.BLOCKING, f"{len(text)} characters; "
                             f"{subject.channel} takes {limit}"))
    for phrase in book.find("hollow", folded):
        found.append(Finding("hollow", Severity.WARNING, f"'{phrase}' is a stock answer; say "
                             "what you are doing about it and by when"))
    for sentence in meaning.hollow:
        if not book.find("hollow", fold(sentence)):
            found.append(Finding("hollow", Severity.WARNING, f"'{sentence}' promises nothing "
                                 "to hold you to; say what you are doing about it and by when"))
    pointer = _redirect_only(text, rules, names, meaning)
    if pointer:
        found.append(Finding("redirect-only", Severity.WARNING, f"only points elsewhere "
                             f"({pointer}); a step at most, never a resolution"))
    shape = skeleton(text, names)
    if copies is not None:
        copy = copies.near(shape, subject.customer, at - rules.copy_window,
                           rules.copy_similarity)
        if copy is not None:
            found.append(Finding("copy-paste", Severity.WARNING, f"{copy.similarity:.0f}% the "
                                 f"same as the reply to {copy.customer} (case {copy.case_id}, "
                                 f"{copy.at:%Y-%m-%d}); write this customer their own answer"))
    if language and subject.language and language != subject.language:
        found.append(Finding("language", Severity.WARNING, f"the reply is in {language}, the "
                             f"customer wrote in {subject.language}"))
    spell_in = language or subject.language or rules.audience.serves[0]
    if speller is not None:
        known = {*rules.words, *_WORDS.findall(" ".join(names))}
        checked = text
        for contact in rules.contacts:
            checked = checked.replace(contact, " ")
        wrong = speller.misspelled(checked, spell_in, known)
        if wrong is None:
            found.append(Finding("spelling-unchecked", Severity.NOTICE, f"no hunspell "
                                 f"dictionary for {spell_in} here; spelling not checked "
                                 f"(apt-get install hunspell-{spell_in})"))
        elif wrong:
            found.append(Finding("spelling", Severity.WARNING,
                                 f"not in the {spell_in} dictionary: {', '.join(wrong[:5])}"))
    order = list(Severity)
    found.sort(key=lambda item: order.index(item.severity))
    return Linted(tuple(found), language, bool(pointer), shape)


def _public(text: str, subject: Subject, rules: Rules, language: str | None,
            names: tuple[str, ...]) -> list[Finding]:
    """What a public reply may not hold: parts in another language than its own (the
    customer's where the brand serves it, else the one it is written in) that the brand's team
    writes in (a language it serves, or English), control characters."""
    found = []
    served = subject.language in rules.audience.serves
    written = subject.language if served else language
    if written is not None:
        for part, other in foreign(text, written, team_languages(rules.audience.serves),
                                   (*names, *rules.words)):
            found.append(Finding("language-mix", Severity.BLOCKING, f"'{part}' is in {other}, "
                                 f"the reply in {written}; say it in {written} or leave it "
                                 "out (text written for the team stays internal)"))
    shown = unsafe(text)
    if shown:
        found.append(Finding("control-characters", Severity.BLOCKING, "holds "
                             f"{', '.join(dict.fromkeys(shown))}: a terminal escape, control "
                             "character or text-direction override; remove it"))
    return found


def _redirect_only(text: str, rules: Rules, names: tuple[str, ...],
                   meaning: Meaning) -> str | None:
    """What a reply points to when that is all it does (a hotline, an address, a link); None
    when it says something more, or points nowhere. A sentence is a pointer when it holds a
    redirect phrase, a link, an e-mail address or a phone number other than the brand's direct
    line (moving to the direct line is the good move); it is filler when, without courtesies,
    hollow phrases and the customer's names, fewer than `SUBSTANCE` words are left."""
    book = rules.phrasebook
    drop = set(_WORDS.findall(fold(" ".join(names))))
    direct = frozenset({rules.direct_line} if rules.direct_line else ())
    pointer: str | None = None
    for sentence in sentences(text):
        folded = fold(sentence)
        target = (next(iter(book.find("redirect", folded)), None)
                  or next((match.group(0) for match in _LINK.finditer(sentence)), None)
                  or next((item.value for item in find_phones(
                      sentence, rules.audience.owned.regions, direct)), None)
                  or (sentence if sentence in meaning.pointers else None))
        if target is not None:
            pointer = pointer or target
            continue
        rest = folded
        for phrase in book.find("courtesy", folded) + book.find("hollow", folded):
            rest = rest.replace(fold(phrase), " ")
        if len([word for word in _WORDS.findall(rest) if word not in drop]) >= SUBSTANCE:
            return None
    return pointer

