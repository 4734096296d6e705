"""Replies, from draft to record: write one (from a template or the agent's text), lint it, and
record it in the case's own transaction, moving the case with it when asked.

A room of the engine, like `ticker.py`: the engine hands it the case, the brand's flow and the
moment, and how to fire a trigger inside the open transaction.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from recovery import keeper, limits
from recovery.errors import ConcurrentUpdate, InvalidInput, ReplyRefused
from recovery.flows import Flow
from recovery.limits import ENGINE
from recovery.replies.compose import Checker, Draft, subject_of, write
from recovery.room import Apply, ReadFacts, record, record_reached
from recovery.store.records import Case, Event, Remedy
from recovery.store.writer import Writer


class Sender:
    """Drafts and sends the replies of one engine."""

    def __init__(self, checker: Checker, writer: Writer, facts: ReadFacts, apply: Apply) -> None:
        self._checker = checker
        self._writer = writer
        self._facts = facts
        self._apply = apply

    def draft(self, flow: Flow, case: Case, by: str, template: str | None, text: str | None,
              public: bool, at: datetime, issued: Remedy | None = None,
              extra: Mapping[str, Any] | None = None) -> Draft:
        """Write the reply (the template in the customer's language and the brand's voice,
        the variant for their mood first, or the agent's text; `extra` more for the template,
        such as the case's incident) and lint it."""
        source, language = None, case.language
        if template is not None:
            rendered = write(flow, case, by, template, issued, extra)
            text, language, source = rendered.text, rendered.language, rendered.template
        if text is None or not limits.text(text, "the reply", limits.REPLY).strip():
            raise InvalidInput("a reply needs some text")
        linted = self._checker.check(flow, text, subject_of(case, public), at)
        return Draft(case.id, case.version, case.brand, case.channel, case.author, text, public,
                     linted.language or language, source, linted, by, at, case.flow_version)

    def send(self, flow: Flow, draft: Draft, fire: str | None, override: str | None,
             note: str | None) -> Event:
        """Record the drafted reply and fire `fire` with it, in one transaction; refused when a
        finding blocks it and no `override` gives the reason, or when the case changed since."""
        reason = (override or "").strip()
        blocking = draft.linted.blocking
        if blocking and not reason:
            raise ReplyRefused(draft.case_id, [str(item) for item in blocking])
        draft.check_resolving(flow, fire)
        return self.record_reply(draft.case_id, draft.version, draft.at, draft.by,
                                 draft.payload(reason), note, fire,
                                 {"case_id": draft.case_id, "brand": draft.brand,
                                  "customer": draft.customer, "at": draft.at,
                                  "public": draft.public, "skeleton": draft.linted.skeleton})

    def record_reply(self, case_id: int, version: int | None, at: datetime, by: str,
                     payload: dict[str, Any], note: str | None = None, fire: str | None = None,
                     kept: dict[str, Any] | None = None) -> Event:
        """Record a reply whose `payload` is written (what to post, where, the linter's word)
        on a case still at `version` (None: as it is), keep it for the copy-paste check
        (`kept`), stop the first-response clock when it is public, and fire `fire`, in one
        transaction. A what-if replay records the replies of the history this way, as sent."""
        with self._writer.transaction(case_id) as tx:
            flow, facts, current = self._facts(tx, case_id, at)
            if version is not None and current != version:
                raise ConcurrentUpdate(case_id)
            sent = record(tx, case_id, current, facts.state, at, by, "reply", payload, note)
            if kept is not None:
                tx.insert_reply(kept)
            if payload.get("public"):
                record_reached(tx, case_id, current + 1, facts.state, at, ENGINE,
                               keeper.answered(tx, flow, case_id, facts.state, facts.priority,
                                               at))
            if fire is not None:
                self._apply(tx, case_id, fire, by, None, None, at)
        return sent
