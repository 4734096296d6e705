"""Personal data in a message: phone numbers, e-mail addresses, order numbers, IBANs.

Phone numbers are found with `phonenumbers` for the brand's regions (a number written without
+prefix is read as a local number of each region); e-mail addresses by shape; order numbers by
the brand's declared pattern; IBANs by shape and checked with `stdnum` (country length and
mod-97 checksum). The brand's own numbers and e-mail domains are not personal data.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache
from typing import Any, Protocol, cast

import phonenumbers
from phonenumbers import Leniency, PhoneNumberFormat
from stdnum import iban, luhn

from recovery.signals.text import fold

FEWEST_DIGITS = 4
"""Digits in the shortest number libphonenumber holds valid anywhere (its metadata's shortest
possible length, geographic or not; tests/test_signals.py checks it against the metadata)."""
_RUN = re.compile(r"\d(?:(?:[^\w]|[xX_\u30fc]){0,4}\d)*")
"""Digits as a phone number may be written: the matcher allows at most four punctuation marks
(spaces, dashes, dots, slashes, brackets, `x`, the katakana long sound mark `ー`…) between two
of them; this takes any of those and any other character but a letter or a digit there, so
every number it reads lies inside one run."""
_PLUS = re.compile("[+\uff0b]")
_INTERNATIONAL = 1 + 1 + FEWEST_DIGITS
"""The fewest digits of a number written without `+` as another country's: an international
prefix, a country code and the shortest number anywhere."""
_EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]+@([\w-]+(?:\.[\w-]+)+)")
_UPPER = "A-ZÀ-ÖØ-ÞĀ-Ž"
_STREET = re.compile(
    rf"(?i:\b(?:ul\.|ulice|ulica|ulici|street|st\.|road|rd\.|avenue|ave\.|lane|náměstí|"
    rf"nám\.|trg|cesta|aleja|al\.|plac|pl\.|straße|strasse))\s+[{_UPPER}][\w.'-]*"
    rf"(?:\s+[\w.'-]+)?\s+\d{{1,4}}[a-z]?(?:/\d{{1,4}}[a-z]?)?"
    rf"|\b\d{{1,4}}[A-Za-z]?\s+[{_UPPER}][\w'-]+(?:\s+[{_UPPER}][\w'-]+)?\s+"
    rf"(?i:street|road|avenue|lane|st\.|rd\.|ave\.)"
    rf"|\b[{_UPPER}][\w.'-]+(?:\s+[{_UPPER}][\w.'-]+){{0,2}}\s+\d{{1,4}}[a-z]?"
    rf"(?:/\d{{1,4}}[a-z]?)?,\s*(?:\d{{3}}\s?\d{{2}}\s+|\d{{2}}-\d{{3}}\s+|\d{{5}}\s+)?"
    rf"[{_UPPER}][\w-]+")
"""A street address: a street word and a house number ("ul. Marszałkowska 10", "221B Baker
Street"), or a name, a house number and a town after a comma ("Dlouhá 5, 110 00 Praha")."""
_NOT_STREETS = frozenset({
    "january", "february", "march", "april", "may", "june", "july", "august", "september",
    "october", "november", "december", "monday", "tuesday", "wednesday", "thursday", "friday",
    "saturday", "sunday", "leden", "unor", "brezen", "duben", "kveten", "cerven", "cervenec",
    "srpen", "zari", "rijen", "listopad", "prosinec", "ledna", "unora", "brezna", "dubna",
    "kvetna", "cervna", "cervence", "srpna", "rijna", "listopadu", "prosince", "styczen",
    "luty", "marzec", "kwiecien", "maj", "czerwiec", "lipiec", "sierpien", "wrzesien",
    "pazdziernik", "grudzien", "stycznia", "lutego", "marca", "kwietnia", "maja", "czerwca",
    "lipca", "sierpnia", "wrzesnia", "pazdziernika", "listopada", "grudnia", "sijecanj",
    "veljaca", "ozujak", "travanj", "svibanj", "lipanj", "srpanj", "kolovoz", "rujan", "studeni",
    "prosinac", "sijecnja", "veljace", "ozujka", "travnja", "svibnja", "lipnja", "srpnja",
    "kolovoza", "rujna", "studenoga", "prosinca", "order", "case", "version",
    "table", "room", "step", "page"})
"""Words before a number and a comma that make a date or a count, not a street."""
_CARD = re.compile(r"(?<!\d)\d(?:[ -]?\d){12,18}(?!\d)")
_HIDDEN = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"))
"""Characters that show nothing, slipped in to get past a pattern: zero-width spaces and joiners,
the word joiner, the byte-order mark, the soft hyphen."""
_IBAN = re.compile(r"\b[A-Z]{2}\d{2}(?:[ ]{0,2}[A-Z0-9]){11,30}", re.IGNORECASE)
KINDS = ("iban", "card", "order", "email", "address", "phone", "name")
"""Kinds of personal data, strongest first (an IBAN's digits are not also a phone number)."""


@dataclass(frozen=True)
class Personal:
    """One piece of personal data found in a message, and where."""

    kind: str
    value: str
    start: int
    end: int


class Matcher(Protocol):
    """A compiled pattern: what reading needs of one."""

    def finditer(self, text: str) -> Iterator[Any]:
        """Every match in `text`, in order."""
        ...


def linear(pattern: str) -> Matcher:
    """Compile a brand's pattern (an order number's shape) with RE2, which matches in time
    linear in the text whatever the pattern: `(a+)+$` cannot hang a case's opening. Raises
    `ValueError` for what RE2 does not run (backreferences, lookarounds)."""
    import re2  # here: only a brand that declares a pattern needs it

    options = re2.Options()
    options.log_errors = False  # the error is raised, not also logged to stderr
    try:
        return cast(Matcher, re2.compile(pattern, options))
    except re2.error as exc:
        reason = exc.args[0].decode() if exc.args and isinstance(exc.args[0], bytes) else exc
        raise ValueError(f"'{pattern}' is not a pattern the engine runs ({reason}); write a "
                         "regular expression without backreferences or lookarounds, like "
                         "BR-\\d{6}") from None


@dataclass(frozen=True)
class Owned:
    """What belongs to the brand, not the customer: its phone numbers and e-mail domains."""

    regions: tuple[str, ...] = ()
    phones: frozenset[str] = frozenset()
    domains: frozenset[str] = frozenset()
    order_number: Matcher | None = field(default=None)


def e164(number: str, regions: tuple[str, ...]) -> str | None:
    """`number` in E.164 form (+420222333444), or None when it is not a phone number."""
    for region in regions or ("ZZ",):
        try:
            parsed = phonenumbers.parse(number, None if region == "ZZ" else region)
        except phonenumbers.NumberParseException:
            continue
        return phonenumbers.format_number(parsed, PhoneNumberFormat.E164)
    return None


def visible(text: str) -> str:
    """`text` as a reader sees it: compatibility forms folded (full-width digits and letters
    become plain ones, NFKC) and characters that show nothing removed. Positions of what is
    found refer to this form."""
    return unicodedata.normalize("NFKC", text).translate(_HIDDEN)


def find_personal(text: str, owned: Owned, names: tuple[str, ...] = ()) -> list[Personal]:
    """The customer's personal data in `text`, in order of appearance: IBANs (any case,
    spaced), card numbers (Luhn), order numbers, e-mail addresses, phone numbers (local ones
    too, for the brand's regions) and, given the customer's `names`, their full name."""
    text = visible(text)
    found: list[Personal] = []
    for match in _IBAN.finditer(text):
        written = _iban(match.group(0))
        if written:
            found.append(Personal("iban", written, match.start(), match.start() + len(written)))
    for match in _CARD.finditer(text):
        if luhn.is_valid(re.sub(r"\D", "", match.group(0))):
            found.append(Personal("card", match.group(0), match.start(), match.end()))
    for name in names:
        found.extend(_full_name(text, name))
    for match in _STREET.finditer(text):
        named = fold(match.group(0).split(",")[0]).split()
        if not _NOT_STREETS.intersection(named):
            found.append(Personal("address", match.group(0), match.start(), match.end()))
    if owned.order_number is not None:
        found.extend(Personal("order", match.group(0), match.start(), match.end())
                     for match in owned.order_number.finditer(text) if match.group(0))
    for match in _EMAIL.finditer(text):
        domain = match.group(1).lower()
        if not any(domain == own or domain.endswith("." + own) for own in owned.domains):
            found.append(Personal("email", match.group(0), match.start(), match.end()))
    found.extend(find_phones(text, owned.regions, owned.phones))
    return _without_overlaps(found)


def _iban(written: str) -> str | None:
    """The longest start of `written` that is a valid IBAN (the pattern may have run on into
    the next word: "CZ65 0800 … 5399 today")."""
    for end in range(len(written), 14, -1):
        candidate = written[:end].rstrip()
        if candidate == written[:end] and iban.is_valid(candidate.upper()):
            return candidate
    return None


def _full_name(text: str, name: str) -> list[Personal]:
    """A customer's full name (two words or more) written in `text`: their first name alone is
    how a reply greets them, their full name in public tells everyone who they are."""
    words = name.split()
    if len(words) < 2:
        return []
    folded, wanted = fold(text), fold(" ".join(words))
    if wanted not in folded:
        return []
    start = folded.index(wanted)
    return [Personal("name", name, start, start + len(wanted))]


def find_phones(text: str, regions: tuple[str, ...],
                besides: frozenset[str] = frozenset()) -> list[Personal]:
    """Phone numbers in `text` (local ones read as numbers of `regions`), except the E.164
    numbers in `besides`."""
    found: list[Personal] = []
    if not _long_enough(text, regions):  # no run of digits makes a number: skip the matcher
        return found
    for region in regions or (None,):
        for number in phonenumbers.PhoneNumberMatcher(text, region, leniency=Leniency.VALID):
            if phonenumbers.format_number(number.number, PhoneNumberFormat.E164) not in besides:
                found.append(Personal("phone", number.raw_string, number.start, number.end))
    return found


def _long_enough(text: str, regions: tuple[str, ...]) -> bool:
    """Whether a run of digits in `text` is long enough to be a phone number: one with a `+`
    (or a full-width one) in it or up to ten characters before it as long as a country code
    and the shortest number anywhere, another as long as the shortest national number of one
    of `regions` (or an international one without the `+`). The thresholds are conservative:
    a number one digit longer than each is the shortest there is."""
    national, plus = _fewest(regions), FEWEST_DIGITS + 1
    for match in _RUN.finditer(text):
        digits = sum(character.isdecimal() for character in match.group(0))
        if digits >= national or (digits >= plus and _PLUS.search(
                text, max(0, match.start() - 10), match.end())):
            return True
    return False


@cache
def _fewest(regions: tuple[str, ...]) -> int:
    """The fewest digits a number read without `+` in `regions` can have: a national one of a
    region, or one written with an international prefix."""
    lengths = [_INTERNATIONAL]
    for region in regions:
        data = phonenumbers.PhoneMetadata.metadata_for_region(region)
        if data is None or data.general_desc is None or not data.general_desc.possible_length:
            return FEWEST_DIGITS  # no metadata to go by: the shortest anywhere
        lengths.append(min(data.general_desc.possible_length))
    return min(lengths)


def _without_overlaps(found: list[Personal]) -> list[Personal]:
    kept: list[Personal] = []
    for item in sorted(found, key=lambda item: KINDS.index(item.kind)):
        if all(item.end <= other.start or other.end <= item.start for other in kept):
            kept.append(item)
    return sorted(kept, key=lambda item: item.start)
