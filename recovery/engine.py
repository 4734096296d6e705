"""The one facade: open, import and move cases, record findings, remedies and answers, run
timers, deliver webhooks, query. Each brand's flow is one shared `transitions` Machine; a case
is a row, moved with a check on the version it was read at. Time comes from an injected clock.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any
from uuid import uuid4

from sqlalchemy import Connection
from sqlalchemy import Engine as SAEngine

from recovery import keeper, limits
from recovery.clock import Clock, system_clock
from recovery.clock.sla import CLOCKS
from recovery.delivery.courier import Courier
from recovery.delivery.routes import Routes
from recovery.errors import FlowError, InvalidInput, NotFound
from recovery.firing import Firing, arm
from recovery.flows import Flow, TriggerOption, check_state, load_brands
from recovery.flows.priority import PRIORITIES
from recovery.followups.asker import Asker
from recovery.importer import Imported, Importer
from recovery.incidents import Incidents
from recovery.intake import Intake
from recovery.keeper import ClockStatus
from recovery.moderation import Moderator
from recovery.policy import Recorder
from recovery.reach import Audience
from recovery.redaction import Redactor
from recovery.remedies import Ledger
from recovery.replies import Linted, Subject
from recovery.replies.compose import Checker, Draft
from recovery.report import figures
from recovery.sender import Sender
from recovery.store import board, feed, queries
from recovery.store.audit import Audit, verify
from recovery.store.db import DEFAULT_URL, connect, storage_errors
from recovery.store.records import Case, Entry, Event, Notice, Remedy, Timer
from recovery.store.writer import Writer
from recovery.ticker import Ticker

Subscriber = Callable[[Event | Notice], None]
"""Told of every event after it is committed (a case opened, a trigger or a timer fired, an SLA
clock warned or breached, an after-hours notice to post) and of each brand-wide `Notice` (the
daily hello and goodbye) to post."""

log = logging.getLogger("recovery")


class Engine:
    """A brand-aware complaint recovery engine over one database.

    >>> engine = Engine("sqlite:///care.db", workflows="workflows")  # doctest: +SKIP
    """

    def __init__(self, db: str | SAEngine = DEFAULT_URL, *, workflows: str | Path = "workflows",
                 clock: Clock = system_clock) -> None:
        self.flows, self.broken = load_brands(workflows)
        """The brands' flows; and those whose flow files do not load, with their problems."""
        self._db = connect(db)
        self._writer = Writer(self._db, Routes(self.flows))
        self._clock = clock
        self._subscribers: list[Subscriber] = []
        firing = self._firing = Firing(self.flows, self.broken)
        apply, facts, notify = firing.apply, firing.facts, self._notify
        self._asker = Asker(self._writer, facts, apply, notify, self._connection)
        self._ticker = Ticker(self.flows, self._writer, apply, facts, self._asker.step, notify)
        self._checker = Checker(self.flows, self._connection)
        self._intake = Intake(self._writer, arm, notify, self._checker.check)
        self._importer = Importer(self._writer, self._intake, apply, self._serving)
        self._ledger = Ledger(self._writer, facts, apply, notify, self.flow)
        self._sender = Sender(self._checker, self._writer, facts, apply, notify)
        self._redactor = Redactor(self._writer, facts, notify)
        self._audience = Audience(self._writer, facts, notify)
        self._moderator = Moderator(self._writer, facts, notify)
        self.outbox = Courier(self.flows, self._connection, lambda: self._connection(True),
                              self._db.dialect.name == "postgresql", self._when)
        """The webhook outbox: `deliver()` what is due, `deliveries()`, `retry()`, `stats()`."""
        self.incidents = Incidents(self.flow, self._writer, self._connection,
                                   self._checker.check, apply, facts, notify, self._when)
        """Incidents: `open()`, `update()`, `resolve()`, `link()`; `get()`, `listing()`,
        `posts()`, `links()`."""

    # -- brands ----------------------------------------------------------------------------

    @property
    def brands(self) -> list[str]:
        """The brands cases can be opened for (shared base flows excluded)."""
        return [name for name, flow in self.flows.items() if not flow.settings.abstract]

    def flow(self, brand: str) -> Flow:
        """The compiled flow of a brand."""
        flow = self.flows.get(brand)
        if brand in self.broken:
            raise FlowError(self.broken[brand])
        if flow is None or flow.settings.abstract:
            raise NotFound(f"no brand '{brand}'; known brands: {', '.join(self.brands)}")
        return flow

    # -- commands --------------------------------------------------------------------------

    def open_case(self, brand: str, *, channel: str, author: str, text: str,
                  at: datetime | None = None, external_id: str | None = None,
                  by: str | None = None, name: str | None = None,
                  reach: dict[str, int] | None = None) -> Case:
        """Open a case for a public complaint by `author` (a handle; `name` if known). It is
        read: language (`unserved_language` when the brand does not serve it), tone, personal
        data posted in public (`personal_data`: move private). Its `reach` (followers, likes,
        shares, replies) and mood give its priority. The same `external_id` again returns the
        case already opened for it."""
        opened = self._intake.open(self._serving(brand, channel), channel, author, text,
                                   self._when(at), external_id, by, name, reach)
        if isinstance(opened, int):
            return self.case(opened)
        self.incidents.suggest(opened.id, brand, channel, opened.text, opened.opened_at)
        return opened

    def import_cases(self, lines: Iterable[bytes | str],
                     progress: Callable[[int], None] | None = None) -> Imported:
        """Bring cases over from another helpdesk, a JSON object a line, idempotent by external
        id; bad lines are reported by number and the rest go in (`importer.py`)."""
        return self._importer.run(lines, progress)

    def fire(self, case_id: int, trigger: str, *, by: str, note: str | None = None,
             payload: dict[str, Any] | None = None, at: datetime | None = None) -> Event:
        """Fire `trigger` on a case; returns the event appended to its history."""
        return self._fire(case_id, trigger, by, note, payload, at)

    def record_finding(self, case_id: int, finding: str, *, by: str,
                       root_cause: str | None = None, note: str | None = None,
                       at: datetime | None = None) -> Event:
        """Record the investigation's finding (founded, partly, unfounded) and root cause."""
        return self._fire(case_id, Recorder("finding"), by, note,
                          {"finding": finding, "root_cause": root_cause}, at)

    def offer_remedy(self, case_id: int, kind: str, value: Decimal | float | str = 1, *,
                     by: str, key: str | None = None, order: str | None = None,
                     goodwill: str | None = None, note: str | None = None,
                     at: datetime | None = None) -> Remedy:
        """Offer a remedy (coupon, discount, refund, voucher, gift). Within the agent's limit it
        is issued at once (with a code for a coupon or voucher) and the case moves; over it,
        where the brand has leads, it waits for one (`pending_approval`). `order` names what a
        refund refunds; `goodwill` (the reason) allows one beyond duty, within the brand's
        goodwill budget. The same `key` again returns the first result and issues nothing."""
        limits.person(by)
        case = self.case(case_id)
        return self._ledger.offer(self.flow(case.brand), case, kind, value, by,
                                  key or uuid4().hex, order, goodwill, note, self._when(at))

    def approve_remedy(self, remedy_id: int, *, by: str, at: datetime | None = None) -> Remedy:
        """A lead approves a remedy waiting for one: it is issued (once) and the case moves."""
        limits.person(by)
        return self._ledger.approve(remedy_id, by, self._when(at))

    def decline_remedy(self, remedy_id: int, *, reason: str, by: str,
                       at: datetime | None = None) -> Remedy:
        """A lead declines a remedy waiting for one, with the reason; nothing is issued."""
        limits.person(by)
        return self._ledger.decline(remedy_id, by, reason, self._when(at))

    def redeem_remedy(self, remedy_id: int, *, by: str, note: str | None = None,
                      at: datetime | None = None) -> Remedy:
        """Record that the customer used an issued remedy (its code, the refund); an expired
        one is refused."""
        limits.person(by)
        return self._ledger.redeem(remedy_id, by, self._when(at), note)

    def void_remedy(self, remedy_id: int, *, reason: str, by: str,
                    at: datetime | None = None) -> Remedy:
        """Withdraw an issued remedy nobody used, saying why (a lead, where the brand names its
        people); it no longer counts against a limit."""
        limits.person(by)
        return self._ledger.void(remedy_id, by, reason, self._when(at))

    def record_answer(self, case_id: int, score: int, *, text: str | None = None,
                      by: str | None = None, at: datetime | None = None) -> Event:
        """Record the customer's answer to the follow-up (a score of 1 to 5, their words; `by`
        defaults to the customer): at or below `low_score` the case reopens, its resolution
        clock resumes, its priority rises and the lead is told; above it, the case closes."""
        case = self.case(case_id)
        limits.person(by or case.author)
        return self._asker.answer(self.flow(case.brand), case, score, text, by or case.author,
                                  self._when(at))

    def do_not_contact(self, case_id: int, *, by: str, reason: str | None = None,
                       at: datetime | None = None) -> Event:
        """Record that the customer asked not to be contacted: no follow-up, no reminder."""
        limits.person(by)
        return self._asker.do_not_contact(case_id, by, reason, self._when(at))

    def update_reach(self, case_id: int, reach: dict[str, int], *, by: str,
                     at: datetime | None = None) -> Event:
        """Record how far the complaint travels now (followers, likes, shares, replies): past a
        priority rule the case rises, the rule's people are told, its clocks tighten."""
        limits.person(by)
        return self._audience.update(case_id, reach, by, self._when(at))

    def moderate(self, case_id: int, *, post: str, rule: str, by: str,
                 author: str | None = None, text: str | None = None,
                 at: datetime | None = None) -> Event:
        """Record that a post in the case's thread (its id on the platform) is hidden under a
        house rule of the brand; the complaint and its customer's posts never are."""
        limits.person(by)
        return self._moderator.hide(self.case(case_id), post, rule, by, author, text,
                                    self._when(at))

    def redact(self, case_id: int, event: int, *, by: str, reason: str,
               at: datetime | None = None) -> Event:
        """Blank the text of event #`event` of a case (personal data; for #1 the complaint and
        the customer's name), recorded as a `redact` event with who and why. Nothing is
        deleted and the history's hash chain still verifies."""
        limits.person(by)
        return self._redactor.redact(case_id, event, by, reason, self._when(at))

    def draft(self, case_id: int, *, by: str, template: str | None = None,
              text: str | None = None, public: bool = True,
              at: datetime | None = None) -> Draft:
        """Write a reply from a template (in the customer's language and the brand's voice,
        the variant for their mood first) or from `text`, and lint it; nothing is recorded."""
        if (template is None) == (text is None):
            raise InvalidInput("give a reply's template or its text (one of them)")
        limits.person(by)
        case = self.case(case_id)
        issued = (next(iter(self.remedies(case_id=case_id, status="issued", limit=1)), None)
                  if template is not None else None)  # only a template shows its code
        incident = self.incidents.context_for(case_id) if template is not None else None
        if template is not None and template.startswith("incident") and incident is None:
            raise InvalidInput(f"case {case_id} is linked to no incident; link it first "
                               f"(`recovery incident link ID {case_id}`) or use another template")
        return self._sender.draft(self.flow(case.brand), case, by, template, text, public,
                                  self._when(at), issued, incident)

    def reply(self, case_id: int, *, by: str, template: str | None = None,
              text: str | None = None, public: bool = True, fire: str | None = None,
              override: str | None = None, note: str | None = None,
              at: datetime | None = None) -> Event:
        """Write, lint and record a reply (trigger `reply`) for subscribers to post. Blocking
        findings refuse it (`ReplyRefused`) unless `override` says why (recorded). `fire` moves
        the case in the same transaction (e.g. `acknowledge`); a reply that only redirects
        never resolves a case. A public reply by a person stops the first-response clock."""
        draft = self.draft(case_id, by=by, template=template, text=text, public=public, at=at)
        return self.send(draft, fire=fire, override=override, note=note)

    def send(self, draft: Draft, *, fire: str | None = None, override: str | None = None,
             note: str | None = None) -> Event:
        """Record a drafted reply (see `reply`); refused if the case changed since the draft."""
        return self._sender.send(self.flow(draft.brand), draft, fire, override, note)

    def lint(self, brand: str, channel: str, text: str, *, public: bool = True,
             language: str | None = None, customer: str = "",
             at: datetime | None = None) -> Linted:
        """Lint a reply text for a brand's channel, without a case (what `recovery lint` does)."""
        text = limits.text(text, "the reply", limits.REPLY)
        return self._checker.check(self._serving(brand, channel), text,
                                   Subject(channel, public, customer, (), language),
                                   self._when(at))

    def tick(self, now: datetime | None = None,
             stop: Callable[[], bool] | None = None) -> list[Timer]:
        """Fire every timer due by `now` exactly once (also with several workers) until `stop()`:
        SLA warnings and breaches, the follow-up's steps, the daily hello and goodbye. Each
        with its outcome: `fired`, `refused: …`, `skipped: …`, `postponed: …` or `failed: …`."""
        return self._ticker.tick(self._when(now), stop)

    def subscribe(self, callback: Subscriber) -> Callable[[], None]:
        """Call `callback(event)` after every committed event (one that raises is logged; the
        change stays); returns an unsubscribe function."""
        self._subscribers.append(callback)
        return lambda: self._subscribers.remove(callback)

    # -- queries ---------------------------------------------------------------------------

    def case(self, case_id: int) -> Case:
        """The case with that id."""
        with self._connection() as conn:
            found = queries.get_case(conn, limits.ident(case_id, "case"))
        if found is None:
            raise NotFound(f"no case {case_id}")
        return found

    def case_for(self, brand: str, external_id: str) -> Case | None:
        """The brand's case opened for that platform post, if any."""
        with self._writer.transaction() as tx:
            found = tx.find_external(brand, external_id)
        return None if found is None else self.case(found)

    def cases(self, *, brand: str | None = None, state: str | None = None,
              channel: str | None = None, limit: int = 100, offset: int = 0,
              breached: bool = False, due_within: timedelta | None = None,
              priority: str | None = None, urgent_first: bool = False) -> list[Case]:
        """Cases matching the filters, newest first (a stable order to page through). Most
        urgent first with `urgent_first`: the highest priority, then the earliest due or
        breached clock, then the cases with no clock counting, newest first. With `breached`
        (a clock breached and not stopped since) and/or `due_within` (a running clock breaches
        within that much time from now, or already has), only the cases that need attention,
        most urgent first."""
        if priority is not None and priority not in PRIORITIES:
            raise InvalidInput(f"no priority '{priority[:40]}'; one of {', '.join(PRIORITIES)}")
        if state is not None:
            check_state([self.flow(b) for b in ([brand] if brand else self.brands)], state,
                        f"{brand}'s flow" if brand else "any brand's flow")
        elif brand is not None:
            self.flow(brand)
        due_by = (None if due_within is None
                  else self._when(None) + limits.span(due_within, "due_within"))
        with self._connection() as conn:
            return board.list_cases(conn, brand=brand, state=state, channel=channel,
                                    priority=priority, limit=limit, offset=offset,
                                    breached=breached, due_by=due_by,
                                    urgent_first=PRIORITIES[::-1] if urgent_first or breached
                                    or due_by is not None else ())

    def clocks(self, case_id: int, now: datetime | None = None) -> list[ClockStatus]:
        """The SLA clocks of a case at `now`: due times, time left, breached or not."""
        with self._writer.transaction() as tx:
            flow, _facts, _version = self._firing.facts(tx, case_id)
            found = tx.clocks(case_id)
        when = self._when(now)
        return [keeper.status(flow, found[name], when) for name in CLOCKS if name in found]

    def notices(self, brand: str | None = None, limit: int = 100) -> list[Notice]:
        """The daily hellos and goodbyes posted, newest first."""
        if brand is not None:
            self.flow(brand)
        with self._connection() as conn:
            return queries.list_notices(conn, brand, limit)

    def remedies(self, *, brand: str | None = None, status: str | None = None,
                 case_id: int | None = None, limit: int = 100) -> list[Remedy]:
        """Remedies by brand, status or case; those waiting for approval oldest first, the
        others newest first."""
        if brand is not None:
            self.flow(brand)
        with self._connection() as conn:
            return queries.list_remedies(conn, brand=brand, status=status, case_id=case_id,
                                         limit=limit)

    def remedy(self, remedy_id: int) -> Remedy:
        """The remedy with that id."""
        with self._connection() as conn:
            for found in queries.list_remedies(conn, remedy_id=limits.ident(remedy_id, "remedy"),
                                               limit=1):
                return found
        raise NotFound(f"no remedy {remedy_id}")

    def audit(self, *, brand: str | None = None, case_id: int | None = None) -> Audit:
        """Verify that every case's history (or a brand's, or one case's) is whole and
        unchanged: numbered without gaps, each event matching its hash in the chain."""
        if brand is not None:
            self.flow(brand)
        with self._connection() as conn:
            return verify(conn, brand, case_id)

    def report(self, *, brand: str | None = None, since: datetime | None = None,
               until: datetime | None = None) -> dict[str, Any]:
        """The care report on cases opened from `since` (30 days ago) to `until` (now)."""
        if brand is not None:
            self.flow(brand)
        end = self._when(until)
        with self._connection() as conn:
            return figures.report(conn, end - figures.PERIOD if since is None
                                  else self._when(since), end, brand)

    def history(self, case_id: int) -> list[Event]:
        """Every event of a case, oldest first."""
        with self._connection() as conn:
            events = queries.history(conn, limits.ident(case_id, "case"))
        if not events:
            raise NotFound(f"no case {case_id}")
        return events

    def events(self, *, after: int = 0, limit: int = 100) -> list[Entry]:
        """Every case's events in commit order after the event with id `after` (0: the first),
        at most `limit` (1 to 10,000): pass the last entry's `id` as the next `after`."""
        with self._connection() as conn:
            return feed.entries(conn, limits.count(after, "after", 0),
                                limits.count(limit, "limit", 1, 10_000))

    def pending_timers(self, *, failed: bool = False, limit: int = 100) -> list[Timer]:
        """Timers still to fire, next due first; with `failed`, those whose firing failed."""
        with self._connection() as conn:
            return queries.pending_timers(conn, failed=failed, limit=limit)

    def timers(self, case_id: int) -> list[Timer]:
        """Every timer of a case: pending, fired and cancelled."""
        self.case(case_id)
        with self._connection() as conn:
            return queries.case_timers(conn, case_id)

    def triggers(self, case_id: int) -> list[TriggerOption]:
        """Every trigger of the case's flow, each allowed or not, with the reason when not."""
        with self._writer.transaction() as tx:
            flow, facts, _version = self._firing.facts(tx, case_id)
        return flow.options(facts)

    def allowed_triggers(self, case_id: int) -> list[str]:
        """The triggers that may fire on the case now."""
        return [option.trigger for option in self.triggers(case_id) if option.allowed]

    def close(self) -> None:
        """Close the engine's database and HTTP connections (it can be used again)."""
        self.outbox.close()
        self._writer.close()
        self._db.dispose()

    # -- inside ----------------------------------------------------------------------------

    def _fire(self, case_id: int, trigger: str | Recorder, by: str, note: str | None,
              payload: dict[str, Any] | None, at: datetime | None) -> Event:
        limits.person(by)
        when = self._when(at)
        with self._writer.transaction(case_id) as tx:
            event = self._firing.apply(tx, case_id, trigger, by, note, payload, when)
        self._notify(event)
        return event

    def _serving(self, brand: str, channel: str) -> Flow:
        return self.flow(brand).serving(channel)

    def _when(self, at: datetime | None) -> datetime:
        return limits.instant(at if at is not None else self._clock())

    def _notify(self, event: Event | Notice) -> None:
        for callback in list(self._subscribers):
            try:
                callback(event)
            except Exception:
                log.exception("subscriber %r failed on %r", callback, event)

    @contextmanager
    def _connection(self, begin: bool = False) -> Iterator[Connection]:
        with storage_errors("database error"), \
                (self._db.begin() if begin else self._db.connect()) as conn:
            yield conn
