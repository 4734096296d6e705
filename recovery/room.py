"""What the engine hands the rooms it calls (`intake`, `sender`, `ticker`, the remedy ledger,
the follow-up asker): how to fire a trigger inside the open transaction, and how to read a case
in it, and how to record an event that does not move the case.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any, Protocol

from recovery.errors import ConcurrentUpdate
from recovery.flows import CaseFacts, Flow
from recovery.keeper import Reached
from recovery.policy import Recorder
from recovery.store.records import Event, Timer
from recovery.store.writer import Tx


class Apply(Protocol):
    """Fire a trigger (or whichever trigger records a `Recorder` fact) on a case inside a
    transaction: `Firing.apply`."""

    def __call__(self, tx: Tx, case_id: int, trigger: str | Recorder, by: str,
                 note: str | None, payload: dict[str, Any] | None, at: datetime) -> Event: ...


ReadFacts = Callable[[Tx, int, datetime | None], tuple[Flow, CaseFacts, int]]
"""Read a case inside a transaction: its flow, what its guards read and its version
(`Firing.facts`, which refuses a time before the case's last event)."""


def record(tx: Tx, case_id: int, version: int, state: str, at: datetime, by: str,
           trigger: str, payload: dict[str, Any] | None, note: str | None = None,
           changes: dict[str, Any] | None = None) -> Event:
    """Append an event that leaves the case in `state` (a reply, a reminder, a remedy settled,
    a reach update, a hidden post, a link, a redaction, a clock's breach), counting it on the
    case with `changes`; `ConcurrentUpdate` if the case changed since `version`."""
    if not tx.advance(case_id, version, None, at, changes or {}):
        raise ConcurrentUpdate(case_id)
    event = Event(case_id, version + 1, at, by, trigger, state, state, note, payload)
    tx.append_event(event)
    return event


def record_reached(tx: Tx, case_id: int, version: int, state: str, at: datetime, by: str,
                   reached: list[Reached]) -> None:
    """Append an event for each SLA clock's warning or breach in `reached` (`keeper`), with
    its escalation's changes, after the case's `version`."""
    for index, point in enumerate(reached):
        record(tx, case_id, version + index, state, at, by, point.trigger, point.payload,
               changes=point.changes)


Step = Callable[[Tx, Timer, datetime], str | None]
"""Take a claimed follow-up timer's step inside the ticker's transaction: None when it appended
its events, else what became of it (the follow-up room's `step`)."""
