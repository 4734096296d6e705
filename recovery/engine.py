"""The one facade: open, import and move cases, record findings, remedies, answers, reach and
moderation, run timers, deliver webhooks, keep incidents; its queries come from `reads.Reads`.
Each brand's flow is one shared `transitions` Machine; a case is a row, moved with a check on
the version it was read at. Time comes from an injected clock.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any
from uuid import uuid4

from sqlalchemy import Connection
from sqlalchemy import Engine as SAEngine

from recovery import limits, warming
from recovery.clock import Clock, system_clock
from recovery.delivery.courier import Courier
from recovery.delivery.routes import Routes
from recovery.errors import InvalidInput, PolicyViolation
from recovery.firing import Firing, arm
from recovery.flow_migration import Migration, Migrator
from recovery.flows import Flow, load_brands
from recovery.followups.asker import Asker
from recovery.importer import Imported, Importer, Lines
from recovery.incidents import Incidents
from recovery.intake import Intake
from recovery.moderation import Moderator
from recovery.now import read_again
from recovery.people import People, Roles
from recovery.policy import Recorder
from recovery.reach import Audience
from recovery.reads import Reads
from recovery.redaction import Redactor
from recovery.remedies import Ledger
from recovery.replies import Linted, Subject
from recovery.replies.compose import Checker, Draft
from recovery.sender import Sender
from recovery.store.db import DEFAULT_URL, connect, in_schema
from recovery.store.joined import Guests, Joined
from recovery.store.records import Case, Event, Notice, Remedy, Timer
from recovery.store.writer import Writer
from recovery.ticker import Ticker

if TYPE_CHECKING:
    from recovery.whatif import WhatIf

Subscriber = Callable[[Event | Notice], None]
"""Told of every event after it is committed (a case opened, a trigger or a timer fired, an SLA
clock warned or breached, an after-hours notice to post) and of each brand-wide `Notice` (the
daily hello and goodbye, an incident's posts) to post."""

log = logging.getLogger("recovery")


class Engine(Reads):
    """A brand-aware complaint recovery engine over one database.

    >>> engine = Engine("sqlite:///care.db", workflows="workflows")  # doctest: +SKIP
    """

    def __init__(self, db: str | SAEngine = DEFAULT_URL, *, workflows: str | Path = "workflows",
                 clock: Clock = system_clock, people: People | None = None,
                 schema: str | None = None, warm: bool = False) -> None:
        """An engine over the database `db` (a URL, or a SQLAlchemy engine of the host's) and
        the brands in `workflows`, reading the time from `clock`. `people` says who may act and
        as what (`agent` or `lead`) as the host knows its users: a mapping of names to roles,
        or a callable taking (brand, name) and giving the role (None: may not act for that
        brand); by default each brand's `people:`. On PostgreSQL, `schema` keeps every table,
        function and trigger of the engine in a schema of its own (made if missing). With
        `warm`, what the first complaint and reply would load is loaded now (`warm()`)."""
        roles = self._roles = Roles(people)
        self.flows, self.broken = load_brands(workflows)
        """The brands' flows; and those whose flow files do not load, with their problems."""
        self._db = connect(db, schema)
        self._schema = schema
        self._in_schema = in_schema(schema) if isinstance(db, SAEngine) else None
        """What each transaction of the engine's runs first: a host's engine's connections are
        not set to the engine's schema as they connect (those made from a URL are)."""
        self._writer = Writer(self._db, Routes(self.flows), self._notify, self._in_schema)
        self._guests = Guests(self._db)
        self._clock = clock
        self._subscribers: list[Subscriber] = []
        firing = self._firing = Firing(self.flows, self.broken)
        apply, facts = firing.apply, firing.facts
        self._asker = Asker(self._writer, facts, apply)
        self._ticker = Ticker(self.flows, self._writer, apply, facts, self._asker.step)
        self._checker = Checker(self.flows, self._connection)
        self.incidents = Incidents(self.flow, self._writer, self._connection,
                                   self._checker.check, apply, facts, self._when)
        """Incidents: `open()`, `update()`, `resolve()`, `link()`; `get()`, `listing()`,
        `posts()`, `links()`."""
        self._intake = Intake(self._writer, arm, self._checker.check, self.incidents.suggest)
        self._importer = Importer(self._writer, self._intake, apply, self._serving)
        self._ledger = Ledger(self._writer, facts, apply, self.flow, roles)
        self._sender = Sender(self._checker, self._writer, facts, apply)
        self._redactor = Redactor(self._writer, facts, roles)
        self._audience = Audience(self._writer, facts)
        self._moderator = Moderator(self._writer, facts)
        self._migrator = Migrator(self._writer)
        self.outbox = Courier(self.flows, lambda: self._connection(own=True),
                              lambda: self._connection(True, own=True),
                              self._db.dialect.name == "postgresql", self._when)
        """The webhook outbox: `deliver()` what is due, `deliveries()`, `retry()`, `stats()`."""
        if warm:
            self.warm()

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
        return opened

    def import_cases(self, lines: Lines, progress: Callable[[int], None] | None = None
                     ) -> Imported:
        """Bring cases over from another helpdesk, a JSON object a line (text, bytes or the
        object already parsed; or a whole text), idempotent by external id; bad lines are
        reported by number and the rest go in (`importer.py`)."""
        return self._importer.run(lines, progress)

    @read_again
    def fire(self, case_id: int, trigger: str, *, by: str, note: str | None = None,
             payload: dict[str, Any] | None = None, at: datetime | None = None) -> Event:
        """Fire `trigger` on a case; returns the event appended to its history."""
        return self._fire(case_id, trigger, by, note, payload, at)

    @read_again
    def record_finding(self, case_id: int, finding: str, *, by: str,
                       root_cause: str | None = None, explanation: str | None = None,
                       note: str | None = None, at: datetime | None = None) -> Event:
        """Record the investigation's finding (founded, partly, unfounded) and its root cause
        (the team's words, kept internal); `explanation` is what the customer is told of it,
        in their language (the resolution template says it)."""
        told = {"explanation": explanation} if explanation is not None else {}
        return self._fire(case_id, Recorder("finding"), by, note,
                          {"finding": finding, "root_cause": root_cause, **told}, at)

    @read_again
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
        return self._ledger.offer(self._case_flow(case.brand, case.flow_version), case, kind,
                                  value, by, key or uuid4().hex, order, goodwill, note,
                                  self._when(at))

    @read_again
    def approve_remedy(self, remedy_id: int, *, by: str, at: datetime | None = None) -> Remedy:
        """A lead approves a remedy waiting for one: it is issued (once) and the case moves."""
        limits.person(by)
        return self._ledger.approve(remedy_id, by, self._when(at))

    @read_again
    def decline_remedy(self, remedy_id: int, *, reason: str, by: str,
                       at: datetime | None = None) -> Remedy:
        """A lead declines a remedy waiting for one, with the reason; nothing is issued."""
        limits.person(by)
        return self._ledger.decline(remedy_id, by, reason, self._when(at))

    @read_again
    def redeem_remedy(self, remedy_id: int, *, by: str, note: str | None = None,
                      at: datetime | None = None) -> Remedy:
        """Record that the customer used an issued remedy (its code, the refund); an expired
        one is refused."""
        limits.person(by)
        return self._ledger.redeem(remedy_id, by, self._when(at), note)

    @read_again
    def void_remedy(self, remedy_id: int, *, reason: str, by: str,
                    at: datetime | None = None) -> Remedy:
        """Withdraw an issued remedy nobody used, saying why (a lead, where the brand names its
        people); it no longer counts against a limit."""
        limits.person(by)
        return self._ledger.void(remedy_id, by, reason, self._when(at))

    @read_again
    def record_answer(self, case_id: int, score: int, *, text: str | None = None,
                      by: str | None = None, at: datetime | None = None) -> Event:
        """Record the customer's answer to the follow-up (a score of 1 to 5, their words; `by`
        defaults to the customer): at or below `low_score` the case reopens, its resolution
        clock resumes, its priority rises and the lead is told; above it, the case closes."""
        case = self.case(case_id)
        limits.person(by or case.author)
        return self._asker.answer(self._case_flow(case.brand, case.flow_version), case, score,
                                  text, by or case.author, self._when(at))

    @read_again
    def do_not_contact(self, case_id: int, *, by: str, reason: str | None = None,
                       at: datetime | None = None) -> Event:
        """Record that the customer asked not to be contacted: no follow-up, no reminder."""
        limits.person(by)
        return self._asker.do_not_contact(case_id, by, reason, self._when(at))

    @read_again
    def update_reach(self, case_id: int, reach: dict[str, int], *, by: str,
                     at: datetime | None = None) -> Event:
        """Record how far the complaint travels now (followers, likes, shares, replies): past a
        priority rule the case rises, the rule's people are told, its clocks tighten."""
        limits.person(by)
        return self._audience.update(case_id, reach, by, self._when(at))

    @read_again
    def moderate(self, case_id: int, *, post: str, rule: str, by: str,
                 author: str | None = None, text: str | None = None,
                 at: datetime | None = None) -> Event:
        """Record that a post in the case's thread (its id on the platform) is hidden under a
        house rule of the brand; the complaint and its customer's posts never are."""
        limits.person(by)
        return self._moderator.hide(self.case(case_id), post, rule, by, author, text,
                                    self._when(at))

    @read_again
    def redact(self, case_id: int, event: int, *, by: str, reason: str,
               at: datetime | None = None) -> Event:
        """Blank the text of event #`event` of a case (personal data; for #1 the complaint and
        the customer's name), recorded as a `redact` event with who and why. Nothing is
        deleted and the history's hash chain still verifies."""
        limits.person(by)
        return self._redactor.redact(case_id, event, by, reason, self._when(at))

    @read_again
    def migrate_flow(self, brand: str, *, by: str, mapping: Mapping[str, str] | None = None,
                     dry_run: bool = False, at: datetime | None = None) -> Migration:
        """Move the brand's open cases that run under an older version of its flow to the
        version loaded now, on purpose (until then each keeps the version it opened with):
        each move a `migrate` event, the state's timers armed again where they differ, the SLA
        clocks and follow-up steps carried over to the new targets. `mapping` (old state → new)
        places the cases in states the flow no longer has; while any is unplaced nothing moves
        (`InvalidInput` naming them). With `dry_run`, the moves are made and rolled back: what
        each would change (`Move.changes`). Where the brand names its people, only a lead
        may."""
        limits.person(by)
        flow = self.flow(brand)
        if self._roles.authority(flow, by) is None:
            raise PolicyViolation(f"only a lead of {brand} may move its cases to another "
                                  f"version of its flow; {by} is not one")
        return self._migrator.run(flow, mapping or {}, by, self._when(at), dry_run)

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
        flow = self._case_flow(case.brand, case.flow_version)
        incident = (self.incidents.context_for(case_id, flow.answering(case.language))
                    if template is not None else None)
        return self._sender.draft(flow, case, by, template, text, public,
                                  self._when(at), issued, incident)

    @read_again
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
        return self._sender.send(self._case_flow(draft.brand, draft.flow_version), draft, fire,
                                 override, note)

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

    @contextmanager
    def joined(self, connection: Connection | Any) -> Iterator[Joined]:
        """Inside the block every call writes through the host's own `connection` (a
        SQLAlchemy `Connection` in a transaction, or a sqlite3 or psycopg 3 connection on the
        engine's database) and never commits: the host's commit keeps the cases, events,
        clocks, timers and outbox rows it wrote, its rollback leaves none of them. A call that
        fails is undone alone (a savepoint), leaving the host's transaction usable. Reads in
        the block see what it wrote. Subscribers are told once the host says it committed:
        `joined.tell()` (Django: `transaction.on_commit(joined.tell)`). The outbox's delivery
        keeps to the engine's own connections."""
        joined = Joined(connection, self._db, self._guests, self._schema, self._notify)
        token = self._writer.joined.set(joined)
        try:
            yield joined
        finally:
            self._writer.joined.reset(token)

    def warm(self) -> None:
        """Load now what reading the first complaint and checking the first reply would load
        (the language detector of every brand's languages, the linter's tables for those it
        serves, the copy index, this year's days off): call it before serving, so no request
        pays for it (`recovery worker` does)."""
        flows, now = [self.flow(brand) for brand in self.brands], self._when(None)
        warming.warm(flows, self._checker.check, now)
        with self._writer.transaction() as tx:  # what opening a case reads; nothing written
            for flow in flows:
                self.incidents.suggest(tx, 0, flow.brand, "", "", now)

    def what_if(self, workflows: str | Path, *, brand: str | None = None,
                since: datetime | None = None, until: datetime | None = None,
                progress: Callable[[int, int], None] | None = None) -> WhatIf:
        """What the flows in `workflows` would have done to the cases opened from `since` (30
        days ago) to `until` (now): each case's recorded acts replayed at their own times
        through them, in a scratch database (this one is only read), and the care report's
        figures, refused acts, end states, priorities, remedies and follow-ups set beside what
        happened (the `recovery.whatif` package). `progress(done, total)` is told as the acts
        go."""
        from recovery.whatif import what_if

        if brand is not None:
            self.flow(brand)
        start, end, now = self._period(since, until)
        return what_if(self._connection, self.flows, workflows, start, end, now, brand,
                       progress)

    def subscribe(self, callback: Subscriber) -> Callable[[], None]:
        """Call `callback(event)` after every committed event (one that raises is logged; the
        change stays); returns an unsubscribe function."""
        self._subscribers.append(callback)
        return lambda: self._subscribers.remove(callback)

    def close(self) -> None:
        """Close the engine's database and HTTP connections (it can be used again)."""
        self.outbox.close()
        self._writer.close()
        self._guests.close()
        self._db.dispose()

    # -- inside ----------------------------------------------------------------------------

    def _fire(self, case_id: int, trigger: str | Recorder, by: str, note: str | None,
              payload: dict[str, Any] | None, at: datetime | None) -> Event:
        limits.person(by)
        when = self._when(at)
        with self._writer.transaction(case_id) as tx:
            return self._firing.apply(tx, case_id, trigger, by, note, payload, when)

    def _serving(self, brand: str, channel: str) -> Flow:
        return self.flow(brand).serving(channel)

    def _notify(self, event: Event | Notice) -> None:
        for callback in list(self._subscribers):
            try:
                callback(event)
            except Exception:
                log.exception("subscriber %r failed on %r", callback, event)

