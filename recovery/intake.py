"""A complaint comes in: read it, answer it by itself when the team is away, and open its case
with its first events, timers and SLA clocks in one transaction.

A room of the engine, like `ticker.py` and `sender.py`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from recovery import keeper, limits
from recovery.errors import ConcurrentUpdate, InvalidInput, KeyReused
from recovery.flows import Flow
from recovery.flows.priority import counts, level
from recovery.limits import ENGINE, SYSTEM
from recovery.notices import after_hours
from recovery.replies import Linted, Subject
from recovery.signals import Detected, read
from recovery.store.records import Case, Event
from recovery.store.redaction_sql import BLANK
from recovery.store.writer import Known, Tx, Writer

Arm = Callable[[Tx, Flow, int, str, datetime], None]
"""Arm the timers a flow declares for a state (`firing.arm`)."""
Check = Callable[[Flow, str, Subject, datetime], Linted]
"""Lint a text for a brand (the replies' `Checker.check`)."""
Suggest = Callable[[Tx, int, str, str, str, datetime], object]
"""Suggest a new case (id, brand, channel, text, time) for the incidents it may belong to, in
the transaction that opens it (`Incidents.suggest`)."""


class Intake:
    """Opens the cases of one engine."""

    def __init__(self, writer: Writer, arm: Arm, check: Check, suggest: Suggest) -> None:
        self._writer = writer
        self._arm = arm
        self._check = check
        self._suggest = suggest

    def open(self, flow: Flow, channel: str, author: str, text: str, when: datetime,
             external_id: str | None, by: str | None, name: str | None,
             reach: Mapping[str, int] | None = None) -> Case | int:
        """The new case (its subscribers told of its first events); or, when the platform
        post `external_id` was fed before, the id of its case (`KeyReused` if that was
        another complaint)."""
        opening = self.prepare(flow, channel, author, text, when, external_id, by, name,
                               reach=reach)
        try:
            with self._writer.transaction() as tx:
                case_id, posted = self.write(tx, opening)
                if posted:
                    self._suggest(tx, case_id, flow.brand, channel, opening.values["text"],
                                  when)
                    due = tx.due(case_id)
        except ConcurrentUpdate:
            if not external_id:
                raise
            with self._writer.transaction() as tx:  # the same post fed in twice at once
                found = tx.find_external(flow.brand, external_id)
            if found is None:
                raise
            return _same(found, opening.values, external_id)
        if not posted:
            return case_id
        return Case(id=case_id, **opening.values, due_at=due)

    def prepare(self, flow: Flow, channel: str, author: str, text: str, when: datetime,
                external_id: str | None, by: str | None, name: str | None,
                notices: bool = True, language: str | Detected | None = None,
                reach: Mapping[str, int] | None = None) -> Opening:
        """Check and read a complaint (in `language` if the source knows it, or as detected
        beforehand with other complaints), give it the priority its `reach` and mood meet, and
        write the after-hours notice it gets (unless not `notices`: a case brought over from
        elsewhere was answered there)."""
        author = limits.text(author, "the author", limits.NAME).strip()
        text = limits.text(text, "the complaint", limits.COMPLAINT).strip()
        limits.optional(name, "the customer's name", limits.NAME)
        limits.optional(external_id, "the external id", limits.NAME)
        if not author or not text:
            raise InvalidInput("a complaint needs its author and its text; neither may be empty")
        if by in SYSTEM:
            raise InvalidInput(f"'{by}' is the engine's own name; say who opens the case")
        counted = counts(reach or {})
        reading = read(text, flow.audience, language)
        priority = level(flow.settings.priority, counted, reading.tone.emotion)
        notice = (after_hours(flow, channel, author, when, reading.language, text) if notices
                  else None)
        opened: dict[str, Any] = {"channel": channel, "reading": reading.as_payload(),
                                  "flow_version": flow.version}
        if not notices:
            opened["brought_over"] = True  # so a what-if replay posts it no notice either
        if counted:
            opened["reach"] = counted
        if priority != "normal":
            opened["priority"] = priority
        if notice is not None:  # public, so it passes the checks a reply passes
            linted = self._check(flow, str(notice["text"]),
                                 Subject(channel, True, author, (name,) if name else (),
                                         reading.language), when)
            notice["findings"] = linted.as_payload()
            if linted.blocking:
                opened["after_hours_withheld"] = [finding.code for finding in linted.blocking]
                notice = None
        values: dict[str, Any] = {
            "brand": flow.brand, "channel": channel, "author": author, "text": text,
            "external_id": external_id, "state": flow.initial,
            "version": 1 if notice is None else 2, "priority": priority, "opened_at": when,
            "updated_at": when, "name": (name or "").strip() or None,
            "language": reading.language, "register": reading.tone.register,
            "emotion": reading.tone.emotion, "flags": list(reading.flags) or None,
            "reach": counted or None, "flow_version": flow.version}
        return Opening(flow, by or author, values, opened, notice)

    def write(self, tx: Tx, opening: Opening, unseen: bool = False) -> tuple[int, list[Event]]:
        """Open the case in `tx` with its first events, timers and clocks; returns its id and
        the events, or (the id, no events) when its external id was fed before for the same
        complaint (`KeyReused` for another). With `unseen` the caller has looked that up
        already: a case that came meanwhile makes the insert fail as a `ConcurrentUpdate`."""
        flow, values = opening.flow, opening.values
        external_id = values["external_id"]
        known = tx.find_external(flow.brand, external_id) if external_id and not unseen else None
        if known is not None:
            return _same(known, values, external_id), []
        when, channel = values["opened_at"], values["channel"]
        tx.keep_flow(flow.brand, flow.version, flow.version_text, when)
        case_id = tx.insert_case(values)
        posted = [Event(case_id, 1, when, opening.by, "open", None, flow.initial,
                        payload=opening.opened)]
        if opening.notice is not None:
            posted.append(Event(case_id, 2, when, ENGINE, "notice", flow.initial,
                                flow.initial, payload=opening.notice))
        for event in posted:
            tx.append_event(event)
        self._arm(tx, flow, case_id, flow.initial, when)
        keeper.start(tx, flow, case_id, channel, flow.initial, values["priority"], when)
        return case_id, posted


def same_complaint(known: Known, channel: str, author: str, text: str,
                   external_id: str) -> int:
    """The id of the case `known` for an external post, when the complaint given (as written,
    spaces around it aside) is the same: the same channel, author and text (a redacted
    complaint's text no longer tells); else `KeyReused`, naming the case, and nothing is
    written."""
    redacted = known.text == BLANK
    said = (known.channel, known.author, BLANK if redacted else known.text)
    again = (channel, author.strip(), BLANK if redacted else text.strip())
    if said != again:
        differs = [what for what, a, b in zip(("channel", "author", "text"), said, again,
                                              strict=True) if a != b]
        raise KeyReused(f"the external id {limits.shown(external_id)} is case {known.id}'s, "
                        f"a complaint with another {' and '.join(differs)}; give this one its "
                        "own external id", external_id, known.id)
    return known.id


def _same(known: Known, values: Mapping[str, Any], external_id: str) -> int:
    """`same_complaint` for a case row about to be written."""
    return same_complaint(known, values["channel"], values["author"], values["text"],
                          external_id)


@dataclass(frozen=True)
class Opening:
    """A complaint checked and read, ready to be written as a new case."""

    flow: Flow
    by: str
    values: dict[str, Any]
    """The case row."""
    opened: dict[str, Any]
    """The payload of its `open` event: the channel, the reading, the flow's version."""
    notice: dict[str, Any] | None
    """The after-hours notice to post, if any."""
