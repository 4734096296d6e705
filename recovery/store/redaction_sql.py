"""Redaction's statements: read one event as written, blank its text once (the only change the
database lets through), and blank the complaint on the case row (mixins of `Writer` and `Tx`)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, select, update
from sqlalchemy.sql.expression import ClauseElement

from recovery.store.compiled import Compiled, TxPart
from recovery.store.records import Event
from recovery.store.tables import cases, events

BLANK = "[redacted]"
"""What stands where redacted text was."""


class RedactionStatements:
    """What `Writer` compiles for redaction."""

    def _compile(self, statement: ClauseElement, keys: Iterable[str] | None = None) -> Compiled:
        raise NotImplementedError

    def _redaction_statements(self) -> None:
        compile_ = self._compile
        self.written = compile_(
            select(events.c.at, events.c.by, events.c.trigger, events.c.source, events.c.dest,
                   events.c.note, events.c.payload, events.c.chain_hash, events.c.redacted_at)
            .where(events.c.case_id == bindparam("of_case"), events.c.seq == bindparam("of_seq")))
        self.blank = compile_(
            update(events)
            .where(events.c.case_id == bindparam("of_case"), events.c.seq == bindparam("of_seq"),
                   events.c.redacted_at.is_(None))
            .values(note=bindparam("new_note"), payload=bindparam("new_payload"),
                    content_hash=bindparam("new_content_hash"),
                    redacted_at=bindparam("new_redacted_at")))
        self.blank_complaint = compile_(
            update(cases).where(cases.c.id == bindparam("of_case"))
            .values(text=bindparam("new_text"), name=bindparam("new_name")))


class RedactionTx(TxPart):
    """Redaction's reads and writes inside a `Tx`."""

    def written(self, case_id: int, seq: int) -> tuple[Event, str | None, bool] | None:
        """Event `seq` of a case as stored, its chain hash and whether it was redacted."""
        row = self._run(self._w.written, {"of_case": case_id, "of_seq": seq}).fetchone()
        if row is None:
            return None
        at, by, trigger, source, dest, note, payload, chain, redacted = row
        read_json = self._w.read_json
        if read_json is not None and payload is not None:
            payload = read_json(payload)
        when = self._time(at)
        assert when is not None  # NOT NULL
        event = Event(case_id, seq, when, by, trigger, source, dest, note, payload)
        return event, chain, redacted is not None

    def blank(self, case_id: int, seq: int, note: str | None, payload: dict[str, Any] | None,
              content: str, at: datetime) -> bool:
        """Blank an event's text once, keeping its content hash; False if it already was."""
        return bool(self._run(self._w.blank, {
            "of_case": case_id, "of_seq": seq, "new_note": note, "new_payload": payload,
            "new_content_hash": content, "new_redacted_at": at}).rowcount == 1)

    def blank_complaint(self, case_id: int, text: str) -> None:
        """Blank the complaint's text and the customer's name on the case row."""
        self._run(self._w.blank_complaint, {"of_case": case_id, "new_text": text,
                                            "new_name": None})
