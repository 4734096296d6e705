"""What the engine hands the rooms it calls (`intake`, `sender`, `ticker`, the remedy ledger,
the follow-up asker): how to fire a trigger inside the open transaction, and how to read a case
in it.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any, Protocol

from recovery.flows import CaseFacts, Flow
from recovery.policy import Recorder
from recovery.store.records import Event, Notice, Timer
from recovery.store.writer import Tx


class Apply(Protocol):
    """Fire a trigger (or whichever trigger records a `Recorder` fact) on a case inside a
    transaction: `Firing.apply`."""

    def __call__(self, tx: Tx, case_id: int, trigger: str | Recorder, by: str,
                 note: str | None, payload: dict[str, Any] | None, at: datetime) -> Event: ...


ReadFacts = Callable[[Tx, int, datetime | None], tuple[Flow, CaseFacts, int]]
"""Read a case inside a transaction: its flow, what its guards read and its version
(`Firing.facts`, which refuses a time before the case's last event)."""

Notify = Callable[[Event | Notice], None]
"""Tell the subscribers of something committed."""

Step = Callable[[Tx, Timer, datetime], list[Event] | str]
"""Take a claimed follow-up timer's step inside the ticker's transaction: the events appended,
or what became of it when nothing was (the follow-up room's `step`)."""
