"""Redact personal data without deleting anything: blank the text of one event (and, for a
case's first event, the complaint and the customer's name on the case), record who did it and
why as a `redact` event, and keep the history's hash chain whole.

A room of the engine, like `sender.py`: one transaction per redaction. The database lets an
event be changed this one way only (its text blanked once, the content hash it had kept); the
chain is over content hashes, so `recovery audit verify` still passes, and it checks that each
blanked event is named by a redaction.
"""

from __future__ import annotations

from datetime import datetime

from recovery import limits
from recovery.errors import ConcurrentUpdate, InvalidInput, NotFound, PolicyViolation
from recovery.people import Roles
from recovery.room import ReadFacts, record
from recovery.store.audit import REDACT, TEXTS
from recovery.store.chain import GENESIS, content_hash, link
from recovery.store.records import Event
from recovery.store.redaction_sql import BLANK
from recovery.store.writer import Tx, Writer


class Redactor:
    """Redacts events for one engine."""

    def __init__(self, writer: Writer, facts: ReadFacts, roles: Roles) -> None:
        self._writer = writer
        self._facts = facts
        self._roles = roles

    def redact(self, case_id: int, seq: int, by: str, reason: str, at: datetime) -> Event:
        """Blank event `seq` of a case and record the redaction (by a lead, where the brand
        names its people); returns the `redact` event."""
        reason = limits.text(reason, "the reason", limits.NOTE).strip()
        if not reason:
            raise InvalidInput("say why the text is redacted (reason=), e.g. 'the customer "
                               "asked us to erase their address'")
        with self._writer.transaction(case_id) as tx:
            flow, facts, version = self._facts(tx, case_id, at)
            allowed = self._roles.authority(flow, by)
            if allowed is None:
                raise PolicyViolation(f"only a lead of {flow.brand} redacts a history; "
                                      f"'{by}' is not one")
            found = tx.written(case_id, seq)
            if found is None:
                raise NotFound(f"case {case_id} has no event #{seq} (its events are #1 to "
                               f"#{version})")
            event, chain, redacted = found
            fields, content = _check(event, chain, redacted, tx)
            payload = event.payload  # only its text fields change, to the marker
            if payload and any(name in payload for name in TEXTS):
                payload = {**payload, **{name: BLANK for name in TEXTS if name in payload}}
            if not tx.blank(case_id, seq, BLANK if event.note else None, payload, content,
                            at):
                raise ConcurrentUpdate(case_id)
            if seq == 1:
                tx.blank_complaint(case_id, BLANK)
            recorded = record(tx, case_id, version, facts.state, at, by, REDACT,
                              {"event": seq, "fields": fields, "reason": reason,
                               "role": allowed}, reason)
        return recorded


def _check(event: Event, chain: str | None, redacted: bool,
           tx: Tx) -> tuple[list[str], str]:
    """What redacting `event` blanks, and its content hash; refused when there is nothing to
    blank, when it was redacted already or is itself a redaction, or when it no longer matches
    its hash."""
    where = f"event #{event.seq} ({event.trigger}) of case {event.case_id}"
    if event.trigger == REDACT:
        raise InvalidInput(f"{where} is a redaction; it holds no customer's text")
    if redacted:
        raise InvalidInput(f"{where} was redacted already")
    fields = [name for name in TEXTS if (event.payload or {}).get(name)]
    fields += ["note"] if event.note else []
    fields += ["complaint", "name"] if event.seq == 1 else []
    if not fields:
        raise InvalidInput(f"{where} holds no text to redact")
    previous = tx.written(event.case_id, event.seq - 1) if event.seq > 1 else None
    content = _content(event)
    before = GENESIS if previous is None else previous[1] or ""
    if link(before, content) != chain:
        raise InvalidInput(f"{where} does not match its hash: the history was changed; run "
                           "audit() before redacting")
    return fields, content


def _content(event: Event) -> str:
    return content_hash(event.case_id, event.seq, event.at, event.by, event.trigger,
                        event.source, event.dest, event.note, event.payload)
