"""A complaint comes in: read it, answer it by itself when the team is away, and open its case
with its first events, timers and SLA clocks in one transaction.

A room of the engine, like `ticker.py` and `sender.py`.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from recovery import keeper, limits
from recovery.errors import ConcurrentUpdate, InvalidInput
from recovery.flows import Flow
from recovery.limits import SYSTEM
from recovery.notices import after_hours
from recovery.replies import Linted, Subject
from recovery.room import Notify
from recovery.signals import read
from recovery.store.records import Case, Event
from recovery.store.writer import Tx, Writer

Arm = Callable[[Tx, Flow, int, str, datetime], None]
"""Arm the timers a flow declares for a state (`firing.arm`)."""
Check = Callable[[Flow, str, Subject, datetime], Linted]
"""Lint a text for a brand (the replies' `Checker.check`)."""


class Intake:
    """Opens the cases of one engine."""

    def __init__(self, writer: Writer, arm: Arm, notify: Notify, check: Check) -> None:
        self._writer = writer
        self._arm = arm
        self._notify = notify
        self._check = check

    def open(self, flow: Flow, channel: str, author: str, text: str, when: datetime,
             external_id: str | None, by: str | None, name: str | None) -> Case | int:
        """The new case (its subscribers told of its first events); or, when the platform
        post `external_id` was fed before, the id of its case."""
        author = limits.text(author, "the author", limits.NAME).strip()
        text = limits.text(text, "the complaint", limits.COMPLAINT).strip()
        limits.optional(name, "the customer's name", limits.NAME)
        limits.optional(external_id, "the external id", limits.NAME)
        if not author or not text:
            raise InvalidInput("a complaint needs its author and its text; neither may be empty")
        if by in SYSTEM:
            raise InvalidInput(f"'{by}' is the engine's own name; say who opens the case")
        reading = read(text, flow.audience)
        notice = after_hours(flow, channel, author, when, reading.language)
        withheld: list[str] = []
        if notice is not None:  # public, so it passes the checks a reply passes
            linted = self._check(flow, str(notice["text"]),
                                 Subject(channel, True, author, (name,) if name else (),
                                         reading.language), when)
            notice["findings"] = linted.as_payload()
            if linted.blocking:
                withheld, notice = [finding.code for finding in linted.blocking], None
        values: dict[str, Any] = {
            "brand": flow.brand, "channel": channel, "author": author, "text": text,
            "external_id": external_id, "state": flow.initial,
            "version": 1 if notice is None else 2, "priority": "normal", "opened_at": when,
            "updated_at": when, "name": (name or "").strip() or None,
            "language": reading.language, "register": reading.tone.register,
            "emotion": reading.tone.emotion, "flags": list(reading.flags) or None}
        posted: list[Event] = []
        try:
            with self._writer.transaction() as tx:
                known = tx.find_external(flow.brand, external_id) if external_id else None
                if known is not None:
                    return known
                case_id = tx.insert_case(values)
                opened: dict[str, Any] = {"channel": channel, "reading": reading.as_payload()}
                if withheld:
                    opened["after_hours_withheld"] = withheld
                posted.append(Event(case_id, 1, when, by or author, "open", None, flow.initial,
                                    payload=opened))
                if notice is not None:
                    posted.append(Event(case_id, 2, when, "recovery", "notice", flow.initial,
                                        flow.initial, payload=notice))
                for event in posted:
                    tx.append_event(event)
                self._arm(tx, flow, case_id, flow.initial, when)
                keeper.start(tx, flow, case_id, channel, flow.initial, when)
        except ConcurrentUpdate:
            if not external_id:
                raise
            with self._writer.transaction() as tx:  # the same post fed in twice at once
                found = tx.find_external(flow.brand, external_id)
            if found is None:
                raise
            return found
        for event in posted:
            self._notify(event)
        return Case(id=case_id, **values)
