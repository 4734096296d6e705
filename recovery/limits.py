"""How much the engine takes from outside, checked before anything reaches the database, so
SQLite and PostgreSQL answer the same input with the same one line.

Text from outside (a complaint, a reply, an answer, a name, a note) is bounded, and refused
when it holds a NUL character or half of a surrogate pair (which no database stores alike);
ids, times and durations are kept to what both databases and Python's dates hold.
"""

from __future__ import annotations

import reprlib
from datetime import UTC, datetime, timedelta

from recovery.errors import InvalidInput, NotFound

COMPLAINT = 20_000
"""Characters of a complaint (a long Facebook post is a few thousand)."""
REPLY = 10_000
"""Characters of a reply, a follow-up answer or a redaction's reason."""
NOTE = 2_000
"""Characters of a note kept in a case's history, or a remedy's reason."""
NAME = 200
"""Characters of a handle, a customer's name, an external id or an idempotency key."""
PERSON = 64
"""Characters of who acts (an agent's name) and of a name a flow file declares (a brand, a
state, a trigger)."""
ORDER = 100
"""Characters of the order a refund names."""
MAX_ID = 2**31 - 1
"""The largest id either database stores (PostgreSQL's `integer`)."""
ROWS = 10_000
"""The most rows one read gives (a page); page through for more."""
EARLIEST = datetime(1970, 1, 1, tzinfo=UTC)
LATEST = datetime(9000, 1, 1, tzinfo=UTC)
"""The times the engine takes: far enough from the ends of Python's dates that a due time a
century ahead still fits."""


TIMER, ENGINE = "timer", "recovery"
"""Who acts when a timer fires; and when the engine acts by itself (a notice, a breach it found
late, a case an answer closes)."""
SYSTEM = frozenset({TIMER, ENGINE})
"""The engine's own actors; anyone else acting is a person."""


def person(by: str) -> str:
    """`by` if it names someone who may act: some text, not one of the engine's own names."""
    if not text(by, "who acts (by)", PERSON).strip() or by in SYSTEM:
        raise InvalidInput("say who acts (by=); 'timer' and 'recovery' are the engine's "
                           "own names")
    return by


def text(value: str, what: str, most: int) -> str:
    """`value` if it is text of at most `most` characters that any database stores."""
    if not isinstance(value, str):
        raise InvalidInput(f"{what} must be text, not {type(value).__name__}")
    if len(value) > most:
        raise InvalidInput(f"{what} is {len(value):,} characters long; the most is {most:,}")
    if "\x00" in value:
        raise InvalidInput(f"{what} holds a NUL character (\\x00); remove it")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise InvalidInput(f"{what} is not valid text (a broken character, as from bytes that "
                           "are not UTF-8); send it as UTF-8") from None
    return value


def optional(value: str | None, what: str, most: int) -> str | None:
    """`text` for a value that may be absent."""
    return None if value is None else text(value, what, most)


def ident(value: int, what: str) -> int:
    """`value` if it can be the id of a `what`: an `int` (anything else is `InvalidInput`,
    saying so), and one the database can hold (else there is no such thing)."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidInput(f"a {what} id is a whole number (int), not {type(value).__name__} "
                           f"{shown(value)}")
    if not 1 <= value <= MAX_ID:
        raise NotFound(f"no {what} {value}")
    return value


def count(value: int, what: str, least: int = 0, most: int = MAX_ID) -> int:
    """`value` if it is a whole number from `least` to `most`."""
    if isinstance(value, bool) or not isinstance(value, int) or not least <= value <= most:
        raise InvalidInput(f"{what} must be a whole number from {least:,} to {most:,}, "
                           f"not {value!r}")
    return value


def instant(value: datetime) -> datetime:
    """`value` as aware UTC, if it lies between 1970 and 9000."""
    if not isinstance(value, datetime):
        raise InvalidInput(f"a time is a datetime, not {type(value).__name__} "
                           f"({shown(value)})")
    try:
        when = value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    except (OverflowError, ValueError):
        when = None
    if when is None or not EARLIEST <= when < LATEST:
        raise InvalidInput(f"{value.isoformat()} is out of range; give a time between "
                           f"{EARLIEST.year} and {LATEST.year}")
    return when


def rows(limit: int) -> int:
    """`limit` if it is a page size: 1 to `ROWS` rows."""
    return count(limit, "limit", 1, ROWS)


def span(value: timedelta, what: str, most: timedelta = timedelta(days=36_500)) -> timedelta:
    """`value` if it is no longer than `most` (a century unless said)."""
    if not isinstance(value, timedelta):
        raise InvalidInput(f"{what} is a timedelta, not {type(value).__name__} "
                           f"({shown(value)})")
    if abs(value) > most:
        raise InvalidInput(f"{what} is longer than {most.days:,} days")
    return value


def shown(value: object) -> str:
    """A value from outside as a short, printable reminder of what was given (`reprlib`
    stops early, however large the value)."""
    text = reprlib.repr(value)
    return text if len(text) <= 40 else text[:39] + "…"
