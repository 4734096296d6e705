"""Verify that each case's history is whole and unchanged: its events numbered 1 to its
version with none missing, each one's content matching its hash and each hash following from
the one before (`chain.py`). A redacted event is checked by the content hash kept when its text
was blanked, and must be named by a redaction event further down its chain.

Read side: one pass over the events in (case, seq) order, streamed, a case at a time.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, select

from recovery.clock import as_utc
from recovery.store.chain import GENESIS, content_hash, link
from recovery.store.records import Record
from recovery.store.redaction_sql import BLANK
from recovery.store.tables import cases, events

REDACT = "redact"
"""The trigger of a redaction event (its payload names the event it blanked)."""
LEAD, ANYONE = "lead", "anyone"
"""What a redaction records of its author's right to make it: a lead, or anyone where the
brand named no people."""
TEXTS = ("text",)
"""The payload fields that hold text someone wrote (a reply, an answer, a notice): a
redaction blanks them, with the note, to the marker."""


@dataclass(frozen=True)
class Break(Record):
    """The first thing wrong in one case's history."""

    case_id: int
    seq: int | None
    problem: str


@dataclass(frozen=True)
class Audit(Record):
    """What a verification found: how many cases and events were checked, and each case whose
    history is broken, with its first bad event."""

    cases: int
    events: int
    broken: list[Break] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when every history checked is whole and unchanged."""
        return not self.broken

    def with_breaks(self, more: list[Break]) -> Audit:
        """This audit with `more` found (a case already broken keeps its first problem)."""
        known = {item.case_id for item in self.broken}
        added = [item for item in more if item.case_id not in known]
        return Audit(self.cases, self.events,
                     sorted([*self.broken, *added], key=lambda item: item.case_id))


def verify(conn: Connection, brand: str | None = None, case_id: int | None = None) -> Audit:
    """Check every chain (or one brand's, or one case's)."""
    chosen = select(cases.c.id, cases.c.version).order_by(cases.c.id)
    if brand is not None:
        chosen = chosen.where(cases.c.brand == brand)
    if case_id is not None:
        chosen = chosen.where(cases.c.id == case_id)
    versions = {int(row.id): int(row.version) for row in conn.execute(chosen)}
    query = (select(events.c.case_id, events.c.seq, events.c.at, events.c.by, events.c.trigger,
                    events.c.source, events.c.dest, events.c.note, events.c.payload,
                    events.c.content_hash, events.c.chain_hash, events.c.redacted_at)
             .order_by(events.c.case_id, events.c.seq))
    if brand is not None:
        query = query.where(events.c.case_id.in_(select(cases.c.id)
                                                 .where(cases.c.brand == brand)))
    if case_id is not None:
        query = query.where(events.c.case_id == case_id)
    rows = conn.execution_options(yield_per=1000).execute(query)
    broken, counted, seen = [], 0, set()
    for of_case, history in _by_case(rows):
        seen.add(of_case)
        counted += len(history)
        problem = check(history, versions.get(of_case))
        if problem is not None:
            broken.append(Break(of_case, *problem))
    broken += [Break(missing, None, f"its history is empty (the case is at version {version})")
               for missing, version in versions.items() if missing not in seen]
    return Audit(len(versions), counted, sorted(broken, key=lambda item: item.case_id))


def check(history: list[Any], version: int | None) -> tuple[int | None, str] | None:
    """The first problem of one case's history (rows in seq order), or None."""
    head = GENESIS
    named = Counter(int(row.payload["event"]) for row in history
                    if row.trigger == REDACT and row.redacted_at is None
                    and isinstance(row.payload, dict) and isinstance(row.payload.get("event"), int))
    blanked = {row.seq for row in history if row.redacted_at is not None}
    for expected, row in enumerate(history, start=1):
        if row.seq != expected:
            return expected, f"event #{expected} is missing (the next is #{row.seq})"
        if row.chain_hash is None:
            return row.seq, f"event #{row.seq} has no hash: it was written around the engine"
        if row.redacted_at is not None:
            content = row.content_hash or ""
            problem = _blanked(row, named[row.seq])
            if problem is not None:
                return row.seq, problem
        else:
            content = content_hash(row.case_id, row.seq, as_utc(row.at), row.by, row.trigger,
                                   row.source, row.dest, row.note, row.payload)
        head = link(head, content)
        if head != row.chain_hash:
            return row.seq, (f"event #{row.seq} ({row.trigger}) is not what was written: its "
                             "content or the chain before it was changed")
        if row.trigger == REDACT and row.redacted_at is None:
            problem = _redaction(row, blanked)
            if problem is not None:
                return row.seq, problem
    if version is not None and history and history[-1].seq != version:
        return history[-1].seq + 1, (f"the case is at version {version} but its history ends at "
                                     f"#{history[-1].seq}")
    return None


def _blanked(row: Any, named: int) -> str | None:
    """What is wrong with a blanked event: not named by exactly one redaction, or its text
    blanked to something else than the marker."""
    if named != 1:
        return (f"event #{row.seq} was blanked without a redaction event naming it" if not named
                else f"event #{row.seq} is named by {named} redactions; one blanks it")
    payload = row.payload if isinstance(row.payload, dict) else {}
    texts = [row.note, *(payload.get(name) for name in TEXTS)]
    if any(text not in (None, BLANK) for text in texts) or (
            row.payload is not None and not isinstance(row.payload, dict)):
        return f"event #{row.seq} was blanked to something else than {BLANK}"
    return None


def _redaction(row: Any, blanked: set[int]) -> str | None:
    """What is wrong with a redaction event: it names an event that is not blanked, or says
    it was made by someone who was not allowed (an agent where the brand named its people;
    redactions written before roles were recorded say nothing, and are taken as made)."""
    payload = row.payload if isinstance(row.payload, dict) else {}
    target = payload.get("event")
    if target not in blanked:
        return f"redaction #{row.seq} names event #{target}, which is not blanked"
    if payload.get("role", ANYONE if "role" not in payload else None) not in (LEAD, ANYONE):
        return f"redaction #{row.seq} was made by '{row.by}', who may not redact"
    return None


def _by_case(rows: Iterable[Any]) -> Iterator[tuple[int, list[Any]]]:
    """Rows grouped by case, in order."""
    current: int | None = None
    batch: list[Any] = []
    for row in rows:
        if row.case_id != current:
            if batch:
                assert current is not None
                yield current, batch
            current, batch = int(row.case_id), []
        batch.append(row)
    if batch:
        assert current is not None
        yield current, batch
