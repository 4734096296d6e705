"""Warming an engine before it serves: what reading complaints and checking replies load on first
use is loaded now (the language detector of each brand's languages, the linter's tables and
dictionaries for the languages it serves, the copy index of its replies, its after-hours
notices' templates, dates and names in each language, each brand's calendar for the year), so
that the first request a web worker serves does not stall.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime

from recovery.flows import Flow
from recovery.notices import after_hours
from recovery.replies import Linted, Subject
from recovery.replies.mixing import team_languages
from recovery.signals import read
from recovery.signals.language import preload

Check = Callable[[Flow, str, Subject, datetime], Linted]
"""Lint a text for a brand (the replies' `Checker.check`)."""
SAMPLE = "Thank you for telling us; we are putting it right today, call +420 222 333 444."
"""What is read in each language, to load what reading takes (its words do not matter)."""
SHORT = "OK"
"""What is checked in each language: too short to tell a language by, so the linter takes the
one it is told (its spelling dictionary and lemmas load)."""
LETTERS = ("Příliš žluťoučký kůň úpěl ďábelské ódy", "Zażółć gęślą jaźń",
           "Gojazni đačić s biciklom drži hmelj i finu vatu u džepu nošnje",
           "Árvíztűrő tükörfúrógép", "Die Größe der Füße",
           "Ξεσκεπάζω την ψυχοφθόρα βδελυγμία",
           "Щастям б'єш жук їх глицю в фон й ґедзь пріч")  # noqa: RUF001 (Ukrainian)
"""Texts in the alphabets the sample brands' customers write in: the detector's first reading
of each is slower than the rest."""


def warm(flows: Iterable[Flow], check: Check, at: datetime) -> None:
    """Load for every brand in `flows` what its first complaint and reply would load."""
    for flow in flows:
        preload(flow.audience.candidates)
        preload(team_languages(flow.audience.serves))  # the linter's language-mix check
        for text in LETTERS:
            read(text, flow.audience)
        away = flow.calendar.next_close(at)  # this year's days off, on the way
        if away is not None:  # its templates and their language's dates and names
            for channel in flow.settings.channels:
                for language in flow.audience.serves:
                    after_hours(flow, channel, "@customer", away, language)
        channel = next(iter(flow.settings.channels))  # a flow declares one at least
        for language in flow.audience.serves:
            read(SAMPLE, flow.audience, language)  # its tone words, phone numbers
            check(flow, SHORT, Subject(channel, True, "", (), language), at)
